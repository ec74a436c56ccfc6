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
    "scan-geo", "partition-by", "sample-distinct", "project-by-names", "macro-expand",
    "assert-schema",
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
    "follower-databases", "commands-and-queries", "column-docstrings",
})

# `!word` negated string/set operators, produced as one OP token.
NEGATABLE_OPERATORS = (
    "has_cs", "has_all", "has_any", "hasprefix_cs", "hasprefix", "hassuffix_cs",
    "hassuffix", "has", "contains_cs", "contains", "startswith_cs", "startswith",
    "endswith_cs", "endswith", "in~", "in", "between", "matches",
)

# String / set operators written as words (`a has "x"`); each (except the
# not-forms) also has a `!` form in NEGATABLE_OPERATORS.
STRING_OPERATORS = frozenset({
    "has", "has_cs", "hasprefix", "hasprefix_cs", "hassuffix", "hassuffix_cs",
    "contains", "contains_cs", "startswith", "startswith_cs", "endswith", "endswith_cs",
    "notcontains", "notcontainscs", "notbetween",
})

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

# (Each kind's display name, levels and properties: kshell.engine.policies.kinds.)

# Command templates, one per command shape, read by the REPL completer (Tab walks
# them word by word).  Words: a literal keyword; `a|b` alternatives; `[word]`
# optional; `<slot>` a value: database, table, function, external_table,
# materialized_view, continuous_export, policy (a policy kind), role:<securable>
# (a role word of ROLE_WORDS), principals (`('fqn', ...)`), name (a new name),
# schema (`(col:type, ...)`), payload (a string literal), rest (free text to the end).
COMMAND_TEMPLATES = (
    # databases
    ".show databases",
    ".show databases details",
    ".show database [<database>]",
    ".show database <database> schema",
    ".show database [<database>] details",
    ".create database <name> persist|volatile",
    ".drop database <database>",
    # generic policies (cmd_policy.py)
    ".show cluster policy <policy>",
    ".alter cluster policy <policy> <payload>",
    ".alter-merge cluster policy <policy> <payload>",
    ".delete cluster policy <policy>",
    ".show database [<database>] policy <policy>",
    ".alter database [<database>] policy <policy> <payload>",
    ".alter-merge database [<database>] policy <policy> <payload>",
    ".delete database [<database>] policy <policy>",
    ".show table <table> policy <policy>",
    ".show table * policy <policy>",
    ".alter table <table> policy <policy> <payload>",
    ".alter-merge table <table> policy <policy> <payload>",
    ".delete table <table> policy <policy>",
    ".show external table <external_table> policy <policy>",
    ".alter|alter-merge external table <external_table> policy <policy> <payload>",
    ".delete external table <external_table> policy <policy>",
    ".show materialized-view <materialized_view> policy <policy>",
    ".alter|alter-merge materialized-view <materialized_view> policy <policy> <payload>",
    ".delete materialized-view <materialized_view> policy <policy>",
    ".alter|alter-merge tables <rest>",
    ".show column <rest>",
    ".alter|delete column <rest>",
    # every policy of an entity (cmd_policy_list.py; databases: a flavor of .show database)
    ".show table <table> policies",
    ".show table * policies",
    ".show materialized-view <materialized_view> policies",
    ".show database [<database>] policies",
    # database scripts (cmd_script.py)
    ".execute database script <rest>",
    # materialized views (cmd_materialized_view.py)
    ".create [async] [ifnotexists] materialized-view <name> on table <table> <rest>",
    ".create-or-alter materialized-view <name> on table <table> <rest>",
    ".alter materialized-view <materialized_view> on table <table> <rest>",
    ".alter materialized-view <materialized_view> docstring|folder <payload>",
    ".alter materialized-view <materialized_view> autoupdateschema true|false",
    ".drop materialized-view <materialized_view> [ifexists]",
    ".rename materialized-view <materialized_view> to <name>",
    ".enable|disable materialized-view <materialized_view>",
    ".show materialized-views [details]",
    ".show materialized-view <materialized_view> [details|failures|cslschema]",
    # operations, request log, journal (cmd_operations.py)
    ".show operations",
    ".show operation <rest>",
    ".show commands|queries|commands-and-queries",
    ".show running queries",
    ".show journal",
    ".show database [<database>] journal",
    ".show cluster journal",
    ".cancel operation|query <rest>",
    # extents and data lifecycle (cmd_extents.py)
    ".drop|drop-pretend extents <rest>",
    ".drop extent <rest>",
    ".move [async] extents <rest>",
    ".merge|rebuild [async] <table> <rest>",
    ".delete [async] table <table> records <rest>",
    ".purge table <table> records <rest>",
    ".show materialized-view <materialized_view> extents",
    # security roles
    ".show cluster principals",
    ".show cluster principal roles",
    ".show database [<database>] principals",
    ".show database [<database>] principal roles",
    ".show table <table> principals",
    ".show table <table> principal roles",
    ".show function <function> principals",
    ".show function <function> principal roles",
    ".show external table <external_table> principals",
    ".show external table <external_table> principal roles",
    ".show materialized-view <materialized_view> principals",
    ".add|drop|set database [<database>] <role:database> <principals> [skip-results]",
    ".set database [<database>] <role:database> none [skip-results]",
    ".add|drop|set table <table> <role:table> <principals> [skip-results]",
    ".set table <table> <role:table> none [skip-results]",
    ".add|drop|set function <function> <role:function> <principals> [skip-results]",
    ".add|drop|set external table <external_table> <role:external table> <principals> [skip-results]",
    ".add|drop|set materialized-view <materialized_view> <role:materialized-view> <principals>",
    ".clear cluster cache groupmembership with <rest>",
    # tables
    ".show tables",
    ".show tables details",
    ".show table <table>",
    ".show table <table> details",
    ".show table <table> schema as json|csl",
    ".show table <table> cslschema",
    ".show table <table> extents",
    ".show extents",
    ".create table <name> <schema>",
    ".create-merge table <name> <schema>",
    ".alter table <table> <schema>",
    ".alter-merge table <table> <schema>",
    ".drop table <table> [ifexists]",
    ".rename table <table> to <name>",
    # functions
    ".show functions",
    ".show function <function>",
    ".create function [ifnotexists] <rest>",
    ".create-or-alter function <rest>",
    ".alter function <function> <rest>",
    ".drop function <function> [ifexists]",
    # ingestion
    ".ingest into table <table> <rest>",
    ".ingest async into table <table> <rest>",
    ".ingest inline into table <table> <rest>",
    ".ingest-from-storage-queued into table <table> <rest>",
    ".set|append|set-or-append|set-or-replace [async] <table> <rest>",
    ".show ingestion failures",
    # update policy, external tables, continuous export
    ".create|create-or-alter|alter external table <external_table> <rest>",
    ".drop external table <external_table> [ifexists]",
    ".show external tables",
    ".show external tables details",
    ".show external table <external_table>",
    ".show external table <external_table> details",
    ".show external table <external_table> schema as json|csl",
    ".show external table <external_table> cslschema|artifacts",
    ".export [async] [compressed] to csv|tsv|json|parquet <rest>",
    ".export [async] to table <external_table> <rest>",
    ".list blobs <rest>",
    ".create-or-alter continuous-export <continuous_export> <rest>",
    ".show continuous-exports",
    ".show continuous-export <continuous_export>",
    ".show continuous-export <continuous_export> exported-artifacts|failures",
    ".drop|enable|disable continuous-export <continuous_export>",
    # misc
    ".show version",
    ".show cluster",
    ".show principal roles",
    ".enable|disable plugin <name>",
)

# Tabular operators offered after `|` by the completer (the parser has its own dispatch).
QUERY_OPERATORS = (
    "as", "consume", "count", "distinct", "evaluate", "extend", "facet", "find",
    "fork", "getschema", "invoke", "join", "limit", "lookup", "make-series",
    "mv-apply", "mv-expand", "order", "parse", "parse-kv", "parse-where",
    "partition", "project", "project-away", "project-keep", "project-rename",
    "project-reorder", "render", "sample", "sample-distinct", "scan", "search",
    "serialize", "sort", "summarize", "take", "top", "top-hitters", "top-nested",
    "union", "where",
)
