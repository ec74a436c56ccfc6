"""Tabular expressions of KQL: pipes, sources and pipe operators.

`QueryParser` extends the expression layer with `pipe_expr` (an expression
optionally followed by `| operator ...`), the tabular sources (`print`,
`range`, `datatable`, `union`, `find`/`search`/`externaldata`/`evaluate`) and
one method per pipe operator.  Operators the engine does not model become
`OtherOperator` holding their source text: `evaluate`, `make-series` and
`mv-apply` are parsed first (so their syntax errors are reported); the others
(`fork`, `facet`, `top-nested`, ...) are skipped to the next top-level `|`.
"""

from __future__ import annotations

from kshell.syntax import ast
from kshell.syntax.query_expr import (
    ADD,
    ExprParser,
    _not_source_context,
    register_primary_word,
)
from kshell.syntax.tokens import EOF, NAME, NUMBER, OP, STRING, TIMESPAN, Token

# Pipe operators skipped as text (OtherOperator): accepted, neither checked nor modelled.
OTHER_OPERATORS = frozenset({
    "facet", "fork", "sample-distinct", "top-nested",
    "top-hitters", "reduce", "partition", "scan", "parse-kv", "project-smart",
    "consume", "search", "find", "make-graph", "graph-match", "graph-merge",
    "graph-to-table", "graph-shortest-paths", "graph-mark-components", "scan-geo",
    "partition-by", "assert-schema", "macro-expand", "project-by-names",
})

# Words that start a source kept as text (OtherSource).
OTHER_SOURCES = ("find", "search", "externaldata", "external_data", "evaluate", "macro-expand",
                 "entity_group", "inline_external_table")

# Words that end an operator's argument text at bracket depth 0.
_STOP_OPS = frozenset({"|", ";", ")", "]", "}"})

_CLOSERS = {")": "(", "]": "[", "}": "{"}


class QueryParser(ExprParser):
    __slots__ = ()

    # -------------------------------------------------------------- pipes
    def pipe_expr(self):
        """An expression, then any number of `| operator` (a Pipeline when there are some)."""
        start = self.toks[self.i]
        self.tabular_start = self.i
        node = self.expression()
        if self.at_word("datascope") and self.peek(1).is_op("="):
            ref = as_source(node)
            if not isinstance(ref, ast.TableRef):
                raise self.error("'datascope' applies to a table reference")
            self.i += 2
            node = ref
            node.datascope = self.name("a data scope (hotcache, all)").lower()
        if not self.at_op("|"):
            return node
        ops = []
        toks = self.toks
        while True:
            t = toks[self.i]
            if not (t.kind == OP and t.text == "|"):
                break
            self.i += 1
            ops.append(self.operator())
        return ast.Pipeline(as_source(node), ops, pos=getattr(node, "pos", start.start))

    def operator(self):
        t = self.toks[self.i]
        if t.kind == NAME:
            low = t.text.lower()
            method = _OPERATORS.get(low)
            if method is not None:
                self.i += 1
                node = method(self, t)
                node.pos = t.start
                return node
            if low in OTHER_OPERATORS:
                self.i += 1
                return ast.OtherOperator(low, self.other_text(t), pos=t.start)
        message = "expected a query operator (where, project, extend, summarize, ...) after '|'"
        if t.kind == NAME:
            from difflib import get_close_matches

            close = get_close_matches(t.text.lower(), _OPERATOR_WORDS, n=1, cutoff=0.75)
            if close:
                message += f", found '{t.text}' (did you mean '{close[0]}'?)"
        raise self.error(message, t)

    def at_operator_end(self) -> bool:
        t = self.toks[self.i]
        return t.kind == EOF or (t.kind == OP and t.text in _STOP_OPS)

    def other_text(self, first: Token) -> str:
        """Skip an operator's arguments up to the next `|`/`;`/closing bracket at depth 0;
        return its source text from `first`."""
        toks = self.toks
        stack: list[str] = []
        last_end = first.end
        while True:
            t = toks[self.i]
            if t.kind == EOF:
                if stack:
                    raise self.error(f"expected a closing bracket for '{stack[-1]}'", t)
                break
            if t.kind == OP:
                op = t.text
                if op in ("(", "[", "{"):
                    stack.append(op)
                elif op in _CLOSERS:
                    if not stack:
                        break
                    if stack[-1] != _CLOSERS[op]:
                        raise self.error(f"unbalanced '{op}'", t)
                    stack.pop()
                elif not stack and (op == "|" or op == ";"):
                    break
            last_end = t.end
            self.i += 1
        return self.text[first.start:last_end]

    def op_params(self, allowed: tuple[str, ...] = ()) -> dict:
        """Operator parameters `kind=inner`, `hint.strategy=shuffle`, `withsource=T` ..."""
        params: dict = {}
        toks = self.toks
        while True:
            t = toks[self.i]
            if t.kind != NAME:
                return params
            low = t.text.lower()
            if low == "hint" and self.peek(1).is_op(".") and self.peek(2).kind == NAME \
                    and self.peek(3).is_op("="):
                key = "hint." + self.peek(2).text.lower()
                self.i += 4
            elif low in allowed and self.peek(1).is_op("="):
                key = low
                self.i += 2
            else:
                return params
            params[key] = self.param_value()

    def param_value(self):
        t = self.toks[self.i]
        if t.kind == STRING:
            return self.string()
        if t.kind == NUMBER:
            self.i += 1
            return t.value
        if t.kind == NAME:
            self.i += 1
            low = t.text.lower()
            if low in ("true", "false"):
                return low == "true"
            return t.text
        if t.kind == TIMESPAN:
            self.i += 1
            return t.text
        if t.kind == OP and t.text == "[" and self.peek(1).kind == STRING:
            return self.name()
        raise self.error("expected a parameter value", t)

    def column_pattern(self, what: str = "a column name") -> str:
        """A column name, possibly with `*` wildcards written against it (`Col*`, `*Id`, `*`)."""
        toks = self.toks
        t = toks[self.i]
        if t.kind == OP and t.text == "[":
            return self.name(what)
        if not (t.kind == NAME or (t.kind == OP and t.text == "*")):
            raise self.error(f"expected {what}", t)
        return self.word_pattern()

    def column_patterns(self) -> list[str]:
        names = [self.column_pattern()]
        while self.accept_op(","):
            names.append(self.column_pattern())
        return names

    def sort_key(self) -> ast.SortKey:
        t = self.toks[self.i]
        expr = self.expression()
        key = ast.SortKey(expr, pos=t.start)
        d = self.accept_word("asc", "desc")
        if d is not None:
            key.descending = d == "desc"
        if self.accept_word("nulls"):
            key.nulls_first = self.expect_word_any(("first", "last"), "after 'nulls'") == "first"
        return key

    def tabular_operand(self):
        """The right side of join/lookup or an item of union: a name, call or `( query )`."""
        t = self.toks[self.i]
        if t.kind == OP and t.text == "(":
            self.i += 1
            self.enter()
            from kshell.syntax.query import parse_statements_and_body

            q = parse_statements_and_body(self, closer=")")
            self.leave()
            self.expect_op(")", "to close the subquery")
            node = q.body if not q.statements else q
            return as_source(node)
        self.tabular_start = self.i
        return as_source(self.postfix())

    def join_conditions(self) -> list[ast.JoinOn]:
        conds: list[ast.JoinOn] = []
        while True:
            _split_join_condition(self.expression(), conds)
            if not self.accept_op(","):
                return conds

    # ------------------------------------------------------------ sources
    def _print_source(self, t: Token):
        if _not_source_context(self) and not (self.i == self.tabular_start and self.peek(1).kind == EOF):
            return None
        self.i += 1
        return ast.Print(self.assignments(), pos=t.start)

    def _range_source(self, t: Token):
        if self.i != self.tabular_start or not (self.peek(1).kind == NAME and self.peek(2).is_word("from")):
            return None
        self.i += 1
        column = self.name("a column name")
        self.expect_word("from", "in range")
        start = self.expression()
        self.expect_word("to", "in range")
        stop = self.expression()
        step = None
        if self.accept_word("step"):
            step = self.expression()
        return ast.Range(column, start, stop, step, pos=t.start)

    def _datatable_source(self, t: Token):
        if self.i != self.tabular_start or not self.peek(1).is_op("("):
            return None
        self.i += 1
        columns = self.column_decls()
        self.op_params()
        self.expect_op("[", "to open the datatable values")
        values = []
        while not self.accept_op("]"):
            values.append(self.expression())
            if not self.accept_op(","):
                self.expect_op("]", "to close the datatable values")
                break
        return ast.Datatable(columns, values, pos=t.start)

    def column_decls(self) -> list[ast.ColumnDecl]:
        """`(name:type, ...)`."""
        self.expect_op("(", "to open the schema")
        cols = []
        if not self.accept_op(")"):
            while True:
                tok = self.toks[self.i]
                name = self.name("a column name")
                self.expect_op(":", f"after column name '{name}'")
                cols.append(ast.ColumnDecl(name, self.type_name(), pos=tok.start))
                if self.accept_op(")"):
                    break
                self.expect_op(",", "between columns")
        return cols

    def _union_source(self, t: Token):
        if _not_source_context(self):
            return None
        self.i += 1
        return self.union_body(t)

    def union_body(self, t: Token) -> ast.Union:
        params = self.op_params(("kind", "withsource", "isfuzzy"))
        tables = [self.union_item()]
        while self.accept_op(","):
            tables.append(self.union_item())
        node = ast.Union(tables, pos=t.start)
        if "kind" in params:
            node.kind = str(params["kind"]).lower()
        if "withsource" in params:
            node.withsource = str(params["withsource"])
        if "isfuzzy" in params:
            node.isfuzzy = params["isfuzzy"] is True
        return node

    def union_item(self):
        t = self.toks[self.i]
        if (t.kind == NAME or (t.kind == OP and t.text == "*")) and self._wildcard_ahead():
            return ast.TableRef(self.column_pattern("a table name"), pos=t.start)
        node = self.tabular_operand()
        star = self.toks[self.i]
        if isinstance(node, ast.TableRef) and star.is_op("*") and star.start == self.toks[self.i - 1].end:
            node.name += self.word_pattern()  # `database("d").T*`
        return node

    def _wildcard_ahead(self) -> bool:
        toks = self.toks
        j = self.i
        end = toks[j].start
        while j < len(toks):
            n = toks[j]
            if n.start != end or not (n.kind == NAME or (n.kind == OP and n.text == "*")):
                break
            if n.kind == OP:
                return True
            end = n.end
            j += 1
        return False

    def _other_source(self, t: Token):
        if _not_source_context(self):
            return None
        self.i += 1
        if t.text.lower() == "evaluate":
            self.evaluate_call()
            return ast.OtherSource("evaluate", self.text_since(t), pos=t.start)
        return ast.OtherSource(t.text.lower(), self.other_text(t), pos=t.start)

    # ---------------------------------------------------------- operators
    def op_where(self, t):
        node = ast.Where(self.expression())
        if self.at_op("="):
            raise self.error("expected '==' to compare ('=' does not compare in Kusto)")
        return node

    def op_project(self, t):
        return ast.Project(self.assignments())

    def op_project_away(self, t):
        return ast.ProjectAway(self.column_patterns())

    def op_project_keep(self, t):
        return ast.ProjectKeep(self.column_patterns())

    def op_project_rename(self, t):
        renames = []
        while True:
            new = self.name("the new column name")
            self.expect_op("=", "in project-rename")
            renames.append((new, self.name("the column to rename")))
            if not self.accept_op(","):
                return ast.ProjectRename(renames)

    def op_project_reorder(self, t):
        names = []
        while True:
            pattern = self.column_pattern()
            order = self.accept_word("asc", "desc")
            if order is None and self.at_word("granny") and self.peek(1).is_op("-"):
                self.i += 2
                order = "granny-" + self.expect_word_any(("asc", "desc"), "after 'granny-'")
            names.append((pattern, order))
            if not self.accept_op(","):
                return ast.ProjectReorder(names)

    def expect_word_any(self, words, context):
        w = self.accept_word(*words)
        if w is None:
            raise self.error("expected " + " or ".join(f"'{x}'" for x in words) + f" {context}")
        return w

    def op_extend(self, t):
        return ast.Extend(self.assignments())

    def op_summarize(self, t):
        self.op_params()
        aggs: list = []
        if self.at_operator_end():
            raise self.error("expected an aggregation or 'by' after 'summarize'")
        if not self.at_word("by"):
            aggs = self.assignments()
        by: list = []
        if self.accept_word("by"):
            while True:
                item = self.assignment()
                if self.at_word("bin") and self.peek(1).is_op("="):
                    # `by ts bin = 1h`: the legacy spelling of `by bin(ts, 1h)`
                    bin_tok = self.toks[self.i]
                    self.i += 2
                    item.expr = ast.Call("bin", [item.expr, self.expression()], pos=bin_tok.start)
                by.append(item)
                if not self.accept_op(","):
                    break
        return ast.Summarize(aggs, by)

    def op_count(self, t):
        return ast.Count()

    def op_take(self, t):
        self.op_params()
        return ast.Take(self.expression())

    def op_top(self, t):
        self.op_params()
        count = self.expression()
        self.expect_word("by", "after the number of rows of 'top'")
        return ast.Top(count, self.sort_key())

    def op_sort(self, t):
        self.op_params()
        self.expect_word("by", f"after '{t.text}'")
        keys = [self.sort_key()]
        while self.accept_op(","):
            keys.append(self.sort_key())
        return ast.Sort(keys)

    def op_distinct(self, t):
        self.op_params()
        if self.at_op("*"):
            self.i += 1
            return ast.Distinct([])
        return ast.Distinct(self.assignments())

    def op_join(self, t):
        params = self.op_params(("kind", "withsource"))
        right = self.tabular_operand()
        on: list = []
        if self.accept_word("on"):
            on = self.join_conditions()
        elif self.accept_word("where"):
            on = [ast.JoinOn("", "", expr=self.expression())]
        # no `on`: accepted as Microsoft's parser does; the engine reports it
        node = ast.Join(right, on)
        if "kind" in params:
            node.kind = str(params.pop("kind")).lower()
        node.hints = {k: str(v) for k, v in params.items()}
        return node

    def op_lookup(self, t):
        params = self.op_params(("kind",))
        right = self.tabular_operand()
        self.expect_word("on", "after the right side of 'lookup'")
        node = ast.Lookup(right, self.join_conditions())
        if "kind" in params:
            node.kind = str(params["kind"]).lower()
        return node

    def op_union(self, t):
        return self.union_body(t)

    def op_as(self, t):
        params = self.op_params()
        node = ast.As(self.name("a name after 'as'"))
        node.hint_materialized = params.get("hint.materialized") is True
        return node

    def op_getschema(self, t):
        return ast.GetSchema()

    def op_mv_expand(self, t):
        params = self.op_params(("bagexpansion", "with_itemindex", "kind"))
        items = []
        while True:
            a = self.assignment()
            item = ast.MvExpandItem(a.name, a.expr, pos=a.pos)
            if self.accept_word("to"):
                self.expect_word("typeof", "after 'to'")
                self.expect_op("(", "after 'typeof'")
                item.to_type = self.type_name()
                self.expect_op(")", "to close typeof(...)")
            items.append(item)
            if not self.accept_op(","):
                break
        node = ast.MvExpand(items)
        # `kind=` is the documented spelling; `bagexpansion=` its older alias.
        for key in ("bagexpansion", "kind"):
            if key in params:
                node.kind = str(params[key]).lower()
        if "with_itemindex" in params:
            node.with_itemindex = str(params["with_itemindex"])
        if self.accept_word("limit"):
            node.limit = self.expression()
        return node

    def op_parse(self, t):
        params = self.op_params(("kind", "flags"))
        source = self.expression()
        self.expect_word("with", "after the expression to parse")
        parts = []
        toks = self.toks
        while True:
            p = toks[self.i]
            if p.kind == STRING:
                parts.append(ast.ParsePart(literal=self.string(), pos=p.start))
            elif p.kind == OP and p.text == "*":
                self.i += 1
                parts.append(ast.ParsePart(wildcard=True, pos=p.start))
            elif p.kind == NAME or (p.kind == OP and p.text == "["):
                part = ast.ParsePart(column=self.name(), pos=p.start)
                if self.accept_op(":"):
                    part.type = self.type_name()
                parts.append(part)
            else:
                break
        if not parts:
            raise self.error("expected a parse pattern after 'with'")
        node = ast.Parse(source, parts, where=t.text.lower() == "parse-where")
        if "kind" in params:
            node.kind = str(params["kind"]).lower()
        if "flags" in params:
            node.flags = str(params["flags"])
        return node

    def op_serialize(self, t):
        if self.at_operator_end():
            return ast.Serialize()
        return ast.Serialize(self.assignments())

    def op_render(self, t):
        chart = self.name("a visualization name after 'render'")
        props: dict = {}
        if self.at_word("with") and self.peek(1).is_op("("):
            self.i += 2
            if not self.accept_op(")"):
                while True:
                    key = self.name("a render property name")
                    self.expect_op("=", f"after '{key}'")
                    values = [self.param_value()]
                    # `ycolumns=a, b, c`: more values until the next `name =`.
                    while self.at_op(",") and not self.peek(2).is_op("=") and self.peek(1).kind != EOF:
                        self.i += 1
                        values.append(self.param_value())
                    props[key] = values[0] if len(values) == 1 else values
                    if self.accept_op(")"):
                        break
                    self.expect_op(",", "between render properties")
        else:
            # legacy form: `render timechart kind=stacked title="x"`
            while self.at_name() and self.peek(1).is_op("="):
                key = self.name()
                self.i += 1
                props[key] = self.param_value()
        return ast.Render(chart.lower(), props)

    def op_invoke(self, t):
        call = self.postfix()
        if not isinstance(call, ast.Call):
            raise self.error("expected a function call after 'invoke'")
        return ast.Invoke(call)

    def op_sample(self, t):
        return ast.Sample(self.expression())

    # Operators the engine does not model but whose structure is checked, so that
    # their syntax errors are found; each still becomes an OtherOperator.
    def op_evaluate(self, t):
        self.evaluate_call()
        return ast.OtherOperator("evaluate", self.text_since(t))

    def evaluate_call(self) -> None:
        """`[hint.x=y] plugin(args) [: (schema)]`."""
        self.op_params()
        call = self.postfix()
        if not isinstance(call, ast.Call):
            raise self.error("expected a plugin call after 'evaluate'")
        if self.accept_op(":"):
            if self.at_op("("):
                self.column_decls_or_star()
            else:
                self.type_name()

    def column_decls_or_star(self) -> None:
        self.expect_op("(", "to open the schema")
        if self.accept_op(")"):
            return
        while True:
            if not self.accept_op("*"):
                name = self.name("a column name")
                self.expect_op(":", f"after column name '{name}'")
                self.type_name()
            if self.accept_op(")"):
                return
            self.expect_op(",", "between columns")

    def op_make_series(self, t):
        self.op_params(("kind",))
        while True:
            self.assignment()
            if self.at_word("default") and self.peek(1).is_op("="):
                self.i += 2
                self.expression()
            if not self.accept_op(","):
                break
        self.expect_word("on", "after the aggregations of 'make-series'")
        self.expression(ADD)  # the axis; `in range(...)` may follow
        if self.accept_word("in"):
            self.expression()  # `in range(start, stop, step)`
        else:
            if self.accept_word("from"):
                self.expression()
            if self.accept_word("to"):
                self.expression()
            self.expect_word("step", "in 'make-series'")
            self.expression()
        if self.accept_word("by"):
            self.assignments()
        return ast.OtherOperator("make-series", self.text_since(t))

    def op_mv_apply(self, t):
        self.op_params(("with_itemindex", "kind"))
        while True:
            self.assignment()
            if self.accept_word("to"):
                self.expect_word("typeof", "after 'to'")
                self.expect_op("(", "after 'typeof'")
                self.type_name()
                self.expect_op(")", "to close typeof(...)")
            if not self.accept_op(","):
                break
        if self.accept_word("limit"):
            self.expression()
        if self.at_word("id") and self.peek(1).is_op("="):
            self.i += 2
            self.expression()
        self.expect_word("on", "in 'mv-apply'")
        self.operator_block()
        return ast.OtherOperator("mv-apply", self.text_since(t))

    def operator_block(self) -> None:
        """`( op | op ... )`: a subquery over the operator's input."""
        self.expect_op("(", "to open the subquery")
        self.enter()
        self.operator()
        while self.accept_op("|"):
            self.operator()
        self.leave()
        self.expect_op(")", "to close the subquery")

    def text_since(self, first: Token) -> str:
        return self.text[first.start:self.toks[self.i - 1].end]


def _join_side(expr) -> tuple[str, str] | None:
    if isinstance(expr, ast.Member) and isinstance(expr.target, ast.Name) \
            and expr.target.name in ("$left", "$right"):
        return expr.target.name[1:], expr.name
    return None


def _split_join_condition(expr, out: list) -> None:
    if isinstance(expr, ast.Binary) and expr.op == "and":
        _split_join_condition(expr.left, out)
        _split_join_condition(expr.right, out)
        return
    if isinstance(expr, ast.Name):
        out.append(ast.JoinOn(expr.name, expr.name, pos=expr.pos))
        return
    if isinstance(expr, ast.Binary) and expr.op == "==":
        a, b = _join_side(expr.left), _join_side(expr.right)
        if a and b and a[0] != b[0]:
            left, right = (a, b) if a[0] == "left" else (b, a)
            out.append(ast.JoinOn(left[1], right[1], pos=expr.pos))
            return
    out.append(ast.JoinOn("", "", expr=expr, pos=getattr(expr, "pos", 0)))


def as_source(node):
    """Read an expression in a tabular position as a tabular source.

    `T` -> TableRef; `database("d").T`, `cluster("c").database("d").T` -> TableRef
    with database/cluster; `table("T")` -> TableCall; `external_table("E")` ->
    ExternalTableRef; anything else (user function calls, subqueries, ...) unchanged.
    """
    if isinstance(node, ast.Name):
        return ast.TableRef(node.name, pos=node.pos)
    return soft_source(node)


def soft_source(node):
    """Like as_source, but a bare Name stays a Name (`let x = y;` may be scalar)."""
    if isinstance(node, ast.Member):
        db, cluster = _database_of(node.target)
        if db is not None:
            return ast.TableRef(node.name, database=db, cluster=cluster, pos=node.pos)
    elif isinstance(node, ast.Call):
        name = node.name.lower()
        if name == "table" and node.args and isinstance(node.args[0], ast.Literal) \
                and isinstance(node.args[0].value, str):
            db, _ = _database_of(node.target) if node.target is not None else (None, None)
            return ast.TableCall(node.args[0].value, database=db, pos=node.pos)
        if name == "external_table" and node.args and isinstance(node.args[0], ast.Literal) \
                and isinstance(node.args[0].value, str):
            return ast.ExternalTableRef(node.args[0].value, pos=node.pos)
    return node


def _database_of(node) -> tuple[str | None, str | None]:
    """`database("d")` -> ("d", None); `cluster("c").database("d")` -> ("d", "c")."""
    if isinstance(node, ast.Call) and node.name.lower() == "database" and len(node.args) == 1 \
            and isinstance(node.args[0], ast.Literal) and isinstance(node.args[0].value, str):
        cluster = None
        tgt = node.target
        if isinstance(tgt, ast.Call) and tgt.name.lower() == "cluster" and tgt.args \
                and isinstance(tgt.args[0], ast.Literal):
            cluster = str(tgt.args[0].value)
        return node.args[0].value, cluster
    return None, None


_OPERATORS = {
    "where": QueryParser.op_where, "filter": QueryParser.op_where,
    "project": QueryParser.op_project, "project-away": QueryParser.op_project_away,
    "project-keep": QueryParser.op_project_keep, "project-rename": QueryParser.op_project_rename,
    "project-reorder": QueryParser.op_project_reorder, "extend": QueryParser.op_extend,
    "summarize": QueryParser.op_summarize, "count": QueryParser.op_count,
    "take": QueryParser.op_take, "limit": QueryParser.op_take, "top": QueryParser.op_top,
    "sort": QueryParser.op_sort, "order": QueryParser.op_sort,
    "distinct": QueryParser.op_distinct, "join": QueryParser.op_join,
    "lookup": QueryParser.op_lookup, "union": QueryParser.op_union, "as": QueryParser.op_as,
    "getschema": QueryParser.op_getschema, "mv-expand": QueryParser.op_mv_expand,
    "parse": QueryParser.op_parse, "parse-where": QueryParser.op_parse,
    "serialize": QueryParser.op_serialize, "render": QueryParser.op_render,
    "invoke": QueryParser.op_invoke, "sample": QueryParser.op_sample,
    "evaluate": QueryParser.op_evaluate, "make-series": QueryParser.op_make_series,
    "mv-apply": QueryParser.op_mv_apply,
}

register_primary_word("print", QueryParser._print_source)
register_primary_word("range", QueryParser._range_source)
register_primary_word("datatable", QueryParser._datatable_source)
register_primary_word("union", QueryParser._union_source)
for _w in OTHER_SOURCES:
    register_primary_word(_w, QueryParser._other_source)


def operator_words() -> tuple[str, ...]:
    """Every pipe operator word the parser reads (modelled or kept as text)."""
    return _OPERATOR_WORDS


_OPERATOR_WORDS = tuple(sorted(set(_OPERATORS) | OTHER_OPERATORS))
