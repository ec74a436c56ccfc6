"""Streaming ingestion through KustoStreamingIngestClient into a table whose update
policy runs as a managed identity; tokens of managed identities; roles on ingestion.

The cluster is prepared with the shell on a state file (identities are created
with `#identity`, a shell directive), then served.
"""

from __future__ import annotations

import io
import json

import pytest

pytest.importorskip("azure.kusto.ingest")

from azure.kusto.data.data_format import DataFormat  # noqa: E402
from azure.kusto.data.exceptions import KustoApiError  # noqa: E402
from azure.kusto.ingest import IngestionProperties  # noqa: E402
from azure.kusto.ingest.ingestion_properties import IngestionMappingKind  # noqa: E402

from server_support import KshellServer, prepare_state, run_cli, token  # noqa: E402

SETUP = """
.create database Ops volatile

.create database Ref volatile

#db Ref

.create table Lookup (Key:string, Extra:string)

.ingest inline into table Lookup <|
a,alpha
b,beta

#db Ops

.create table Raw (Key:string, Value:long)

.alter database Ops policy streamingingestion enable

.create table Enriched (Key:string, Value:long, Extra:string)

.create function Enrich() { Raw | join kind=leftouter (database("Ref").Lookup) on Key | project Key, Value, Extra }

.create table Raw ingestion json mapping "RawJson" '[{"column":"Key","path":"$.k"},{"column":"Value","path":"$.v"}]'

#identity create enricher

#identity assign enricher
"""


def _identity(out_csv: str, name: str) -> dict:
    lines = [ln for ln in out_csv.splitlines() if ln.strip()]
    header = lines.index(next(ln for ln in reversed(lines) if ln.startswith("Name,ObjectId")))
    cols = lines[header].split(",")
    for ln in lines[header + 1:]:
        row = dict(zip(cols, ln.split(",")))
        if row["Name"] == name:
            return row
    raise AssertionError(f"no identity {name} in {out_csv}")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    state = tmp_path_factory.mktemp("ingest") / "cluster.kshell"
    prepare_state(state, SETUP)
    ident = _identity(prepare_state(state, "#identity\n"), "enricher")
    policy = [{"IsEnabled": True, "Source": "Raw", "Query": "Enrich()", "IsTransactional": True,
               "ManagedIdentity": ident["ObjectId"]}]
    prepare_state(state, "\n\n".join([
        f'.alter-merge cluster policy managed_identity ```[{{"ObjectId": "{ident["ObjectId"]}", '
        f'"AllowedUsages": "AutomatedFlows"}}]```',
        f".add database Ops viewers ('aadapp={ident['ObjectId']};{ident['TenantId']}')",
        f".add database Ref viewers ('aadapp={ident['ObjectId']};{ident['TenantId']}')",
        f".alter table Ops.Enriched policy update ```{json.dumps(policy)}```",
        ".add table Ops.Raw ingestors ('aaduser=loader@contoso.com')",
        ".add database Ops users ('aaduser=loader@contoso.com')",  # a table role needs Database User
        ".add database Ops viewers ('aaduser=reader@contoso.com')",
    ]) + "\n")
    server = KshellServer(state_file=str(state))
    yield server, ident
    server.close()


def ingest(server, fqn: str | None, data: bytes, fmt=DataFormat.CSV, mapping: str | None = None, table="Raw"):
    client = server.ingest_client(token(fqn) if fqn else None)
    props = IngestionProperties(database="Ops", table=table, data_format=fmt)
    if mapping:
        props.ingestion_mapping_reference = mapping
        props.ingestion_mapping_kind = IngestionMappingKind.JSON
    return client.ingest_from_stream(io.BytesIO(data), props)


def rows(client, query: str, db="Ops") -> list[list]:
    return [r.to_list() for r in client.execute(db, query).primary_results[0]]


def test_streaming_ingestion_fires_the_update_policy_as_the_managed_identity(served):
    server, _ = served
    admin = server.client()
    result = ingest(server, "aaduser=loader@contoso.com", b"a,1\nz,26\n")
    assert result.status.name == "SUCCESS"
    assert sorted(rows(admin, "Raw")) == [["a", 1], ["z", 26]]
    assert sorted(rows(admin, "Enriched")) == [["a", 1, "alpha"], ["z", 26, ""]]
    # the loader cannot read Ref.Lookup itself: the policy's join read it as the identity
    loader = server.client(token("aaduser=loader@contoso.com"))
    with pytest.raises(KustoApiError) as info:
        loader.execute("Ref", "Lookup")
    assert info.value.http_response.status_code == 403


def test_json_with_a_mapping(served):
    server, _ = served
    data = b'{"k":"b","v":2}\n{"k":"q","v":3}\n'
    ingest(server, "aaduser=loader@contoso.com", data, fmt=DataFormat.MULTIJSON, mapping="RawJson")
    enriched = rows(server.client(), "Enriched | where Key in ('b', 'q') | order by Key asc")
    assert enriched == [["b", 2, "beta"], ["q", 3, ""]]


def test_ingestion_needs_the_ingestor_role(served):
    server, _ = served
    admin = server.client()
    before = rows(admin, "Raw | count")
    with pytest.raises(KustoApiError) as info:
        ingest(server, "aaduser=reader@contoso.com", b"r,9\n")
    assert "Status: 403" in str(info.value)
    assert "Forbidden: Principal 'aaduser=reader@contoso.com' is not authorized" in str(info.value)
    assert rows(admin, "Raw | count") == before


def test_failed_transactional_policy_lands_nothing(served):
    server, ident = served
    admin = server.client()
    grant = f"Ref viewers ('aadapp={ident['ObjectId']};{ident['TenantId']}')"
    before = rows(admin, "Raw | count"), rows(admin, "Enriched | count")
    admin.execute_mgmt("Ref", f".drop database {grant}")  # the identity can no longer read Ref.Lookup
    try:
        with pytest.raises(KustoApiError) as info:
            ingest(server, "aaduser=loader@contoso.com", b"t,20\n")
        message = str(info.value)
        assert "Status: 400" in message and "transactional update policy of table 'Enriched'" in message
        # the refusal names the identity the policy ran as, and the database it could not read
        assert f"Principal 'aadapp={ident['ObjectId']}'" in message and "'Ref'" in message
        assert (rows(admin, "Raw | count"), rows(admin, "Enriched | count")) == before
        with pytest.raises(KustoApiError, match="NoSuchTable"):
            ingest(server, "aaduser=loader@contoso.com", b"t,20\n", table="NoSuchTable")
    finally:
        admin.execute_mgmt("Ref", f".add database {grant}")
    ingest(server, "aaduser=loader@contoso.com", b"t,20\n")
    assert rows(admin, "Enriched | where Key == 't'") == [["t", 20, ""]]


def test_the_python_sdk_labels_plain_text_as_gzip(served):
    # KustoClient.execute_streaming_ingest sends the caller's stream as is, labelled gzip
    server, _ = served
    client = server.client(token("aaduser=loader@contoso.com"))
    client.execute_streaming_ingest("Ops", "Raw", io.BytesIO(b"p,16\n"), None, "csv")
    assert rows(server.client(), "Enriched | where Key == 'p'") == [["p", 16, ""]]


def test_a_managed_identitys_token_acts_as_its_aadapp_principal(served):
    server, ident = served
    # an Entra token of the identity: app token whose appid is the identity's client id
    import base64

    claims = {"aud": "https://kshell.local", "appid": ident["ClientId"], "oid": ident["ObjectId"],
              "tid": ident["TenantId"], "idtyp": "app"}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    mi_token = f"eyJhbGciOiJub25lIn0.{payload}."
    client = server.client(mi_token)
    (principal,), = rows(client, "print current_principal()")
    assert principal == f"aadapp={ident['ObjectId']};{ident['TenantId']}"
    assert rows(client, "Lookup | where Key == 'a' | project Extra", db="Ref") == [["alpha"]]


def test_kshell_token_round_trips(served):
    server, _ = served
    for fqn in ("aaduser=reader@contoso.com", f"aaduser=reader@contoso.com;{'0' * 8}-0000-0000-0000-{'0' * 12}"):
        (details,), = rows(server.client(token(fqn)), "print tostring(current_principal_details().UserPrincipalName)")
        assert details == "reader@contoso.com"
    code, out, err = run_cli("token", "aadgroup=team@contoso.com")
    assert code == 2 and "not a group" in err
    code, out, err = run_cli("token", "nonsense")
    assert code == 2 and "not a valid principal FQN" in err
