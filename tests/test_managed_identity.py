"""The ManagedIdentity policy commands over a Session (spec 2): semantics, merge rules,
validations (all-or-nothing, both scopes, both alter verbs), output shape, literal forms."""

from __future__ import annotations

import json

import pytest

from kshell.engine import azure
from kshell.engine.cluster import Database
from kshell.errors import BadRequest, DatabaseNotFound, KustoSyntaxError, NotSupported

COLUMNS = ["PolicyName", "EntityName", "Policy", "ChildEntities", "EntityType"]
# The ids of the show-command doc example (docs/kusto__management__show-managed-identity-policy-command.md).
DOC_OBJECT_ID = "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb"
DOC_CLIENT_ID = "00001111-aaaa-2222-bbbb-3333cccc4444"
DOC_TENANT_ID = "aaaabbbb-0000-cccc-1111-dddd2222eeee"
UNKNOWN_ID = "12345678-1234-1234-1234-123456789abc"


@pytest.fixture
def s(session):
    """A session with databases `db` and `MyDatabase` and an assigned user identity (the doc's ids)."""
    session.cluster.add_database(Database("db"))
    session.cluster.add_database(Database("MyDatabase"))
    azure.create_identity(session.cluster, "myManagedIdentity", object_id=DOC_OBJECT_ID,
                          client_id=DOC_CLIENT_ID, tenant=DOC_TENANT_ID)
    azure.set_assigned(session.cluster, "myManagedIdentity", True)
    return session


def run(s, text):
    results = s.execute(text)
    assert len(results) == 1
    return results[0]


def policy(s, scope="cluster"):
    """The parsed Policy column of `.show <scope> policy managed_identity` (None for `null`)."""
    r = run(s, f".show {scope} policy managed_identity")
    return json.loads(r.rows[0][2])


def alter(s, verb, scope, objects):
    return run(s, f".{verb} {scope} policy managed_identity ```{json.dumps(objects)}```")


def system_id(s):
    return azure.system_identity(s.cluster).object_id


# ---------------------------------------------------------------- output shape
def test_show_cluster_without_policy_is_one_row_with_null(s):
    r = run(s, ".show cluster policy managed_identity")
    assert r.column_names == COLUMNS
    assert [c.type for c in r.columns] == ["string"] * 5
    assert r.rows == [["ManagedIdentityPolicy", "", "null", "", "Cluster"]]


def test_show_database_entity_name_is_bracketed_and_case_insensitive_lookup(s):
    r = run(s, ".show database mydatabase policy managed_identity")
    assert r.rows == [["ManagedIdentityPolicy", "[MyDatabase]", "null", "", "Database"]]


def test_every_command_returns_the_show_output(s):
    objs = [{"ObjectId": "system", "AllowedUsages": "NativeIngestion"}]
    for verb in ("alter", "alter-merge"):
        for scope in ("cluster", "database db"):
            r = alter(s, verb, scope, objs)
            assert r.column_names == COLUMNS
            assert r.as_dicts() == run(s, f".show {scope} policy managed_identity").as_dicts()
    r = run(s, ".delete database db policy managed_identity")
    assert r.rows == [["ManagedIdentityPolicy", "[db]", "null", "", "Database"]]


def test_policy_text_matches_the_show_doc_example(s):
    alter(s, "alter", "database MyDatabase",
          [{"ObjectId": DOC_OBJECT_ID, "AllowedUsages": "NativeIngestion, ExternalTable"}])
    r = run(s, ".show database MyDatabase policy managed_identity")
    assert r.rows[0][1] == "[MyDatabase]"
    assert r.rows[0][2] == (
        '[{"ObjectId": "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb", "ClientId": "00001111-aaaa-2222-bbbb-3333cccc4444", '
        '"TenantId": "aaaabbbb-0000-cccc-1111-dddd2222eeee", "DisplayName": "myManagedIdentity", '
        '"IsSystem": false, "AllowedUsages": "NativeIngestion, ExternalTable"}]')


def test_name_less_database_forms_use_the_context_database(s):
    s.use_database("db")
    alter(s, "alter", "database", [{"ObjectId": "system", "AllowedUsages": "ExternalTable"}])
    alter(s, "alter-merge", "database", [{"ObjectId": "system", "AllowedUsages": "NativeIngestion"}])
    r = run(s, ".show database policy managed_identity")
    assert r.rows[0][1] == "[db]"
    assert json.loads(r.rows[0][2])[0]["AllowedUsages"] == "ExternalTable, NativeIngestion"
    assert policy(s, "database MyDatabase") is None


def test_delete_database_without_a_name_is_a_syntax_error(s):
    with pytest.raises(KustoSyntaxError):
        s.execute(".delete database policy managed_identity")


@pytest.mark.parametrize("entity", ["table T", "materialized-view V", "external table E"])
def test_policy_is_only_for_cluster_and_database(s, entity):
    # A syntax error from the policy rule; another family's catch-all rule may claim
    # the command first and refuse it as not simulated.  Either way it is refused.
    with pytest.raises((KustoSyntaxError, NotSupported)):
        s.execute(f".alter {entity} policy managed_identity '[]'")


# ------------------------------------------------------------------ semantics
def test_alter_replaces_the_whole_policy(s):
    alter(s, "alter", "cluster", [{"ObjectId": "system", "AllowedUsages": "NativeIngestion"},
                                  {"ObjectId": DOC_OBJECT_ID, "AllowedUsages": "ExternalTable"}])
    alter(s, "alter", "cluster", [{"ObjectId": DOC_OBJECT_ID, "AllowedUsages": "AutomatedFlows"}])
    assert [(e["ObjectId"], e["AllowedUsages"]) for e in policy(s)] == [(DOC_OBJECT_ID, "AutomatedFlows")]


def test_alter_with_empty_array_leaves_an_empty_policy(s):
    alter(s, "alter", "cluster", [{"ObjectId": "system", "AllowedUsages": "All"}])
    r = run(s, ".alter cluster policy managed_identity '[]'")
    assert r.rows[0][2] == "[]"


def test_delete_then_show_gives_null_and_delete_is_idempotent(s):
    alter(s, "alter", "database db", [{"ObjectId": "system", "AllowedUsages": "All"}])
    assert run(s, ".delete database db policy managed_identity").rows[0][2] == "null"
    assert run(s, ".show database db policy managed_identity").rows[0][2] == "null"
    assert run(s, ".delete database db policy managed_identity").rows[0][2] == "null"
    assert run(s, ".delete cluster policy managed_identity").rows[0][2] == "null"


def test_cluster_and_database_policies_are_independent(s):
    alter(s, "alter", "cluster", [{"ObjectId": "system", "AllowedUsages": "All"}])
    assert policy(s, "database db") is None
    run(s, ".delete database db policy managed_identity")
    assert policy(s)[0]["AllowedUsages"] == "All"


def test_merge_rule_of_the_alter_merge_doc(s):
    """Seed 000: NativeIngestion, then ExternalTable on the same identity -> 'NativeIngestion, ExternalTable'."""
    alter(s, "alter-merge", "database db", [{"ObjectId": DOC_OBJECT_ID, "AllowedUsages": "NativeIngestion"}])
    alter(s, "alter-merge", "database db", [{"ObjectId": DOC_OBJECT_ID, "AllowedUsages": "ExternalTable"}])
    assert [e["AllowedUsages"] for e in policy(s, "database db")] == ["NativeIngestion, ExternalTable"]


def test_merge_is_a_case_insensitive_ordered_union_in_canonical_casing(s):
    alter(s, "alter-merge", "cluster", [{"ObjectId": "system", "AllowedUsages": "nativeingestion,EXTERNALTABLE"}])
    alter(s, "alter-merge", "cluster", [{"ObjectId": "system", "AllowedUsages": "ExternalTable, automatedflows, NativeIngestion"}])
    assert policy(s)[0]["AllowedUsages"] == "NativeIngestion, ExternalTable, AutomatedFlows"


def test_merge_appends_new_identities_after_existing_ones(s):
    alter(s, "alter", "cluster", [{"ObjectId": DOC_OBJECT_ID, "AllowedUsages": "NativeIngestion"}])
    alter(s, "alter-merge", "cluster", [{"ObjectId": "system", "AllowedUsages": "ExternalTable"},
                                        {"ObjectId": DOC_OBJECT_ID, "AllowedUsages": "SqlRequest"}])
    assert [(e["ObjectId"], e["AllowedUsages"]) for e in policy(s)] == [
        (DOC_OBJECT_ID, "NativeIngestion, SqlRequest"), (system_id(s), "ExternalTable")]


def test_same_object_id_twice_in_one_array_merges(s):
    for verb in ("alter", "alter-merge"):
        alter(s, verb, "cluster", [{"ObjectId": "system", "AllowedUsages": "NativeIngestion"},
                                   {"ObjectId": system_id(s).upper(), "AllowedUsages": "ExternalTable, NativeIngestion"}])
        assert [e["AllowedUsages"] for e in policy(s)] == ["NativeIngestion, ExternalTable"]


def test_all_is_kept_as_an_ordinary_member(s):
    alter(s, "alter-merge", "cluster", [{"ObjectId": "system", "AllowedUsages": "NativeIngestion"}])
    alter(s, "alter-merge", "cluster", [{"ObjectId": "system", "AllowedUsages": "All"}])
    assert policy(s)[0]["AllowedUsages"] == "NativeIngestion, All"


def test_system_and_its_guid_are_one_key_and_show_the_guid(s):
    sid = system_id(s)
    alter(s, "alter-merge", "cluster", [{"ObjectId": "system", "AllowedUsages": "NativeIngestion"}])
    alter(s, "alter-merge", "cluster", [{"ObjectId": sid.upper(), "AllowedUsages": "ExternalTable"}])
    alter(s, "alter-merge", "cluster", [{"ObjectId": "SYSTEM", "AllowedUsages": "AutomatedFlows"}])
    entries = policy(s)
    assert len(entries) == 1
    assert entries[0]["ObjectId"] == sid
    assert entries[0]["IsSystem"] is True
    assert entries[0]["DisplayName"] == s.cluster.name
    assert entries[0]["AllowedUsages"] == "NativeIngestion, ExternalTable, AutomatedFlows"
    assert "system" not in run(s, ".show cluster policy managed_identity").rows[0][2].replace('"IsSystem"', "")


def test_auto_populated_fields_come_from_the_identity_never_from_input(s):
    """The policy-object example of managed-identity-policy.md, placeholders left as written."""
    run(s, """.alter cluster policy managed_identity ```[{
  "ObjectId": "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb",
  "ClientId": "<clientID>",
  "TenantId": "<tenantID",
  "DisplayName": "someone else",
  "IsSystem": true,
  "AllowedUsages": "NativeIngestion, ExternalTable",
  "Unknown": 42
}]```""")
    assert policy(s) == [{"ObjectId": DOC_OBJECT_ID, "ClientId": DOC_CLIENT_ID, "TenantId": DOC_TENANT_ID,
                          "DisplayName": "myManagedIdentity", "IsSystem": False,
                          "AllowedUsages": "NativeIngestion, ExternalTable"}]


def test_entry_of_an_unassigned_identity_stays_in_the_policy(s):
    alter(s, "alter", "cluster", [{"ObjectId": DOC_OBJECT_ID, "AllowedUsages": "NativeIngestion"}])
    azure.set_assigned(s.cluster, DOC_OBJECT_ID, False)
    assert [e["ObjectId"] for e in policy(s)] == [DOC_OBJECT_ID]
    # ... and merging other identities keeps it.
    alter(s, "alter-merge", "cluster", [{"ObjectId": "system", "AllowedUsages": "NativeIngestion"}])
    assert [e["ObjectId"] for e in policy(s)] == [DOC_OBJECT_ID, system_id(s)]


def test_property_names_are_case_insensitive_and_json_is_lenient(s):
    run(s, """.alter cluster policy managed_identity ```[
  // comments and trailing commas are accepted, as by Newtonsoft.Json
  { objectid: 'system', 'ALLOWEDUSAGES': 'NativeIngestion', },
]```""")
    assert policy(s)[0]["AllowedUsages"] == "NativeIngestion"


@pytest.mark.parametrize("literal", [
    "```\n[{\"ObjectId\": \"system\", \"AllowedUsages\": \"ExternalTable\"}]\n```",
    "```[{\"ObjectId\": \"system\", \"AllowedUsages\": \"ExternalTable\"}]```",
    "'[{\"ObjectId\": \"system\", \"AllowedUsages\": \"ExternalTable\"}]'",
    "\"[{\\\"ObjectId\\\": \\\"system\\\", \\\"AllowedUsages\\\": \\\"ExternalTable\\\"}]\"",
    "@'[{\"ObjectId\": \"system\", \"AllowedUsages\": \"ExternalTable\"}]'",
    "h'[{\"ObjectId\": \"system\", \"AllowedUsages\": \"ExternalTable\"}]'",
    "h@\"[{\"\"ObjectId\"\": \"\"system\"\", \"\"AllowedUsages\"\": \"\"ExternalTable\"\"}]\"",
    "'[{\"ObjectId\": \"system\", ' \"'AllowedUsages': 'ExternalTable'}]\"",  # adjacent literals join
])
def test_every_payload_literal_form(s, literal):
    run(s, f".alter-merge cluster policy managed_identity {literal}")
    assert policy(s)[0]["AllowedUsages"] == "ExternalTable"


def test_keywords_are_case_insensitive(s):
    run(s, ".ALTER CLUSTER Policy Managed_Identity '[{\"ObjectId\":\"system\",\"AllowedUsages\":\"All\"}]'")
    assert policy(s)[0]["AllowedUsages"] == "All"
    assert run(s, ".SHOW Database DB POLICY managed_identity").rows[0][1] == "[db]"


# ---------------------------------------------------------------- validations
BEFORE = [{"ObjectId": "system", "AllowedUsages": "NativeIngestion"}]

# (name, payload text, error class, text the message must contain)
FAILURES = [
    ("unknown guid", json.dumps([{"ObjectId": UNKNOWN_ID, "AllowedUsages": "NativeIngestion"}]),
     BadRequest, f"identity '{UNKNOWN_ID}' is not assigned to the cluster"),
    ("known but unassigned", json.dumps([{"ObjectId": "UNASSIGNED", "AllowedUsages": "NativeIngestion"}]),
     BadRequest, "is not assigned to the cluster"),
    ("not a guid", json.dumps([{"ObjectId": "my-identity", "AllowedUsages": "NativeIngestion"}]),
     BadRequest, "identity 'my-identity' is not assigned"),
    ("client id instead of object id", json.dumps([{"ObjectId": DOC_CLIENT_ID, "AllowedUsages": "All"}]),
     BadRequest, "ClientId"),
    ("missing ObjectId", json.dumps([{"AllowedUsages": "NativeIngestion"}]),
     BadRequest, "must specify ObjectId and AllowedUsages"),
    ("missing AllowedUsages", json.dumps([{"ObjectId": "system"}]),
     BadRequest, "AllowedUsages"),
    ("empty AllowedUsages", json.dumps([{"ObjectId": "system", "AllowedUsages": ""}]),
     BadRequest, "AllowedUsages"),
    ("blank AllowedUsages", json.dumps([{"ObjectId": "system", "AllowedUsages": " , "}]),
     BadRequest, "AllowedUsages"),
    ("empty ObjectId", json.dumps([{"ObjectId": "", "AllowedUsages": "All"}]),
     BadRequest, "ObjectId"),
    ("unknown usage (the doc typo)", json.dumps([{"ObjectId": "system", "AllowedUsages": "NativeIngestion, ExternalTables"}]),
     BadRequest, "unknown usage 'ExternalTables'"),
    ("ObjectId not a string", json.dumps([{"ObjectId": 42, "AllowedUsages": "All"}]),
     BadRequest, "ObjectId must be a string"),
    ("malformed json", '[{"ObjectId": "system", "AllowedUsages": "All"', BadRequest, "invalid JSON"),
    ("not an array", json.dumps({"ObjectId": "system", "AllowedUsages": "All"}), BadRequest, "array"),
    ("element not an object", '["system"]', BadRequest, "element 1"),
    ("empty text", "   ", BadRequest, "empty"),
    ("second object bad", json.dumps([{"ObjectId": DOC_OBJECT_ID, "AllowedUsages": "ExternalTable"},
                                      {"ObjectId": UNKNOWN_ID, "AllowedUsages": "ExternalTable"}]),
     BadRequest, UNKNOWN_ID),
]


@pytest.mark.parametrize("verb", ["alter", "alter-merge"])
@pytest.mark.parametrize("scope", ["cluster", "database db"])
@pytest.mark.parametrize("name,payload,error,message", FAILURES, ids=[f[0] for f in FAILURES])
def test_validation_failure_leaves_the_policy_unchanged(s, verb, scope, name, payload, error, message):
    azure.create_identity(s.cluster, "UNASSIGNED")
    payload = payload.replace('"UNASSIGNED"', f'"{azure.find_identity(s.cluster, "UNASSIGNED").object_id}"')
    alter(s, "alter", scope, BEFORE)
    before = run(s, f".show {scope} policy managed_identity").rows
    with pytest.raises(error) as info:
        s.execute(f".{verb} {scope} policy managed_identity ```{payload}```")
    assert message in info.value.message
    assert run(s, f".show {scope} policy managed_identity").rows == before


@pytest.mark.parametrize("verb", ["alter", "alter-merge"])
@pytest.mark.parametrize("scope", ["cluster", "database db"])
def test_system_after_unassign_is_refused_and_nothing_changes(s, verb, scope):
    alter(s, "alter", scope, [{"ObjectId": DOC_OBJECT_ID, "AllowedUsages": "NativeIngestion"}])
    before = policy(s, scope)
    azure.set_assigned(s.cluster, "system", False)
    with pytest.raises(BadRequest, match="identity 'system' is not assigned to the cluster"):
        alter(s, verb, scope, [{"ObjectId": "system", "AllowedUsages": "NativeIngestion"}])
    assert policy(s, scope) == before


@pytest.mark.parametrize("verb", ["alter", "alter-merge"])
def test_sandbox_artifacts_is_refused_on_a_database_and_accepted_on_the_cluster(s, verb):
    alter(s, "alter", "database db", BEFORE)
    before = policy(s, "database db")
    with pytest.raises(BadRequest, match="SandboxArtifacts.*cluster"):
        alter(s, verb, "database db", [{"ObjectId": "system", "AllowedUsages": "sandboxartifacts"}])
    assert policy(s, "database db") == before
    alter(s, verb, "cluster", [{"ObjectId": "system", "AllowedUsages": "sandboxartifacts"}])
    assert policy(s)[0]["AllowedUsages"] == "SandboxArtifacts"


@pytest.mark.parametrize("text", [
    ".show database NoSuchDb policy managed_identity",
    ".delete database NoSuchDb policy managed_identity",
    ".alter database NoSuchDb policy managed_identity '[]'",
    ".alter-merge database NoSuchDb policy managed_identity '[]'",
])
def test_unknown_database(s, text):
    with pytest.raises(DatabaseNotFound, match="NoSuchDb"):
        s.execute(text)


@pytest.mark.parametrize("verb", ["alter", "alter-merge"])
@pytest.mark.parametrize("scope", ["cluster", "database db"])
def test_non_string_payload_is_a_syntax_error(s, verb, scope):
    with pytest.raises(KustoSyntaxError):
        s.execute(f'.{verb} {scope} policy managed_identity [{{"ObjectId":"system","AllowedUsages":"All"}}]')
    assert policy(s, scope) is None


def test_unknown_usage_message_lists_the_valid_ones(s):
    with pytest.raises(BadRequest) as info:
        alter(s, "alter", "cluster", [{"ObjectId": "system", "AllowedUsages": "Ingestion"}])
    assert "'Ingestion'" in info.value.message and "NativeIngestion" in info.value.message


def test_alter_merge_refreshes_the_details_of_the_entries_it_touches(s):
    """Seed 000: the latest information (e.g. DisplayName) is retrieved from Entra on merge."""
    alter(s, "alter", "cluster", [{"ObjectId": DOC_OBJECT_ID, "AllowedUsages": "NativeIngestion"},
                                  {"ObjectId": "system", "AllowedUsages": "NativeIngestion"}])
    azure.find_identity(s.cluster, DOC_OBJECT_ID).display_name = "renamed in Entra"
    azure.system_identity(s.cluster).display_name = "also renamed"
    alter(s, "alter-merge", "cluster", [{"ObjectId": DOC_OBJECT_ID, "AllowedUsages": "NativeIngestion"}])
    assert [e["DisplayName"] for e in policy(s)] == ["renamed in Entra", s.cluster.name]


@pytest.mark.parametrize("text", [
    ".show cluster policy managed_identity extra",
    ".alter cluster policy managed_identity '[]' with (a=1)",
])
def test_trailing_text_is_a_syntax_error(s, text):
    with pytest.raises(KustoSyntaxError):
        s.execute(text)
    assert policy(s) is None


def test_merges_interleaved_across_policies_keep_each_policy_its_own(s):
    """Alter-merges one after another into one policy, into another, an `.alter` and a
    `.delete` in between: each policy holds exactly what its own commands made (a model of
    the merge rule says what)."""
    ids = []
    for i in range(6):
        mi = azure.create_identity(s.cluster, f"mi{i}")
        azure.set_assigned(s.cluster, f"mi{i}", True)
        ids.append(mi.object_id)
    model: dict[str, dict[str, list[str]]] = {"cluster": {}, "database db": {}}
    steps = [("cluster", 0, "NativeIngestion"), ("cluster", 1, "ExternalTable"), ("database db", 0, "AutomatedFlows"),
             ("cluster", 0, "ExternalTable"), ("cluster", 2, "All"), ("database db", 3, "NativeIngestion"),
             ("cluster", "alter", None), ("cluster", 4, "NativeIngestion"), ("database db", 0, "NativeIngestion"),
             ("cluster", 1, "AutomatedFlows"), ("database db", "delete", None), ("database db", 5, "All"),
             ("cluster", 4, "NativeIngestion"), ("cluster", 5, "ExternalTable")]
    for scope, which, usage in steps:
        if which == "alter":
            alter(s, "alter", scope, [{"ObjectId": ids[3], "AllowedUsages": "All"}])
            model[scope] = {ids[3]: ["All"]}
        elif which == "delete":
            run(s, f".delete {scope} policy managed_identity")
            model[scope] = {}
        else:
            alter(s, "alter-merge", scope, [{"ObjectId": ids[which], "AllowedUsages": usage}])
            usages = model[scope].setdefault(ids[which], [])
            usages += [usage] if usage not in usages else []
        for name, entries in model.items():
            shown = policy(s, name) or []
            assert [(e["ObjectId"], e["AllowedUsages"]) for e in shown] == \
                [(oid, ", ".join(u)) for oid, u in entries.items()], (scope, which, name)
