"""Row level security: the policy commands, the §3.8 restrictions, and reads through the policy."""

from __future__ import annotations

import json

import pytest

from kshell.directives import ShellState, run_directive
from kshell.engine.row_level_security import rls_enabled, update_policies_reading
from kshell.errors import BadRequest, Forbidden, TableNotFound


POLICY_COLUMNS = ["PolicyName", "EntityName", "Policy", "ChildEntities", "EntityType"]


@pytest.fixture
def sales(session):
    session.execute(".create table Sales (Id:long, SalesPerson:string, Amount:long)")
    session.execute(".ingest inline into table Sales <| 1,alice@x.com,10\n2,bob@x.com,20\n3,alice@x.com,30")
    return session


def test_alter_show_delete(sales):
    r = sales.execute('.alter table Sales policy row_level_security enable "Sales | where Amount > 15"')[0]
    assert r.column_names == POLICY_COLUMNS
    assert r.rows == [["RowLevelSecurityPolicy", "[NetDefaultDB].[Sales]",
                       json.dumps({"IsEnabled": True, "Query": "Sales | where Amount > 15"}, separators=(",", ":")),
                       "", "Table"]]
    table = sales.database.tables["Sales"]
    assert rls_enabled(table)
    assert sales.execute(".show table Sales policy row_level_security")[0].rows == r.rows
    assert len(sales.execute(".show table * policy row_level_security")[0].rows) == 1
    sales.execute('.alter table NetDefaultDB.Sales policy row_level_security disable "Sales"')
    assert not rls_enabled(table)
    r = sales.execute(".delete table Sales policy row_level_security")[0]
    assert r.rows[0][2] == "null"
    assert "row_level_security" not in table.policies


def test_with_properties_before_the_query_parse(sales):
    sales.execute('.alter table Sales policy row_level_security enable '
                  'with (allowMaterializedViewsWithoutRowLevelSecurity=true) "Sales"')
    assert rls_enabled(sales.database.tables["Sales"])


def test_unknown_table_and_bad_query(sales):
    with pytest.raises(TableNotFound):
        sales.execute('.alter table Nope policy row_level_security enable "Nope"')
    with pytest.raises(BadRequest, match="not valid"):
        sales.execute('.alter table Sales policy row_level_security enable "Sales | where ("')
    assert "row_level_security" not in sales.database.tables["Sales"].policies


def test_query_cannot_read_another_database_or_another_rls_table(sales):
    sales.execute(".create database Other volatile")
    sales.execute(".create table Other.Map (User:string)")
    with pytest.raises(BadRequest, match="another database"):
        sales.execute('.alter table Sales policy row_level_security enable '
                      '"Sales | where SalesPerson in (database(\'Other\').Map | project User)"')
    sales.execute(".create table Managers (User:string)")
    sales.execute('.alter table Managers policy row_level_security enable "Managers"')
    with pytest.raises(BadRequest, match="Managers"):
        sales.execute('.alter table Sales policy row_level_security enable '
                      '"Sales | where SalesPerson in (Managers | project User)"')
    assert not rls_enabled(sales.database.tables["Sales"])
    # disabling is always allowed
    sales.execute('.alter table Sales policy row_level_security disable '
                  '"Sales | where SalesPerson in (Managers | project User)"')


def test_not_on_an_update_policy_source_without_managed_identity(sales):
    """Spec 3.8: a real update policy object (spec 4.2) on a target table reading Sales."""
    sales.execute(".create table Big (Id:long, SalesPerson:string, Amount:long)")
    target = sales.database.tables["Big"]
    policy = {"IsEnabled": True, "Source": "Sales", "Query": "Sales | where Amount > 15",
              "IsTransactional": False, "PropagateIngestionProperties": False, "ManagedIdentity": None}
    target.policies["update"] = [policy]
    assert update_policies_reading(sales.cluster, sales.database, sales.database.tables["Sales"]) == [(target, policy)]
    with pytest.raises(BadRequest, match="update policy of table 'Big'.*no ManagedIdentity"):
        sales.execute('.alter table Sales policy row_level_security enable "Sales"')
    assert not rls_enabled(sales.database.tables["Sales"])
    policy["ManagedIdentity"] = "system"
    sales.execute('.alter table Sales policy row_level_security enable "Sales"')
    assert rls_enabled(sales.database.tables["Sales"])


def test_not_on_a_table_an_update_policy_query_reads(sales):
    sales.execute(".create table Staging (Id:long)")
    sales.execute(".create table Out (Id:long, SalesPerson:string)")
    sales.execute(".create function Enrich() { Staging | join kind=inner (Sales) on Id | project Id, SalesPerson }")
    sales.database.tables["Out"].policies["update"] = [
        {"IsEnabled": True, "Source": "Staging", "Query": "Enrich()", "IsTransactional": False}]
    with pytest.raises(BadRequest, match="update policy of table 'Out'"):
        sales.execute('.alter table Sales policy row_level_security enable "Sales"')
    # A wildcard source does not block enabling (anyone who may create a table could
    # otherwise stop an admin from protecting theirs): the identity-less policy is
    # refused by the read check when it would read the RLS table (tests/test_attack_flows.py).
    sales.database.tables["Out"].policies["update"] = [
        {"IsEnabled": True, "Source": "Sal*", "SourceIsWildCard": True, "Query": "$source_table"}]
    sales.execute('.alter table Sales policy row_level_security enable "Sales"')
    assert rls_enabled(sales.database.tables["Sales"])


def test_not_with_restricted_view_access(sales):
    sales.database.tables["Sales"].policies["restricted_view_access"] = {"IsEnabled": True}
    with pytest.raises(BadRequest, match="restricted view access"):
        sales.execute('.alter table Sales policy row_level_security enable "Sales"')


def test_needs_table_admin(sales):
    sales.execute(".add database NetDefaultDB viewers ('aaduser=v@x.com')")
    sales.principal = "aaduser=v@x.com"
    assert sales.execute(".show table Sales policy row_level_security")[0].rows[0][2] == "null"
    with pytest.raises(Forbidden):
        sales.execute('.alter table Sales policy row_level_security enable "Sales"')
    with pytest.raises(Forbidden):
        sales.execute(".delete table Sales policy row_level_security")


# ------------------------------------------------------------------ reads

RLS_QUERY = ("let IsManager = current_principal_is_member_of('aadgroup=sales_managers@x.com'); "
             "let AllData = Sales | where IsManager; "
             "let PartialData = Sales | where not(IsManager) and "
             "SalesPerson == tostring(current_principal_details()['UserPrincipalName']); "
             "union AllData, PartialData")


@pytest.fixture
def secured(sales):
    run_directive(ShellState(session=sales), "#group add aadgroup=sales_managers@x.com aaduser=boss@x.com")
    sales.execute(".add database NetDefaultDB viewers ('aaduser=alice@x.com', 'aaduser=bob@x.com', "
                  "'aaduser=boss@x.com', 'aaduser=carol@x.com')")
    sales.execute(f'.alter table Sales policy row_level_security enable "{RLS_QUERY}"')
    sales.execute(".create function BigSales() { Sales | where Amount >= 20 }")
    return sales


def ids(session, query):
    return sorted(r[0] for r in session.execute(query)[0].rows)


def test_viewers_see_only_their_rows(secured):
    secured.principal = "aaduser=alice@x.com"
    assert ids(secured, "Sales | project Id") == [1, 3]
    secured.principal = "aaduser=bob@x.com"
    assert ids(secured, "Sales | project Id") == [2]
    secured.principal = "aaduser=carol@x.com"
    assert ids(secured, "Sales | project Id") == []
    secured.principal = "aaduser=boss@x.com"   # member of sales_managers
    assert ids(secured, "Sales | project Id") == [1, 2, 3]


def test_policy_applies_to_admins_functions_and_qualified_reads(secured):
    # the default principal (AllDatabasesAdmin) is not a manager and has no rows
    assert ids(secured, "Sales | project Id") == []
    secured.principal = "aaduser=alice@x.com"
    assert ids(secured, "BigSales() | project Id") == [3]
    assert ids(secured, "database('NetDefaultDB').Sales | project Id") == [1, 3]
    assert secured.execute("Sales | count")[0].rows == [[2]]


def test_disabled_policy_reads_the_raw_table(secured):
    secured.execute(f'.alter table Sales policy row_level_security disable "{RLS_QUERY}"')
    secured.principal = "aaduser=carol@x.com"
    assert ids(secured, "Sales | project Id") == [1, 2, 3]


def test_current_principal_functions(secured):
    secured.principal = "aaduser=alice@x.com"
    row = secured.execute("print p=current_principal(), m=current_principal_is_member_of('aaduser=alice@x.com'),"
                          " g=current_principal_is_member_of('aadgroup=sales_managers@x.com'),"
                          " d=current_principal_details()['Type']")[0].rows[0]
    assert row[0].startswith("aaduser=") and ";" in row[0]
    assert row[1:] == [True, False, "AadUser"]
