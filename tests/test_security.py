"""Principals, role commands, `.show ... principals`, `.show principal roles`, #as and #group."""

from __future__ import annotations

import pytest

from kshell.directives import DirectiveError, ShellState, run_directive
from kshell.engine import auth
from kshell.engine.session import DEFAULT_PRINCIPAL
from kshell.errors import BadRequest, DatabaseNotFound, EntityNotFound, Forbidden, KustoSyntaxError, TableNotFound
from kshell.syntax import parse
from kshell.syntax.cmd_security import RoleChange, ShowPrincipalRoles, ShowPrincipals

PRINCIPALS_COLUMNS = ["Role", "PrincipalType", "PrincipalDisplayName", "PrincipalObjectId",
                      "PrincipalFQN", "Notes", "RoleAssignmentIdentifier"]


def one(session, text):
    results = session.execute(text)
    assert len(results) <= 1
    return results[0] if results else None


def directive(session, line):
    return run_directive(ShellState(session=session), line)


# ------------------------------------------------------------- principals

@pytest.mark.parametrize("fqn, kind, ident, tenant", [
    ("aaduser=imikeoein@fabrikam.com", "aaduser", "imikeoein@fabrikam.com", None),
    ("AADUser=imikeoein@fabrikam.com;fabrikam.com", "aaduser", "imikeoein@fabrikam.com", "fabrikam.com"),
    ("aadGroup=SomeGroupEmail@fabrikam.com", "aadgroup", "SomeGroupEmail@fabrikam.com", None),
    ("aadgroup=SGDisplayName;fabrikam.com", "aadgroup", "SGDisplayName", "fabrikam.com"),
    ("aadapp=4c7e82bd-6adb-46c3-b413-fdd44834c69b;fabrikam.com", "aadapp",
     "4c7e82bd-6adb-46c3-b413-fdd44834c69b", "fabrikam.com"),
    ("aadapp=MyApp;72f988bf-86f1-41af-91ab-2d7cd011db47", "aadapp", "MyApp", "72f988bf-86f1-41af-91ab-2d7cd011db47"),
    ("msauser=abbiatkins@live.com", "msauser", "abbiatkins@live.com", None),
])
def test_parse_fqn_forms_of_the_docs(fqn, kind, ident, tenant):
    p = auth.parse_fqn(fqn)
    assert (p.kind, p.ident, p.tenant) == (kind, ident, tenant)


@pytest.mark.parametrize("bad", [
    "imikeoein@fabrikam.com", "aadappID=12345-abcd", "aaduser=", "aaduser=bob", "aaduser=a@b.com;",
    "msauser=bob", "msauser=a@live.com;live.com", "foo=bar", "",
])
def test_bad_fqn_is_a_clear_bad_request(bad):
    with pytest.raises(BadRequest, match="not a valid principal FQN"):
        auth.parse_fqn(bad)


def test_same_principal_with_or_without_tenant_and_prefix_case():
    a = auth.parse_fqn("aaduser=Alice@Contoso.com")
    b = auth.parse_fqn("AADUSER=alice@contoso.com;contoso.com")
    c = auth.parse_fqn(f"aaduser={a.object_id};contoso.com")
    assert a.key == b.key == c.key
    assert auth.parse_fqn("aadgroup=alice@contoso.com").key != a.key


def test_managed_identity_matched_by_object_id_or_client_id(session):
    from kshell.engine import azure

    mi = azure.create_identity(session.cluster, "ingest-mi")
    by_object = auth.parse_fqn(f"aadapp={mi.object_id};{mi.tenant_id}", session.cluster)
    by_client = auth.parse_fqn(f"aadapp={mi.client_id}", session.cluster)
    assert by_object.key == by_client.key == ("aadapp", mi.object_id)
    one(session, f".add database NetDefaultDB viewers ('aadapp={mi.client_id}')")
    assert auth.can_read_database(session.cluster, f"aadapp={mi.object_id}", "netdefaultdb")
    assert not auth.can_read_database(session.cluster, "aadapp=" + "1" * 32, "NetDefaultDB")
    row = one(session, ".show database NetDefaultDB principals").as_dicts()[-1]
    assert row["PrincipalObjectId"] == mi.object_id
    assert row["PrincipalFQN"] == f"aadapp={mi.object_id};{mi.tenant_id}"
    assert row["PrincipalDisplayName"] == f"ingest-mi (app id: {mi.client_id})"
    assert row["PrincipalType"] == "Microsoft Entra app"


def test_adding_an_app_after_its_identity_appears_finds_the_earlier_assignment(session):
    """An `aadapp=` GUID assigned before an identity with that client id existed is the
    identity's principal from then on: adding the identity by object id adds no second row,
    and `notes` change the first assignment.  (Principal keys are remembered per FQN; the
    memory must not outlive the identities it was made with.)"""
    from kshell.engine import azure

    client = "0f0e0d0c-0b0a-4909-8807-060504030201"
    one(session, f".add database NetDefaultDB viewers ('aadapp={client}')")
    one(session, f".add database NetDefaultDB viewers ('aadapp={client}')")  # remembered, not an identity yet
    mi = azure.create_identity(session.cluster, "late-mi", client_id=client)
    rows = one(session, f".add database NetDefaultDB viewers ('aadapp={mi.object_id}') 'now known'").as_dicts()
    viewers = [r for r in rows if r["Role"].endswith("Viewer")]
    assert len(viewers) == 1
    assert viewers[0]["PrincipalObjectId"] == mi.object_id and viewers[0]["Notes"] == "now known"


def test_principal_details_and_membership(session):
    d = auth.principal_details(session, "aaduser=james@fabrikam.com")
    assert d["UserPrincipalName"] == "james@fabrikam.com"
    assert d["Type"] == "AadUser"
    assert d["DisplayName"] == "james (upn: james@fabrikam.com)"
    assert d["FQN"] == f"aaduser={d['ObjectId']};{d['Authority']}"
    directive(session, "#group add aadgroup=managers@fabrikam.com aadgroup=leads@fabrikam.com")
    directive(session, "#group add aadgroup=leads@fabrikam.com aaduser=james@fabrikam.com")
    assert auth.is_member_of(session, "aaduser=james@fabrikam.com", "aadgroup=managers@fabrikam.com")
    assert auth.is_member_of(session, "aaduser=james@fabrikam.com", "aaduser=James@fabrikam.com")
    assert not auth.is_member_of(session, "aaduser=ann@fabrikam.com", "aadgroup=managers@fabrikam.com")
    assert auth.is_member_of(session, "aaduser=james@fabrikam.com", "not an fqn") is None


# ---------------------------------------------------------------- parsing

def test_parse_role_commands():
    n = parse(".add database Test users ('aadgroup=SGDisplayName;fabrikam.com') 'Test group @fabrikam.com (AAD)'")
    assert isinstance(n, RoleChange)
    assert (n.action, n.securable_kind, n.securable, n.role) == ("add", "database", ["Test"], "users")
    assert n.principals == ["aadgroup=SGDisplayName;fabrikam.com"]
    assert n.notes == "Test group @fabrikam.com (AAD)"
    n = parse(".set database Samples viewers none skip-results")
    assert n.none and n.skip_results and n.principals == []
    n = parse(".add database admins ('aaduser=a@b.com')")
    assert n.securable == [] and n.role == "admins"
    n = parse(".drop external table Samples admins ('aadGroup=SomeGroupEmail@fabrikam.com')")
    assert n.securable_kind == "external table"
    n = parse(".set materialized-view SampleView admins none")
    assert n.securable_kind == "materialized-view"
    n = parse(".add cluster alldatabasesviewers ('aaduser=a@b.com') skip-results 'why'")
    assert n.securable_kind == "cluster" and n.skip_results and n.notes == "why"
    assert isinstance(parse(".show table StormEvents principals"), ShowPrincipals)
    n = parse(".show function F principal roles")
    assert isinstance(n, ShowPrincipalRoles) and n.securable == ["F"]
    n = parse(".show principal 'aaduser=a@b.com' roles")
    assert n.securable_kind is None and n.principal == "aaduser=a@b.com"


@pytest.mark.parametrize("text", [
    ".add database Samples users ('aaduser=a@b.com') async",
    ".add table T viewers ('aaduser=a@b.com')",
    ".add function F users ('aaduser=a@b.com')",
    ".add database Samples users (aaduser)",
    ".add database Samples users none",
    ".add database Samples users ('aaduser=a@b.com'",
    ".show table T principal",
])
def test_role_command_syntax_errors(text):
    with pytest.raises(KustoSyntaxError):
        parse(text)


CORPUS = __import__("pathlib").Path(__file__).resolve().parents[2] / "shared" / "corpus" / "docs-kusto-blocks.jsonl"


def _corpus_requests(family):
    import json
    import re

    out = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        block = json.loads(line)
        if block["family"] != family or not block["ms_syntax_ok"] or re.search(r"<[A-Za-z][^>]*>", block["text"]):
            continue
        requests, cur = [], []
        for ln in block["text"].splitlines():
            if ln.strip().startswith("//"):
                continue
            if (not ln.strip() or ln.lstrip().startswith(".")) and cur:
                requests.append("\n".join(cur).strip())
                cur = []
            if ln.strip():
                cur.append(ln)
        if cur:
            requests.append("\n".join(cur).strip())
        out.append((block["id"], requests))
    return out


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared corpus not available")
@pytest.mark.parametrize("family", ["security_roles", "row_level_security"])
def test_corpus_family_parses(family):
    blocks = _corpus_requests(family)
    ok = 0
    for _id, requests in blocks:
        try:
            for r in requests:
                parse(r)
            ok += 1
        except KustoSyntaxError:
            pass
    assert blocks and ok / len(blocks) >= 0.95, f"{ok}/{len(blocks)}"


# --------------------------------------------------------------- commands

def test_default_principal_holds_all_databases_admin(session):
    r = one(session, ".show cluster principals")
    assert r.column_names == PRINCIPALS_COLUMNS
    assert [row[0] for row in r.rows] == ["AllDatabasesAdmin"]
    assert r.rows[0][2] == "kshell-admin (upn: kshell-admin@kshell.local)"
    r = one(session, ".show cluster principal roles")
    assert r.column_names == ["Scope", "DisplayName", "AADObjectID", "Role"]
    assert [row[0] for row in r.rows] == ["Cluster"] and r.rows[0][3] == "AllDatabasesAdmin"


def test_add_drop_set_database_roles(session):
    r = one(session, ".add database NetDefaultDB users ('aaduser=imikeoein@fabrikam.com') 'Test user (AAD)'")
    rows = r.as_dicts()
    assert [x["Role"] for x in rows] == ["AllDatabasesAdmin", "Database NetDefaultDB User"]
    assert rows[1]["Notes"] == "Test user (AAD)"
    assert rows[1]["PrincipalType"] == "Microsoft Entra user"
    # adding again updates the notes only; duplicates collapse
    one(session, ".add database netdefaultdb users ('aaduser=imikeoein@fabrikam.com', "
                 "'AADUSER=imikeoein@fabrikam.com;fabrikam.com') 'new notes'")
    r = one(session, ".show database NetDefaultDB principals")
    assert [x["Notes"] for x in r.as_dicts()] == ["kshell default principal", "new notes"]
    one(session, ".set database NetDefaultDB viewers ('aaduser=a@fabrikam.com', 'aaduser=b@fabrikam.com')")
    one(session, ".set database NetDefaultDB viewers ('aaduser=b@fabrikam.com', 'msauser=c@live.com')")
    r = one(session, ".show database NetDefaultDB principals")
    viewers = [x["PrincipalDisplayName"] for x in r.as_dicts() if x["Role"].endswith("Viewer")]
    assert viewers == ["b (upn: b@fabrikam.com)", "c (upn: c@live.com)"]
    # drop of a non-member is a no-op; skip-results returns nothing
    assert session.execute(".drop database NetDefaultDB viewers ('aaduser=zz@fabrikam.com') skip-results") == []
    one(session, ".set database NetDefaultDB viewers none")
    r = one(session, ".show database NetDefaultDB principals")
    assert not [x for x in r.as_dicts() if x["Role"].endswith("Viewer")]


def test_role_change_is_all_or_nothing(session):
    before = list(session.database.principals)
    with pytest.raises(BadRequest):
        session.execute(".add database NetDefaultDB users ('aaduser=ok@x.com', 'aaduser=')")
    assert session.database.principals == before
    with pytest.raises(DatabaseNotFound):
        session.execute(".add database Nope users ('aaduser=ok@x.com')")
    with pytest.raises(TableNotFound):
        session.execute(".add table Nope admins ('aaduser=ok@x.com')")
    with pytest.raises(EntityNotFound):
        session.execute(".add function Nope admins ('aaduser=ok@x.com')")


def test_cluster_keeps_an_all_databases_admin(session):
    with pytest.raises(BadRequest, match="without any AllDatabasesAdmin"):
        session.execute(".set cluster alldatabasesadmins none")
    one(session, ".add cluster alldatabasesadmins ('aaduser=other@x.com')")
    one(session, f".drop cluster alldatabasesadmins ('{DEFAULT_PRINCIPAL}')")
    with pytest.raises(Forbidden):
        session.execute(".show cluster principals")
    session.principal = "aaduser=other@x.com"
    assert [r[0] for r in one(session, ".show cluster principals").rows] == ["AllDatabasesAdmin"]


def test_show_principal_roles_of_caller_and_of_others(session):
    one(session, ".add database NetDefaultDB viewers ('aadgroup=team@x.com')")
    directive(session, "#group add aadgroup=team@x.com aaduser=ann@x.com")
    r = one(session, ".show principal 'aaduser=ann@x.com' roles")
    assert r.rows == [["Database:NetDefaultDB", "team@x.com", auth.parse_fqn("aadgroup=team@x.com").object_id,
                       "Viewer"]]
    session.principal = "aaduser=ann@x.com"
    assert one(session, ".show database NetDefaultDB principal roles").rows == r.rows
    assert one(session, ".show principal roles").rows == r.rows
    with pytest.raises(Forbidden):
        session.execute(".show principal 'aaduser=other@x.com' roles")
    session.principal = "aaduser=stranger@x.com"
    assert one(session, ".show cluster principal roles").rows == []
    with pytest.raises(Forbidden):
        session.execute(".show database NetDefaultDB principal roles")


# ------------------------------------------------------------- directives

def test_as_directive_switches_and_lists(session):
    r = directive(session, "#as")
    assert r.column_names == ["Principal", "FQN", "Scope", "Role", "Via"]
    assert r.rows[0][0] == DEFAULT_PRINCIPAL and r.rows[0][3] == "AllDatabasesAdmin"
    msg = directive(session, "#as 'AADUSER=bob@x.com'")
    assert "aaduser=bob@x.com" in msg and "no role" in msg
    assert session.principal == "aaduser=bob@x.com"
    assert directive(session, "#as").rows[0][3] == "(no role)"
    with pytest.raises(Forbidden, match="Principal 'aaduser=bob@x.com' is not authorized"):
        session.execute(".show database NetDefaultDB policy managed_identity")
    with pytest.raises(DirectiveError, match="not a valid principal FQN"):
        directive(session, "#as bob")
    # a refused #as leaves a principal without roles acting (tests/test_attack_roles.py)
    assert session.principal == "aaduser=refused-as@kshell.local"
    directive(session, "#as default")
    assert session.principal == DEFAULT_PRINCIPAL


def test_group_directive(session):
    assert directive(session, "#group").rows == []
    directive(session, "#group add aadgroup=g@x.com aaduser=a@x.com")
    assert "already" in directive(session, "#group add aadgroup=g@x.com AADUSER=a@x.com")
    assert directive(session, "#group").rows == [["aadgroup=g@x.com", "aaduser=a@x.com"]]
    with pytest.raises(DirectiveError, match="not a group"):
        directive(session, "#group add aaduser=a@x.com aaduser=b@x.com")
    with pytest.raises(DirectiveError, match="usage"):
        directive(session, "#group add aadgroup=g@x.com")
    with pytest.raises(DirectiveError, match="not a member"):
        directive(session, "#group remove aadgroup=g@x.com aaduser=b@x.com")
    directive(session, "#group remove aadgroup=g@x.com aaduser=a@x.com")
    assert directive(session, "#group").rows == []


def test_as_in_a_script_end_to_end(run_kshell):
    script = "\n".join([
        ".add database NetDefaultDB viewers ('aaduser=viewer@x.com')",
        "#as aaduser=viewer@x.com",
        ".show database NetDefaultDB principal roles",
        ".add database NetDefaultDB admins ('aaduser=viewer@x.com')",
        "",
    ])
    code, out, err = run_kshell(script, "--format", "csv")
    assert code == 1
    assert "Database:NetDefaultDB" in out and "Viewer" in out
    assert "Forbidden" in err and "Principal 'aaduser=viewer@x.com' is not authorized" in err


def test_roles_and_groups_survive_the_state_file(run_kshell, tmp_path):
    state = str(tmp_path / "cluster.kshell")
    setup = "\n".join([
        ".create table T (a:long)",
        ".ingest inline into table T <| 7",
        ".add database NetDefaultDB viewers ('aadgroup=readers@x.com') 'readers'",
        "#group add aadgroup=readers@x.com aaduser=ann@x.com",
        "",
    ])
    code, out, err = run_kshell(setup, state)
    assert code == 0, err
    check = "\n".join([
        "#as aaduser=ann@x.com",
        "T | project a",
        ".drop table T",
        "",
    ])
    code, out, err = run_kshell(check, state, "--format", "csv", "--keep-going")
    assert code == 1
    assert out.splitlines()[-1] == "7"
    assert "Forbidden" in err and "'.drop table' on 'NetDefaultDB.T'" in err
    # the default principal still holds AllDatabasesAdmin after reopening, and nothing changed
    code, out, err = run_kshell(".show cluster principals\n\nT | project a\n", state, "--format", "csv")
    assert code == 0, err
    assert "AllDatabasesAdmin" in out and out.splitlines()[-1] == "7"


def test_piped_commands_check_the_command_and_the_query(session):
    session.execute(".create database Secret volatile")
    session.execute(".set Secret.S <| print s='x'")
    session.execute(".add database NetDefaultDB viewers ('aaduser=v@x.com')")
    session.principal = "aaduser=v@x.com"
    assert session.execute(".show cluster principal roles | project Role")[0].rows == [["Viewer"]]
    with pytest.raises(Forbidden, match="'.show database principals'"):
        session.execute(".show database NetDefaultDB principals | count")
    with pytest.raises(Forbidden, match="on 'Secret'"):
        session.execute(".show version | extend n = toscalar(database('Secret').S | count)")


def test_show_principals_piped_into_a_query(session):
    one(session, ".add database NetDefaultDB viewers ('aaduser=a@x.com', 'aaduser=b@x.com')")
    r = one(session, ".show database NetDefaultDB principals | where Role !startswith 'All' | project PrincipalDisplayName")
    assert r.rows == [["a (upn: a@x.com)"], ["b (upn: b@x.com)"]]
    r = one(session, ".show cluster principal roles | count")
    assert r.rows == [[1]]


def test_as_a_managed_identity_by_name(session):
    from kshell.engine import azure

    mi = azure.create_identity(session.cluster, "exporter")
    directive(session, "#as exporter")
    assert session.principal == f"aadapp={mi.object_id}"
    directive(session, "#as system")
    assert session.principal == f"aadapp={azure.system_identity(session.cluster).object_id}"
    assert directive(session, "#as").rows[0][1].startswith(f"aadapp={azure.system_identity(session.cluster).object_id};")


def test_random_security_commands_fail_only_with_kusto_errors(session):
    """Arbitrary word salads of the security grammar, as various principals: never a Python error."""
    import random

    from kshell.errors import KustoError

    rng = random.Random(6)
    words = [".add", ".drop", ".set", ".show", "database", "table", "function", "external", "materialized-view",
             "cluster", "NetDefaultDB", "T", "F", "admins", "users", "viewers", "ingestors", "monitors",
             "alldatabasesadmins", "none", "skip-results", "(", ")", ",", "'aaduser=a@b.com'", "'aadgroup=g@b.com'",
             "'bad'", "'aadapp=x;'", "principals", "principal", "roles", "'notes'", "|", "count", "async",
             "policy", "row_level_security", "enable", "disable", "'T | where a > 0'", "*", "with", "(x=1)"]
    session.execute(".create table T (a:long)")
    session.execute(".create function F() { T }")
    state = ShellState(session=session)
    for _ in range(3000):
        text = " ".join([rng.choice(words[:4])] + [rng.choice(words) for _ in range(rng.randint(1, 8))])
        session.principal = rng.choice([DEFAULT_PRINCIPAL, "aaduser=a@b.com", "aadgroup=g@b.com"])
        try:
            session.execute(text)
        except KustoError:
            pass
        line = "#" + rng.choice(["as", "group"]) + " " + " ".join(
            rng.choice(["add", "remove", "aadgroup=g@b.com", "aaduser=a@b.com", "'aaduser=c@b.com'", "system",
                        "bogus", "=", "'"]) for _ in range(rng.randint(0, 4)))
        try:
            run_directive(state, line)
        except KustoError:
            pass


def test_show_one_cluster_role(session):
    one(session, ".add cluster alldatabasesviewers ('aaduser=v@x.com', 'aadgroup=g@x.com')")
    r = one(session, ".show cluster alldatabasesviewers")
    assert r.column_names == PRINCIPALS_COLUMNS
    assert [row[2] for row in r.rows] == ["v (upn: v@x.com)", "g@x.com"]
    assert [row[0] for row in one(session, ".show cluster alldatabasesadmins").rows] == ["AllDatabasesAdmin"]
    assert one(session, ".show cluster alldatabasesmonitors | count").rows == [[0]]
