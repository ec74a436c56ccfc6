"""Simulated storage: URI mapping, credentials, masking, #storage directives, access decisions."""

from __future__ import annotations

import pytest

from kshell.directives import DirectiveError, ShellState, run_directive
from kshell.engine import storage
from kshell.errors import BadRequest, EntityNotFound, Forbidden, NotSupported

SYSTEM_POLICY = ('.alter-merge cluster policy managed_identity '
                 '```[{"ObjectId":"system","AllowedUsages":"%s"}]```')


@pytest.fixture
def state(session, tmp_path):
    session.storage_dir = str(tmp_path / "storage")
    return ShellState(session=session)


def directive(state, line):
    return run_directive(state, line)


# ------------------------------------------------------------------ URIs
@pytest.mark.parametrize("text, account, container, path, endpoint", [
    ("https://acct.blob.core.windows.net/c1", "acct", "c1", "", "blob"),
    ("https://Acct.blob.core.windows.net/c1/a/b.csv", "acct", "c1", "a/b.csv", "blob"),
    ("https://acct.dfs.core.windows.net/fs/dir/f.json", "acct", "fs", "dir/f.json", "dfs"),
    ("abfss://fs@acct.dfs.core.windows.net/path/x", "acct", "fs", "path/x", "dfs"),
    ("abfss://fs@acct.dfs.core.windows.net/", "acct", "fs", "", "dfs"),
    ("http://acct.blob.core.windows.net/c1;key", "acct", "c1", "", "blob"),
])
def test_uri_forms_map_to_account_container_path(text, account, container, path, endpoint):
    uri = storage.parse_uri(text)
    assert (uri.account, uri.container, uri.path, uri.endpoint) == (account, container, path, endpoint)


def test_uris_map_to_files_under_the_storage_dir(session, tmp_path):
    session.storage_dir = str(tmp_path)
    for text in ("https://acct.blob.core.windows.net/c1/a/b.csv", "abfss://c1@acct.dfs.core.windows.net/a/b.csv",
                 "https://acct.dfs.core.windows.net/c1/a/b.csv;impersonate"):
        assert storage.local_path(session, storage.parse_uri(text)) == tmp_path / "acct" / "c1" / "a" / "b.csv"


@pytest.mark.parametrize("text", ["https://acct.blob.core.windows.net/", "ftp://x/y", "https://example.com/c",
                                  "https://acct.blob.core.windows.net/c/../../etc"])
def test_bad_uris_are_bad_requests(text):
    with pytest.raises(BadRequest):
        storage.parse_uri(text)


@pytest.mark.parametrize("text", ["adl://contoso.azuredatalakestore.net/p/f.csv;impersonate",
                                  "https://bucket.s3.us-east-1.amazonaws.com/f.csv;AwsCredentials=a,b"])
def test_other_stores_are_not_simulated(text):
    with pytest.raises(NotSupported):
        storage.parse_uri(text)


@pytest.mark.parametrize("suffix, kind, value", [
    (";impersonate", "impersonate", ""),
    (";managed_identity=system", "managed_identity", "system"),
    (";managed_identity=12345678-1234-1234-1234-1234567890ab", "managed_identity",
     "12345678-1234-1234-1234-1234567890ab"),
    ("?sv=2020&sp=rl&sig=abc", "sas", "sv=2020&sp=rl&sig=abc"),
    (";ljkAkl==", "key", "ljkAkl=="),
    (";sharedkey=sv=...&sp=rwd", "key", "sv=...&sp=rwd"),
    (";token=1234567890abcdef", "token", "1234567890abcdef"),
    ("", "none", ""),
])
def test_credentials(suffix, kind, value):
    cred = storage.parse_uri("https://fabrikam.blob.core.windows.net/container/path/file.csv" + suffix).credential
    assert (cred.kind, cred.value) == (kind, value)


@pytest.mark.parametrize("text, shown", [
    ("https://a.blob.core.windows.net/c;secretKey", "https://a.blob.core.windows.net/c;*******"),
    ("https://a.blob.core.windows.net/c/f.csv?sv=1&sig=x", "https://a.blob.core.windows.net/c/f.csv?*******"),
    ("abfss://fs@a.dfs.core.windows.net/p;sharedkey=K", "abfss://fs@a.dfs.core.windows.net/p;*******"),
    ("https://a.blob.core.windows.net/c;token=T", "https://a.blob.core.windows.net/c;*******"),
    ("https://a.blob.core.windows.net/c;impersonate", "https://a.blob.core.windows.net/c;impersonate"),
    ("https://a.blob.core.windows.net/c;managed_identity=system",
     "https://a.blob.core.windows.net/c;managed_identity=system"),
])
def test_mask_hides_secrets_only(text, shown):
    assert storage.mask(text) == shown


# ------------------------------------------------------------ directives
def test_storage_create_grant_revoke_and_listing(state):
    out = directive(state, "#storage create acct1")
    assert out.rows == [["acct1", "", "", ""]]
    out = directive(state, "#storage grant acct1 system reader")
    assert out.rows[0][0] == "acct1" and out.rows[0][1] == "system"
    assert out.rows[0][3] == storage.READER
    directive(state, "#storage grant acct1 aaduser=alice@contoso.com contributor")
    listing = directive(state, "#storage")
    assert {(r[1], r[3]) for r in listing.rows} == {("system", storage.READER),
                                                   ("aaduser=alice@contoso.com", storage.CONTRIBUTOR)}
    directive(state, "#storage revoke acct1 system")
    assert [r[1] for r in directive(state, "#storage").rows] == ["aaduser=alice@contoso.com"]
    assert (state.session.cluster.storage_accounts["acct1"].roles[0].role == storage.CONTRIBUTOR)


def test_storage_grant_to_a_user_assigned_identity_by_name(state):
    run_directive(state, "#identity create id1")
    directive(state, "#storage create acct1")
    out = directive(state, "#storage grant acct1 id1 contributor")
    oid = state.session.cluster.storage_accounts["acct1"].roles[0].principal
    assert out.rows[0][1] == "id1" and oid.startswith("aadapp=")


@pytest.mark.parametrize("line", ["#storage grant nosuch system reader", "#storage grant acct1 nobody reader",
                                  "#storage grant acct1 system writer", "#storage create X!", "#storage frob",
                                  "#storage ls https://nosuch.blob.core.windows.net/c"])
def test_storage_directive_errors(state, line):
    directive(state, "#storage create acct1")
    with pytest.raises(DirectiveError):
        directive(state, line)


def test_storage_ls_lists_files_and_a_dropped_directory_is_an_account(state, tmp_path):
    folder = tmp_path / "storage" / "dropped" / "c1" / "in"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text("x,1\n")
    (folder / "b.csv").write_text("y,2\n")
    out = directive(state, "#storage ls https://dropped.blob.core.windows.net/c1/in")
    assert [r[0] for r in out.rows] == ["https://dropped.blob.core.windows.net/c1/in/a.csv",
                                        "https://dropped.blob.core.windows.net/c1/in/b.csv"]
    assert out.rows[0][1] == 4
    assert "dropped" in [r[0] for r in directive(state, "#storage").rows]


def test_storage_dir_directive_and_default_temp_dir(session):
    state = ShellState(session=session)
    where = directive(state, "#storage dir")
    assert "kshell-storage-" in where


# ------------------------------------------------------------------ access
@pytest.fixture
def acct(state):
    directive(state, "#storage create acct1")
    return state


def access(session, cs, need="read", usage="ExternalTable", principal=None):
    return storage.check_access(session, storage.parse_uri(cs), need=need, usage=usage,
                                database="NetDefaultDB", principal=principal)


@pytest.mark.parametrize("suffix", [";secretKey", ";sharedkey=K", ";token=T", "?sv=1&sig=x"])
@pytest.mark.parametrize("need", ["read", "write"])
def test_keys_sas_and_tokens_always_work(acct, suffix, need):
    grant = access(acct.session, "https://acct1.blob.core.windows.net/c" + suffix, need)
    assert grant.method in ("key", "token", "sas")


def test_sas_permissions_are_honoured(acct):
    access(acct.session, "https://acct1.blob.core.windows.net/c?sp=rl&sig=x", "read")
    with pytest.raises(Forbidden, match="does not allow writing"):
        access(acct.session, "https://acct1.blob.core.windows.net/c?sp=rl&sig=x", "write")
    access(acct.session, "https://acct1.blob.core.windows.net/c?sp=rwl&sig=x", "write")


def test_no_credentials_and_unknown_accounts_are_refused(acct):
    with pytest.raises(Forbidden, match="no credentials"):
        access(acct.session, "https://acct1.blob.core.windows.net/c")
    with pytest.raises(EntityNotFound, match="#storage create nosuch"):
        access(acct.session, "https://nosuch.blob.core.windows.net/c;secretKey")


def test_impersonation_uses_the_callers_storage_role(acct):
    session = acct.session
    cs = "https://acct1.blob.core.windows.net/c;impersonate"
    with pytest.raises(Forbidden, match="lacks Storage Blob Data Reader"):
        access(session, cs)
    directive(acct, f"#storage grant acct1 {session.principal} reader")
    assert access(session, cs).acting == session.principal
    with pytest.raises(Forbidden, match="lacks Storage Blob Data Contributor"):
        access(session, cs, "write")
    # another acting principal (a continuous export's identity, say) has no role
    with pytest.raises(Forbidden):
        access(session, cs, principal="aaduser=bob@contoso.com")


def test_impersonation_through_a_group_role(acct):
    directive(acct, "#group add aadgroup=readers@contoso.com aaduser=bob@contoso.com")
    directive(acct, "#storage grant acct1 aadgroup=readers@contoso.com reader")
    access(acct.session, "https://acct1.blob.core.windows.net/c;impersonate", principal="aaduser=bob@contoso.com")


def test_managed_identity_needs_both_the_usage_and_the_role(acct):
    session = acct.session
    cs = "https://acct1.blob.core.windows.net/c;managed_identity=system"
    with pytest.raises(Forbidden, match="usage 'ExternalTable' is not allowed"):
        access(session, cs)
    session.execute(SYSTEM_POLICY % "ExternalTable")
    with pytest.raises(Forbidden, match="lacks Storage Blob Data Reader"):
        access(session, cs)
    directive(acct, "#storage grant acct1 system reader")
    access(session, cs)
    with pytest.raises(Forbidden, match="Contributor"):
        access(session, cs, "write")
    # the usage is per flow: NativeIngestion is not allowed
    with pytest.raises(Forbidden, match="NativeIngestion"):
        access(session, cs, usage="NativeIngestion")


def test_managed_identity_usage_from_the_database_policy(acct):
    session = acct.session
    session.execute('.alter-merge database NetDefaultDB policy managed_identity '
                    '"[ { \'ObjectId\' : \'system\', \'AllowedUsages\' : \'ExternalTable\' }]"')
    directive(acct, "#storage grant acct1 system contributor")
    access(acct.session, "https://acct1.blob.core.windows.net/c;managed_identity=system", "write")


def test_unassigned_identity_is_refused(acct):
    session = acct.session
    session.execute(SYSTEM_POLICY % "ExternalTable")
    directive(acct, "#storage grant acct1 system reader")
    run_directive(acct, "#identity unassign system")
    with pytest.raises(Forbidden, match="not assigned"):
        access(session, "https://acct1.blob.core.windows.net/c;managed_identity=system")


# ------------------------------------------------------------- state file
def test_accounts_and_roles_survive_the_state_file_and_storage_sits_beside_it(tmp_path):
    from kshell import store

    path = tmp_path / "cluster.kshell"
    s1 = store.open_session(str(path))
    state = ShellState(session=s1)
    directive(state, "#storage create acct1")
    directive(state, "#storage grant acct1 system contributor")
    assert storage.storage_root(s1) == tmp_path / "storage"
    assert (tmp_path / "storage" / "acct1").is_dir()
    store.close_session(s1)
    s2 = store.open_session(str(path))
    try:
        roles = s2.cluster.storage_accounts["acct1"].roles
        assert [(r.display, r.role) for r in roles] == [("system", storage.CONTRIBUTOR)]
    finally:
        store.close_session(s2)


# -------------------------------------------------------------- the docs
SHARED = __import__("pathlib").Path(__file__).resolve().parents[2] / "shared"


@pytest.mark.skipif(not (SHARED / "docs").exists(), reason="../shared/docs absent")
def test_connection_string_examples_of_the_docs_page(session, tmp_path):
    """Every Azure example of the storage-connection-strings page: parsed, masked, used to ingest."""
    import re

    page = (SHARED / "docs" / "kusto__api__connection-strings__storage-connection-strings.md").read_text()
    examples = re.findall(r'`"((?:https|abfss)://[^"`]+)"`', page)
    azure = [e for e in examples if "core.windows.net" in e]
    assert len(azure) >= 7
    session.storage_dir = str(tmp_path)
    data = tmp_path / "fabrikam" / "container" / "path" / "to"
    data.mkdir(parents=True)
    (data / "file.csv").write_text("1\n")
    (tmp_path / "fabrikam" / "fs" / "path" / "to").mkdir(parents=True)
    (tmp_path / "fabrikam" / "fs" / "path" / "to" / "file.csv").write_text("2\n")
    session.execute('.alter-merge cluster policy managed_identity "[ { \'ObjectId\' : \'system\', '
                    '\'AllowedUsages\' : \'NativeIngestion\' }]"')
    state = ShellState(session=session)
    directive(state, "#storage grant fabrikam system reader")
    directive(state, f"#storage grant fabrikam {session.principal} reader")
    session.execute(".create table N (n:long)")
    ingested = 0
    for cs in azure:
        uri = storage.parse_uri(cs)
        shown = storage.mask(cs)
        assert uri.credential.kind != "none"
        if uri.credential.is_secret:
            assert shown.endswith("*******") and uri.credential.value not in shown
        if uri.credential.kind == "managed_identity" and uri.credential.value != "system":
            continue  # the user-assigned example names an identity this cluster does not have
        session.execute(f".ingest into table N (h'{cs}')")
        ingested += 1
    assert ingested == len(azure) - 1
    for cs in examples:
        if "amazonaws.com" in cs:
            with pytest.raises(NotSupported):
                storage.parse_uri(cs)


@pytest.mark.skipif(not (SHARED / "docs").exists(), reason="../shared/docs absent")
def test_ingest_with_managed_identity_page_commands_run(session, tmp_path):
    """The MI policy commands of ingest-data-managed-identity.md (placeholders replaced), then its blob URIs."""
    import re

    page = (SHARED / "docs" / "ingest-data-managed-identity.md").read_text()
    commands = re.findall(r"```kusto\n(.*?)\n```", page, flags=re.S)
    assert len(commands) == 2
    state = ShellState(session=session)
    session.storage_dir = str(tmp_path)
    oid = "6a5820b9-fdf6-4cc4-81b9-b416b444fd6d"
    run_directive(state, f"#identity create ingester objectid={oid}")
    run_directive(state, "#identity assign ingester")
    for text in commands:
        session.execute(text.replace("<database name>", "NetDefaultDB").replace("<managed_identity_id>", oid))
    (tmp_path / "demosa" / "test").mkdir(parents=True)
    (tmp_path / "demosa" / "test" / "export.csv").write_text("7\n")
    session.execute(".create table N (n:long)")
    uri = f"https://demosa.blob.core.windows.net/test/export.csv;managed_identity={oid}"
    with pytest.raises(Forbidden, match="Reader"):
        session.execute(f".ingest into table N ('{uri}')")
    directive(state, "#storage grant demosa ingester reader")
    session.execute(f".ingest into table N ('{uri}')")
    assert session.execute("N")[0].rows == [[7]]
