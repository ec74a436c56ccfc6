"""`#export run NAME`: run one continuous export now, without moving the clock.

`intervalBetweenRuns` is advisory in ADX (spec 5.4 [DECIDE]: provide a way to
trigger a run); the run is the same as a scheduled one (new rows since the
cursor, as the job identity, artifacts or a failure row) and counts as the
export's last run, so its next scheduled run is one interval later.
"""

from __future__ import annotations

from kshell.directives import DirectiveError, ShellState, directive
from kshell.result import Result

USAGE = "#export run [DATABASE.]NAME"


@directive(
    "export",
    USAGE,
    "Run continuous export NAME (of the context database, or DATABASE) once, now: "
    "it exports the rows ingested since its cursor and records artifacts or a failure.",
)
def export_directive(state: ShellState, args: str) -> Result:
    from kshell.engine.continuous_export import get_export
    from kshell.engine.continuous_export_runs import RUN_COLUMNS, run_export

    words = args.split()
    if len(words) != 2 or words[0].lower() != "run":
        raise DirectiveError(f"usage: {USAGE}")
    session = state.session
    db_name, _, name = words[1].rpartition(".")
    db = session.get_database(db_name or None)
    record = get_export(db, name)
    if record.is_disabled:
        raise DirectiveError(f"continuous export '{record.name}' is disabled "
                             f"(.enable continuous-export {record.name} first)")
    outcome = run_export(session, db, record, session.now())
    return Result.of(RUN_COLUMNS, [outcome.row()])
