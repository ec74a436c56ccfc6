"""Every policy kind kshell simulates through the table-driven handler, as data.

One row per kind: the word typed after `policy`, the name the service shows
(PolicyName), the levels it may be set on, whether its payload is one object
or an array of objects, the properties (kshell.engine.policies.schema.Prop:
names, types, ranges, defaults) and, for kinds with a non-JSON argument
(`retention softdelete = 10d`, `caching hot = 7d`, `ingestiontime true`), the
shorthand reader in kshell.engine.policies.shorthand.

managed_identity, update and row_level_security keep their own handlers
(their payloads interact with identities, ingestion and queries).

Defaults and ranges follow the ADX policy pages; where a page gives none,
kshell checks only the type (see docs/policies.md).
"""

from __future__ import annotations

from kshell.engine.policies.schema import Prop
from kshell.syntax.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

DAY = 86400.0

# Levels as the generic policy command names them (cmd_policy.PolicyCommand.entity_kind;
# `tables (A, B)` is the table level).
CLUSTER, DATABASE, TABLE, VIEW, COLUMN, EXTERNAL = (
    "cluster", "database", "table", "materialized-view", "column", "external table")


class PolicyKind(Record, frozen=True):
    kind: str                      # as typed after `policy`
    name: str                      # PolicyName column
    levels: tuple[str, ...]
    props: tuple[Prop, ...]
    array: bool = False            # the payload is an array of objects
    key: tuple[str, ...] = ()      # array kinds: properties identifying an element (alter-merge replaces it)
    shorthand: str = ""            # name of the reader in shorthand.READERS ("" = JSON only)
    json: bool = True              # also accepts a JSON payload
    merge: bool = True             # has .alter-merge
    acts: str = ""                 # what kshell does with it beyond showing it (docs/policies.md)


_LOOKBACK = (
    Prop("Kind", "enum", "Default", choices=("Default", "All", "HotCache", "Custom")),
    Prop("CustomPeriod", "timespan", None, min=0),
)

_PARTITION_KEY = (
    Prop("ColumnName", "string", required=True),
    Prop("Kind", "enum", required=True, choices=("Hash", "UniformRange")),
    Prop("Properties", "object", open=True, fields=(
        Prop("Function", "enum", None, choices=("XxHash64",)),
        Prop("MaxPartitionCount", "int", None, min=1, max=2048),
        Prop("Seed", "int", None),
        Prop("PartitionAssignmentMode", "enum", None, choices=("Default", "Uniform")),
        Prop("Reference", "datetime", None),
        Prop("RangeSize", "timespan", None, min=1),
        Prop("OverrideCreationTime", "bool", None),
    )),
)

CALLOUT_TYPES = ("kusto", "sql", "cosmosdb", "mysql", "postgresql", "azure_digital_twins", "azure_openai",
                 "sandbox_artifacts", "external_data", "webapi", "genevametrics", "genevalogs")

KINDS: dict[str, PolicyKind] = {k.kind: k for k in (
    PolicyKind("retention", "RetentionPolicy", (DATABASE, TABLE, VIEW), (
        Prop("SoftDeletePeriod", "timespan", "36500.00:00:00", min=0),
        Prop("Recoverability", "enum", "Enabled", choices=("Enabled", "Disabled")),
    ), shorthand="retention", acts="rows older than SoftDeletePeriod are removed as the clock moves"),
    PolicyKind("caching", "CachingPolicy", (CLUSTER, DATABASE, TABLE, VIEW), (
        Prop("DataHotSpan", "object", None, fields=(Prop("Value", "timespan", None, min=0),)),
        Prop("IndexHotSpan", "object", None, fields=(Prop("Value", "timespan", None, min=0),)),
        Prop("HotWindows", "array", [], fields=(
            Prop("MinValue", "datetime", required=True), Prop("MaxValue", "datetime", required=True))),
    ), shorthand="caching"),
    PolicyKind("ingestionbatching", "IngestionBatchingPolicy", (DATABASE, TABLE), (
        Prop("MaximumBatchingTimeSpan", "timespan", "00:05:00", min=10, max=DAY),
        Prop("MaximumNumberOfItems", "int", 500, min=1, max=25000),
        Prop("MaximumRawDataSizeMB", "int", 1024, min=1, max=4096),
    )),
    PolicyKind("merge", "MergePolicy", (DATABASE, TABLE, VIEW), (
        Prop("RowCountUpperBoundForMerge", "int", 16000000, min=0),
        Prop("OriginalSizeMBUpperBoundForMerge", "int", 0, min=0),
        Prop("MaxExtentsToMerge", "int", 100, min=2),
        Prop("LoopPeriod", "timespan", "01:00:00", min=0),
        Prop("MaxRangeInHours", "int", 24, min=1, max=8760),
        Prop("AllowRebuild", "bool", True),
        Prop("AllowMerge", "bool", True),
        Prop("Lookback", "object", None, fields=_LOOKBACK, allow_null=False),
    )),
    PolicyKind("sharding", "ShardingPolicy", (DATABASE, TABLE, VIEW), (
        Prop("ShardEngineMaxRowCount", "int", 1048576, min=1),
        Prop("ShardEngineMaxExtentSizeInMb", "int", 8192, min=1),
        Prop("ShardEngineMaxOriginalSizeInMb", "int", 3072, min=1),
    )),
    PolicyKind("partitioning", "PartitioningPolicy", (TABLE, VIEW), (
        Prop("PartitionKeys", "array", [], fields=_PARTITION_KEY),
        Prop("EffectiveDateTime", "datetime", None),
        Prop("MinRowCountPerOperation", "int", 0, min=0),
        Prop("MaxRowCountPerOperation", "int", 0, min=0),
        Prop("MaxOriginalSizePerOperation", "int", 0, min=0),
    ), acts="partition keys must name columns of the right type"),
    PolicyKind("streamingingestion", "StreamingIngestionPolicy", (DATABASE, TABLE), (
        Prop("IsEnabled", "bool", False),
        Prop("HintAllocatedRate", "real", None, min=0),
    ), shorthand="enable_disable", acts="gates streaming ingestion"),
    PolicyKind("ingestiontime", "IngestionTimePolicy", (TABLE,), (
        Prop("IsEnabled", "bool", True),
    ), shorthand="boolean", json=False, merge=False, acts="ingestion_time() is null when disabled"),
    PolicyKind("restricted_view_access", "RestrictedViewAccessPolicy", (TABLE,), (
        Prop("IsEnabled", "bool", False),
    ), shorthand="boolean", json=False, merge=False,
        acts="queries need UnrestrictedViewer (or admin) to read the table"),
    PolicyKind("auto_delete", "AutoDeletePolicy", (TABLE,), (
        Prop("ExpiryDate", "datetime", required=True),
        Prop("DeleteIfNotEmpty", "bool", False),
    ), merge=False, acts="the table is dropped when the clock passes ExpiryDate"),
    PolicyKind("extent_tags_retention", "ExtentTagsRetentionPolicy", (DATABASE, TABLE), (
        Prop("TagPrefix", "string", required=True),
        Prop("RetentionPeriod", "timespan", required=True, min=0),
    ), array=True, key=("TagPrefix",), merge=False),
    PolicyKind("roworder", "RowOrderPolicy", (TABLE,), (
        Prop("RowOrder", "array", [], item="string"),
    ), shorthand="roworder", json=False, acts="sort keys must name columns of the table"),
    PolicyKind("encoding", "EncodingPolicy", (COLUMN,), (
        Prop("EncodingPolicyType", "enum", "Null",
             choices=("Identifier", "BigObject", "BigObject32", "BigObjectIndexed32", "Vector16", "Null")),
    ), shorthand="encoding", json=False, merge=False),
    PolicyKind("query_weak_consistency", "QueryWeakConsistencyPolicy", (CLUSTER,), (
        Prop("PercentageOfNodes", "int", -1, min=-1, max=100),
        Prop("MinimumNumberOfNodes", "int", -1, min=-1),
        Prop("EnableMetadataPrefetch", "bool", False),
        Prop("MaximumLagAllowedInMinutes", "int", -1, min=-1),
        Prop("RefreshPeriodInSeconds", "int", -1, min=-1),
    )),
    PolicyKind("callout", "CalloutPolicy", (CLUSTER,), (
        Prop("CalloutType", "enum", required=True, choices=CALLOUT_TYPES),
        Prop("CalloutUriRegex", "regex", required=True),
        Prop("CanCall", "bool", required=True),
    ), array=True, key=("CalloutType", "CalloutUriRegex")),
    PolicyKind("request_classification", "RequestClassificationPolicy", (CLUSTER,), (
        Prop("ClassificationProperties", "object", None, allow_null=False, fields=(
            Prop("IsEnabled", "bool", False),
            Prop("DisableOnFailure", "bool", False),
        )),
        Prop("ClassificationFunction", "string", ""),
    ), shorthand="request_classification"),
    PolicyKind("sandbox", "SandboxPolicy", (CLUSTER,), (
        Prop("SandboxKind", "enum", required=True, choices=("PythonExecution", "RExecution")),
        Prop("IsEnabled", "bool", True),
        Prop("InitializeOnStartup", "bool", False),
        Prop("TargetCountPerNode", "int", 1, min=0, max=100),
        Prop("MaxCpuRatePerSandbox", "int", 50, min=1, max=100),
        Prop("MaxMemoryMbPerSandbox", "int", 20480, min=200, max=65536),
    ), array=True, key=("SandboxKind",), merge=False),
    PolicyKind("capacity", "CapacityPolicy", (CLUSTER,), (
        Prop("IngestionCapacity", "object", None, open=True, fields=(
            Prop("ClusterMaximumConcurrentOperations", "int", 512, min=1),
            Prop("CoreUtilizationCoefficient", "real", 0.75, min=0, max=1))),
        Prop("ExtentsMergeCapacity", "object", None, open=True, fields=()),
        Prop("ExtentsPurgeRebuildCapacity", "object", None, open=True, fields=()),
        Prop("ExportCapacity", "object", None, open=True, fields=()),
        Prop("ExtentsPartitionCapacity", "object", None, open=True, fields=()),
        Prop("MaterializedViewsCapacity", "object", None, open=True, fields=()),
        Prop("StoredQueryResultsCapacity", "object", None, open=True, fields=()),
        Prop("StreamingIngestionPostProcessingCapacity", "object", None, open=True, fields=()),
        Prop("PurgeStorageArtifactsCleanupCapacity", "object", None, open=True, fields=()),
        Prop("PeriodicStorageArtifactsCleanupCapacity", "object", None, open=True, fields=()),
        Prop("QueryAccelerationCapacity", "object", None, open=True, fields=()),
        Prop("GraphSnapshotsCapacity", "object", None, open=True, fields=()),
    )),
    PolicyKind("query_acceleration", "QueryAccelerationPolicy", (EXTERNAL,), (
        Prop("IsEnabled", "bool", required=True),
        Prop("Hot", "timespan", required=True, min=0),
        Prop("HotWindows", "array", [], fields=(
            Prop("MinValue", "datetime", required=True), Prop("MaxValue", "datetime", required=True))),
        Prop("MaxAge", "timespan", "00:05:00", min=0),
        Prop("ManagedIdentity", "string", None),
        Prop("HotDateTimeColumn", "string", None),
    )),
)}

# Spellings the service also accepts for a kind (-> the kind above).
ALIASES = {"row_order": "roworder", "restrictedviewaccess": "restricted_view_access"}

# Columns of `.show database(s) D policies` that carry one policy each (databases.py reads this).
DATABASE_POLICY_COLUMNS = {
    "RetentionPolicy": "retention", "MergePolicy": "merge", "CachingPolicy": "caching",
    "ShardingPolicy": "sharding", "StreamingIngestionPolicy": "streamingingestion",
    "IngestionBatchingPolicy": "ingestionbatching",
}


def lookup(kind: str) -> PolicyKind | None:
    kind = kind.lower()
    return KINDS.get(ALIASES.get(kind, kind))


def props_of(kind: PolicyKind) -> dict[str, Any]:
    return {p.name: p for p in kind.props}
