"""The cluster behind the endpoint: one Session, one lock, a principal per request.

The Session is the shell's engine, unchanged: a request is parsed by the
syntax layer and run with `Session.run`, so permissions, row level security,
update policies and the state file's per-request durability are the shell's
own.  The session is not thread-safe, so every engine call holds one lock;
parsing, encoding and the unauthenticated endpoints do not.

Each request runs as the principal of its token, in the database it names:
the session's principal and context database are set for the request and
restored afterwards (even when it fails), so nothing leaks to the next one.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

from kshell.errors import BadRequest, KustoError, NotSupported
from kshell.result import Result
from kshell.server.frames import Outcome, visualization_value
from kshell.server.request import QueryRequest


class RequestTimeout(KustoError):
    """The request ran longer than its servertimeout option allows."""

    kind = "Timeout"
    code = "RequestExecutionTimeout"
    http_status = 504


class Service:
    def __init__(self, session: Any):
        self.session = session
        self.lock = threading.Lock()
        self.default_principal: str = session.principal
        self.default_database: str = session.database_name
        # Requests are parsed outside the lock: load the parser's lazily built tables
        # (command rules, scanners) now, before threads share them.
        from kshell.syntax import parse

        parse(".show tables")
        parse("print 1 | where true")

    # ------------------------------------------------------------ principal
    def check_principal(self, fqn: str) -> str:
        """The FQN if the engine can read it (BadRequest otherwise)."""
        from kshell.engine.auth import parse_fqn

        parse_fqn(fqn)
        return fqn.strip()

    @contextlib.contextmanager
    def acting(self, principal: str | None, database: str | None) -> Iterator[Any]:
        """Hold the engine, as `principal` in `database`; restore the session after."""
        with self.lock:
            session = self.session
            saved = (session.principal, session.database_name)
            try:
                session.principal = principal or self.default_principal
                session.database_name = saved[1]
                session.use_database(database or self.default_database)
                yield session
            finally:
                session.principal, session.database_name = saved

    # -------------------------------------------------------------- queries
    def execute(self, req: QueryRequest, principal: str | None, *, activity_id: str = "",
                client_request_id: str = "") -> Outcome:
        from kshell.syntax import parse

        text = req.csl
        if text.lstrip().startswith("#"):
            raise BadRequest("'#' directives are kshell shell commands, not Kusto requests; "
                             "a Kusto endpoint runs queries and management commands only")
        if req.datetime_scope is not None:
            raise NotSupported("the query_datetimescope_* request options are not simulated by kshell")
        timeout = req.server_timeout
        max_records = req.max_records
        node = parse(text)
        visualizations: dict[int, str] = {}
        if type(node).__name__ == "Query":
            bind_parameters(node, req.parameters)
            visualizations = _visualizations(node)
        with self.acting(principal, req.db) as session:
            started = time.monotonic()  # the engine's time: waiting for the lock does not count
            results = session.run(node)
            ran = time.monotonic() - started
            now = session.now()
        if timeout is not None and type(node).__name__ == "Query" and ran > timeout.total_seconds():
            raise RequestTimeout(f"the query ran longer than its servertimeout ({timeout}) allows")
        truncated = {}
        if max_records is not None:
            for i, result in enumerate(results):
                if len(result.rows) > max_records:
                    results[i] = Result(result.columns, result.rows[:max_records], result.name)
                    truncated[i] = max_records
        return Outcome(results, _by_result(visualizations, results), truncated,
                       activity_id, client_request_id, now)

    # ------------------------------------------------------------ ingestion
    def ingest(self, database: str, table: str, data: str, fmt: str, mapping: str | None,
               principal: str | None) -> int:
        """Streaming ingestion: `data` lands through `.ingest inline`'s pipeline (roles, update
        policies, all-or-nothing).  Returns the number of records the table received."""
        from kshell.syntax.cmd_ingest import IngestInline

        properties: dict[str, Any] = {"format": fmt}
        if mapping:
            properties["ingestionMappingReference"] = mapping
        node = IngestInline(table=[database, table], data=data, properties=properties, streaming=True,
                            text=f".ingest inline into table ['{table}'] (streaming ingestion)")
        with self.acting(principal, database) as session:
            target = session.get_database(database).tables.get(table)
            before = target.row_count if target is not None else 0
            session.run(node)
            target = session.get_database(database).tables.get(table)
            return (target.row_count if target is not None else 0) - before


# ------------------------------------------------------------------ helpers

def bind_parameters(query: Any, values: dict[str, Any]) -> None:
    """Give `declare query_parameters(...)` the request's Parameters values (as their defaults).

    A string parameter takes the value as is; any other type takes a KQL literal
    (`datetime(2024-01-01)`, `5`, `true`, `dynamic([1,2])`), as the service reads them.
    """
    if not values:
        return
    from kshell.syntax import ast

    lowered = {str(k): v for k, v in values.items()}
    for st in _declarations(query):
        for p in st.params:
            if p.name not in lowered or p.type == "table":
                continue
            p.default = _literal(p.name, p.type, lowered[p.name], ast)


def _declarations(query: Any) -> list[Any]:
    out = []
    for st in getattr(query, "statements", []) or []:
        if type(st).__name__ == "DeclareParams":
            out.append(st)
        elif type(st).__name__ == "Query":
            out.extend(_declarations(st))
    return out


def _literal(name: str, type_name: str, value: Any, ast: Any) -> Any:
    """The literal node of one parameter value, converted to the declared type."""
    import decimal

    from kshell.syntax import parse_query

    t = type_name.lower()
    if t == "string":
        return ast.Literal("string", "" if value is None else value if isinstance(value, str) else str(value))
    if value is None:
        return ast.Literal(t, None)
    text = value if isinstance(value, str) else ("true" if value is True else "false" if value is False else str(value))
    try:
        expr = parse_query(f"print __kshell_parameter = {text}").body.items[0].expr
    except KustoError:
        expr = None
    if not isinstance(expr, ast.Literal) or expr.value is None and expr.type != t:
        raise BadRequest(f"query parameter '{name}': {text!r} is not a {type_name} literal")
    v, have = expr.value, expr.type
    if have == t or (t in ("int", "long") and have in ("int", "long")):
        return ast.Literal(t, v)
    if t == "real" and have in ("int", "long", "decimal"):
        return ast.Literal(t, None if v is None else float(v))
    if t == "decimal" and have in ("int", "long", "real"):
        return ast.Literal(t, None if v is None else decimal.Decimal(str(v)))
    raise BadRequest(f"query parameter '{name}' is declared {type_name} but its value {text!r} is a {have}")


def _by_result(rendered: dict[int, str], results: list[Any]) -> dict[int, str]:
    """Expression index -> value, re-keyed by result index: an expression may give several
    tables (fork, funnel_sequence), and the engine marks the one its `render` belongs to
    (`Result.visualization`), so the n-th rendered expression goes to the n-th marked result."""
    marked = [i for i, r in enumerate(results) if getattr(r, "visualization", None)]
    return dict(zip(marked, (rendered[k] for k in sorted(rendered))))


def _visualizations(query: Any) -> dict[int, str]:
    """Expression index -> the Visualization value of each expression that ends with `render`."""
    out = {}
    bodies = [query.body] + list(getattr(query, "batch", []) or [])
    for i, body in enumerate(bodies):
        ops = getattr(body, "operators", None)
        if not ops or type(ops[-1]).__name__ != "Render":
            continue
        render = ops[-1]
        sorted_ = any(type(op).__name__ in ("Sort", "Top", "Order") for op in ops[:-1])
        out[i] = visualization_value(render.chart, render.properties, sorted_=sorted_)
    return out
