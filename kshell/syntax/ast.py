"""AST of Kusto queries.  The base classes `Node` and `Command` live in
kshell.syntax.node (parsing a command loads no query node class) and are
re-exported here.

Slotted records (kshell.syntax.records: dataclass behaviour without
its code generation at import).  Every node carries `pos`, the offset of its first
character in the request text (kshell.syntax.tokens.line_col turns it into a
line and column).  Management-command nodes subclass `Command` and live in
their family's module (kshell/syntax/cmd_*.py).

Literal values are already decoded by the parser into the runtime value model:
bool, int, float, decimal.Decimal, str, datetime.datetime (aware, UTC),
datetime.timedelta, uuid.UUID, dynamic as Python JSON values (dict, list,
str, int, float, bool, None), and None for a typed null.
"""

from __future__ import annotations

from kshell.syntax.node import Command, Node  # noqa: F401  (the base classes, re-exported)
from kshell.syntax.records import field

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Any, Optional


# ---------------------------------------------------------------- expressions

class Literal(Node):
    type: str   # Kusto type name: bool int long real decimal string datetime timespan guid dynamic
    value: Any  # decoded value; None for a typed null (`int(null)`, `datetime(null)`)


class Name(Node):
    """A bare identifier: a column, a let-bound name, a table, `$left`/`$right`.

    `name` may contain `*` when the grammar allows wildcards (project-away c*).
    """

    name: str


class NamedArg(Node):
    """`name = value` inside a call's argument list (e.g. `bag_pack(...)` hints, plugin args)."""

    name: str
    value: "Expr"


class Call(Node):
    """Function call: scalar function, aggregate, user function, or tabular function.

    Arguments may be expressions, NamedArg, or a Query (e.g. `toscalar(T | count)`).
    """

    name: str
    args: list[Any] = field(default_factory=list)
    target: Any = None  # `x.f(...)`: the expression before the dot (e.g. cluster("c").database("d"))


class Unary(Node):
    op: str  # '-', '+', 'not' (not(...) is parsed as Call('not'); this is for unary minus/plus)
    operand: "Expr"


class Binary(Node):
    """Binary operator; `op` is normalised to lower case.

    Arithmetic: + - * / %   Comparison: == != <> < <= > >= =~ !~
    Logical: and or   String: has !has has_cs !has_cs contains !contains contains_cs
    !contains_cs startswith !startswith startswith_cs endswith !endswith endswith_cs
    hasprefix hassuffix matches regex (`matches regex` is op 'matches regex') like.
    """

    op: str
    left: "Expr"
    right: "Expr"


class InList(Node):
    """`x in (a, b)`, `!in`, `in~`, `!in~`, `has_any (...)`, `has_all (...)`.

    `items` are expressions, or a single Query for `x in (T | project c)`.
    """

    op: str
    left: "Expr"
    items: list[Any]


class Between(Node):
    left: "Expr"
    low: "Expr"
    high: "Expr"
    negated: bool = False


class Member(Node):
    """`target.name` (dynamic property access, `$left.col`, `T.col`)."""

    target: "Expr"
    name: str


class Index(Node):
    """`target[index]` (dynamic index / key access)."""

    target: "Expr"
    index: "Expr"


# What an expression node is (the annotations' `Expr`; a tuple, usable with isinstance,
# without importing typing for a Union).
Expr = (Literal, Name, Call, Unary, Binary, InList, Between, Member, Index)


class Assignment(Node):
    """An output column: `name = expr`, or just `expr` (name None, derived by the engine).

    `names` is used instead of `name` for tuple assignment `(a, b) = f(x)`.
    """

    name: Optional[str]
    expr: Any
    names: Optional[list[str]] = None


class ColumnDecl(Node):
    """`name:type` in a schema (datatable, functions, tables)."""

    name: str
    type: str  # canonical Kusto type name (see vocabulary.SCALAR_TYPES)


class SortKey(Node):
    expr: Any
    descending: bool = True         # Kusto's sort default is desc
    nulls_first: Optional[bool] = None  # None = Kusto default (desc: nulls last; asc: nulls first)


# ------------------------------------------------------------- tabular sources

class TableRef(Node):
    """A named tabular source: table, let-bound tabular value, stored function without args.

    `database("d").T` sets database; `cluster("c").database("d").T` sets cluster too.
    """

    name: str
    database: Optional[str] = None
    cluster: Optional[str] = None
    datascope: Optional[str] = None  # `T datascope=hotcache|all`


class TableCall(Node):
    """`table("T")` / `table("T", "all")`."""

    name: str
    database: Optional[str] = None


class ExternalTableRef(Node):
    """`external_table("E")`."""

    name: str


class Datatable(Node):
    columns: list[ColumnDecl]
    values: list[Any]  # flat list of expressions, row-major


class Print(Node):
    items: list[Assignment]


class Range(Node):
    column: str
    start: Any
    stop: Any
    step: Any


class Union(Node):
    """`union [kind=inner|outer] [withsource=C] [isfuzzy=true] T1, T2, ...` (source or operator)."""

    tables: list[Any]
    kind: str = "outer"
    withsource: Optional[str] = None
    isfuzzy: bool = False


class Pipeline(Node):
    """`source | op | op ...`; `source` is any tabular node, `operators` the pipe operators."""

    source: Any
    operators: list[Any]


# ------------------------------------------------------------- pipe operators

class Where(Node):
    predicate: Any


class Project(Node):
    items: list[Assignment]


class ProjectAway(Node):
    names: list[str]  # may contain wildcards


class ProjectKeep(Node):
    names: list[str]


class ProjectRename(Node):
    renames: list[tuple[str, str]]  # (new, old)


class ProjectReorder(Node):
    names: list[tuple[str, Optional[str]]]  # (pattern, 'asc'|'desc'|None)


class Extend(Node):
    items: list[Assignment]


class Summarize(Node):
    aggregates: list[Assignment]
    by: list[Assignment]


class Count(Node):
    name: str = "Count"


class Take(Node):
    count: Any


class Top(Node):
    count: Any
    key: SortKey


class Sort(Node):
    keys: list[SortKey]


class Distinct(Node):
    items: list[Assignment]  # empty list means `distinct *`


class JoinOn(Node):
    """One join condition: `col` (same name both sides) or `$left.a == $right.b`."""

    left: str
    right: str
    expr: Any = None  # a condition that is not `col` / `$left.a == $right.b` (left/right then "")


class Join(Node):
    right: Any
    on: list[JoinOn]
    kind: str = "innerunique"
    hints: dict[str, str] = field(default_factory=dict)


class Lookup(Node):
    right: Any
    on: list[JoinOn]
    kind: str = "leftouter"


class As(Node):
    name: str
    hint_materialized: bool = False


class GetSchema(Node):
    pass


class MvExpandItem(Node):
    name: Optional[str]
    expr: Any
    to_type: Optional[str] = None


class MvExpand(Node):
    items: list[MvExpandItem]
    kind: str = "bag"
    with_itemindex: Optional[str] = None
    limit: Optional[Any] = None


class ParsePart(Node):
    """One piece of a parse pattern: a string literal, or a column capture with optional type."""

    literal: Optional[str] = None
    column: Optional[str] = None
    type: Optional[str] = None
    wildcard: bool = False  # `*`


class Parse(Node):
    source: Any
    parts: list[ParsePart]
    kind: str = "simple"  # simple | regex | relaxed
    flags: Optional[str] = None
    where: bool = False   # parse-where


class Serialize(Node):
    items: list[Assignment] = field(default_factory=list)


class Render(Node):
    chart: str
    properties: dict[str, Any] = field(default_factory=dict)


class Invoke(Node):
    call: Call


class Sample(Node):
    count: Any


class OtherOperator(Node):
    """A pipe operator the parser accepts but the engine may not evaluate (make-series,
    evaluate, facet, fork, ...).  `name` is the operator word, `text` its source text."""

    name: str
    text: str


class OtherSource(Node):
    """A tabular source the parser accepts but does not model (`find`, `search`,
    `externaldata`, `evaluate` at the start of a query).  `text` is its source text."""

    name: str
    text: str


# --------------------------------------------------------------- statements

class Param(Node):
    """A function parameter.  Tabular parameters have `type == 'table'` and `schema`
    (None when `(*)`)."""

    name: str
    type: str
    default: Any = None
    schema: Optional[list[ColumnDecl]] = None


class FunctionDef(Node):
    """A lambda / user-defined function body: `(params) { body }`."""

    params: list[Param]
    body: "Query"
    is_view: bool = False  # `view (...) { ... }`


class Let(Node):
    name: str
    value: Any  # Expr, tabular node, or FunctionDef


class SetOption(Node):
    name: str
    value: Any = None


class DeclareParams(Node):
    """`declare query_parameters(name:type [= default], ...)`."""

    params: list[Param]


class OtherStatement(Node):
    """A statement the parser accepts but does not model (`alias`, `restrict`,
    `declare pattern`, `pattern`); `text` is its source text."""

    keyword: str
    text: str


class Query(Node):
    """A whole query request (or a function body): statements then the result expression.

    `body` is a tabular node (Pipeline, TableRef, Print, ...) or, in function bodies
    and `let` values, possibly a scalar expression.  None when the text holds only
    statements (legal in function bodies being validated).
    """

    statements: list[Any]
    body: Any
    text: str = ""  # the source text of the query
    # A batch `T1 | count; T2 | count` has several result expressions: `body` is the
    # first, `batch` the others, in order (each gives its own result set).
    batch: list[Any] = field(default_factory=list)
