"""fork, facet, find, externaldata, inline_external_table, macro-expand, the restrict and
alias statements, extent_id() / extent_tags() (kshell.query.operators_multi), run end to end
through a Session and, for the rendering of several tables, through `python -m kshell`.

The examples are the documentation's (fork-operator.md, facet-operator.md,
find-operator.md, externaldata-operator.md, inline-external-table-operator.md,
macro-expand-operator.md, restrict-statement.md, alias-statement.md,
extent-id-function.md, extent-tags-function.md) over small tables of the same shape.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kshell.directives import run_directive
from kshell.errors import BadRequest, EntityNotFound, Forbidden, KustoError, NotSupported, SemanticError

STORMS = """.set-or-append StormEvents <| datatable(State:string, EventType:string, StartTime:datetime,
    DeathsDirect:long, DeathsIndirect:long, InjuriesDirect:long, InjuriesIndirect:long, Source:string, EpisodeId:long) [
    'FLORIDA', 'Heavy Rain', datetime(2007-01-04 12:00), 2, 0, 0, 0, 'COOP Observer', 1,
    'FLORIDA', 'Tornado', datetime(2007-01-05 12:00), 0, 0, 3, 1, 'Trained Spotter', 2,
    'FLORIDA', 'Hail', datetime(2007-01-06 12:00), 0, 0, 0, 0, 'Public', 3,
    'ALASKA', 'Heavy Snow', datetime(2007-01-04 15:00), 0, 0, 0, 0, 'Trained Spotter', 4,
    'ALABAMA', 'Heavy Rain', datetime(2007-02-01 00:00), 0, 0, 0, 0, 'Public', 5,
    'ALASKA', 'Heavy Snow', datetime(2007-01-20 00:00), 0, 0, 0, 0, 'COOP Observer', 6]"""

EVENTS = """.set-or-append EventsTable1 <| datatable(Session_Id:string, Level:string, EventText:string, Version:string) [
    'acbd207d-51aa-4df7-bfa7-be70eb68f04e', 'Information', 'Some Text1', 'v1.0.0',
    'acbd207d-51aa-4df7-bfa7-be70eb68f04e', 'Error', 'Some Text2', 'v1.0.0',
    '28b8e46e-3c31-43cf-83cb-48921c3986fc', 'Error', 'Some Text3', 'v1.0.1',
    '8f057b11-3281-45c3-a856-05ebb18a3c59', 'Information', 'Some Text4', 'v1.1.0']

.set-or-append EventsTable2 <| datatable(Session_Id:string, Level:string, EventText:string, EventName:string) [
    'f7d5f95f-f580-4ea6-830b-5776c8d64fdd', 'Information', 'Some Other Text1', 'Event1',
    'acbd207d-51aa-4df7-bfa7-be70eb68f04e', 'Information', 'Some Other Text2', 'Event2',
    'acbd207d-51aa-4df7-bfa7-be70eb68f04e', 'Error', 'Some Other Text3', 'Event3',
    '15eaeab5-8576-4b58-8fc6-478f75d8fee4', 'Error', 'Some Other Text4', 'Event4']"""

SID = "acbd207d-51aa-4df7-bfa7-be70eb68f04e"


def setup(session, script: str) -> None:
    for part in script.split("\n\n"):
        session.execute(part)


def one(session, text):
    results = session.execute(text)
    assert len(results) == 1, [r.name for r in results]
    return results[0]


@pytest.fixture
def storms(session):
    setup(session, STORMS)
    return session


@pytest.fixture
def events(session):
    setup(session, EVENTS)
    return session


# ------------------------------------------------------------------ fork

FLORIDA = 'StormEvents | where State == "FLORIDA" | fork '


@pytest.mark.parametrize("branches, names", [
    ("( where DeathsDirect + DeathsIndirect > 1) ( where InjuriesDirect + InjuriesIndirect > 1)",
     ["PrimaryResult", "PrimaryResult"]),
    ("(where DeathsDirect + DeathsIndirect > 1 | as StormsWithDeaths) "
     "(where InjuriesDirect + InjuriesIndirect > 1 | as StormsWithInjuries)", ["StormsWithDeaths", "StormsWithInjuries"]),
    ("StormsWithDeaths = (where DeathsDirect + DeathsIndirect > 1) "
     "StormsWithInjuries = (where InjuriesDirect + InjuriesIndirect > 1)", ["StormsWithDeaths", "StormsWithInjuries"]),
])
def test_fork_gives_one_table_per_subquery(storms, branches, names):
    results = storms.execute(FLORIDA + branches)
    assert [r.name for r in results] == names
    assert [r.column("EventType") for r in results] == [["Heavy Rain"], ["Tornado"]]
    assert results[0].column_names[:2] == ["State", "EventType"]


def test_fork_subqueries_may_summarize_and_differ_in_shape(storms):
    cnt, top = storms.execute("StormEvents | fork (count) (summarize n=count() by State | top 1 by n)")
    assert cnt.rows == [[6]] and top.rows == [["FLORIDA", 3]]


def test_nothing_may_follow_fork_or_facet(storms):
    with pytest.raises(SemanticError, match="'fork' produces several tables"):
        storms.execute("StormEvents | fork (take 1) (take 2) | count")
    with pytest.raises(SemanticError, match="'facet' produces several tables"):
        storms.execute("StormEvents | facet by State | take 1")
    with pytest.raises(SemanticError, match="cannot contain fork or facet"):
        storms.execute("StormEvents | fork (facet by State)")
    with pytest.raises(SemanticError, match="'join' is not supported in a fork subquery"):
        storms.execute("StormEvents | fork (join (StormEvents) on State) (take 1)")


def test_fork_in_a_batch_and_in_a_let(storms):
    results = storms.execute("StormEvents | count; StormEvents | fork (take 1 | project State) (count)")
    assert [r.rows for r in results] == [[[6]], [["FLORIDA"]], [[6]]]
    # a fork whose tables are not the query's result is just its first table
    assert one(storms, "let x = toscalar(StormEvents | fork (count) (take 1)); print x").rows == [[6]]


# ------------------------------------------------------------------ facet

def test_facet_docs_example(storms):
    results = storms.execute("""StormEvents
| where State startswith "A" and EventType has "Heavy"
| facet by State, EventType
    with
    (
    where StartTime between(datetime(2007-01-04) .. 7d)
    | project State, StartTime, Source, EpisodeId, EventType
    | take 5
    )""")
    assert [r.column_names for r in results] == [
        ["State", "StartTime", "Source", "EpisodeId", "EventType"], ["State", "count_State"],
        ["EventType", "count_EventType"]]
    assert results[0].column("EpisodeId") == [4]
    assert sorted(results[1].rows) == [["ALABAMA", 1], ["ALASKA", 2]]
    assert sorted(results[2].rows) == [["Heavy Rain", 1], ["Heavy Snow", 2]]
    assert [c.type for c in results[1].columns] == ["string", "long"]


def test_facet_without_with_and_unknown_column(storms):
    assert [r.column_names for r in storms.execute("StormEvents | facet by Source")] == [["Source", "count_Source"]]
    with pytest.raises(SemanticError, match="'Nope'"):
        storms.execute("StormEvents | facet by Nope")


def test_cli_prints_every_table(run_kshell):
    code, out, err = run_kshell(
        "datatable(a:long)[1, 2, 3] | fork (where a > 1 | count) Small=(where a == 1)\n",
        "--format", "csv")
    assert code == 0, err
    assert out.split() == ["Count", "2", "a", "1"]
    code, out, err = run_kshell("datatable(a:long)[1, 2, 3] | fork (count) (take 1)\n")
    assert code == 0 and out.count("Count") == 1 and out.count("+-") >= 4, out  # two framed tables


# ------------------------------------------------------------------ find (find-operator.md)

def test_find_project_with_pack_all(events):
    r = one(events, f"""find in (EventsTable1, EventsTable2)
     where Session_Id == '{SID}' and Level == 'Error'
     project EventText, Version, EventName, pack_all()""")
    assert r.column_names == ["source_", "EventText", "Version", "EventName", "pack_"]
    assert r.rows == [
        ["EventsTable1", "Some Text2", "v1.0.0", "", {"Session_Id": SID, "Level": "Error"}],
        ["EventsTable2", "Some Other Text3", "", "Event3", {"Session_Id": SID, "Level": "Error"}]]


def test_find_common_and_uncommon_columns(events):
    r = one(events, "find Version == 'v1.0.0' or EventName == 'Event1' project Session_Id, EventText, Version, EventName")
    assert r.column_names == ["source_", "Session_Id", "EventText", "Version", "EventName"]
    assert r.rows == [
        ["EventsTable1", SID, "Some Text1", "v1.0.0", ""],
        ["EventsTable1", SID, "Some Text2", "v1.0.0", ""],
        ["EventsTable2", "f7d5f95f-f580-4ea6-830b-5776c8d64fdd", "Some Other Text1", "", "Event1"]]


def test_find_project_smart_packs_the_rest(events):
    r = one(events, f"find Session_Id == '{SID}'")
    assert r.column_names == ["source_", "Session_Id", "Level", "EventText", "pack_"]
    assert r.rows == [
        ["EventsTable1", SID, "Information", "Some Text1", {"Version": "v1.0.0"}],
        ["EventsTable1", SID, "Error", "Some Text2", {"Version": "v1.0.0"}],
        ["EventsTable2", SID, "Information", "Some Other Text2", {"EventName": "Event2"}],
        ["EventsTable2", SID, "Error", "Some Other Text3", {"EventName": "Event3"}]]


def test_find_project_pack_all_only(events):
    r = one(events, f"find Session_Id == '{SID}' project pack_all()")
    assert r.column_names == ["source_", "pack_"]
    assert r.rows[0] == ["EventsTable1", {"Session_Id": SID, "Level": "Information", "EventText": "Some Text1",
                                          "Version": "v1.0.0"}]
    assert len(r.rows) == 4


def test_find_term_withsource_wildcards_views_and_queries(events):
    r = one(events, 'find "Text3"')
    assert sorted(r.column("source_")) == ["EventsTable1", "EventsTable2"]
    r = one(events, 'find withsource=Src in (EventsTable*) where * has "Other"')
    assert r.column_names[0] == "Src" and set(r.column("Src")) == {"EventsTable2"} and len(r.rows) == 4
    r = one(events, f"""let PartialEventsTable1 = view() {{ EventsTable1 | where Level == 'Error' }};
find in (PartialEventsTable1, EventsTable2) where Session_Id == '{SID}'""")
    assert r.column("source_") == ["PartialEventsTable1", "EventsTable2", "EventsTable2"]
    r = one(events, "find in ((EventsTable1 | where Version != 'v1.0.0' | as Newer)) where Level == 'Error'")
    assert r.column("source_") == ["Newer"] and r.column("EventText") == ["Some Text3"]
    r = one(events, "find in (database('*').EventsTable1) where Version == 'v1.1.0' project EventText")
    assert r.rows == [["EventsTable1", "Some Text4"]]


def test_find_over_a_column_with_two_types_acts_as_union(session):
    session.execute(".create tables Table1 (Level:string, Timestamp:datetime, ProcessId:string), "
                    "Table2 (Level:string, Timestamp:datetime, ProcessId:int64)")
    session.execute(".set-or-append Table2 <| datatable(Level:string, Timestamp:datetime, ProcessId:long)"
                    "['e', datetime(2024-01-01), 1001, 'w', datetime(2024-01-02), 7]")
    r = one(session, "find in (Table1, Table2) where ProcessId == 1001")
    assert r.column_names == ["source_", "Level", "Timestamp", "ProcessId_string", "ProcessId_long", "pack_"]
    assert [row[0] for row in r.rows] == ["Table2"] and r.rows[0][4] == 1001
    r = one(session, "find in (Table1, Table2) where ProcessId == 1001 project Level, Timestamp, ProcessId:string")
    assert r.column_names == ["source_", "Level", "Timestamp", "ProcessId"] and r.rows[0][3] == "1001"
    with pytest.raises(SemanticError, match="several types"):
        session.execute("find in (Table1, Table2) where Level == 'e' project ProcessId")


def test_find_errors(events):
    with pytest.raises(SemanticError, match="Nope"):
        events.execute("find in (Nope) where x == 1")
    with pytest.raises(KustoError, match="where"):
        events.execute("find in (EventsTable1) Level == 'x'")
    with pytest.raises(NotSupported, match="cross-cluster"):
        events.execute("find in (cluster('other').database('x').T) where a == 1")
    with pytest.raises(SemanticError, match="takes no piped input"):
        events.execute('EventsTable1 | find "x"')


# ------------------------------------------------------------------ externaldata / inline_external_table

OWNER = "aaduser=kshell-admin@kshell.local"


@pytest.fixture
def store(session, storage_state):
    st = storage_state
    root = Path(session.storage_dir) / "acct1"
    (root / "c" / "2019").mkdir(parents=True)
    (root / "c" / "data.csv").write_text("2020-01-01,hello world\n2020-01-02,hey\n")
    (root / "c" / "2019" / "a.csv").write_text("Date,Event\n2019-01-01,first\n")
    (root / "c" / "2019" / "b.csv").write_text("Date,Event\n2019-01-02,second\n")
    (root / "c" / "ev.json").write_text('{"timestamp":"2020-09-01","data":{"tenant":"t1","method":"m"}}\n')
    return st


def ext(uri: str, tail: str = "") -> str:
    return f'externaldata (Date:datetime, Event:string) [h@"{uri}"] {tail}'


URI = "https://acct1.blob.core.windows.net/c/data.csv"


def test_externaldata_docs_example_with_a_key(store):
    r = one(store.session, ext(URI + ";secretkey") + "| where strlen(Event) > 4")
    assert r.column_names == ["Date", "Event"] and r.column("Event") == ["hello world"]
    r = one(store.session, ext(URI + "?sv=2020&sp=r&sig=x", 'with (format="csv")') + "| count")
    assert r.rows == [[2]]


def test_externaldata_options_and_formats(store):
    r = one(store.session, ext("https://acct1.blob.core.windows.net/c/2019/a.csv;k", "with (ignoreFirstRecord=true)"))
    assert r.column("Event") == ["first"]
    mapping = ('[{"Column":"Timestamp","Properties":{"Path":"$.timestamp"}},'
               '{"Column":"TenantId","Properties":{"Path":"$.data.tenant"}},'
               '{"Column":"MethodName","Properties":{"Path":"$.data.method"}}]')
    r = one(store.session, "externaldata(Timestamp: datetime, TenantId: string, MethodName: string) "
                           "[h@'https://acct1.blob.core.windows.net/c/ev.json;k'] "
                           f"with(format='multijson', ingestionMapping='{mapping}')")
    assert r.rows[0][1:] == ["t1", "m"]
    # inside an `in` operand, as the page's first example
    r = one(store.session, "datatable(Event:string)['hey', 'x'] | where Event in ((" + ext(URI + ";k")
            + " | project Event))")
    assert r.rows == [["hey"]]


def test_connection_string_from_a_parameter(store):
    """inline-external-table-operator.md: credentials belong in a query parameter, not the text."""
    q = ('declare query_parameters(URI:string = "{}");\n'
         "inline_external_table(x:string) kind=storage dataformat=csv (URI) | count")
    assert one(store.session, q.format(URI + ";k")).rows == [[2]]
    assert one(store.session, f'let U = "{URI};k"; externaldata (a:string) [U] | count').rows == [[2]]
    with pytest.raises(SemanticError, match="'Nope'"):
        store.session.execute("externaldata (a:string) [Nope]")


def test_externaldata_impersonation_acts_as_the_caller(store):
    s = store.session
    with pytest.raises(Forbidden, match="lacks Storage Blob Data Reader"):
        s.execute(ext(URI + ";impersonate"))
    run_directive(store, f"#storage grant acct1 {OWNER} reader")
    assert one(s, ext(URI + ";impersonate") + "| count").rows == [[2]]
    s.execute(".add database NetDefaultDB viewers ('aaduser=bob@contoso.com')")
    run_directive(store, "#as aaduser=bob@contoso.com")
    # bob may query the database, but the storage sees bob, who holds no role
    with pytest.raises(Forbidden, match="bob@contoso.com"):
        s.execute(ext(URI + ";impersonate"))


def test_externaldata_managed_identity_needs_the_usage_and_the_role(store):
    s = store.session
    q = ext(URI + ";managed_identity=system") + "| count"
    with pytest.raises(Forbidden, match="usage 'ExternalDataRequest' is not allowed"):
        s.execute(q)
    # a usage for another flow does not count
    s.execute('.alter cluster policy managed_identity ```[{"ObjectId":"system","AllowedUsages":"ExternalTable"}]```')
    with pytest.raises(Forbidden, match="ExternalDataRequest"):
        s.execute(q)
    s.execute('.alter cluster policy managed_identity '
              '```[{"ObjectId":"system","AllowedUsages":"ExternalDataRequest"}]```')
    with pytest.raises(Forbidden, match="lacks Storage Blob Data Reader"):
        s.execute(q)
    run_directive(store, "#storage grant acct1 system reader")
    assert one(s, q).rows == [[2]]
    with pytest.raises(Forbidden, match="does not exist or is not assigned"):
        s.execute(ext(URI + ";managed_identity=00000000-0000-0000-0000-000000000001"))


def test_externaldata_attacks_on_paths(store, tmp_path):
    s = store.session
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("2000-01-01,secret\n")
    root = Path(s.storage_dir) / "acct1"
    os.symlink(outside / "secret.csv", root / "c" / "link.csv")
    os.symlink(outside, root / "linked")
    for uri, error in [
        ("https://acct1.blob.core.windows.net/c/../../../outside/secret.csv;k", BadRequest),
        ("https://acct1.blob.core.windows.net/c/link.csv;k", Forbidden),
        ("https://acct1.blob.core.windows.net/linked/secret.csv;k", Forbidden),
        ("https://ACCT1.blob.core.windows.net/c/%2e%2e/%2e%2e/secret.csv;k", EntityNotFound),
        ("https://nope1.blob.core.windows.net/c/data.csv;k", EntityNotFound),
        ("file:///etc/passwd", BadRequest),
        ("https://acct1.blob.core.windows.net/c;k", EntityNotFound),
    ]:
        with pytest.raises(error) as info:
            s.execute(ext(uri))
        assert "secret" not in str(info.value).replace("secret.csv", ""), str(info.value)
    # a refused connection string in the list reads nothing from the others
    with pytest.raises(Forbidden):
        s.execute(f'externaldata (Date:datetime, Event:string) [h"{URI};k", h"{URI};impersonate"]')


def test_externaldata_masks_secrets_in_errors(store):
    with pytest.raises(EntityNotFound) as info:
        store.session.execute(ext("https://acct1.blob.core.windows.net/c/missing.csv;TopSecretKey"))
    assert "TopSecretKey" not in str(info.value) and "*******" in str(info.value)


def test_inline_external_table_reads_a_folder(store):
    r = one(store.session, """inline_external_table(Date:datetime, Event:string)
    kind=storage
    dataformat=csv
    (h@"https://acct1.blob.core.windows.net/c/2019;k")
    with(includeHeaders='All')
| order by Date asc""")
    assert r.column("Event") == ["first", "second"]
    with pytest.raises(NotSupported, match="delta"):
        store.session.execute('inline_external_table kind=delta (h@"abfss://fs@acct1.dfs.core.windows.net/d;k")')
    with pytest.raises(BadRequest, match="includeHeaders"):
        store.session.execute("inline_external_table(Date:datetime, Event:string) kind=storage dataformat=csv "
                              "(h@'https://acct1.blob.core.windows.net/c;k') with (includeHeaders='Sometimes')")


def test_inline_external_table_with_partitions(store):
    """The page's partitioned example, over CSV: virtual partition columns come from the path."""
    root = Path(store.session.storage_dir) / "acct1" / "iot"
    for day, region, value in (("2026/01/01", "East", 27.8), ("2026/01/02", "West", 22.1),
                               ("2026/02/01", "East", 99.0)):
        path = root / f"day={day}" / f"region={region}" / "data.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{day.replace('/', '-')},dev1,{value}\n")
    (root / "unrelated.csv").write_text("2026-01-01,dev9,1000\n")
    r = one(store.session, """inline_external_table(Timestamp:datetime, DeviceId:string, Value:real)
    kind=storage
    partition by (Day:datetime, RegionPartition:string)
    pathformat=('day=' datetime_pattern('yyyy/MM/dd', Day) '/region=' RegionPartition)
    dataformat=csv
    (h@"https://acct1.blob.core.windows.net/iot;k")
| where Day between (datetime(2026-01-01) .. datetime(2026-01-07))
| summarize AvgValue = avg(Value) by RegionPartition
| order by RegionPartition asc""")
    assert r.rows == [["East", 27.8], ["West", 22.1]]


def test_restrict_covers_external_tables(store):
    s = store.session
    s.execute(".create external table E (Date:datetime, Event:string) kind=storage dataformat=csv "
              "(h@'https://acct1.blob.core.windows.net/c/data.csv;k')")
    assert one(s, "restrict access to (database().E); external_table('E') | count").rows == [[2]]
    with pytest.raises(SemanticError, match=r"\.E' is not accessible"):
        s.execute("let V = view () { print 1 }; restrict access to (V); external_table('E') | count")


def test_inline_external_table_uses_the_external_table_usage(store):
    """Its identity rules are an external table's: the ExternalTable usage, checked at use."""
    s = store.session
    run_directive(store, "#storage grant acct1 system reader")
    q = ('inline_external_table(Date:datetime, Event:string) kind=storage dataformat=csv '
         '(h@"https://acct1.blob.core.windows.net/c/data.csv;managed_identity=system") | count')
    with pytest.raises(Forbidden, match="ExternalTable"):
        s.execute(q)
    s.execute('.alter database NetDefaultDB policy managed_identity '
              '```[{"ObjectId":"system","AllowedUsages":"ExternalTable"}]```')
    assert one(s, q).rows == [[2]]


# ------------------------------------------------------------------ macro-expand

@pytest.fixture
def two_dbs(session):
    session.execute(".create database Db2 volatile")
    session.execute(".set-or-append Logs <| datatable(Level:string, Source:string)['Error', 'a', 'Info', 'a']")
    session.execute(".create table DimCluster (SKU:string, Source:string)")
    session.execute(".set-or-append DimCluster <| datatable(SKU:string, Source:string)['S1', 'a']")
    return session  # Db2 has no Logs table


def test_macro_expand_docs_example(two_dbs):
    s = two_dbs
    q = """macro-expand entity_group [database('NetDefaultDB'), database('NetDefaultDB')] as X
(
    X.Logs
    | where Level == 'Error'
    | summarize Count=count() by Source
    | join kind=inner (X.DimCluster | project SKU, Source) on Source
)
| summarize Sum=sum(Count) by SKU"""
    assert one(s, q).rows == [["S1", 2]]
    q2 = """let GreaterDatabase = entity_group [database('NetDefaultDB')];
macro-expand GreaterDatabase as X (X.Logs | extend current_database = X.$current_database,
    current_cluster = X.$current_cluster_endpoint)
| summarize count() by current_cluster, current_database"""
    assert one(s, q2).rows == [["kshell.local", "NetDefaultDB", 2]]


def test_nested_macro_expand(two_dbs):
    q = """macro-expand entity_group [database('NetDefaultDB')] as X
(
    macro-expand entity_group [database('NetDefaultDB'), database('NetDefaultDB')] as Y
    (
        X.DimCluster
        | extend lhs_database = X.$current_database
        | join (Y.DimCluster | extend rhs_database = Y.$current_database) on Source
    )
)
| summarize count() by lhs_database, rhs_database"""
    assert one(two_dbs, q).rows == [["NetDefaultDB", "NetDefaultDB", 2]]


def test_macro_expand_fuzzy_and_errors(two_dbs):
    s = two_dbs
    q = "macro-expand {} entity_group [database('NetDefaultDB'), database('Db2')] as X (X.Logs | count)"
    with pytest.raises(SemanticError, match="Logs"):
        s.execute(q.format(""))
    assert one(s, q.format("isfuzzy=true")).rows == [[2]]
    with pytest.raises(SemanticError, match="entity group"):
        s.execute("macro-expand G as X (X.Logs)")
    with pytest.raises(NotSupported, match="cross-cluster"):
        s.execute("macro-expand entity_group [cluster('C1').database('MyDatabase')] as X (X.Logs)")


# ------------------------------------------------------------------ restrict / alias

@pytest.fixture
def data(session):
    session.execute(".set-or-append Data <| datatable(UserID:string, Salary:long, Year:long)"
                    "['username@domain.com', 10, 2024, 'other@domain.com', 99, 2024]")
    session.execute(".set-or-append Table1 <| datatable(Column1:long)[1, 2]")
    session.execute(".create function Func1() { Table1 | count }")
    return session


def test_restrict_to_a_view(data):
    view = 'let RestrictedData = view () { Data | where UserID == "username@domain.com" };\n' \
           'restrict access to (RestrictedData);\n'
    assert one(data, view + "RestrictedData | summarize MonthlySalary=sum(Salary) by Year").rows == [[2024, 10]]
    with pytest.raises(SemanticError, match="'Data' is not accessible"):
        data.execute(view + "Data | count")
    with pytest.raises(SemanticError, match="'Func1' is not accessible"):
        data.execute(view + "Func1")
    # a stored function is an entity however it is called
    data.execute(".create function Scalar1() { toscalar(Data | summarize sum(Salary)) }")
    with pytest.raises(SemanticError, match="'Func1' is not accessible"):
        data.execute(view + "RestrictedData | invoke Func1()")
    with pytest.raises(SemanticError, match="'Scalar1' is not accessible"):
        data.execute(view + "print Scalar1()")
    with pytest.raises(SemanticError, match="'Func1' is not accessible"):
        data.execute(view + "let x = Func1(); x")


def test_restrict_to_database_entities(data):
    assert one(data, "restrict access to (database().Table1); Table1 | count").rows == [[2]]
    assert one(data, "restrict access to (database().Table1, database().Func1); Func1").rows == [[2]]
    assert one(data, "restrict access to (database().*); union Table1, (Data | project Column1=Year) | count"
               ).rows == [[4]]
    assert one(data, "let Test = () { range x from 1 to 10 step 1 }; restrict access to (Test); Test | count"
               ).rows == [[10]]
    with pytest.raises(SemanticError, match="not accessible"):
        data.execute("let Test1 = () { print x=1 }; restrict access to (*); Table1")
    # `*` names every view bound before the statement (the page's Patterns example)
    assert one(data, "let Test1 = () { print x=1 }; let Test2 = () { print y=1 }; restrict access to (*);"
                     " union Test1, Test2 | count").rows == [[2]]
    assert one(data, "let Test1 = () { print x=1 }; let Other = () { print y=1 }; restrict access to (Test*);"
                     " Test1").rows == [[1]]
    with pytest.raises(SemanticError, match="'Other' is not accessible"):
        data.execute("let Test1 = () { print x=1 }; let Other = () { print y=1 }; restrict access to (Test*); Other")
    # an unqualified name is also a reference to a table of the context database
    assert one(data, "restrict access to (Table1); Table1 | count").rows == [[2]]
    with pytest.raises(SemanticError, match="not accessible"):
        data.execute("restrict access to (database('Other').*); Table1")
    # wildcards reach only what the statement allows
    assert one(data, "restrict access to (database().Table1); union * | count").rows == [[2]]
    # find's wildcards reach only what the statement allows
    r = one(data, "restrict access to (database().Table1); find where Column1 > 1 project Column1")
    assert r.rows == [["Table1", 2]]
    # a let bound after the statement is the query's own
    assert one(data, "restrict access to (database().Table1); let n = Table1 | count; n").rows == [[2]]


def test_alias_database(data):
    q = 'alias database {} = cluster("https://kshell.local").database("NetDefaultDB");\n' \
        'database("{}").Table1 | count'
    assert one(data, q.format("dbAlias", "dbAlias")).rows == [[2]]
    assert one(data, q.format('["Samples Database Alias"]', "Samples Database Alias")).rows == [[2]]
    with pytest.raises(NotSupported, match="cross-cluster"):
        data.execute('alias database a = cluster("https://help.kusto.windows.net").database("Samples"); print 1')


# ------------------------------------------------------------------ extent_id / extent_tags

def test_extent_id_and_tags(session):
    session.execute(".create table T (Timestamp:datetime, ActivityId:string)")
    session.execute(".ingest inline into table T with (tags='[\"MyTag\", \"drop-by:MyOtherTag\"]') <|\n"
                    "2025-12-31T23:10:00Z,dd0595d4-183e-494e-b88e-54c52fe90e5a")
    session.execute(".ingest inline into table T with (tags='[\"MyTag\"]') <|\n"
                    "2025-12-31T23:20:00Z,dd0595d4-183e-494e-b88e-54c52fe90e5a\n2025-12-31T23:40:00Z,x")
    ids = [str(x) for x in one(session, ".show table T extents").column("ExtentId")]
    got = one(session, "T | where Timestamp > ago(1h) | where ActivityId == 'dd0595d4-183e-494e-b88e-54c52fe90e5a'"
                       " | extend eid=extent_id() | summarize by eid")
    assert sorted(str(x) for x in got.column("eid")) == sorted(ids) and got.columns[0].type == "guid"
    got = one(session, "T | extend tags = extent_tags() | summarize by tostring(tags)")
    assert sorted(got.column("tags")) == ['["MyTag","drop-by:MyOtherTag"]', '["MyTag"]']
    got = one(session, "T | where Timestamp > ago(1h) | extend Tags = extent_tags()"
                       " | where Tags has_cs 'MyTag' and Tags !has_cs 'drop-by:MyOtherTag' | count")
    assert got.rows == [[2]]
    # rows that do not come from a stored table have no extent
    assert one(session, "print extent_id(), extent_tags()").rows == [[None, []]]
    assert one(session, "T | summarize c=count() | extend e=extent_id()").rows == [[3, None]]


# ------------------------------------------------------------------ odd input

ODD = [
    "find in (", "find in () where", "find in (T,) where a == 1", "find in (database(1).T) where a == 1",
    "find where a == 1 project", "find where a == 1 project a:nosuchtype", "find where a == 1 project-smart x",
    "print 1 | fork", "print 1 | fork ()", "print 1 | fork x=", "print 1 | facet by", "print 1 | facet by print_0 with",
    "externaldata ()", "externaldata (a:string) []", "externaldata (a:string) ['x'] with (",
    "externaldata (a:string) ['https://acc.blob.core.windows.net/c/x.csv;k'] with (format='nosuch')",
    "inline_external_table (a:string) kind=storage ('https://acc.blob.core.windows.net/c')",
    "inline_external_table kind=foo dataformat=csv ('x')",
    "macro-expand entity_group []", "macro-expand entity_group [database('NetDefaultDB')] as X ()",
    "macro-expand entity_group [database('NetDefaultDB')] as X (X.)", "let G = 1; macro-expand G as X (X.T)",
    "restrict access; print 1", "restrict access to ((T)); print 1", "restrict access to (T) x; print 1",
    "alias database; print 1", "alias database x = T; print 1", "alias table x = database('y'); print 1",
    "print extent_id(1)", "print 1 | fork (take 1) | getschema",
]


def test_errors_inside_kept_text_point_into_the_request(session):
    """Operators and sources re-read from their text report positions in the request."""
    with pytest.raises(SemanticError) as info:
        session.execute("print 1\n| fork (take 1)\n  (where zz)")
    assert (info.value.line, info.value.column) == (3, 10)
    session.execute(".set-or-append T <| print a=1")
    with pytest.raises(SemanticError) as info:
        session.execute("find in (T)\n  where a == 'x'")
    assert (info.value.line, info.value.column) == (2, 9)
    with pytest.raises(KustoError) as info:
        session.execute("print 1;\nrestrict access to (T) oops; print 1")
    assert (info.value.line, info.value.column) == (2, 24)


@pytest.mark.parametrize("text", ODD)
def test_odd_input_is_a_kusto_error(session, text):
    with pytest.raises(KustoError):
        session.execute(text)


def test_cli_externaldata_over_the_storage_directory(run_kshell, tmp_path):
    storage = tmp_path / "storage"
    (storage / "acct" / "c").mkdir(parents=True)
    (storage / "acct" / "c" / "users.txt").write_text("alice\nbob\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("s3cr3t\n")
    os.symlink(outside / "secret.txt", storage / "acct" / "c" / "link.txt")
    script = f"""#storage create acct

#storage grant acct {OWNER} reader

externaldata (UserID:string) [@"https://acct.blob.core.windows.net/c/users.txt;impersonate"] with (format="csv")

externaldata (UserID:string) [@"https://acct.blob.core.windows.net/c/link.txt;impersonate"] with (format="csv")

externaldata (UserID:string) [@"https://acct.blob.core.windows.net/c/users.txt;managed_identity=system"]
"""
    code, out, err = run_kshell(script, "--keep-going", "--format", "csv", "--storage", str(storage))
    assert "Traceback" not in err
    assert out.split()[-3:] == ["UserID", "alice", "bob"]
    errors = [line for line in err.splitlines() if line.startswith("Error")]
    assert len(errors) == 2 and "leads outside the storage directory" in errors[0]
    assert "ExternalDataRequest" in errors[1] and "s3cr3t" not in out + err


# ------------------------------------------------------------------ the docs' blocks

def _shared() -> Path:
    for parent in Path(__file__).resolve().parents[1:]:
        if (parent / "shared" / "corpus").is_dir():
            return parent / "shared"
    return Path(__file__).resolve().parents[2] / "shared"


BLOCKS = _shared() / "corpus" / "docs-kusto-blocks.jsonl"
PAGES = ("fork-operator.md", "facet-operator.md", "find-operator.md", "externaldata-operator.md",
         "inline-external-table-operator.md", "macro-expand-operator.md", "restrict-statement.md",
         "alias-statement.md", "extent-id-function.md", "extent-tags-function.md")


@pytest.mark.skipif(not BLOCKS.exists(), reason="../shared/corpus absent")
def test_every_documented_block_parses_and_runs_or_names_what_is_missing(storms):
    """Each block of the pages that Microsoft's parser accepts is accepted by kshell's
    structure parsers too; it runs, or fails with a Kusto error (a table the example
    assumes, a storage account, another cluster) — never a syntax error or a Python one."""
    import json

    from kshell.errors import KustoSyntaxError
    from kshell.script import split_requests

    setup(storms, EVENTS)
    ran = failed = 0
    for line in BLOCKS.read_text(encoding="utf-8").splitlines():
        block = json.loads(line)
        if block["source"].rsplit("/", 1)[-1] not in PAGES or not block["ms_syntax_ok"]:
            continue
        for request in split_requests(block["text"]):
            try:
                storms.execute(request.text)
                ran += 1
            except KustoSyntaxError as e:
                raise AssertionError(f"{block['source']}:{block['line']}: {e}") from None
            except KustoError:
                failed += 1
    assert ran >= 8 and ran + failed >= 25, (ran, failed)
