"""Compile an expression AST once into a CExpr computing a whole column.

A Compiler knows the input schema (column name -> index and type), the let
scope, and the evaluator (for subqueries, user functions and the context).
Nothing here walks the AST per row: every node becomes a closure over whole
columns (see kshell.query.cexpr).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from kshell import ticks as K
from kshell.query import limits
from kshell.query import binops, functions, signatures, vector
from kshell.query.unsupported import not_simulated, source_name
from kshell.query import types as T
from kshell.query.cexpr import CExpr, column, const, lift
from kshell.syntax import ast

ARITHMETIC = {"+", "-", "*", "/", "%"}
COMPARISON = {"==", "!=", "<>", "<", "<=", ">", ">="}


class RowParam:
    """A function parameter (or a let inside a function body) whose value depends on
    the caller's row: valid only in expressions over that same row schema."""

    __slots__ = ("expr", "schema")

    def __init__(self, expr: CExpr, schema: list):
        self.expr = expr
        self.schema = schema


class Compiler:
    def __init__(self, ev: Any, schema: list[tuple[str, str]], scope: Any):
        self.ev = ev
        self.schema = schema
        self.scope = scope
        # The operator's input row is schema[:input_width] (extend compiles each item over
        # the columns earlier items added; pack_all() packs the input row only).
        self.input_width = len(schema)
        self.index: dict[str, int] = {}
        for i, (name, _t) in enumerate(schema):
            self.index.setdefault(name, i)

    def error(self, node: Any, message: str):
        return self.ev.error(node, message)

    # ------------------------------------------------------------ dispatch
    def compile(self, node: Any) -> CExpr:
        meth = _DISPATCH.get(type(node))
        if meth is None:
            if type(node).__name__ == "OtherSource":
                not_simulated(source_name(node), always=True)
            if isinstance(node, ast.Query):
                return self.compile_subquery_scalar(node)
            if self.ev.is_tabular_node(node, self.scope):
                raise self.error(node, "A tabular expression is not allowed here; expected a scalar expression")
            if isinstance(node, ast.TableRef) and node.database is None and node.cluster is None:
                # a body or statement that is a bare name (`{ x }`) parses as a table
                # reference; here it can only be a scalar name
                return self._name(ast.Name(node.name, pos=node.pos))
            raise self.error(node, f"unsupported expression {type(node).__name__}")
        return meth(self, node)

    def predicate(self, node: Any) -> CExpr:
        e = self.compile(node)
        try:
            return binops.as_bool(e)
        except binops.OperandError as err:
            raise self.error(node, str(err)) from None

    def compile_subquery_scalar(self, node: Any) -> CExpr:
        tab = self.ev.eval_tabular(node, self.scope)
        return _first_value(tab)

    # ------------------------------------------------------------ leaves
    def _literal(self, node: ast.Literal) -> CExpr:
        t = T.canonical_type(node.type) or node.type
        v = node.value
        if t == "string" and v is None:
            v = ""
        if t == "string" and len(v) > limits.MAX_STRING_LITERAL_CHARS:
            limits.check("a string literal", len(v), limits.MAX_STRING_LITERAL_CHARS, "characters",
                         limits.LOW_MEMORY, verb="has")
        if t == "int" and isinstance(v, int) and not isinstance(v, bool) and not -2**31 <= v < 2**31:
            t = "long"
        return const(t, v)

    def _name(self, node: ast.Name) -> CExpr:
        i = self.index.get(node.name)
        if i is not None:
            return column(self.schema[i][1], i)
        binding = self.scope.lookup(node.name) if self.scope else None
        if binding is not None:
            kind, value = binding
            if kind == "scalar":
                if isinstance(value, RowParam):
                    if value.schema is not self.schema:
                        raise self.error(node, f"'{node.name}' depends on the current row and cannot be used "
                                               "inside a tabular subexpression (toscalar, range, subquery)")
                    return value.expr
                return value
            if kind == "function":
                return self.ev.call_function(value, node, [], self)
            if kind == "tabular":
                raise self.error(node, f"'{node.name}' is a tabular expression; a scalar expression is expected here")
        raise self.error(node, f"Failed to resolve scalar expression named '{node.name}'")

    # ------------------------------------------------------------ operators
    def _unary(self, node: ast.Unary) -> CExpr:
        e = self.compile(node.operand)
        if node.op == "+":
            return e
        if node.op == "not":
            return binops.logical_not(e)
        try:
            return binops.negate(e)
        except binops.OperandError as err:
            raise self.error(node, str(err)) from None

    def _binary(self, node: ast.Binary) -> CExpr:
        op = node.op.lower()
        if op in ("and", "or"):
            l, r = self.compile(node.left), self.compile(node.right)
            try:
                return binops.logical(op, l, r)
            except binops.OperandError as err:
                raise self.error(node, str(err)) from None
        if isinstance(node.left, ast.Name) and node.left.name == "*" and "*" not in self.index:
            word = op[1:] if op.startswith("!") else op
            if word not in binops.STRING_OPERATORS and word not in ("matches", "notlike"):
                raise self.error(node, f"'*' (every column) goes only with a string operator such as has, "
                                       f"not '{node.op}'")
            return self._any_column(node, op)
        l, r = self.compile(node.left), self.compile(node.right)
        try:
            if op in ARITHMETIC:
                return vector.binary("arith", op, l, r, binops.arithmetic(op, l, r), binops.arithmetic)
            if op in COMPARISON:
                op = "!=" if op == "<>" else op
                return vector.binary("compare", op, l, r, binops.compare(op, l, r), binops.compare)
            if op in ("=~", "!~"):
                return binops.case_insensitive_eq(op, l, r)
            if op in ("in", "!in", "in~", "!in~", "has_any", "!has_any", "has_all", "!has_all"):
                if not r.const:
                    raise binops.OperandError(f"The right side of '{op}' must be a constant")
                items = r.value if isinstance(r.value, list) else [r.value]
                return binops.membership(op, l, items)
            word = op[1:] if op.startswith("!") else op
            if word in binops.STRING_OPERATORS or word in ("matches", "notlike", "matches regex"):
                if word == "matches":
                    op = op + " regex"
                return binops.string_op(op, l, r)
        except binops.OperandError as err:
            raise self.error(node, str(err)) from None
        raise self.error(node, f"unsupported operator '{node.op}'")

    def _any_column(self, node: ast.Binary, op: str) -> CExpr:
        """`where * has "x"`: the string operator over every column, or-ed (and-ed when negated)."""
        from kshell.query.tabular import INGESTION_TIME_COLUMN

        r = self.compile(node.right)
        parts = []
        for i, (name, typ) in enumerate(self.schema):
            if name == INGESTION_TIME_COLUMN:
                continue
            try:
                parts.append(binops.string_op(op, column(typ, i), r))
            except binops.OperandError as err:
                raise self.error(node, str(err)) from None
        if not parts:
            return const("bool", False)
        combine = "and" if op.startswith("!") else "or"
        out = parts[0]
        for p in parts[1:]:
            out = binops.logical(combine, out, p)
        return out

    def _in(self, node: ast.InList) -> CExpr:
        left = self.compile(node.left)
        items: list[Any] = []
        for item in node.items:
            if isinstance(item, ast.Query) or self.ev.is_tabular_node(item, self.scope):
                tab = self.ev.eval_tabular(item, self.scope)
                if tab.data:
                    items.extend(tab.data[0])
                continue
            ce = self.compile(item)
            if not ce.const:
                raise self.error(item, f"The items of '{node.op}' must be constants")
            items.append(ce.value)
        items = binops.flatten_items(items)
        try:
            return binops.membership(node.op.lower(), left, items)
        except binops.OperandError as err:
            raise self.error(node, str(err)) from None

    def _between(self, node: ast.Between) -> CExpr:
        x, lo, hi = self.compile(node.left), self.compile(node.low), self.compile(node.high)
        if x.type == "datetime" and lo.type == "datetime" and hi.type == "timespan":
            hi = binops.arithmetic("+", lo, hi)
        try:
            ge = binops.compare(">=", x, lo)
            le = binops.compare("<=", x, hi)
        except binops.OperandError as err:
            raise self.error(node, str(err)) from None
        both = binops.logical("and", ge, le)
        return binops.logical_not(both) if node.negated else both

    # ------------------------------------------------------------ dynamic access
    def _member(self, node: ast.Member) -> CExpr:
        target = node.target
        if isinstance(target, ast.Name) and target.name not in self.index:
            # `T.col` / `$left.col`: a column qualified by its table.
            if target.name in ("$left", "$right") or (self.scope and (self.scope.lookup(target.name) or (None,))[0] == "tabular"):
                return self._name(ast.Name(node.name, pos=node.pos))
        t = self.compile(target)
        key = node.name
        if t.type != "dynamic":
            raise self.error(node, f"Member access '.{key}' requires a dynamic value, not {t.type}")
        return lift("dynamic", lambda v: v.get(key) if isinstance(v, dict) else None, [t])

    def _index(self, node: ast.Index) -> CExpr:
        t = self.compile(node.target)
        i = self.compile(node.index)
        if t.type != "dynamic":
            raise self.error(node, f"Indexing requires a dynamic value, not {t.type}")

        def get(v, k):
            if isinstance(v, list) and isinstance(k, int) and not isinstance(k, bool):
                if -len(v) <= k < len(v):
                    return v[k]
                return None
            if isinstance(v, dict) and isinstance(k, str):
                return v.get(k)
            return None
        return lift("dynamic", get, [t, i])

    # ------------------------------------------------------------ calls
    def _call(self, node: ast.Call) -> CExpr:
        name = node.name
        binding = self.scope.lookup(name) if self.scope else None
        if binding is not None and binding[0] == "function":
            out = self.ev.call_function(binding[1], node, node.args, self)
            if isinstance(out, CExpr):
                return out
            return _first_value(out)
        spec = functions.lookup(name)
        if spec is None:
            from kshell.query import aggregates
            if aggregates.lookup(name) is not None:
                raise self.error(node, f"Function '{name}' is an aggregation and can only be used in the context of summarize")
            stored = self.ev.lookup_stored_function(name, scope=self.scope, node=node)
            if stored is not None:
                out = self.ev.call_function(stored, node, node.args, self)
                return out if isinstance(out, CExpr) else _first_value(out)
            not_simulated(name)
            raise self.error(node, f"Failed to resolve scalar expression named '{name}'")
        nargs = len(node.args)
        if nargs < spec.min_args or (spec.max_args is not None and nargs > spec.max_args):
            raise self.error(node, f"function '{name}' expects {_arity(spec)} argument(s), got {nargs}")
        if spec.special is not None:
            return spec.special(self, node)
        args = [self.compile(a.value if isinstance(a, ast.NamedArg) else a) for a in node.args]
        wrong = signatures.check(name, [a.type for a in args])
        if wrong is not None:
            raise self.error(node, wrong)
        rtype = spec.result_type([a.type for a in args])
        impl = spec.impl
        if spec.strict:
            impl = _strict(impl, len(args))
        if spec.type_arg is not None and nargs > spec.type_arg:
            rtype, impl = self._typed_result(node, args[spec.type_arg], impl)
        if rtype == "string":
            impl = _never_null_string(impl)
        try:
            out = lift(rtype, impl, args)
        except _ARGUMENT_ERRORS as err:
            raise self.error(node, _bad_argument_values(name, args, err)) from None
        if not out.const and not spec.strict:
            out = _argument_errors_as_kusto(out, lambda err: self.error(node, _bad_argument_values(name, args, err)))
        return out

    def _typed_result(self, node: ast.Call, type_expr: CExpr, impl):
        """A `typeof(T)` argument (extract(..., typeof(long))): the result has type T, the
        function's value converted as the to*() conversions do."""
        target = T.canonical_type(str(type_expr.value)) if type_expr.const else None
        if target is None:
            raise self.error(node, f"function '{node.name}': the last argument must be typeof(<type>)")
        convert = T.CONVERTERS[target]
        return target, lambda *a: convert(impl(*a))


# What a function raises on arguments of the wrong kind (a strict function's wrapper
# turns them into null; the others report them as the constant-folded call does).
_ARGUMENT_ERRORS = (TypeError, ValueError, OverflowError, AttributeError, IndexError, KeyError,
                    ArithmeticError, MemoryError, RecursionError, re.error)


def _bad_argument_values(name: str, args: list[CExpr], err: Exception) -> str:
    """The message for argument values a function cannot use (a dynamic value of the wrong
    kind, types it cannot combine): said in Kusto's terms, never the Python exception's;
    only a regular expression's own diagnostic is passed on."""
    if isinstance(err, re.error):
        return f"function '{name}': invalid regular expression: {err}"
    if isinstance(err, functions.ArgumentError):
        return f"function '{name}': {err}"
    types = ", ".join(a.type for a in args)
    return f"function '{name}' cannot be applied to the given argument values ({types})"


def _argument_errors_as_kusto(expr: CExpr, error) -> CExpr:
    """Report a row's bad argument as a Kusto error; the try wraps the whole column, not each row."""
    fn = expr.fn

    def guarded(cols, n):
        try:
            return fn(cols, n)
        except _ARGUMENT_ERRORS as err:
            raise error(err) from None
    return CExpr(expr.type, guarded)


def _arity(spec: functions.FunctionSpec) -> str:
    if spec.max_args is None:
        return f"at least {spec.min_args}"
    if spec.max_args == spec.min_args:
        return str(spec.min_args)
    return f"{spec.min_args} to {spec.max_args}"


def _strict(f, n):
    def g(*a):
        for x in a:
            if x is None:
                return None
        try:
            return f(*a)
        except (TypeError, ValueError, OverflowError, AttributeError, ZeroDivisionError, ArithmeticError):
            return None
    return g


def _never_null_string(f):
    def g(*a):
        v = f(*a)
        return "" if v is None else v
    return g


def _first_value(tab: Any) -> CExpr:
    """toscalar(): the first column of the first row (null when empty)."""
    cols = [c for c in tab.columns]
    if not cols:
        return const("dynamic", None)
    t = cols[0][1]
    v = tab.data[0][0] if tab.rows and tab.data else None
    if t == "string" and v is None:
        v = ""
    return const(t, v)


_DISPATCH = {
    ast.Literal: Compiler._literal,
    ast.Name: Compiler._name,
    ast.Unary: Compiler._unary,
    ast.Binary: Compiler._binary,
    ast.InList: Compiler._in,
    ast.Between: Compiler._between,
    ast.Member: Compiler._member,
    ast.Index: Compiler._index,
    ast.Call: Compiler._call,
}


# ---------------------------------------------------------------- special functions
# These need the AST or the context, so they compile themselves.

def _common_type(types: list[str]) -> str | None:
    """The type values of `types` share (numbers widen); None when there is none
    (`1` and `"a"`)."""
    known = [t for t in types if t is not None]
    if not known:
        return "dynamic"
    result = known[0]
    for t in known[1:]:
        if t == result:
            continue
        if T.is_numeric(t) and T.is_numeric(result):
            result = T.promote(result, t)
        else:
            return None
    return result


def _branch_type(exprs: list[CExpr]) -> str | None:
    # A typeless null (dynamic(null) literal) does not decide the type.
    typed = [e.type for e in exprs if not (e.const and e.value is None and e.type == "dynamic")]
    return _common_type(typed) if typed else "dynamic"


def _coerce_to(e: CExpr, t: str) -> CExpr:
    if e.type == t or t == "dynamic":
        return e
    if T.is_numeric(t) and T.is_numeric(e.type):
        conv = T.CONVERTERS[t]
        return lift(t, lambda v: None if v is None else conv(v), [e])
    return e


@functions.special("iff", 3, aliases=("iif",), rtype="dynamic")
def _iff(c: Compiler, node: ast.Call) -> CExpr:
    cond = c.predicate(node.args[0])
    a, b = c.compile(node.args[1]), c.compile(node.args[2])
    t = _branch_type([a, b]) or "dynamic"  # branches of unrelated types: a dynamic (Kusto.Language)
    a, b = _coerce_to(a, t), _coerce_to(b, t)
    if t == "string":
        return lift(t, lambda p, x, y: (x if p else y) or "", [cond, a, b])
    return lift(t, lambda p, x, y: x if p else y, [cond, a, b])


@functions.special("case", 3, None)
def _case(c: Compiler, node: ast.Call) -> CExpr:
    if len(node.args) % 2 == 0:
        raise c.error(node, "case() expects an odd number of arguments: predicate/value pairs and an else value")
    preds = [c.predicate(a) for a in node.args[0:-1:2]]
    values = [c.compile(a) for a in node.args[1:-1:2]] + [c.compile(node.args[-1])]
    t = _branch_type(values) or "dynamic"
    values = [_coerce_to(v, t) for v in values]
    k = len(preds)

    def pick(*a):
        for i in range(k):
            if a[i]:
                return a[k + i]
        return a[-1]
    return lift(t, pick, preds + values)


@functions.special("coalesce", 1, None)
def _coalesce(c: Compiler, node: ast.Call) -> CExpr:
    args = [c.compile(a) for a in node.args]
    t = _branch_type(args)
    if t is None:
        raise c.error(node, "coalesce(): no common type can be determined from the arguments "
                            f"({', '.join(a.type for a in args)})")
    args = [_coerce_to(a, t) for a in args]
    if t == "string":
        return lift(t, lambda *a: next((x for x in a if x), ""), args)
    return lift(t, lambda *a: next((x for x in a if x is not None), None), args)


@functions.special("now", 0, 1, rtype="datetime")
def _now(c: Compiler, node: ast.Call) -> CExpr:
    now = c.ev.now()
    if node.args:
        off = c.compile(node.args[0])
        if off.type not in ("timespan", "dynamic"):
            raise c.error(node, f"function 'now': argument 1 must be a value of type timespan, not {off.type}")
        if off.const and isinstance(off.value, dt.timedelta):
            try:
                now = K.add(now, off.value)
            except OverflowError:  # past the calendar: null, as datetime arithmetic
                now = None
    return const("datetime", now)


@functions.special("ago", 1, rtype="datetime")
def _ago(c: Compiler, node: ast.Call) -> CExpr:
    span = c.compile(node.args[0])
    if span.type not in ("timespan", "dynamic"):
        raise c.error(node, f"ago() expects a timespan, got {span.type}")
    now = c.ev.now()

    def ago(s):
        try:
            return None if s is None else K.subtract(now, s)
        except (OverflowError, TypeError):  # past the calendar (ago(-1d) on 9999-12-31); not a timespan
            return None
    return lift("datetime", ago, [span])


@functions.special("current_database", 0, rtype="string")
def _current_database(c: Compiler, node: ast.Call) -> CExpr:
    return const("string", c.ev.current_database())


@functions.special("current_cluster_endpoint", 0, rtype="string")
def _current_cluster(c: Compiler, node: ast.Call) -> CExpr:
    return const("string", "kshell.local")


@functions.special("toscalar", 1, rtype="dynamic")
def _toscalar(c: Compiler, node: ast.Call) -> CExpr:
    arg = node.args[0]
    if isinstance(arg, ast.Query) or c.ev.is_tabular_node(arg, c.scope):
        return _first_value(c.ev.eval_tabular(arg, c.scope))
    e = Compiler(c.ev, [], c.scope).compile(arg)
    if not e.const:
        e = const(e.type, e.fn([], 1)[0])
    return e


@functions.special("typeof", 1, rtype="string")
def _typeof(c: Compiler, node: ast.Call) -> CExpr:
    arg = node.args[0]
    name = arg.name if isinstance(arg, ast.Name) else getattr(arg, "type", None)
    return const("string", T.canonical_type(str(name)) or str(name))


@functions.special("current_principal", 0, rtype="string")
def _current_principal(c: Compiler, node: ast.Call) -> CExpr:
    details = c.ev.ctx.principal_details() or {}
    return const("string", details.get("FQN") or "")


@functions.special("current_principal_details", 0, rtype="dynamic")
def _current_principal_details(c: Compiler, node: ast.Call) -> CExpr:
    return const("dynamic", dict(c.ev.ctx.principal_details() or {}))


@functions.special("current_principal_is_member_of", 1, None, rtype="bool")
def _is_member_of(c: Compiler, node: ast.Call) -> CExpr:
    names: list[str] = []
    for a in node.args:
        if not isinstance(a, ast.Literal):
            raise c.error(a, "current_principal_is_member_of(): arguments must be string literals")
        if isinstance(a.value, list):
            names.extend(str(x) for x in a.value)
        elif isinstance(a.value, str):
            names.append(a.value)
        else:
            raise c.error(a, "current_principal_is_member_of(): arguments must be string literals")
    result: bool | None = False
    for n in names:
        r = c.ev.ctx.is_member_of(n)
        if r:
            result = True
            break
        if r is None:
            result = None
    return const("bool", result)


@functions.special("materialize", 1, rtype="dynamic")
def _materialize(c: Compiler, node: ast.Call) -> CExpr:
    return c.compile(node.args[0])


@functions.special("column_ifexists", 2, rtype="dynamic")
def _column_ifexists(c: Compiler, node: ast.Call) -> CExpr:
    name = c.compile(node.args[0])
    if name.type != "string" or not name.const:
        raise c.error(node, "function 'column_ifexists': argument 1 must be a constant string (a column name)")
    if name.value in c.index:
        return c._name(ast.Name(name.value, pos=node.pos))
    return c.compile(node.args[1])


def _bin_sorted_runs(values: list, bin_one, step) -> list | None:
    """Bins of an ascending column (time columns usually are: rows arrive in time
    order) found by binary search per bucket instead of per row; None when the
    column is not sorted or holds nulls."""
    import bisect
    import operator
    from itertools import islice

    n = len(values)
    if n < 64:
        return None
    try:
        if not all(map(operator.le, values, islice(values, 1, None))):
            return None
    except TypeError:
        return None
    out: list = []
    pos = 0
    buckets = 0
    while pos < n:
        b = bin_one(values[pos])
        end = bisect.bisect_left(values, b + step, pos)
        out.extend([b] * (end - pos))
        pos = end
        buckets += 1
        if buckets * 8 > n and pos < n // 2:  # nearly one bucket per row: per-row is cheaper
            return None
    return out


@functions.special("bin", 2, aliases=("floor",))
def _bin(c: Compiler, node: ast.Call) -> CExpr:
    """bin(value, size) with a constant size computes buckets without a call per row."""
    import math

    from kshell.query.datetimes import DATETIME_ORIGIN

    v, size = c.compile(node.args[0]), c.compile(node.args[1])
    wrong = signatures.check(node.name, [v.type, size.type])
    if wrong is not None:
        raise c.error(node, wrong)
    rtype = functions._bin_type([v.type, size.type])
    slow = _strict(functions._bin, 2)
    if not size.const or size.value is None or v.const:
        return lift(rtype, slow, [v, size])
    step = size.value
    vf = v.fn
    # (a step with sub-microsecond ticks, a kshell.ticks.Timespan, takes the general path)
    if v.type in ("datetime", "timespan") and type(step) is dt.timedelta and step:
        origin = DATETIME_ORIGIN if v.type == "datetime" else dt.timedelta(0)
        step_us = step // dt.timedelta(microseconds=1)
        # Steps dividing a day (1m, 1h, 1d...) align 0001-01-01 with 1970-01-01, so the
        # float POSIX timestamp (exact to well under a microsecond today) can pick the
        # bucket: a C method call per row instead of two timedelta operations.
        use_ts = v.type == "datetime" and step_us >= 1000 and 86400_000_000 % step_us == 0
        step_s = step_us / 1e6
        epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

        def fn(cols, n):
            values = vf(cols, n)
            runs = _bin_sorted_runs(values, lambda d: origin + ((d - origin) // step) * step, step)
            if runs is not None:
                return runs
            if use_ts:
                try:
                    ks = [t // step_s for t in map(dt.datetime.timestamp, values)]
                    buckets = {k: epoch + step * int(k) for k in set(ks)}
                    return list(map(buckets.__getitem__, ks))
                except TypeError:  # nulls: the general path below
                    pass
            ks = [None if d is None else (d - origin) // step for d in values]
            buckets = {k: origin + k * step for k in set(ks) if k is not None}
            buckets[None] = None
            return list(map(buckets.__getitem__, ks))
        return CExpr(rtype, fn)
    if rtype in ("long", "int") and isinstance(step, int) and not isinstance(step, bool) and step:
        return CExpr(rtype, lambda cols, n: [None if x is None else x // step * step for x in vf(cols, n)])
    if rtype == "real" and isinstance(step, (int, float)) and not isinstance(step, bool) and step:
        fstep = float(step)
        floor = math.floor

        def fn(cols, n):
            out = []
            for x in vf(cols, n):
                try:
                    out.append(None if x is None else floor(x / fstep) * fstep)
                except (TypeError, ValueError, OverflowError):
                    out.append(slow(x, step))
            return out
        return CExpr(rtype, fn)
    return lift(rtype, slow, [v, size])


@functions.special("rand", 0, 1, rtype="real")
def _rand(c: Compiler, node: ast.Call) -> CExpr:
    """rand() / rand(N): random per row, from a generator seeded per query (reproducible scripts)."""
    rng = c.ev.random()
    if node.args:
        bound = c.compile(node.args[0])
        if not bound.const or not isinstance(bound.value, int) or bound.value <= 0:
            raise c.error(node, "rand(N): N must be a positive integer constant")
        top = bound.value
        return CExpr("long", lambda cols, n: [rng.randrange(top) for _ in range(n)])
    return CExpr("real", lambda cols, n: [rng.random() for _ in range(n)])


@functions.special("tohex", 1, 2, rtype="string")
def _tohex(c: Compiler, node: ast.Call) -> CExpr:
    """tohex() needs its argument's type: an int is 32 bits wide, a long 64."""
    args = [c.compile(a) for a in node.args]
    if args[0].type not in ("int", "long", "bool", "dynamic"):
        raise c.error(node, f"tohex(): the argument must be an integer, not {args[0].type}")
    bits = 32 if args[0].type == "int" else 64
    impl = _strict(lambda v, width=None: functions.tohex(v, width, bits), len(args))
    return lift("string", _never_null_string(impl), args)


def _shift(c: Compiler, node: ast.Call, direction: int) -> CExpr:
    e = c.compile(node.args[0])
    offset = 1
    if len(node.args) > 1:
        o = c.compile(node.args[1])
        if not o.const or not isinstance(o.value, int):
            raise c.error(node, f"{node.name}(): the offset must be a constant integer")
        offset = o.value
    default = c.compile(node.args[2]) if len(node.args) > 2 else None
    dv = default.value if default is not None and default.const else ("" if e.type == "string" else None)
    ef = e.fn

    def fn(cols, n):
        vals = ef(cols, n)
        k = min(offset, n)
        if direction < 0:  # prev: the value `offset` rows before
            return [dv] * k + list(vals[: n - k])
        return list(vals[k:]) + [dv] * k
    return CExpr(e.type, fn)


functions.special("prev", 1, 3)(lambda c, node: _shift(c, node, -1))
functions.special("next", 1, 3)(lambda c, node: _shift(c, node, +1))


@functions.special("new_guid", 0, rtype="guid")
def _new_guid(c: Compiler, node: ast.Call) -> CExpr:
    """A GUID per row, from the per-query seeded generator (scripts stay reproducible)."""
    import uuid

    rng = c.ev.random()
    return CExpr("guid", lambda cols, n: [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(n)])


@functions.special("assert", 2, rtype="bool")
def _assert(c: Compiler, node: ast.Call) -> CExpr:
    """assert(condition, message): true, or the query fails with the message."""
    from kshell.errors import BadRequest

    cond = c.predicate(node.args[0])
    msg = c.compile(node.args[1])
    if not msg.const or not isinstance(msg.value, str):
        raise c.error(node, "assert(): the message must be a constant string")
    text = msg.value

    def check(v):
        if v is not True:
            raise BadRequest(f"assert() failed: {text}")
        return True
    if cond.const:
        if c.ev.schema_only:  # validating a function body or policy query: nothing runs
            return const("bool", True)
        return const("bool", check(cond.value))
    cf = cond.fn
    return CExpr("bool", lambda cols, n: [check(v) for v in cf(cols, n)])


# The extended library registers into the same registries (after the specials above).
import kshell.query.library  # noqa: E402,F401
