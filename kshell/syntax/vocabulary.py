"""Literal tables of the language, defined once.

The tokenizer, the parsers, the highlighter and the completer all read these.
Add words here rather than spelling them out in code.
"""

# Words that contain '-' and must tokenize as one word (otherwise `a-b` is a
# subtraction).  Matched only when not followed by another identifier char.
HYPHENATED_WORDS = frozenset({
    # query operators
    "project-away", "project-keep", "project-rename", "project-reorder",
    "project-smart", "mv-expand", "mv-apply", "make-series", "parse-where",
    "parse-kv", "top-nested", "top-hitters", "make-graph", "graph-match",
    "graph-merge", "graph-to-table", "graph-shortest-paths", "graph-mark-components",
    "scan-geo", "partition-by",
    # command verbs and words
    "alter-merge", "create-merge", "create-or-alter", "set-or-append",
    "set-or-replace", "continuous-export", "continuous-exports",
    "exported-artifacts", "skip-results", "materialized-view",
    "materialized-views", "ingest-from-storage-queued", "drop-pretend",
    "entity-groups", "entity-group", "graph-model", "graph-models",
    "graph-snapshot", "graph-snapshots", "stored-query-result",
    "stored-query-results", "query-results", "request-support",
    "data-connection", "workload-groups", "workload-group", "row-store",
    "extent-tags", "purge-cleanup", "journal", "request-classification",
    "follower-databases",
})

# `!word` negated string/set operators, produced as one OP token.
NEGATABLE_OPERATORS = (
    "has_cs", "has_all", "has_any", "hasprefix_cs", "hasprefix", "hassuffix_cs",
    "hassuffix", "has", "contains_cs", "contains", "startswith_cs", "startswith",
    "endswith_cs", "endswith", "in~", "in", "between", "matches",
)

# Type names usable in schemas and casts.
SCALAR_TYPES = {
    "bool": "bool", "boolean": "bool",
    "int": "int", "int32": "int",
    "long": "long", "int64": "long",
    "real": "real", "double": "real", "float": "real",
    "decimal": "decimal",
    "string": "string",
    "datetime": "datetime", "date": "datetime",
    "timespan": "timespan", "time": "timespan",
    "guid": "guid", "uniqueid": "guid",
    "dynamic": "dynamic",
}

# Literal constructors whose parenthesised content is raw text, not tokens
# (e.g. `datetime(2015-12-31 23:59:59.9)`, `guid(74be27de-...)`).
RAW_LITERAL_CONSTRUCTORS = ("datetime", "timespan", "date", "time", "guid")

# Timespan literal suffixes -> seconds per unit.
TIMESPAN_UNITS = {
    "d": 86400.0, "day": 86400.0, "days": 86400.0,
    "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "m": 60.0, "min": 60.0, "minute": 60.0, "minutes": 60.0,
    "s": 1.0, "sec": 1.0, "second": 1.0, "seconds": 1.0,
    "ms": 1e-3, "milli": 1e-3, "millis": 1e-3, "millisecond": 1e-3, "milliseconds": 1e-3,
    "microsecond": 1e-6, "microseconds": 1e-6,
    "tick": 1e-7, "ticks": 1e-7,
}

# ManagedIdentity policy AllowedUsages, canonical casing (spec 2.3).
MANAGED_IDENTITY_USAGES = (
    "All", "AutomatedFlows", "AzureAI", "DataConnection", "ExportRequest",
    "ExternalDataRequest", "ExternalTable", "NativeIngestion",
    "SandboxArtifacts", "SqlRequest",
)

# Role words per securable kind, as typed in `.add <kind> X <role> (...)` (spec 3.3).
ROLE_WORDS = {
    "cluster": ("alldatabasesadmins", "alldatabasesviewers", "alldatabasesmonitors"),
    "database": ("admins", "users", "viewers", "unrestrictedviewers", "ingestors", "monitors"),
    "table": ("admins", "ingestors"),
    "function": ("admins",),
    "external table": ("admins",),
    "materialized-view": ("admins",),
}

# Policy kinds as typed after `policy` (generic `.show/.alter/.delete ... policy <kind>`).
POLICY_KINDS = (
    "managed_identity", "update", "row_level_security", "retention", "caching",
    "ingestionbatching", "ingestiontime", "merge", "sharding", "partitioning",
    "restricted_view_access", "streamingingestion", "auto_delete", "callout",
    "query_acceleration", "encoding", "extent_tags_retention", "mirroring",
    "roworder", "query_weak_consistency", "querythrottling", "request_classification",
    "sandbox", "capacity", "diagnostics", "extent_tags", "query_results_cache",
    "request_limits", "request_rate_limit", "request_rate_limits", "row_order",
    "sharding", "statistics", "workload_group",
)

# Display names of the policy kinds kshell simulates (PolicyName column).
POLICY_NAMES = {
    "managed_identity": "ManagedIdentityPolicy",
    "update": "UpdatePolicy",
    "row_level_security": "RowLevelSecurityPolicy",
}
