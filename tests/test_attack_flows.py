"""Attacks through automated flows (update policies, continuous export), run as real scripts.

The attacker is a Database User of NetDefaultDB (`mallory`), who may create tables,
functions and update policies on her own tables, and who cannot read database
`Secret`.  Each test shows what the service answers: the route is refused when the
flow is set, or the flow fails when it runs and copies nothing (docs/security.md,
"Flows").
"""

from __future__ import annotations

import pytest

MALLORY = "aaduser=mallory@x.com"

SETUP = f"""
.create database Secret volatile

.set Secret.Pay <| print salary=long(100)

.add database NetDefaultDB users ('{MALLORY}')

#as {MALLORY}

.create table Src (a:long)

.create table Dst (a:long)
"""

LEAK = 'Src | extend a = toscalar(union isfuzzy=true database(strcat("Sec","ret")).Pay | summarize sum(salary))'


def policy(query: str, transactional: bool = False, source: str = "Src", wildcard: bool = False,
           target: str = "Dst") -> str:
    query = query.replace('"', '\\"')
    extra = ', "SourceIsWildCard": true' if wildcard else ""
    return (f".alter table {target} policy update @'[{{\"IsEnabled\": true, \"Source\": \"{source}\", "
            f"\"Query\": \"{query}\", \"IsTransactional\": {str(transactional).lower()}{extra}}}]'")


def script(run_kshell, text: str) -> tuple[int, str, str]:
    return run_kshell(text, "--keep-going", "--format", "csv")


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error")]


def test_computed_database_name_is_refused_when_the_policy_is_set(run_kshell):
    rc, out, err = script(run_kshell, SETUP + "\n" + policy(LEAK) + "\n")
    assert rc == 1
    [e] = errors(err)
    assert "BadRequest" in e and "'ManagedIdentity' is required" in e and "database(<computed name>)" in e


@pytest.mark.parametrize("reference", ['table(strcat("Sr","c"))', "union S*", 'union database("*").Src'])
def test_unresolvable_references_count_as_reaching_anything(run_kshell, reference):
    rc, out, err = script(run_kshell, SETUP + "\n" + policy(f"{reference} | project a") + "\n")
    [e] = errors(err)
    assert "'ManagedIdentity' is required" in e and "may reach any table of any database" in e


def _swap_script(transactional: bool) -> str:
    # A harmless function passes the set-time checks, then is swapped for one that reads
    # another database (skipvalidation: the service does not re-validate policies then).
    return SETUP + f"""
.create-or-alter function Body() {{ Src }}

{policy("Body()", transactional)}

.create-or-alter function with (skipvalidation=true) Body() {{ {LEAK} }}

#as default

.ingest inline into table Src <| 1

Dst | count

Src | count

.show ingestion failures | project Details
"""


def test_swapped_function_fails_the_run_and_copies_nothing(run_kshell):
    rc, out, err = script(run_kshell, _swap_script(transactional=False))
    assert errors(err) == []
    lines = out.splitlines()
    # Dst got nothing (the secret sum 100 never lands), the source keeps its row
    assert "Count\n0" in "\n".join(lines) and "Count\n1" in "\n".join(lines)
    assert "not authorized to read database 'Secret'" in out
    assert "a flow without a managed identity may read only tables of its own database" in out


def test_swapped_function_in_a_transactional_policy_fails_the_ingestion(run_kshell):
    rc, out, err = script(run_kshell, _swap_script(transactional=True))
    [e] = errors(err)
    assert "Ingestion failed: transactional update policy" in e and "database 'Secret'" in e
    # nothing landed anywhere: both counts are 0
    assert out.count("Count\n0") == 2


def test_policy_never_uses_the_ingesting_principals_rights(run_kshell):
    # The admin (who can read Secret) ingests; the identity-less policy still may not.
    text = SETUP + f"""
.create-or-alter function Body() {{ Src }}

{policy("Body()")}

.create-or-alter function with (skipvalidation=true) Body() {{ Src | extend a = toscalar(database("Secret").Pay | summarize sum(salary)) }}

#as default

.ingest inline into table Src <| 1

Dst
"""
    rc, out, err = script(run_kshell, text)
    assert errors(err) == []
    assert "100" not in out.split("\n\n")[-1]


RLS_SETUP = f"""
.add database NetDefaultDB users ('{MALLORY}')

.set Secrets <| print a=long(42)

.alter table Secrets policy row_level_security enable "Secrets | where current_principal_is_member_of('aaduser=kshell-admin@kshell.local')"

#as {MALLORY}

.create table Mine (a:long)
"""


def test_wildcard_source_matching_an_rls_table_is_refused_when_set(run_kshell):
    rc, out, err = script(run_kshell, RLS_SETUP + "\n" + policy("$source_table", source="Se*", wildcard=True,
                                                                target="Mine") + "\n")
    [e] = errors(err)
    assert "'ManagedIdentity' is required" in e and "row level security" in e and "Secrets" in e


def test_wildcard_source_cannot_copy_rows_rls_hides(run_kshell):
    # Mallory sets the policy first (no RLS table matches yet), the admin then protects a
    # table the pattern matches -- which mallory cannot block -- and ingests into it.
    text = f"""
.add database NetDefaultDB users ('{MALLORY}')

.create table Secrets (a:long)

#as {MALLORY}

.create table Mine (a:long)

{policy("$source_table", source="Se*", wildcard=True, target="Mine")}

#as default

.alter table Secrets policy row_level_security enable "Secrets | where current_principal_is_member_of('aaduser=kshell-admin@kshell.local')"

.ingest inline into table Secrets <| 42

Secrets | count

.show ingestion failures | project Details

#as {MALLORY}

Mine | count
"""
    rc, out, err = script(run_kshell, text)
    assert errors(err) == []
    assert "Count\n1" in out                      # the admin's row landed and the admin sees it
    assert "which has row level security" in out  # the policy failed at run time
    assert out.rstrip().endswith("Count\n0")      # mallory's table got nothing


def test_identity_less_flow_cannot_read_an_rls_table_through_a_swapped_function(run_kshell):
    text = RLS_SETUP + f"""
.create table Src (a:long)

.create-or-alter function Body() {{ Src }}

{policy("Body()", target="Mine")}

.create-or-alter function with (skipvalidation=true) Body() {{ Secrets }}

#as default

.ingest inline into table Src <| 1

#as {MALLORY}

Mine | count
"""
    rc, out, err = script(run_kshell, text)
    assert errors(err) == []
    assert out.rstrip().endswith("Count\n0")


def test_transactional_wildcard_policy_needs_database_admin(run_kshell):
    # Otherwise mallory's failing policy could block ingestion into every future table
    # of the admin that the pattern matches.
    text = SETUP + "\n.create table S1 (a:long)\n\n" + policy("$source_table | where a > 100", transactional=True,
                                                               source="S*", wildcard=True) + "\n"
    rc, out, err = script(run_kshell, text)
    [e] = errors(err)
    assert "wildcard source 'S*' needs Database Admin" in e


def test_set_or_replace_cannot_wipe_a_table_through_an_update_policy(run_kshell):
    # The admin's derived table Audit copies every table matching Log*; mallory owns LogMine.
    text = f"""
.add database NetDefaultDB users ('{MALLORY}')

.create table Audit (a:long)

.alter table Audit policy update @'[{{"IsEnabled": true, "Source": "Log*", "SourceIsWildCard": true, "Query": "$source_table", "IsTransactional": false}}]'

.set-or-append LogAdmin <| print a=long(7)

#as {MALLORY}

.set-or-replace LogMine <| print a=long(1)

#as default

Audit | count
"""
    rc, out, err = script(run_kshell, text)
    [e] = errors(err)
    assert "Forbidden" in e and "replace the data of table 'NetDefaultDB.Audit'" in e
    assert out.rstrip().endswith("Count\n1")  # the admin's row is still there


def test_cascades_give_each_table_the_data_once(run_kshell):
    # Ten tables that all feed each other: one ingested row lands once in each.
    names = [f"C{i}" for i in range(10)]
    lines = [f".create table {n} (a:long)\n" for n in names]
    for n in names:
        lines.append(policy("$source_table", source="C*", wildcard=True, target=n) + "\n")
    lines.append(".ingest inline into table C0 <| 1\n")
    lines.append("union C* | count\n")
    rc, out, err = script(run_kshell, "\n".join(lines))
    assert errors(err) == []
    assert out.rstrip().endswith("Count\n10")


CE_SETUP = f"""
.add database NetDefaultDB admins ('{MALLORY}')

#storage create acct

.create external table Out (a:long) kind=storage dataformat=csv ('https://acct.blob.core.windows.net/out?sv=2020&sig=s')

#as {MALLORY}

.create table Facts (a:long)
"""


def test_continuous_export_without_identity_refuses_computed_names(run_kshell):
    text = CE_SETUP + """
.create-or-alter continuous-export E over (Facts) to table Out with (intervalBetweenRuns=1h) <| Facts | extend b = toscalar(union isfuzzy=true table(strcat("Fa","cts")) | count) | project a
"""
    rc, out, err = script(run_kshell, text)
    [e] = errors(err)
    assert "'managedIdentity' property is required" in e and "computed" in e


def test_continuous_export_without_identity_fails_on_a_swapped_function(run_kshell):
    # mallory is Database Admin of NetDefaultDB only: her export may not read Secret.
    text = "\n.create database Secret volatile\n\n.set Secret.Pay <| print salary=long(100)\n" + CE_SETUP + f"""
.create-or-alter function Body() {{ Facts }}

.create-or-alter continuous-export E over (Facts) to table Out with (intervalBetweenRuns=1h) <| Body()

.create-or-alter function with (skipvalidation=true) Body() {{ Facts | extend a = toscalar(database("Secret").Pay | summarize sum(salary)) }}

.ingest inline into table Facts <| 1

#time advance 1h

.show continuous-export E exported-artifacts | count

.show continuous-export E failures | project Details
"""
    rc, out, err = script(run_kshell, text)
    assert errors(err) == []
    assert "Count\n0" in out
    assert "not authorized to read database 'Secret'" in out


def test_restricted_view_access_tables_are_out_of_reach_of_flows(session):
    # (the restricted_view_access policy command belongs to the policies family; the read
    # check looks at the stored policy: kshell.engine.permissions.table_has_restricted_view_access)
    from kshell.errors import BadRequest

    session.execute(".set Hidden <| print a=long(1)")
    session.execute(".create table Src (a:long)")
    session.execute(".create table Dst (a:long)")
    session.execute(".create function Body() { Src }")
    session.database.tables["Hidden"].policies["restricted_view_access"] = True
    with pytest.raises(BadRequest, match="restricted view access"):
        session.execute(policy("Src | union Hidden"))
    session.execute(policy("Body()"))
    session.execute(".create-or-alter function with (skipvalidation=true) Body() { Src | union Hidden }")
    session.execute(".ingest inline into table Src <| 5")
    assert session.execute("Dst | count")[0].rows == [[0]]
    failure = session.execute(".show ingestion failures")[0].as_dicts()[-1]
    assert "which has restricted view access" in failure["Details"]
