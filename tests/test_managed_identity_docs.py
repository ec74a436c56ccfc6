"""Every ManagedIdentity-policy example of the seed pages and docs runs as written and
gives the documented result.  Placeholders (`<objectId>`, `<managed_identity_id>`,
the emptied `""` of seed 002, `<database name>`) are replaced by an assigned
identity's object id / an existing database; nothing else is changed.

The examples are quoted here (code samples, MIT); a second test runs every block of
the `managed_identity_policy` family of the shared docs corpus when ../shared exists.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kshell.engine import azure
from kshell.engine.cluster import Database
from kshell.errors import BadRequest
from kshell.syntax import parse

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "docs-kusto-blocks.jsonl"

OBJECT_ID = "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb"  # the id the command pages use
CLIENT_ID = "00001111-aaaa-2222-bbbb-3333cccc4444"
TENANT_ID = "aaaabbbb-0000-cccc-1111-dddd2222eeee"
SHOW_DOC_POLICIES = (
    '[{"ObjectId": "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb", "ClientId": "00001111-aaaa-2222-bbbb-3333cccc4444", '
    '"TenantId": "aaaabbbb-0000-cccc-1111-dddd2222eeee", "DisplayName": "myManagedIdentity", '
    '"IsSystem": false, "AllowedUsages": "NativeIngestion, ExternalTable"}]')


@pytest.fixture
def s(session):
    for name in ("db", "MyDatabase"):
        session.cluster.add_database(Database(name))
    azure.create_identity(session.cluster, "myManagedIdentity", object_id=OBJECT_ID,
                          client_id=CLIENT_ID, tenant=TENANT_ID)
    azure.set_assigned(session.cluster, "myManagedIdentity", True)
    return session


def fill(text: str) -> str:
    """Replace the docs' placeholders by the assigned identity / an existing database."""
    for placeholder in ("<objectId>", "<objectID>", "<managed_identity_id>"):
        text = text.replace(placeholder, OBJECT_ID)
    text = text.replace('"ObjectId": ""', f'"ObjectId": "{OBJECT_ID}"')  # seed 002 lost its placeholder
    return text.replace("<database name>", "db").replace("<DatabaseName>", "db")


def run(s, text):
    [result] = s.execute(fill(text))
    return result


def entries(result):
    return json.loads(result.rows[0][2])


SYSTEM = object()  # marker: the expected ObjectId is the system identity's GUID

# (where, command as written, entity name, expected (ObjectId, AllowedUsages) after it runs on an empty policy)
EXAMPLES = [
    ("seed 001 .alter", '''.alter database db policy managed_identity ```
[
  {
    "ObjectId": "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb",
    "AllowedUsages": "NativeIngestion, ExternalTable"
  }
]```''', "[db]", [(OBJECT_ID, "NativeIngestion, ExternalTable")]),
    ("seed 000 .alter-merge", '''.alter-merge database db policy managed_identity ```
[
  {
    "ObjectId": "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb",
    "AllowedUsages": "NativeIngestion, ExternalTable"
  }
]
```''', "[db]", [(OBJECT_ID, "NativeIngestion, ExternalTable")]),
    ("seed 002 user-assigned", '''.alter-merge cluster policy managed_identity ```[
    {
      "ObjectId": "",
      "AllowedUsages": "AutomatedFlows"
    }
]```''', "", [(OBJECT_ID, "AutomatedFlows")]),
    ("seed 002 system-assigned", '''.alter-merge cluster policy managed_identity ```[
    {
      "ObjectId": "system",
      "AllowedUsages": "AutomatedFlows"
    }
]```''', "", [(SYSTEM, "AutomatedFlows")]),
    ("external-tables-managed-identities user-assigned", '''.alter-merge cluster policy managed_identity ```[
    {
      "ObjectId": "<objectId>",
      "AllowedUsages": "ExternalTable"
    }
]```''', "", [(OBJECT_ID, "ExternalTable")]),
    ("external-tables-managed-identities system-assigned", '''.alter-merge cluster policy managed_identity ```[
    {
      "ObjectId": "system",
      "AllowedUsages": "ExternalTable"
    }
]```''', "", [(SYSTEM, "ExternalTable")]),
    ("ingest-data-managed-identity database",
     '''.alter-merge database <database name> policy managed_identity "[ { 'ObjectId' : '<managed_identity_id>', 'AllowedUsages' : 'NativeIngestion' }]"''',
     "[db]", [(OBJECT_ID, "NativeIngestion")]),
    ("ingest-data-managed-identity cluster",
     '''.alter-merge cluster policy managed_identity "[ { 'ObjectId' : '<managed_identity_id>', 'AllowedUsages' : 'NativeIngestion' }]"''',
     "", [(OBJECT_ID, "NativeIngestion")]),
    ("ai-embeddings-plugin", '''.alter-merge cluster policy managed_identity
```
[
  {
    "ObjectId": "system",
    "AllowedUsages": "AzureAI"
  }
]
```''', "", [(SYSTEM, "AzureAI")]),
    # Seed 004 / managed-identity-policy.md show a full policy object and say to set it with
    # `.alter`: the auto-populated fields (and their placeholders) are recomputed.
    ("seed 004 policy object via .alter", '''.alter cluster policy managed_identity ```[
{
  "ObjectId": "<objectID>",
  "ClientId": "<clientID>",
  "TenantId": "<tenantID",
  "DisplayName": "myManagedIdentity",
  "IsSystem": false,
  "AllowedUsages": "AutomatedFlows, ExternalTable"
}
]```''', "", [(OBJECT_ID, "AutomatedFlows, ExternalTable")]),
]


@pytest.mark.parametrize("where,text,entity,expected", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_doc_example_runs_and_gives_the_documented_policy(s, where, text, entity, expected):
    result = run(s, text)
    assert result.column_names == ["PolicyName", "EntityName", "Policy", "ChildEntities", "EntityType"]
    assert result.rows[0][0] == "ManagedIdentityPolicy" and result.rows[0][1] == entity
    system_id = azure.system_identity(s.cluster).object_id
    want = [(system_id if oid is SYSTEM else oid, usages) for oid, usages in expected]
    got = entries(result)
    assert [(e["ObjectId"], e["AllowedUsages"]) for e in got] == want
    for e in got:  # auto-populated from the identity
        ident = azure.find_by_object_id(s.cluster, e["ObjectId"])
        assert (e["ClientId"], e["TenantId"], e["DisplayName"], e["IsSystem"]) == (
            ident.client_id, ident.tenant_id, ident.display_name, ident.is_system)
    # And `.show` now prints the same thing.
    scope = "cluster" if entity == "" else f"database {entity[1:-1]}"
    assert run(s, f".show {scope} policy managed_identity").rows == result.rows


def test_show_doc_example_gives_the_documented_record(s):
    run(s, EXAMPLES[0][1].replace("database db", "database MyDatabase"))
    result = run(s, ".show database MyDatabase policy managed_identity")
    assert len(result.rows) == 1  # "a table that has a single record"
    row = result.as_dicts()[0]
    assert row["EntityName"] == "[MyDatabase]"
    assert row["Policy"] == SHOW_DOC_POLICIES


def test_delete_doc_example_then_show(s):
    run(s, EXAMPLES[0][1].replace("database db", "database MyDatabase"))
    result = run(s, ".delete database MyDatabase policy managed_identity")
    assert result.rows == [["ManagedIdentityPolicy", "[MyDatabase]", "null", "", "Database"]]
    assert run(s, ".show database MyDatabase policy managed_identity").rows == result.rows


def test_alter_merge_doc_rule_native_ingestion_then_external_table(s):
    """Seed 000's note: existing NativeIngestion + supplied ExternalTable -> both."""
    run(s, '.alter-merge cluster policy managed_identity ```[{"ObjectId": "<objectId>", "AllowedUsages": "NativeIngestion"}]```')
    result = run(s, '.alter-merge cluster policy managed_identity ```[{"ObjectId": "<objectId>", "AllowedUsages": "ExternalTable"}]```')
    assert entries(result)[0]["AllowedUsages"] == "NativeIngestion, ExternalTable"


def test_alter_merge_doc_typo_external_tables_is_refused(s):
    """Seed 000 writes "ExternalTables" (not a usage): refused, policy unchanged (docs/managed-identity.md)."""
    run(s, '.alter-merge cluster policy managed_identity ```[{"ObjectId": "<objectId>", "AllowedUsages": "NativeIngestion"}]```')
    with pytest.raises(BadRequest, match="'ExternalTables'"):
        run(s, '.alter-merge cluster policy managed_identity ```[{"ObjectId": "<objectId>", "AllowedUsages": "ExternalTables"}]```')
    assert entries(run(s, ".show cluster policy managed_identity"))[0]["AllowedUsages"] == "NativeIngestion"


def test_doc_examples_fail_when_the_identity_is_not_assigned(s):
    """The commands pages: an identity not assigned to the cluster is refused."""
    azure.set_assigned(s.cluster, OBJECT_ID, False)
    with pytest.raises(BadRequest, match=f"identity '{OBJECT_ID}' is not assigned to the cluster"):
        run(s, EXAMPLES[0][1])
    assert run(s, ".show database db policy managed_identity").rows[0][2] == "null"


def _corpus_blocks():
    if not CORPUS.exists():
        return []
    blocks = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return [b for b in blocks if b["family"] == "managed_identity_policy" and b["ms_syntax_ok"]]


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared corpus not present")
def test_corpus_family_parses_and_runs(s):
    blocks = _corpus_blocks()
    assert blocks
    parsed = ran = 0
    failures = []
    for block in blocks:
        text = fill(block["text"])
        try:
            parse(text)
            parsed += 1
            s.execute(text)
            ran += 1
        except Exception as e:  # noqa: BLE001 - collect every failure for the message
            failures.append((block["id"], block["source"], repr(e)))
    assert parsed >= 0.95 * len(blocks), failures
    assert ran == len(blocks), failures
