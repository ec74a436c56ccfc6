"""Structure of the pipe operators kept as text by the main parser (OtherOperator):
make-series, mv-apply, parse-kv, scan, partition, top-nested, project-by-names, fork,
facet, sample-distinct, reduce.

`parse_operator(op)` re-reads an OtherOperator's text with the query parser and returns
a small node (defined here) for the engine (kshell.query.operators_extra); it raises
KustoSyntaxError on text the operator's grammar refuses.
"""

from __future__ import annotations

from kshell.syntax import ast
from kshell.syntax.cursor import Cursor
from kshell.syntax.records import Record, field
from kshell.syntax.tokens import NAME, NUMBER, OP, STRING

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Any, Callable


class MakeSeries(Record):
    aggregates: list[tuple[ast.Assignment, Any]]   # (name = aggregate call, default expression or None)
    axis: Any
    start: Any = None
    end: Any = None
    step: Any = None
    by: list[ast.Assignment] = field(default_factory=list)
    kind: str | None = None


class MvApply(Record):
    items: list[tuple[ast.Assignment, str | None]]  # (expression, `to typeof(t)` type)
    operators: list[Any]
    item_index: str | None = None
    limit: Any = None


class ParseKv(Record):
    expr: Any
    columns: list[ast.ColumnDecl]
    options: dict[str, Any]


class ScanStep(Record):
    name: str
    output: str            # all | last | none
    predicate: Any
    assignments: list[ast.Assignment]


class Scan(Record):
    declare: list[tuple[str, str, Any]]   # (name, type, default expression or None)
    steps: list[ScanStep]
    match_id: str | None = None


class Partition(Record):
    by: str
    operators: list[Any] | None       # `( ops )` on each partition
    body: Any = None                  # `{ query }` referring to the partition as `$`... (kept for errors)


class TopNestedLevel(Record):
    count: Any
    expr: ast.Assignment
    others: Any
    aggregate: ast.Assignment
    descending: bool


class TopNested(Record):
    levels: list[TopNestedLevel]


class ByNames(Record):
    exprs: list[Any]


class Fork(Record):
    branches: list[tuple[str | None, list[Any]]]


class Facet(Record):
    columns: list[str]
    operators: list[Any]


class SampleDistinct(Record):
    count: Any
    column: Any


class Reduce(Record):
    expr: Any
    threshold: Any = None
    characters: Any = None
    kind: str | None = None


def _parser(op: Any):
    from kshell.syntax.query_ops import QueryParser

    p = QueryParser(Cursor(op.text))
    p.i = 1  # past the operator word
    return p


def _subquery(p) -> list[Any]:
    p.expect_op("(", "to open the subquery")
    ops = [p.operator()]
    while p.accept_op("|"):
        ops.append(p.operator())
    p.expect_op(")", "to close the subquery")
    return ops


def _end(p) -> None:
    if not p.at_operator_end():
        raise p.error("unexpected text after the operator", p.toks[p.i])


def _make_series(p) -> MakeSeries:
    params = p.op_params(("kind",))
    aggs = []
    while True:
        a = p.assignment()
        default = None
        if p.at_word("default") and p.peek(1).is_op("="):
            p.i += 2
            default = p.expression()
        aggs.append((a, default))
        if not p.accept_op(","):
            break
    p.expect_word("on", "after the aggregations of 'make-series'")
    from kshell.syntax.query_expr import ADD
    node = MakeSeries(aggs, p.expression(ADD), kind=params.get("kind"))
    if p.accept_word("in"):
        rng = p.expression()
        if not isinstance(rng, ast.Call) or rng.name != "range" or len(rng.args) != 3:
            raise p.error("expected 'in range(start, stop, step)'")
        node.start, node.end, node.step = rng.args
    else:
        if p.accept_word("from"):
            node.start = p.expression()
        if p.accept_word("to"):
            node.end = p.expression()
        p.expect_word("step", "in 'make-series'")
        node.step = p.expression()
    if p.accept_word("by"):
        node.by = p.assignments()
    _end(p)
    return node


def _mv_apply(p) -> MvApply:
    params = p.op_params(("with_itemindex", "kind"))
    items = []
    while True:
        a = p.assignment()
        typ = None
        if p.accept_word("to"):
            p.expect_word("typeof", "after 'to'")
            p.expect_op("(", "after 'typeof'")
            typ = p.type_name()
            p.expect_op(")", "to close typeof(...)")
        items.append((a, typ))
        if not p.accept_op(","):
            break
    limit = p.expression() if p.accept_word("limit") else None
    if p.at_word("id") and p.peek(1).is_op("="):
        p.i += 2
        p.expression()
    p.expect_word("on", "in 'mv-apply'")
    ops = _subquery(p)
    _end(p)
    return MvApply(items, ops, params.get("with_itemindex"), limit)


def _with_options(p) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    if not p.accept_word("with"):
        return opts
    p.expect_op("(", "after 'with'")
    while not p.accept_op(")"):
        key = p.name("an option name").lower()
        p.expect_op("=", f"after '{key}'")
        t = p.toks[p.i]
        if t.kind == STRING:
            opts[key] = p.string()
        else:
            opts[key] = p.param_value()
        if not p.accept_op(","):
            p.expect_op(")", "to close the options")
            break
    return opts


def _parse_kv(p) -> ParseKv:
    expr = p.expression()
    p.expect_word("as", "in 'parse-kv'")
    cols = p.column_decls()
    opts = _with_options(p)
    _end(p)
    return ParseKv(expr, cols, opts)


def _scan(p) -> Scan:
    match_id = None
    if p.at_word("with_match_id") and p.peek(1).is_op("="):
        p.i += 2
        match_id = p.name("a column name")
    declare = []
    if p.accept_word("declare"):
        p.expect_op("(", "after 'declare'")
        while True:
            name = p.name("a column name")
            p.expect_op(":", f"after '{name}'")
            typ = p.type_name()
            default = p.expression() if p.accept_op("=") else None
            declare.append((name, typ, default))
            if p.accept_op(")"):
                break
            p.expect_op(",", "between declarations")
    p.expect_word("with", "in 'scan'")
    p.expect_op("(", "after 'with'")
    steps = []
    while not p.accept_op(")"):
        p.expect_word("step", "in 'scan'")
        name = p.name("a step name")
        output = "all"
        if p.at_word("output") and p.peek(1).is_op("="):
            p.i += 2
            output = p.name("all, last or none").lower()
        p.expect_op(":", f"after step '{name}'")
        pred = p.expression()
        assigns = p.assignments() if p.accept_op("=>") else []
        p.expect_op(";", f"to end step '{name}'")
        steps.append(ScanStep(name, output, pred, assigns))
    _end(p)
    return Scan(declare, steps, match_id)


def _partition(p) -> Partition:
    p.op_params()
    p.expect_word("by", "in 'partition'")
    col = p.name("a column name")
    p.op_params()
    if p.at_op("("):
        ops = _subquery(p)
        _end(p)
        return Partition(col, ops)
    from kshell.syntax.query import body
    query = body(p)  # `{ query }`: the partition's key value is bound to the column's name
    _end(p)
    return Partition(col, None, query)


def _top_nested(p) -> TopNested:
    levels = []
    while True:
        count = None
        if not p.at_word("of"):
            count = p.expression()
        p.expect_word("of", "in 'top-nested'")
        expr = p.assignment()
        others = None
        if p.accept_word("with"):
            p.expect_word("others", "after 'with'")
            p.expect_op("=", "after 'others'")
            others = p.expression()
        p.expect_word("by", "in 'top-nested'")
        agg = p.assignment()
        desc = True
        w = p.accept_word("asc", "desc")
        if w:
            desc = w.lower() == "desc"
        levels.append(TopNestedLevel(count, expr, others, agg, desc))
        if not p.accept_op(","):
            break
        p.expect_word("top-nested", "after ',' in 'top-nested'")
    _end(p)
    return TopNested(levels)


def _by_names(p) -> ByNames:
    exprs = [p.expression()]
    while p.accept_op(","):
        exprs.append(p.expression())
    _end(p)
    return ByNames(exprs)


def _fork(p) -> Fork:
    branches = []
    while p.at_op("(") or (p.toks[p.i].kind == NAME and p.peek(1).is_op("=")):
        name = None
        if p.toks[p.i].kind == NAME:
            name = p.name()
            p.expect_op("=")
        branches.append((name, _subquery(p)))
    _end(p)
    return Fork(branches)


def _facet(p) -> Facet:
    p.expect_word("by", "in 'facet'")
    cols = [p.name("a column name")]
    while p.accept_op(","):
        cols.append(p.name("a column name"))
    ops: list[Any] = []
    if p.accept_word("with"):
        ops = _subquery(p)
    _end(p)
    return Facet(cols, ops)


def _sample_distinct(p) -> SampleDistinct:
    p.op_params()
    count = p.expression()
    p.expect_word("of", "in 'sample-distinct'")
    col = p.expression()
    _end(p)
    return SampleDistinct(count, col)


def _reduce(p) -> Reduce:
    params = p.op_params(("kind",))
    p.expect_word("by", "in 'reduce'")
    node = Reduce(p.expression(), kind=params.get("kind"))
    if p.accept_word("with"):
        while True:
            key = p.name("threshold or characters").lower()
            p.expect_op("=", f"after '{key}'")
            value = p.expression()
            if key == "threshold":
                node.threshold = value
            elif key == "characters":
                node.characters = value
            if not p.accept_op(","):
                break
    _end(p)
    return node


PARSERS: dict[str, Callable[[Any], Any]] = {
    "make-series": _make_series, "mv-apply": _mv_apply, "parse-kv": _parse_kv, "scan": _scan,
    "partition": _partition, "top-nested": _top_nested, "project-by-names": _by_names,
    "fork": _fork, "facet": _facet, "sample-distinct": _sample_distinct, "reduce": _reduce,
}


def parse_operator(op: Any) -> Any | None:
    """The structure of an OtherOperator, or None when the operator is not one of these."""
    fn = PARSERS.get(op.name)
    if fn is None:
        return None
    return fn(_parser(op))


__all__ = ["parse_operator", "PARSERS", "NUMBER", "OP"]


class Evaluate(Record):
    params: dict[str, Any]
    call: ast.Call
    schema: list[ast.ColumnDecl] | None   # `: (*, a:long)`; `*` is a ColumnDecl named '*'


def parse_evaluate(op: Any) -> Evaluate:
    """`evaluate [hint.x=y] plugin(args) [: (schema)]`."""
    p = _parser(op)
    params = p.op_params()
    call = p.postfix()
    if not isinstance(call, ast.Call):
        raise p.error("expected a plugin call after 'evaluate'")
    schema = None
    if p.accept_op(":"):
        p.expect_op("(", "to open the schema")
        schema = []
        if not p.accept_op(")"):
            while True:
                tok = p.toks[p.i]
                if p.accept_op("*"):
                    schema.append(ast.ColumnDecl("*", "", pos=tok.start))
                else:
                    name = p.name("a column name")
                    p.expect_op(":", f"after column name '{name}'")
                    schema.append(ast.ColumnDecl(name, p.type_name(), pos=tok.start))
                if p.accept_op(")"):
                    break
                p.expect_op(",", "between columns")
    _end(p)
    return Evaluate(params, call, schema)


# ------------------------------------------------------------------ graph operators

class MakeGraph(Record):
    source: str
    target: str
    directed: bool
    node_tables: list[tuple[Any, str]]     # (tabular expression, key column)
    node_id: str | None = None             # with_node_id=name
    partition_by: str | None = None        # partitioned-by column ( operators )
    partition_ops: list[Any] | None = None


class PatternNode(Record):
    name: str | None


class PatternEdge(Record):
    name: str | None
    direction: str        # "->", "<-" or "-"
    low: int = 1
    high: int = 1


class GraphMatch(Record):
    patterns: list[list[Any]]              # alternating PatternNode, PatternEdge, PatternNode...
    where: Any
    project: list[ast.Assignment]
    cycles: str = "unique_edges"
    output: str = "any"                    # graph-shortest-paths: any | all


class GraphToTable(Record):
    parts: list[tuple[str, str | None, dict[str, str]]]   # ("nodes"|"edges", alias, with_* options)


class MarkComponents(Record):
    component_id: str = "ComponentId"
    kind: str = "weak"


def _make_graph(p) -> MakeGraph:
    src = p.name("the source column")
    directed = True
    p.expect_op("-", "in '-->'")
    p.expect_op("-", "in '-->'")
    if not p.accept_op(">"):
        directed = False
    dst = p.name("the target column")
    node = MakeGraph(src, dst, directed, [])
    while p.at_word("with", "with_node_id"):
        if p.accept_word("with_node_id"):
            p.expect_op("=", "after 'with_node_id'")
            node.node_id = p.name("a column name")
            continue
        p.i += 1
        while True:
            table = p.expression()
            p.expect_word("on", "after a node table")
            node.node_tables.append((table, p.name("a key column")))
            if not p.accept_op(","):
                break
    if p.at_word("partitioned") and p.peek(1).is_op("-") and p.peek(2).kind == NAME \
            and p.peek(2).text.lower() == "by":
        p.i += 3
        node.partition_by = p.name("a partition column")
        node.partition_ops = _subquery(p)
    elif p.accept_word("partitioned-by"):
        node.partition_by = p.name("a partition column")
        node.partition_ops = _subquery(p)
    _end(p)
    return node


def _pattern(p) -> list[Any]:
    items: list[Any] = []
    while True:
        p.expect_op("(", "to open a node in the pattern")
        name = None if p.at_op(")") else p.name("a node variable")
        p.expect_op(")", "to close the node")
        items.append(PatternNode(name))
        if p.at_op("-") or p.at_op("<"):
            left = bool(p.accept_op("<"))
            p.expect_op("-", "in an edge")
            edge = PatternEdge(None, "-")
            if p.accept_op("["):
                if not p.at_op("]") and not p.at_op("*"):
                    edge.name = p.name("an edge variable")
                if p.accept_op("*"):
                    edge.low = edge.high = _path_length(p)
                    if p.accept_op(".."):
                        edge.high = _path_length(p)
                p.expect_op("]", "to close the edge")
            p.expect_op("-", "in an edge")
            right = bool(p.accept_op(">"))
            if left and right:
                raise p.error("an edge cannot point both ways")
            edge.direction = "<-" if left else ("->" if right else "-")
            items.append(edge)
            continue
        return items


def _path_length(p) -> int:
    """A variable-length edge's bound (`*1..3`): kshell takes integer literals only."""
    text = p.toks[p.i].text if p.i < len(p.toks) else ""
    if not text.isdigit():
        from kshell.errors import NotSupported

        raise NotSupported(f"graph-match: a path length bound must be an integer literal in kshell, not '{text}'")
    p.i += 1
    return int(text)


def _graph_match(p, shortest: bool = False) -> GraphMatch:
    node = GraphMatch([], None, [])
    while p.at_word("cycles", "output") and p.peek(1).is_op("="):
        key = p.toks[p.i].text.lower()
        p.i += 2
        value = p.name("a value").lower()
        if key == "cycles":
            node.cycles = value
        else:
            node.output = value
    node.patterns.append(_pattern(p))
    while p.accept_op(","):
        node.patterns.append(_pattern(p))
    if p.accept_word("where"):
        node.where = p.expression()
    if p.accept_word("project"):
        node.project = p.assignments()
    _end(p)
    return node


def _graph_to_table(p) -> GraphToTable:
    parts = []
    while True:
        what = p.expect_word_any(("nodes", "edges"), "in 'graph-to-table'").lower()
        alias = p.name("a name") if p.accept_word("as") else None
        opts: dict[str, str] = {}
        while p.at_word("with_node_id", "with_source_id", "with_target_id"):
            key = p.toks[p.i].text.lower()
            p.i += 1
            p.expect_op("=", f"after '{key}'")
            opts[key] = p.name("a column name")
        parts.append((what, alias, opts))
        if not p.accept_op(","):
            break
    _end(p)
    return GraphToTable(parts)


def _mark_components(p) -> MarkComponents:
    node = MarkComponents()
    while p.at_word("kind", "with_component_id") and p.peek(1).is_op("="):
        key = p.toks[p.i].text.lower()
        p.i += 2
        value = p.name("a value")
        if key == "kind":
            node.kind = value.lower()
        else:
            node.component_id = value
    _end(p)
    return node


PARSERS.update({
    "make-graph": _make_graph, "graph-match": _graph_match,
    "graph-shortest-paths": lambda p: _graph_match(p, True),
    "graph-to-table": _graph_to_table, "graph-mark-components": _mark_components,
})


class TopHitters(Record):
    count: Any
    expr: ast.Assignment
    by: Any = None


class Consume(Record):
    pass


def _top_hitters(p) -> TopHitters:
    count = p.expression()
    p.expect_word("of", "in 'top-hitters'")
    node = TopHitters(count, p.assignment())
    if p.accept_word("by"):
        node.by = p.expression()
    _end(p)
    return node


def _consume(p) -> Consume:
    p.op_params(("decodeblocks",))
    _end(p)
    return Consume()


PARSERS.update({"top-hitters": _top_hitters, "consume": _consume})


class Search(Record):
    tables: list[str] | None      # `in (T1, T2)`; None: every table and view in scope
    predicate_text: str           # a bare string term becomes `* has "term"`
    case_sensitive: bool = False


def parse_search(text: str) -> Search:
    """`search [kind=case_sensitive] [in (T, ...)] Predicate` (as a source or an operator)."""
    from kshell.syntax.query_ops import QueryParser

    p = QueryParser(Cursor(text))
    p.i = 1
    params = p.op_params(("kind",))
    tables = None
    if p.accept_word("in"):
        p.expect_op("(", "after 'in'")
        tables = [p.name("a table name")]
        while p.accept_op(","):
            tables.append(p.name("a table name"))
        p.expect_op(")", "to close the table list")
    start = p.toks[p.i].start
    pred = p.expression()
    _end(p)
    pred_text = text[start:p.toks[p.i - 1].end]
    case = str(params.get("kind", "")).lower() == "case_sensitive"
    if isinstance(pred, ast.Literal) and isinstance(pred.value, str):
        pred_text = f"* {'has_cs' if case else 'has'} {pred_text}"
    return Search(tables, pred_text, case)


PARSERS["search"] = lambda p: parse_search(p.text)
