"""A realistic deployment script, run end to end through `python -m kshell`:
tables, mappings, functions, every policy kind at each level it takes, update
policies with a managed identity; then `.show database schema as csl script`,
replayed into a fresh cluster, gives the same script again."""

from __future__ import annotations

import csv
import io
import json

PRELUDE = """\
#identity assign system
.alter-merge cluster policy managed_identity ```[{"ObjectId": "system", "AllowedUsages": "AutomatedFlows"}]```
.create database Deploy volatile
#db Deploy
"""

DEPLOYMENT = """\
.alter database Deploy policy managed_identity ```[{"ObjectId": "system", "AllowedUsages": "AutomatedFlows"}]```
.alter-merge database Deploy policy retention softdelete = 365d recoverability = enabled
.alter database Deploy policy caching hot = 31d
.alter database Deploy policy ingestionbatching @'{"MaximumBatchingTimeSpan":"00:01:00", "MaximumNumberOfItems": 200, "MaximumRawDataSizeMB": 512}'
.alter database Deploy policy merge '{"MaxRangeInHours": 48}'
.alter database Deploy policy sharding '{"ShardEngineMaxRowCount": 750000}'
.alter database Deploy policy streamingingestion '{"IsEnabled": true, "HintAllocatedRate": 2.5}'
.alter database Deploy policy extent_tags_retention '[{"TagPrefix": "drop-by:", "RetentionPeriod": "3.00:00:00"}]'

.create-merge table RawEvents (Timestamp:datetime, TenantId:string, Payload:dynamic, Id:guid) with (folder = "raw", docstring = "landing table")
.create-or-alter table RawEvents ingestion json mapping "RawMap" '[{"column":"Timestamp","path":"$.ts"},{"column":"TenantId","path":"$.tenant"},{"column":"Payload","path":"$.payload"}]'
.alter-merge table RawEvents policy retention softdelete = 0s
.alter table RawEvents policy ingestiontime true
.alter table RawEvents policy streamingingestion enable
.alter table RawEvents policy partitioning '{"PartitionKeys":[{"ColumnName":"TenantId","Kind":"Hash","Properties":{"Function":"XxHash64","MaxPartitionCount":64,"PartitionAssignmentMode":"Uniform"}}]}'
.alter column RawEvents.Payload policy encoding type = 'bigobject'
.alter column RawEvents.Id policy encoding type = 'identifier'

.create-merge table Events (Timestamp:datetime, TenantId:string, Kind:string)
.alter table Events policy caching hot = 7d, hot_window = datetime(2025-01-01) .. datetime(2025-02-01)
.alter table Events policy roworder (TenantId asc, Timestamp desc)
.alter table Events policy restricted_view_access false
.alter table Events policy merge '{"Lookback": {"Kind": "Custom", "CustomPeriod": "2.00:00:00"}}'
.alter table Events policy sharding '{"ShardEngineMaxExtentSizeInMb": 1024}'
.alter table Events policy ingestionbatching '{"MaximumBatchingTimeSpan": "30s"}'
.alter table Events policy extent_tags_retention '[{"TagPrefix": "ingest-by:", "RetentionPeriod": "1d"}]'

.create-merge table Scratch (a:string)
.alter table Scratch policy auto_delete '{"ExpiryDate": "2030-01-01", "DeleteIfNotEmpty": true}'

.create materialized-view with (folder = "views") EventsPerTenant on table Events { Events | summarize n = count(), last = max(Timestamp) by TenantId }
.alter materialized-view EventsPerTenant policy retention '{"SoftDeletePeriod": "30d"}'
.alter materialized-view EventsPerTenant policy caching hot = 2d
.alter materialized-view EventsPerTenant policy merge '{"MaxRangeInHours": 72}'
.alter materialized-view EventsPerTenant policy sharding '{"ShardEngineMaxRowCount": 100000}'
.alter materialized-view EventsPerTenant policy partitioning '{"PartitionKeys":[{"ColumnName":"TenantId","Kind":"Hash","Properties":{"Function":"XxHash64","MaxPartitionCount":32}}]}'

.create-merge table Secure (TenantId:string, Secret:string)
.alter table Secure policy row_level_security enable "Secure | where TenantId == current_principal()"
.create-or-alter database Deploy ingestion csv mapping "FirstColumn" '[{"column":"TenantId","Ordinal":"0"}]'
.create-or-alter function with (folder = "parsing") ParseRaw() { RawEvents | project Timestamp, TenantId, Kind = tostring(Payload.kind) }
.alter table Events policy update @'[{"IsEnabled": true, "Source": "RawEvents", "Query": "ParseRaw()", "IsTransactional": true, "ManagedIdentity": "system"}]'
"""

SHOW = ".show database Deploy schema as csl script\n"


def _script_lines(out: str) -> list[str]:
    """The rows of the last result (the script), from the CSV output of the whole run."""
    at = out.rindex("DatabaseSchemaScript\n")
    rows = list(csv.reader(io.StringIO(out[at:])))
    return [r[0] for r in rows[1:] if r]


def test_deployment_replays_to_itself(run_kshell):
    code, out, err = run_kshell(PRELUDE + DEPLOYMENT + SHOW, "--format", "csv")
    assert code == 0, err
    first = _script_lines(out)
    text = "\n".join(first)
    for needle in (".alter database Deploy policy retention", ".alter table RawEvents policy ingestiontime true",
                   ".alter column RawEvents.Payload policy encoding type = 'BigObject'",
                   ".alter table Events policy roworder (TenantId asc, Timestamp desc)",
                   ".alter table Events policy caching hotdata = 7.00:00:00",
                   ".alter table Scratch policy auto_delete", ".alter table Events policy update",
                   '.create-or-alter table RawEvents ingestion json mapping "RawMap"',
                   ".alter database Deploy policy managed_identity",
                   ".create-or-alter materialized-view with (folder = \"views\") EventsPerTenant on table Events",
                   ".alter materialized-view EventsPerTenant policy retention",
                   ".alter materialized-view EventsPerTenant policy partitioning",
                   ".alter table Secure policy row_level_security enable",
                   '.create-or-alter database Deploy ingestion csv mapping "FirstColumn"'):
        assert needle in text, needle
    # update policies come after the functions they call
    assert text.index("function") < text.index("policy update")

    replay = PRELUDE + "\n\n".join(first) + "\n\n" + SHOW
    code, out2, err2 = run_kshell(replay, "--format", "csv")
    assert code == 0, err2
    assert _script_lines(out2) == first


def test_schema_as_json_carries_the_policies(run_kshell):
    code, out, err = run_kshell(PRELUDE + DEPLOYMENT + ".show database Deploy schema as json\n", "--format", "csv")
    assert code == 0, err
    at = out.rindex("DatabaseSchema\n")
    doc = json.loads(list(csv.reader(io.StringIO(out[at:])))[1][0])
    db = doc["Databases"]["Deploy"]
    assert db["Policies"]["RetentionPolicy"]["SoftDeletePeriod"] == "365.00:00:00"
    events = db["Tables"]["Events"]["Policies"]
    assert events["RowOrderPolicy"] == {"RowOrder": ["TenantId asc", "Timestamp desc"]}
    assert events["UpdatePolicy"][0]["ManagedIdentity"] == "system"
    assert db["Tables"]["RawEvents"]["Policies"]["EncodingPolicy"]["Payload"] == {"EncodingPolicyType": "BigObject"}
    view = db["MaterializedViews"]["EventsPerTenant"]
    assert view["SourceTable"] == "Events" and view["Policies"]["RetentionPolicy"]["SoftDeletePeriod"] == "30.00:00:00"


def test_deployment_as_one_database_script(run_kshell):
    """The same deployment sent as `.execute database script`: every command completes, and
    the schema it leaves is the one the command-by-command run leaves."""
    body = "\n".join(line for line in DEPLOYMENT.splitlines() if line.strip())
    code, out, err = run_kshell(PRELUDE + ".execute database script <|\n" + body + "\n\n" + SHOW, "--format", "csv")
    assert code == 0, err
    at = out.index("OperationId,CommandType,CommandText,Result,Reason")
    script_rows = list(csv.reader(io.StringIO(out[at:out.rindex("DatabaseSchemaScript")])))[1:]
    assert script_rows and all(r[3] == "Completed" for r in script_rows if r), [r for r in script_rows if r and r[3] != "Completed"]
    code, out2, err = run_kshell(PRELUDE + DEPLOYMENT + SHOW, "--format", "csv")
    assert _script_lines(out) == _script_lines(out2)
