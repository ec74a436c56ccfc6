"""`#identity explain continuous-export [DB.]NAME`: every link a run of the export needs.

The chain, in the order a run meets it:
1. the job identity: the export's managedIdentity (assigned to the cluster,
   allowed for AutomatedFlows by the cluster or the export's database policy),
   or, without one, the creating principal (and whether spec 5.2 requires an identity);
2. Database Viewer for the job identity on every database the query reads
   (with an identity; without one the export reads only its own database on
   the service's authority);
3. write access of each connection string of the external table, decided by
   the storage family's `check_access` (storage role of the identity or of the
   impersonated job identity; ExternalTable usage of an MI connection string).
The last row says `allowed` when every link is ok, else `denied` with the
missing links.
"""

from __future__ import annotations

from kshell.directives import DirectiveError
from kshell.engine.identity_directives import EXPLAIN_COLUMNS, explain_subject
from kshell.errors import KustoError
from kshell.result import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

USAGE = "#identity explain continuous-export [DB.]NAME"


@explain_subject("continuous-export", USAGE, "each link a continuous export needs to run and write its artifacts")
def explain_continuous_export(state: Any, args: str) -> Result:
    from kshell.engine import continuous_export as ce

    session = state.session
    words = args.split()
    if len(words) != 1:
        raise DirectiveError(f"usage: {USAGE}")
    db_name, _, name = words[0].rpartition(".")
    db = session.get_database(db_name or None)
    record = ce.get_export(db, name)
    links: list[tuple[str, bool, str]] = []
    informative: list[int] = []   # indexes of links that do not decide on their own
    from kshell.engine.continuous_export_runs import job_principal

    fqn = job_principal(session, record)
    links.append(("Continuous export", True,
                  f"[{db.name}].{record.name} exports to external table '{record.external_table}' as {fqn}"))
    ext = None
    try:
        ext = ce.get_external_table(db, record.external_table)
        links.append(("External table", True, f"'{ext.name}' exists ({ext.kind}, {ext.data_format or 'n/a'})"))
    except KustoError as e:
        links.append(("External table", False, e.message))
    others: list[str] = []
    try:
        shape = ce.query_shape(session, db, ce.parse_export_query(record.query),
                               [[t] for t in record.fact_tables] if record.explicit_over else None)
        others = shape.other_databases
        reasons = ce.identity_requirements(shape, ce.uses_impersonation(ext) if ext is not None else False)
    except KustoError as e:
        links.append(("Query", False, e.message))
        reasons = []
    if record.managed_identity:
        decision = ce.identity_decision(session, record.managed_identity, db)
        # The policy links are alternatives (cluster OR database policy): only the verdict blocks.
        informative.extend(range(len(links), len(links) + len(decision.links)))
        links.extend((link.step, link.ok, link.detail) for link in decision.links)
        links.append((AUTOMATED, decision.allowed, decision.reason))
        from kshell.engine import auth

        for other in [db.name, *others]:
            ok = auth.can_read_database(session.cluster, fqn, other)
            links.append((f"Viewer on [{other}]", ok,
                          f"{fqn} " + ("can read it" if ok else
                                       f"lacks Database Viewer (.add database {other} viewers ('{fqn}'))")))
    else:
        links.append(("Managed identity", not reasons,
                      "none; the export runs as its creator in its own database"
                      + (f", but one is required because {' and '.join(reasons)}" if reasons else "")))
    if ext is not None:
        links.extend(_storage_links(session, db, ext, fqn))
    missing = [f"{step}: {detail}" for i, (step, ok, detail) in enumerate(links)
               if not ok and i not in informative]
    rows = [[step, "ok" if ok else "missing", detail] for step, ok, detail in links]
    rows.append(["Decision", "denied" if missing else "allowed",
                 "; ".join(missing) if missing else f"a run of {record.name} can read its data and write its artifacts"])
    return Result.of(EXPLAIN_COLUMNS, rows)


AUTOMATED = "AutomatedFlows"


def _storage_links(session: Any, db: Any, ext: Any, fqn: str) -> list[tuple[str, bool, str]]:
    try:
        from kshell.engine import storage
        from kshell.engine.external_tables import storage_uris
    except ImportError:
        return []
    out = []
    try:
        uris = storage_uris(ext)
    except KustoError as e:
        return [("Storage", False, e.message)]
    for uri in uris:
        step = f"Write to {uri.base}"
        try:
            grant = storage.check_access(session, uri, need="write", usage="ExternalTable", database=db.name,
                                         principal=fqn)
            out.append((step, True, grant.detail))
        except KustoError as e:
            out.append((step, False, e.message))
    return out
