"""Graph semantics: make-graph, graph-match, graph-shortest-paths, graph-to-table,
graph-mark-components, and the graph functions (all, any, map, inner_nodes, node_id,
node_degree_in, node_degree_out).

A graph flows between operators as a `GraphTab` (a Tabular with no rows that carries the
graph).  Patterns are matched by depth-first search; variable-length edges follow the
`cycles` rule (unique_edges by default: an edge appears once in a path; none: a node
appears once; all: anything).  Expressions over a match are compiled once against the
match's columns: `n.prop` becomes the column `n.prop`, and the graph functions are
evaluated per match in Python and given to the expression as hidden columns.
"""

from __future__ import annotations

from typing import Any, Callable

from kshell.query import types as T
from kshell.query.compiler import Compiler
from kshell.query.naming import expr_name, unique
from kshell.query.operators_extra import X, operator
from kshell.query.tabular import Tabular
from kshell.syntax import ast


class Graph:
    def __init__(self) -> None:
        self.nodes: dict[Any, dict[str, Any]] = {}
        self.node_columns: list[tuple[str, str]] = []
        self.edges: list[tuple[Any, Any, dict[str, Any]]] = []
        self.edge_columns: list[tuple[str, str]] = []
        self.directed = True

    def out_edges(self, key: Any) -> list[int]:
        return self._out.get(key, [])

    def in_edges(self, key: Any) -> list[int]:
        return self._in.get(key, [])

    def index(self) -> None:
        self._out: dict[Any, list[int]] = {}
        self._in: dict[Any, list[int]] = {}
        for i, (s, d, _p) in enumerate(self.edges):
            self._out.setdefault(s, []).append(i)
            self._in.setdefault(d, []).append(i)


class GraphTab(Tabular):
    __slots__ = ("graph",)

    def __init__(self, graph: Graph):
        super().__init__([], [], 0)
        self.graph = graph


def _graph_of(ev, tab: Tabular, what: str) -> Graph:
    if not isinstance(tab, GraphTab):
        raise ev.error(None, f"'{what}' needs a graph (the output of make-graph)")
    return tab.graph


def _hashable(v: Any) -> Any:
    return T.to_string(v) if isinstance(v, (dict, list)) else v


def _add_columns(target: list[tuple[str, str]], cols: list[tuple[str, str]]) -> None:
    names = {n for n, _t in target}
    for n, t in cols:
        if n not in names:
            target.append((n, t))
            names.add(n)


# ------------------------------------------------------------------ make-graph

@operator("make-graph")
def make_graph(ev, tab: Tabular, node: X.MakeGraph, scope) -> Tabular:
    if node.partition_by is None:
        return _make_graph(ev, tab, node, scope)
    # partitioned-by: one graph per value of the column (edges and node tables split by it),
    # the subquery run on each, the results one after the other.
    from kshell.query.operators_extra import _apply_ops, _concat
    k = tab.index(node.partition_by)
    if k is None:
        raise ev.error(None, f"make-graph: the edge table has no column '{node.partition_by}'")
    values: list[Any] = []
    for r in range(tab.rows):
        if _hashable(tab.data[k][r]) not in values:
            values.append(_hashable(tab.data[k][r]))
    parts = []
    for v in values:
        edges = tab.take_rows([r for r in range(tab.rows) if _hashable(tab.data[k][r]) == v])
        tables = []
        for table_expr, key in node.node_tables:
            nt = ev.eval_tabular(table_expr, scope)
            j = nt.index(node.partition_by)
            if j is not None:
                nt = nt.take_rows([r for r in range(nt.rows) if _hashable(nt.data[j][r]) == v])
            tables.append((nt, key))
        g = _make_graph(ev, edges, node, scope, tables)
        parts.append(_apply_ops(ev, g, node.partition_ops, scope))
    if not parts:
        return Tabular([], [], 0)
    return _concat(parts, parts[0])


def _make_graph(ev, tab: Tabular, node: X.MakeGraph, scope, tables: list | None = None) -> Tabular:
    g = Graph()
    g.directed = node.directed
    si, di = tab.index(node.source), tab.index(node.target)
    if si is None or di is None:
        raise ev.error(None, f"make-graph: the edge table has no column '{node.source if si is None else node.target}'")
    vis = tab.visible()
    g.edge_columns = [tab.columns[j] for j in vis]
    if tables is None:
        tables = [(ev.eval_tabular(table_expr, scope), key) for table_expr, key in node.node_tables]
    for nt, key in tables:
        table_expr = None
        k = nt.index(key)
        if k is None:
            raise ev.error(table_expr, f"make-graph: the node table has no column '{key}'")
        nvis = nt.visible()
        _add_columns(g.node_columns, [nt.columns[j] for j in nvis])
        for r in range(nt.rows):
            kv = _hashable(nt.data[k][r])
            props = g.nodes.setdefault(kv, {})
            for j in nvis:
                props.setdefault(nt.columns[j][0], nt.data[j][r])
    if node.node_id:
        _add_columns(g.node_columns, [(node.node_id, tab.columns[si][1])])
    # A node only the edges mention holds its id under the node id column (with_node_id,
    # or the first node table's key column).
    id_column = node.node_id or (node.node_tables[0][1] if node.node_tables else None)
    for r in range(tab.rows):
        s, d = _hashable(tab.data[si][r]), _hashable(tab.data[di][r])
        for key in (s, d):
            if key not in g.nodes:
                g.nodes[key] = {id_column: key} if id_column else {}
            elif node.node_id:
                g.nodes[key].setdefault(node.node_id, key)
        g.edges.append((s, d, {tab.columns[j][0]: tab.data[j][r] for j in vis}))
    g.index()
    return GraphTab(g)


# ------------------------------------------------------------------ graph-to-table, components

@operator("graph-to-table")
def graph_to_table(ev, tab: Tabular, node: X.GraphToTable, scope) -> Tabular:
    from kshell.query.functions import _hash

    g = _graph_of(ev, tab, "graph-to-table")
    if len(node.parts) != 1:
        raise ev.error(None, "graph-to-table: a statement exporting both nodes and edges must name them "
                             "(nodes as N, edges as E) and end with ';', the names used by later expressions")
    what, _alias, opts = node.parts[0]
    if what == "nodes":
        cols = list(g.node_columns)
        rows = [[props.get(n) for n, _t in cols] for props in g.nodes.values()]
        if "with_node_id" in opts:
            cols = [(opts["with_node_id"], "long")] + cols
            rows = [[_hash(k)] + r for k, r in zip(g.nodes, rows)]
        return Tabular.from_rows(cols, rows)
    cols = list(g.edge_columns)
    rows = [[props.get(n) for n, _t in cols] for _s, _d, props in g.edges]
    for key, pos in (("with_target_id", 1), ("with_source_id", 0)):
        if key in opts:
            cols = [(opts[key], "long")] + cols
            rows = [[_hash(g.edges[i][pos])] + r for i, r in enumerate(rows)]
    return Tabular.from_rows(cols, rows)


def batch_outputs(expr: Any) -> list[tuple[str, Any]] | None:
    """`G | graph-to-table nodes as N ..., edges as E ...;` in a batch (graph-to-table-
    operator.md, "Nodes and edges"): the statement returns no result of its own; it names
    its outputs for the batch's later expressions.  The (name, single-output pipeline) pairs,
    or None when `expr` is not such a statement."""
    ops = getattr(expr, "operators", None)
    if not ops or not isinstance(ops[-1], ast.OtherOperator) or ops[-1].name != "graph-to-table":
        return None
    parts = X.parse_operator(ops[-1]).parts
    if len(parts) < 2 or any(alias is None for _w, alias, _o in parts):
        return None
    out = []
    for what, alias, opts in parts:
        text = " ".join(["graph-to-table", what] + [f"{k}={v}" for k, v in opts.items()])
        single = ast.Pipeline(expr.source, ops[:-1] + [ast.OtherOperator("graph-to-table", text, pos=ops[-1].pos)],
                              pos=expr.pos)
        out.append((alias, single))
    return out


@operator("graph-mark-components")
def mark_components(ev, tab: Tabular, node: X.MarkComponents, scope) -> Tabular:
    g = _graph_of(ev, tab, "graph-mark-components")
    parent = {k: k for k in g.nodes}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for s, d, _p in g.edges:
        parent[find(s)] = find(d)
    ids: dict[Any, int] = {}
    for k in g.nodes:
        root = find(k)
        ids.setdefault(root, len(ids))
        g.nodes[k][node.component_id] = ids[root]
    _add_columns(g.node_columns, [(node.component_id, "long")])
    return tab


# ------------------------------------------------------------------ matching

class _Match:
    __slots__ = ("nodes", "edges", "paths")

    def __init__(self):
        self.nodes: dict[str, Any] = {}
        self.edges: dict[str, int] = {}
        self.paths: dict[str, tuple[list[int], list[Any]]] = {}  # edges, nodes along the path


def _steps(g: Graph, key: Any, direction: str) -> list[tuple[int, Any]]:
    out = []
    if direction in ("->", "-"):
        out += [(i, g.edges[i][1]) for i in g.out_edges(key)]
    if direction in ("<-", "-"):
        out += [(i, g.edges[i][0]) for i in g.in_edges(key)]
    if not g.directed and direction != "-":
        other = "<-" if direction == "->" else "->"
        out += _steps(g, key, other) if other != direction else []
    return out


def _match_all(g: Graph, patterns: list[list[Any]], cycles: str) -> list[_Match]:
    results: list[_Match] = []

    def bind_node(m: _Match, name: str | None, key: Any) -> bool:
        if name is None:
            return True
        if name in m.nodes:
            return m.nodes[name] == key
        m.nodes[name] = key
        return True

    def walk(pi: int, ii: int, key: Any, m: _Match) -> None:
        pattern = patterns[pi]
        if ii == len(pattern) - 1:
            if pi + 1 == len(patterns):
                done = _Match()
                done.nodes, done.edges, done.paths = dict(m.nodes), dict(m.edges), dict(m.paths)
                results.append(done)
            else:
                start_pattern(pi + 1, m)
            return
        edge, nxt = pattern[ii + 1], pattern[ii + 2]
        used = {i for es, _n in m.paths.values() for i in es} | set(m.edges.values())
        for path_edges, path_nodes, end in _paths(g, key, edge, cycles, used):
            saved = (dict(m.nodes), dict(m.edges), dict(m.paths))
            if edge.name is not None:
                if edge.low == edge.high == 1 and edge.name not in m.paths:
                    if edge.name in m.edges and m.edges[edge.name] != path_edges[0]:
                        continue
                    m.edges[edge.name] = path_edges[0]
                m.paths[edge.name] = (path_edges, path_nodes)
            if bind_node(m, nxt.name, end):
                walk(pi, ii + 2, end, m)
            m.nodes, m.edges, m.paths = saved

    def start_pattern(pi: int, m: _Match) -> None:
        first = patterns[pi][0]
        keys = [m.nodes[first.name]] if first.name in m.nodes else list(g.nodes)
        for key in keys:
            saved = dict(m.nodes)
            if bind_node(m, first.name, key):
                walk(pi, 0, key, m)
            m.nodes = saved

    start_pattern(0, _Match())
    return results


def _paths(g: Graph, start: Any, edge: X.PatternEdge, cycles: str, used: set[int]):
    """(edges, nodes, end) of every path of edge.low..edge.high steps from `start`."""
    out = []

    def go(key: Any, edges: list[int], nodes: list[Any]) -> None:
        if len(edges) >= edge.low:
            out.append((list(edges), list(nodes), key))
        if len(edges) == edge.high:
            return
        for i, nxt in _steps(g, key, edge.direction):
            if cycles != "all" and (i in edges or i in used):
                continue
            if cycles == "none" and nxt in nodes:
                continue
            edges.append(i)
            nodes.append(nxt)
            go(nxt, edges, nodes)
            edges.pop()
            nodes.pop()
    go(start, [], [start])
    return out


# ------------------------------------------------------------------ expressions over matches

_GRAPH_FUNCS = ("all", "any", "map", "inner_nodes", "node_id", "node_degree_in", "node_degree_out", "labels")


class _Env:
    """Columns of the matches: `v.prop` for node and single-edge variables, and hidden
    `$gN` columns computed in Python for the graph functions."""

    def __init__(self, ev, g: Graph, matches: list[_Match], node_vars: list[str], edge_vars: list[str],
                 path_vars: list[str], scope):
        self.ev, self.g, self.matches, self.scope = ev, g, matches, scope
        self.node_vars, self.edge_vars, self.path_vars = node_vars, edge_vars, path_vars
        self.columns: list[tuple[str, str]] = []
        self.data: list[list[Any]] = []
        for v in node_vars:
            for n, t in g.node_columns:
                self.columns.append((f"{v}.{n}", t))
                self.data.append([g.nodes[m.nodes[v]].get(n) for m in matches])
        for v in edge_vars:
            for n, t in g.edge_columns:
                self.columns.append((f"{v}.{n}", t))
                self.data.append([g.edges[m.edges[v]][2].get(n) for m in matches])
        self.vars = set(node_vars) | set(edge_vars) | set(path_vars)

    def rewrite(self, node: Any) -> Any:
        if isinstance(node, ast.Name) and node.name in self.vars:
            return self._as_value(node)
        if isinstance(node, ast.Member):
            if isinstance(node.target, ast.Name) and node.target.name in self.vars:
                return ast.Name(f"{node.target.name}.{node.name}", pos=node.pos)
            return ast.Member(self.rewrite(node.target), node.name, pos=node.pos)
        if isinstance(node, ast.Call) and node.name in _GRAPH_FUNCS:
            return self._hidden(node)
        if isinstance(node, ast.Binary):
            return ast.Binary(node.op, self.rewrite(node.left), self.rewrite(node.right), pos=node.pos)
        if isinstance(node, ast.Unary):
            return ast.Unary(node.op, self.rewrite(node.operand), pos=node.pos)
        if isinstance(node, ast.Call):
            return ast.Call(node.name, [self.rewrite(a) for a in node.args], target=node.target, pos=node.pos)
        if isinstance(node, ast.Index):
            return ast.Index(self.rewrite(node.target), self.rewrite(node.index), pos=node.pos)
        if isinstance(node, ast.InList):
            return ast.InList(node.op, self.rewrite(node.left), [self.rewrite(x) for x in node.items],
                              pos=node.pos)
        if isinstance(node, ast.Between):
            return ast.Between(self.rewrite(node.left), self.rewrite(node.low), self.rewrite(node.high),
                               negated=node.negated, pos=node.pos)
        return node

    def _as_value(self, node: ast.Name) -> ast.Name:
        """A variable used as a value: a node's or edge's property bag, a path's list of edges."""
        g, v = self.g, node.name
        if v in self.node_vars:
            fn = lambda m: {k: T.to_json_value(x) for k, x in g.nodes[m.nodes[v]].items()}  # noqa: E731
        else:
            fn = lambda m: [{k: T.to_json_value(x) for k, x in g.edges[i][2].items()}  # noqa: E731
                            for i in m.paths[v][0]]
        name = f"$g{len(self.columns)}"
        self.columns.append((name, "dynamic"))
        self.data.append([fn(m) for m in self.matches])
        return ast.Name(name, pos=node.pos)

    def _hidden(self, call: ast.Call) -> ast.Name:
        typ, fn = self._graph_function(call)
        name = f"$g{len(self.columns)}"
        self.columns.append((name, typ))
        self.data.append([fn(m) for m in self.matches])
        return ast.Name(name, pos=call.pos)

    def _graph_function(self, call: ast.Call) -> tuple[str, Callable[[_Match], Any]]:
        g, name, args = self.g, call.name, call.args
        if name in ("node_id", "node_degree_in", "node_degree_out", "labels"):
            if len(args) != 1 or not isinstance(args[0], ast.Name) or args[0].name not in self.node_vars:
                raise self.ev.error(call, f"{name}(): the argument must be a node variable of the pattern")
            v = args[0].name
            if name == "node_id":
                return "dynamic", lambda m: T.to_json_value(m.nodes[v])
            if name == "labels":
                return "dynamic", lambda m: []
            edges = g.in_edges if name == "node_degree_in" else g.out_edges
            return "long", lambda m: len(edges(m.nodes[v]))
        if name == "inner_nodes":
            raise self.ev.error(call, "inner_nodes() is used inside map(), all() or any()")
        if len(args) != 2:
            raise self.ev.error(call, f"{name}(): expects a path variable and an expression")
        target, expr = args
        over_nodes = isinstance(target, ast.Call) and target.name == "inner_nodes"
        var = target.args[0].name if over_nodes and target.args and isinstance(target.args[0], ast.Name) \
            else (target.name if isinstance(target, ast.Name) else None)
        if var is None or var not in self.path_vars + self.edge_vars:
            raise self.ev.error(call, f"{name}(): the first argument must be an edge variable or inner_nodes(e)")
        cols = g.node_columns if over_nodes else g.edge_columns
        expr = _node_id_here(expr)
        schema = list(cols) + ([("$id", "dynamic"), ("$in", "long"), ("$out", "long")] if over_nodes else [])
        compiled = Compiler(self.ev, schema, self.scope).compile(expr)

        def items(m: _Match) -> list[dict[str, Any]]:
            edges, nodes = m.paths[var]
            if over_nodes:
                return [{**g.nodes[k], "$id": T.to_json_value(k), "$in": len(g.in_edges(k)),
                         "$out": len(g.out_edges(k))} for k in nodes[1:-1]]
            return [g.edges[i][2] for i in edges]

        def values(m: _Match) -> list[Any]:
            rows = items(m)
            data = [[r.get(n) for r in rows] for n, _t in schema]
            return compiled.values(data, len(rows))
        if name == "map":
            return "dynamic", lambda m: [T.to_json_value(v) for v in values(m)]
        if name == "all":
            return "bool", lambda m: all(v is True for v in values(m))
        return "bool", lambda m: any(v is True for v in values(m))


def _node_id_here(node: Any) -> Any:
    """`node_id()` inside map(inner_nodes(e), ...) is the current node's id."""
    here = {"node_id": "$id", "node_degree_in": "$in", "node_degree_out": "$out"}
    if isinstance(node, ast.Call) and node.name in here and not node.args:
        return ast.Name(here[node.name], pos=node.pos)
    if isinstance(node, ast.Call):
        return ast.Call(node.name, [_node_id_here(a) for a in node.args], target=node.target, pos=node.pos)
    if isinstance(node, ast.Binary):
        return ast.Binary(node.op, _node_id_here(node.left), _node_id_here(node.right), pos=node.pos)
    return node


def _variables(patterns: list[list[Any]]) -> tuple[list[str], list[str], list[str]]:
    nodes, edges, paths = [], [], []
    for pat in patterns:
        for item in pat:
            if isinstance(item, X.PatternNode) and item.name and item.name not in nodes:
                nodes.append(item.name)
            elif isinstance(item, X.PatternEdge) and item.name:
                target = edges if item.low == item.high == 1 else paths
                if item.name not in edges + paths:
                    target.append(item.name)
    return nodes, edges, paths


def _run_match(ev, tab: Tabular, node: X.GraphMatch, scope, shortest: bool) -> Tabular:
    g = _graph_of(ev, tab, "graph-shortest-paths" if shortest else "graph-match")
    matches = _match_all(g, node.patterns, "all" if shortest else node.cycles)
    node_vars, edge_vars, path_vars = _variables(node.patterns)
    env = _Env(ev, g, matches, node_vars, edge_vars, path_vars + edge_vars, scope)
    keep = list(range(len(matches)))
    if node.where is not None:
        pred = env.rewrite(node.where)
        flags = Compiler(ev, env.columns, scope).predicate(pred).values(env.data, len(matches))
        keep = [i for i in keep if flags[i] is True]
    if shortest:
        best: dict[tuple, list[int]] = {}
        for i in keep:
            key = tuple(_hashable(matches[i].nodes[v]) for v in node_vars)
            length = sum(len(matches[i].paths[v][0]) for v in path_vars)
            cur = best.get(key)
            if cur is None or length < cur[0]:
                best[key] = [length, i]
            elif length == cur[0] and node.output == "all":
                cur.append(i)
        keep = sorted(i for v in best.values() for i in v[1:])
    if not node.project:
        raise ev.error(None, "graph-match: a 'project' clause is expected")
    exprs = [env.rewrite(a.expr) for a in node.project]  # adds the hidden columns first
    compiler = Compiler(ev, env.columns, scope)
    cols, data, taken = [], [], set()
    for k, (a, rewritten) in enumerate(zip(node.project, exprs)):
        name = a.name or expr_name(a.expr) or f"Column{k + 1}"
        name = unique(name, taken)
        taken.add(name)
        e = compiler.compile(rewritten)
        vals = e.values(env.data, len(matches))
        cols.append((name, e.type))
        data.append([vals[i] for i in keep])
    return Tabular(cols, data, len(keep))


operator("graph-match")(lambda ev, tab, node, scope: _run_match(ev, tab, node, scope, False))
operator("graph-shortest-paths")(lambda ev, tab, node, scope: _run_match(ev, tab, node, scope, True))


def _outside_graph_match(c: Any, node: ast.Call):
    raise c.error(node, f"{node.name}() is a graph function: it is used inside graph-match or "
                        "graph-shortest-paths (where, project)")


# The graph functions exist only inside a graph pattern's expressions (handled above);
# elsewhere they are a clear error rather than an unknown name.
from kshell.query import functions as _functions  # noqa: E402

for _name in ("all", "any", "map", "inner_nodes", "node_id", "node_degree_in", "node_degree_out", "labels"):
    if _functions.lookup(_name) is None:
        _functions.special(_name, 0, None)(_outside_graph_match)
