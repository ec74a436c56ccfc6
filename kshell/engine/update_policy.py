"""Update policies (spec §4): the policy commands, set-time validation, and the
ingestion hook that runs each policy over newly ingested rows, on behalf of its
managed identity when it has one.
"""

from __future__ import annotations

import fnmatch
import json

from kshell.engine import ingest
from kshell.engine.cluster import Column, Database, Table
from kshell.engine.ingestion_failures import record_failure
from kshell.engine.policy_results import policy_result
from kshell.engine.references import collect_references
from kshell.engine.session import Session, policy_handler
from kshell.errors import BadRequest, Forbidden, KustoError, KustoSyntaxError, SemanticError, TableNotFound
from kshell.syntax.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

POLICY_NAME = "UpdatePolicy"

# Canonical property order of a stored policy object (as the docs show it).
PROPERTIES = (
    ("IsEnabled", bool, False),
    ("Source", str, None),
    ("Query", str, None),
    ("IsTransactional", bool, False),
    ("PropagateIngestionProperties", bool, False),
    ("ManagedIdentity", str, None),
)
OPTIONAL_PROPERTIES = (("SourceIsWildCard", bool, False),)

# Update-policy error codes (spec 4.6, error-codes.md).
SCHEMA_MISMATCH = "UpdatePolicy_QuerySchemaDoesNotMatchTableSchema"
BAD_REQUEST = "UpdatePolicy_BadRequest"
CYCLIC = "UpdatePolicy_Cyclic_Update_Not_Allowed"
FAILED_DESCENDANT = "UpdatePolicy_FailedDescendantTransaction"


# ------------------------------------------------------------------ commands

@policy_handler("update")
def update_policy_command(session: Session, node: Any):
    if node.entity_kind != "table":
        raise BadRequest(f"policy 'update' applies to tables, not to a {node.entity_kind}")
    if node.entity == ["*"]:
        if node.verb != "show":
            raise BadRequest("'*' (all tables) is only supported by '.show table * policy update'")
        db = session.database
        return policy_result(POLICY_NAME, [(db, t, t.policies.get("update")) for t in db.tables.values()])
    db, table = resolve_table(session, node.entity)
    if node.verb == "show":
        pass
    elif node.verb == "delete":
        table.policies.pop("update", None)
    else:
        supplied = parse_policy(node.payload)
        new = supplied if node.verb == "alter" else list(table.policies.get("update") or []) + supplied
        for policy in new:
            validate(session, db, table, policy)
        table.policies["update"] = new
    return policy_result(POLICY_NAME, [(db, table, table.policies.get("update"))])


def resolve_table(session: Session, parts: list[str]) -> tuple[Database, Table]:
    if len(parts) > 2:
        raise BadRequest(f"invalid table name '{'.'.join(parts)}'")
    db = session.get_database(parts[0] if len(parts) == 2 else None)
    table = db.tables.get(parts[-1])
    if table is None:
        raise TableNotFound(f"Table '{parts[-1]}' was not found in database '{db.name}'")
    return db, table


def parse_policy(text: str) -> list[dict]:
    """The supplied JSON array as canonical policy objects (types checked, defaults filled)."""
    from kshell.engine.policy_json import parse_policy_array

    out = []
    for raw in parse_policy_array(text, "update"):
        lowered = {str(k).lower(): v for k, v in raw.items()}
        obj: dict[str, Any] = {}
        for name, typ, default in PROPERTIES + OPTIONAL_PROPERTIES:
            value = lowered.get(name.lower(), default)
            if value is not None and not isinstance(value, typ):
                raise BadRequest(f"Update policy: property '{name}' must be a {typ.__name__ if typ is not str else 'string'}, got {json.dumps(value)}")
            if name in ("Source", "Query") and not value:
                raise BadRequest(f"Update policy: property '{name}' is required")
            if (name, typ, default) in OPTIONAL_PROPERTIES and name.lower() not in lowered:
                continue
            obj[name] = value
        out.append(obj)
    return out


# ---------------------------------------------------------- set-time checks

def validate(session: Session, db: Database, target: Table, policy: dict) -> None:
    """Rules of spec 4.3/4.4, each refusal naming the rule. Only enabled policies are checked."""
    if not policy["IsEnabled"]:
        return
    source = policy["Source"]
    if "." in source and not policy.get("SourceIsWildCard"):
        raise BadRequest(f"Update policy: 'Source' must name a table of database '{db.name}' (same database as the target), got '{source}'")
    if not policy.get("SourceIsWildCard") and source not in db.tables:
        raise BadRequest(f"Update policy: source table '{source}' does not exist in database '{db.name}'")
    if not policy.get("SourceIsWildCard") and not policy.get("IsTransactional"):
        # update-policy.md: a source whose rows are deleted at once needs a transactional policy
        from kshell.engine.policies.effects import soft_delete_period

        period = soft_delete_period(db, db.tables[source])
        if period is not None and not period:
            raise BadRequest(f"Update policy: source table '{source}' has a retention SoftDeletePeriod of 0, "
                             "so the policy must be transactional (IsTransactional: true)")
    query = parse_update_query(policy["Query"])
    refs = collect_references(session.cluster, db.name, query)
    if refs.cross_cluster:
        raise BadRequest(f"Update policy: the query may not reference other clusters (cluster('{refs.cross_cluster[0]}'))")
    if refs.external_tables:
        name = sorted(refs.external_tables)[0][1]
        raise BadRequest(f"Update policy: the query may not reference external table '{name}'")
    if any(t == source for _, t in refs.qualified_tables if _ == db.name.lower()):
        raise BadRequest(f"Update policy: the query must reference the source table '{source}' by its plain name")
    needs_identity = []
    others = refs.other_databases(db.name)
    if others:
        needs_identity.append(f"it references other databases ({', '.join(sorted(others))})")
    if refs.dynamic:
        needs_identity.append(f"it names what it reads by computed or wildcard names ({', '.join(refs.dynamic)}), "
                              "which may reach any table of any database")
    read = set(refs.tables)
    if policy.get("SourceIsWildCard"):
        # every table the pattern matches is read (as $source_table): RLS on one of them counts
        read |= {(db.name.lower(), name) for name in db.tables if fnmatch.fnmatchcase(name, source)}
    restricted = sorted(f"{d}.{t}" for d, t in read if _restricted(session, d, t))
    if restricted:
        raise BadRequest(f"Update policy: the query may not read tables with restricted view access "
                         f"({', '.join(restricted)})")
    rls = sorted(f"{d}.{t}" for d, t in read if _rls_enabled(session, d, t))
    if rls:
        needs_identity.append(f"it reads tables with row level security ({', '.join(rls)})")
    identity = policy.get("ManagedIdentity")
    if needs_identity and not identity:
        raise BadRequest("Update policy: a 'ManagedIdentity' is required because " + " and ".join(needs_identity))
    if identity:
        decision = _identity_decision(session, identity, db.name)
        if not decision.allowed:
            raise BadRequest(f"Update policy: managed identity '{identity}' cannot run this policy: {decision.reason}")
    if policy["IsTransactional"]:
        if policy.get("SourceIsWildCard"):
            _check_wildcard_source_admin(session, db, source)
        else:
            _check_source_admin(session, db, source)
    _check_schema(session, db, target, policy, query)


def parse_update_query(text: str):
    from kshell.syntax import parse_query

    try:
        return parse_query(text)
    except KustoSyntaxError as e:
        raise BadRequest(f"Update policy: the query does not parse: {e.message}") from None


def _check_schema(session: Session, db: Database, target: Table, policy: dict, query) -> None:
    from kshell.engine.queries import SessionQueryContext
    from kshell.query import output_schema

    scopes: list[dict | None] = [None]
    if policy.get("SourceIsWildCard"):
        # The query reads `$source_table`: check it against every table the pattern
        # matches now, as it will run (none matching: nothing to check it against yet).
        scopes = [{(db.name.lower(), "$source_table"): _NewRows(t.name, t.columns, [[] for _ in t.columns], [])}
                  for name, t in sorted(db.tables.items()) if fnmatch.fnmatchcase(name, policy["Source"])]
    for scoped in scopes:
        try:
            schema = output_schema(query, SessionQueryContext(session, database=db.name, scoped_tables=scoped))
        except KustoError as e:
            raise BadRequest(f"Update policy: the query is not valid in database '{db.name}': {e.message}") from None
        mismatch = schema_mismatch(schema, target.columns)
        if mismatch:
            raise BadRequest(f"Update policy: the query's output schema does not match table '{target.name}': {mismatch}")


def schema_mismatch(schema: list[tuple[str, str]], columns: list[Column]) -> str | None:
    """Why a query output schema differs from a table's (count, order, names, types), or None."""
    want = [(c.name, c.type) for c in columns]
    if len(schema) != len(want):
        return f"the query returns {len(schema)} columns, the table has {len(want)}"
    for i, ((qn, qt), (tn, tt)) in enumerate(zip(schema, want)):
        if qn != tn or qt != tt:
            return f"column {i + 1} is {qn}:{qt} in the query but {tn}:{tt} in the table"
    return None


def _rls_enabled(session: Session, db_name: str, table_name: str) -> bool:
    from kshell.engine.row_level_security import rls_enabled

    db = session.cluster.database(db_name)
    table = db.tables.get(table_name) if db else None
    return table is not None and rls_enabled(table)


def _restricted(session: Session, db_name: str, table_name: str) -> bool:
    from kshell.engine.permissions import table_has_restricted_view_access

    db = session.cluster.database(db_name)
    table = db.tables.get(table_name) if db else None
    return table is not None and table_has_restricted_view_access(table)


def _identity_decision(session: Session, identity: str, db_name: str):
    from kshell.engine.managed_identity import identity_allowed

    return identity_allowed(session.cluster, identity, "AutomatedFlows", db_name)


def _check_source_admin(session: Session, db: Database, source: str) -> None:
    """Transactional policies need Table Admin on the source too (spec 4.3 rule 6)."""
    try:
        from kshell.engine import auth
    except ImportError:
        return
    check = getattr(auth, "is_table_admin", None)
    if check is not None and not check(session, session.principal, db, db.tables[source]):
        raise BadRequest(f"Update policy: a transactional policy needs Table Admin on the source table '{source}' for '{session.principal}'")


def _check_wildcard_source_admin(session: Session, db: Database, pattern: str) -> None:
    """A transactional policy can fail (and so block) every ingestion into its source.  A
    wildcard source names every table that matches now *or later*, so it needs Table Admin
    on every table of the database that may ever match: Database Admin."""
    from kshell.engine import auth

    if not auth.is_database_admin(session, session.principal, db):
        raise BadRequest(f"Update policy: a transactional policy with the wildcard source '{pattern}' needs "
                         f"Database Admin on '{db.name}' (it would govern ingestion into every table that "
                         f"matches, now or later) for '{session.principal}'")


# --------------------------------------------------------------- run time

def policies_for_source(db: Database, source: Table) -> list[tuple[Table, dict]]:
    """(target, policy) pairs that fire when rows land in `source`."""
    out = []
    for target in db.tables.values():
        for policy in target.policies.get("update") or []:
            if not policy["IsEnabled"]:
                continue
            if policy.get("SourceIsWildCard"):
                if fnmatch.fnmatchcase(source.name, policy["Source"]):
                    out.append((target, policy))
            elif policy["Source"] == source.name:
                out.append((target, policy))
    return out


class _NewRows(Record):
    """The source table scoped to the rows of one ingestion (what the policy query sees)."""

    __slots__ = ("__dict__",)  # as the dataclass it was: the query engine may note things on a source

    name: str
    columns: list
    data: list
    extents: list


def run_update_policies(batch: Any, append: Any) -> None:
    """INGESTION_HOOKS entry: run every enabled policy whose source received `append`."""
    session: Session = batch.session
    db = append.database
    chain = getattr(append, "chain", None) or (append.table.name,)
    for target, policy in policies_for_source(db, append.table):
        if not batch.may_feed(append, db, target):
            # A cycle, or a table another path already fed: every table gets the batch's
            # data once (spec 4.1), so cascades stay linear in the number of tables.
            continue
        try:
            columns_data = _run_policy(session, batch, db, append, target, policy)
        except KustoError as e:
            failure = _failure(session, batch, db, append, target, policy, e)
            if policy["IsTransactional"]:
                record_failure(session.cluster, failure)
                raise _transactional_error(target, policy, e) from None
            batch.failures.append(failure)
            continue
        if columns_data is None:
            if not append.replace:
                continue
            columns_data = [[] for _ in target.columns]
        # `.set-or-replace` on the source replaces the derived data too (spec 4.6).
        child = batch.add(db, target, columns_data, origin="UpdatePolicy", properties=dict(append.properties or {}),
                          replace=append.replace, parent=append)
        child.chain = chain + (target.name,)


def _run_policy(session: Session, batch: Any, db: Database, append: Any, target: Table, policy: dict):
    from kshell.engine.permissions import Flow
    from kshell.engine.queries import SessionQueryContext
    from kshell.query import run

    source = append.table
    new_rows = _NewRows(source.name, source.columns, append.columns_data, [])
    principal = _run_as(session, batch, policy)
    if policy.get("ManagedIdentity"):
        decision = _identity_decision(session, policy["ManagedIdentity"], db.name)
        if not decision.allowed:
            raise _CodedError(BAD_REQUEST, f"managed identity '{policy['ManagedIdentity']}' cannot run the policy: {decision.reason}")
    query = parse_update_query(policy["Query"])
    scoped = {(db.name.lower(), source.name): new_rows}
    if policy.get("SourceIsWildCard"):
        scoped[(db.name.lower(), "$source_table")] = new_rows
    # The read check applies the flow rules (kshell.engine.permissions.Flow): without
    # an identity, only tables of this database without RLS / restricted view access;
    # with one, the identity's roles, its own database excepted (docs/update-policy.md).
    flow = Flow("update policy", f"[{db.name}].[{target.name}]", db.name,
                identity=principal if policy.get("ManagedIdentity") else None, home_exempt=True)
    ctx = SessionQueryContext(session, database=db.name, principal=principal, scoped_tables=scoped, flow=flow)
    try:
        result = run(query, ctx)
        flow.check_refusals()
    except KustoError as e:
        if flow.refusals:  # the refusal, not what the query made of it (e.g. an empty fuzzy union)
            e = Forbidden(flow.refusals[0])
        raise _CodedError(BAD_REQUEST, e.message, kind=e.kind) from None
    mismatch = schema_mismatch([(c.name, c.type) for c in result.columns], target.columns)
    if mismatch:
        raise _CodedError(SCHEMA_MISMATCH, f"the query's output schema does not match table '{target.name}': {mismatch}")
    if not result.rows:
        return None
    return [list(col) for col in zip(*result.rows)]


def _run_as(session: Session, batch: Any, policy: dict) -> str:
    """The principal a policy runs as: its managed identity, else the ingesting principal."""
    identity = policy.get("ManagedIdentity")
    if not identity:
        return getattr(batch, "principal", None) or session.principal
    from kshell.engine.azure import find_identity

    record = find_identity(session.cluster, identity)
    object_id = getattr(record, "object_id", None) or getattr(record, "ObjectId", None) or identity
    return f"aadapp={object_id}"


class _CodedError(KustoError):
    kind = "BadRequest"

    def __init__(self, error_code: str, message: str, kind: str | None = None):
        super().__init__(message)
        self.error_code = error_code
        if kind:
            self.kind = kind


def _failure(session: Session, batch: Any, db: Database, append: Any, target: Table, policy: dict, error: KustoError):
    code = getattr(error, "error_code", BAD_REQUEST)
    return dict(
        Database=db.name,
        Table=target.name,
        Details=f"Update policy (source '{append.table.name}', query '{policy['Query']}') failed: {error.kind}: {error.message}",
        ErrorCode=code,
        FailureKind="Permanent" if code in (SCHEMA_MISMATCH, BAD_REQUEST, CYCLIC) else "Transient",
        OriginatesFromUpdatePolicy=True,
        OperationKind="DataIngestPull",
        Principal=_run_as(session, batch, policy),
        User=session.principal,
    )


def _transactional_error(target: Table, policy: dict, error: KustoError) -> KustoError:
    err = BadRequest(
        f"Ingestion failed: transactional update policy of table '{target.name}' "
        f"(source '{policy['Source']}') failed: {error.kind}: {error.message}"
    )
    return err


ingest.INGESTION_HOOKS.append(run_update_policies)


# ------------------------------------------------------- #identity explain

def _register_explain() -> None:
    from kshell.directives import DirectiveError
    from kshell.engine.identity_directives import decision_result, explain_subject
    from kshell.engine.managed_identity import Link

    @explain_subject("policy update", "#identity explain policy update [DB.]TABLE",
                     "each link an update policy of TABLE needs to run as its managed identity")
    def explain_update_policy(state, args: str):
        from kshell.engine import auth

        session = state.session
        if not args.strip():
            raise DirectiveError("usage: #identity explain policy update [DB.]TABLE")
        db, table = resolve_table(session, args.strip().split("."))
        policies = [p for p in table.policies.get("update") or [] if p.get("ManagedIdentity")]
        if not policies:
            raise DirectiveError(f"table '{table.name}' has no update policy with a ManagedIdentity")
        results = []
        for policy in policies:
            identity = policy["ManagedIdentity"]
            decision = _identity_decision(session, identity, db.name)
            lead = [Link(f"Update policy: [{db.name}].[{table.name}] (source '{policy['Source']}') "
                         f"runs as '{identity}'", True)]
            extra = []
            fqn = _run_as(session, None, policy)
            try:
                refs = collect_references(session.cluster, db.name, parse_update_query(policy["Query"]))
                others = sorted(refs.other_databases(db.name))
            except KustoError as e:
                extra.append(Link(f"Query: does not parse: {e.message}", False))
                others = []
            for other in others:
                other_db = session.cluster.database(other)
                name = other_db.name if other_db else other
                ok = other_db is not None and auth.can_read_database(session.cluster, fqn, name)
                extra.append(Link(f"Viewer on [{name}]: {fqn} "
                                  + ("can read it" if ok else f"lacks Database Viewer (.add database {name} viewers ('{fqn}'))"),
                                  ok))
            result = decision_result(decision, extra, lead)
            if decision.allowed and not all(link.ok for link in extra):
                result.rows[-1] = ["Decision", "denied", "the policy would fail at run time: " +
                                   "; ".join(link.detail for link in extra if not link.ok)]
            results.append(result)
        return results if len(results) > 1 else results[0]


_register_explain()
