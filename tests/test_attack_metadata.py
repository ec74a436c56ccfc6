"""Attacks on metadata: what a principal learns about databases and tables it cannot see.

`mallory` is Database User of NetDefaultDB and holds nothing on database `Secret`.
Each `.show` returns only what she may see or is Forbidden; only the plain list of
database names stays open to all (docs/security.md, "Threat model").
"""

from __future__ import annotations

import pytest

MALLORY = "aaduser=mallory@x.com"

SETUP = f"""
.create database Secret volatile

.set Secret.Payroll <| print salary=long(100)

.add database NetDefaultDB users ('{MALLORY}')

#as {MALLORY}

print m='MALLORY-STARTS'
"""


def run_as_mallory(run_kshell, request: str) -> tuple[str, list[str]]:
    rc, out, err = run_kshell(SETUP + "\n" + request + "\n", "--keep-going", "--format", "csv")
    return out.split("MALLORY-STARTS", 1)[1], [line for line in err.splitlines() if line.startswith("Error")]


@pytest.mark.parametrize("request_text", [
    ".show database Secret extents",
    ".show databases (Secret) details",
    ".show databases (Secret) entities",
    ".show databases (Secret) schema",
    ".show database Secret schema",
    ".show database Secret datastats",
    ".create table Copy based-on Secret.Payroll",
])
def test_named_database_is_forbidden(run_kshell, request_text):
    out, errs = run_as_mallory(run_kshell, request_text)
    assert len(errs) == 1 and "Forbidden" in errs[0] and "'Secret'" in errs[0], errs
    assert "Payroll" not in out


@pytest.mark.parametrize("request_text", [
    ".show cluster extents",
    ".show databases schema",
    ".show databases entities",
    ".show databases details",
    ".show databases policies",
    ".show databases datastats",
    ".show databases schema as json",
])
def test_listings_show_only_visible_databases(run_kshell, request_text):
    out, errs = run_as_mallory(run_kshell, request_text)
    assert errs == []
    assert "Secret" not in out and "Payroll" not in out


def test_database_names_stay_open_to_all(run_kshell):
    out, errs = run_as_mallory(run_kshell, ".show databases")
    assert errs == [] and "Secret" in out


def test_admin_still_sees_everything(run_kshell):
    rc, out, err = run_kshell(SETUP.replace(f"#as {MALLORY}", "") + "\n.show databases entities\n",
                              "--format", "csv")
    assert rc == 0 and "Secret,Table,Payroll" in out


INGESTOR = "aaduser=ingestor@x.com"


@pytest.mark.parametrize("option", ["extend_schema=true", "recreate_schema=true"])
def test_schema_changing_ingestion_needs_table_admin(run_kshell, option):
    verb = ".set-or-replace" if option.startswith("recreate") else ".set-or-append"
    text = f"""
.set-or-append T <| print a=long(1)

.add database NetDefaultDB ingestors ('{INGESTOR}')

#as {INGESTOR}

.append T <| print a=long(2)

{verb} T with ({option}) <| print a=long(3), extra='x'

#as default

T | getschema | project ColumnName
"""
    rc, out, err = run_kshell(text, "--keep-going", "--format", "csv")
    errs = [line for line in err.splitlines() if line.startswith("Error")]
    assert len(errs) == 1 and "Forbidden" in errs[0] and "Table Admin" in errs[0], errs
    assert out.rstrip().endswith("ColumnName\na")  # the schema did not change


DU = "aaduser=du@x.com"


@pytest.mark.parametrize("mode", [".create", ".create-or-alter", ".alter"])
@pytest.mark.parametrize("suffix", [";managed_identity=system", "; Managed_Identity = system",
                                    ";MANAGED_IDENTITY=system"])
def test_managed_identity_external_table_needs_all_databases_admin(run_kshell, mode, suffix):
    # decided on the parsed credential, for the three commands alike
    text = f"""
.add database NetDefaultDB users ('{DU}')

#as {DU}

.create external table X (a:long) kind=storage dataformat=csv ('https://acct.blob.core.windows.net/x;impersonate')

{mode} external table X (a:long) kind=storage dataformat=csv ('https://acct.blob.core.windows.net/x{suffix}')

.show external tables | project TableName, ConnectionStrings
"""
    rc, out, err = run_kshell(text, "--keep-going", "--format", "csv")
    errs = [line for line in err.splitlines() if line.startswith("Error")]
    assert len(errs) == 1 and "requires AllDatabasesAdmin" in errs[0], errs
    assert "managed_identity" not in out.lower().split("tablename", 1)[1]


def test_sql_managed_identity_external_table_needs_database_admin(run_kshell):
    text = f"""
.add database NetDefaultDB users ('{DU}')

#as {DU}

.create external table S (a:long) kind=sql table=T (h@'Server=tcp:s.database.windows.net,1433;Authentication="Active  Directory Managed Identity";Initial Catalog=db')
"""
    rc, out, err = run_kshell(text, "--keep-going", "--format", "csv")
    errs = [line for line in err.splitlines() if line.startswith("Error")]
    assert len(errs) == 1 and "requires Database Admin" in errs[0], errs
