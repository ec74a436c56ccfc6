"""`#identity`: the simulated Azure side of managed identities.

ADX attaches identities to a cluster through ARM, not KQL, so kshell offers
client directives instead:

    #identity                                   list the identities of the tenant
    #identity create NAME [objectid=G] [clientid=G] [tenantid=G]
    #identity assign system|NAME|OBJECTID       attach to the cluster
    #identity unassign system|NAME|OBJECTID     detach from the cluster
    #identity explain IDENTITY USAGE [DATABASE] why a flow may (not) use it
                                                (DATABASE defaults to the context database)

`#identity explain` also takes *subjects* registered by other families
(`#identity explain policy update T`, `... external table T`, ...): a family
module calls `@explain_subject("policy update", usage, help)` on a function
`(state, args) -> Result`, and usually builds that Result with
`decision_result(decision, extra_links)`.  The module must be imported for its
subject to exist: engine family modules are (Session loads them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kshell.directives import DirectiveError, ShellState, directive
from kshell.engine import azure
from kshell.engine.managed_identity import IdentityDecision, Link, identity_allowed
from kshell.result import Result
from kshell.syntax.records import Record
from kshell.engine.guids import uuid_module
from kshell.engine.lazy_modules import lazy_module

TYPE_CHECKING = False
if TYPE_CHECKING:
    import uuid
    from typing import Any
else:  # imported on the first GUID value, without `platform` (kshell.engine.guids)
    lazy_module(globals(), "uuid", uuid_module)

LIST_COLUMNS = [("Name", "string"), ("ObjectId", "guid"), ("ClientId", "guid"), ("TenantId", "guid"),
                ("IsSystem", "bool"), ("AssignedToCluster", "bool")]
EXPLAIN_COLUMNS = [("Step", "string"), ("Status", "string"), ("Detail", "string")]
CREATE_OPTIONS = ("objectid", "clientid", "tenantid")

ExplainFn = Callable[[ShellState, str], Result]


class ExplainSubject(Record):
    words: tuple[str, ...]  # lower-case keywords after `explain`, e.g. ("policy", "update")
    usage: str              # e.g. "#identity explain policy update [DB.]TABLE"
    help: str
    fn: ExplainFn


# Registry of `#identity explain <subject> ...`; key: the subject words joined by one space.
EXPLAIN_SUBJECTS: dict[str, ExplainSubject] = {}


def explain_subject(words: str, usage: str, help: str) -> Callable[[ExplainFn], ExplainFn]:
    """Register `#identity explain <words> ARGS` (words matched case-insensitively)."""
    key = tuple(words.lower().split())

    def register(fn: ExplainFn) -> ExplainFn:
        EXPLAIN_SUBJECTS[" ".join(key)] = ExplainSubject(key, usage, help, fn)
        return fn

    return register


# ------------------------------------------------------------------ results
def identities_result(records: Iterable[azure.ManagedIdentity]) -> Result:
    rows = [[r.name, uuid.UUID(r.object_id), uuid.UUID(r.client_id), uuid.UUID(r.tenant_id),
             r.is_system, r.assigned] for r in records]
    return Result.of(LIST_COLUMNS, rows)


def decision_result(decision: IdentityDecision, extra_links: Iterable[Link] = (),
                    leading_links: Iterable[Link] = ()) -> Result:
    """A decision chain as rows `Step | Status | Detail`, ending with the verdict.

    `leading_links` come first (e.g. "Update policy: T names identity X"),
    then the decision's own links, then `extra_links`.  Status is `ok` or
    `missing` per link; the final `Decision` row says `allowed` or `denied`.
    """
    rows = [[link.step, "ok" if link.ok else "missing", link.detail]
            for link in (*leading_links, *decision.links, *extra_links)]
    rows.append(["Decision", "allowed" if decision.allowed else "denied", decision.reason])
    return Result.of(EXPLAIN_COLUMNS, rows)


# --------------------------------------------------------------- directive
USAGE = ("#identity [create NAME [objectid=GUID] [clientid=GUID] [tenantid=GUID]"
         " | assign REF | unassign REF | explain IDENTITY USAGE [DATABASE]]")


@directive(
    "identity",
    usage=USAGE,
    help="Simulated Azure managed identities: list them, create a user-assigned one, "
         "assign/unassign one to the cluster (REF = system, a name or an object id), "
         "or explain whether IDENTITY may be used for USAGE (in DATABASE).",
)
def identity_directive(state: ShellState, args: str) -> Any:
    words = args.split()
    cluster = state.session.cluster
    if not words or words[0].lower() in ("list", "show"):
        if len(words) > 1:
            raise DirectiveError(f"usage: {USAGE}")
        return identities_result(azure.identities(cluster).values())
    sub, rest = words[0].lower(), words[1:]
    if sub == "create":
        return _create(cluster, rest)
    if sub in ("assign", "unassign"):
        if len(rest) != 1:
            raise DirectiveError(f"usage: #identity {sub} system|NAME|OBJECTID")
        record = azure.set_assigned(cluster, rest[0], sub == "assign")
        return identities_result([record])
    if sub == "explain":
        return _explain(state, args.split(None, 1)[1] if len(words) > 1 else "")
    raise DirectiveError(f"unknown #identity subcommand '{words[0]}'; usage: {USAGE}")


def _create(cluster: Any, rest: list[str]) -> Result:
    if not rest or "=" in rest[0]:
        raise DirectiveError("usage: #identity create NAME [objectid=GUID] [clientid=GUID] [tenantid=GUID]")
    name, options = rest[0], {}
    for word in rest[1:]:
        key, eq, value = word.partition("=")
        if not eq or key.lower() not in CREATE_OPTIONS or not value:
            raise DirectiveError(f"#identity create: unexpected '{word}'; options: "
                                 + ", ".join(f"{o}=GUID" for o in CREATE_OPTIONS))
        options[key.lower()] = value
    record = azure.create_identity(cluster, name, object_id=options.get("objectid"),
                                   client_id=options.get("clientid"), tenant=options.get("tenantid"))
    return identities_result([record])


def _explain(state: ShellState, text: str) -> Result:
    words = text.split()
    lowered = [w.lower() for w in words]
    # The longest registered subject that the words start with wins.
    from kshell.engine.session import load_hook_owners

    load_hook_owners("explain")  # subjects register with their families
    for subject in sorted(EXPLAIN_SUBJECTS.values(), key=lambda s: -len(s.words)):
        n = len(subject.words)
        if tuple(lowered[:n]) == subject.words:
            return subject.fn(state, " ".join(words[n:]))
    if len(words) not in (2, 3):
        subjects = "".join(f"\n  {s.usage}" for s in EXPLAIN_SUBJECTS.values())
        raise DirectiveError("usage: #identity explain IDENTITY USAGE [DATABASE]" + subjects)
    # Without DATABASE, the context database: every flow runs in some database.
    database = words[2] if len(words) == 3 else state.session.database.name
    decision = identity_allowed(state.session.cluster, words[0], words[1], database)
    return decision_result(decision)
