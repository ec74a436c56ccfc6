"""The `parse` and `parse-where` operators (parse-operator.md, parse-where-operator.md).

A pattern becomes one regular expression with a named group per column, compiled through
kshell.query.regex (user patterns).  kinds: `simple` (constants are literal text, strict),
`relaxed` (a typed column that does not convert is null, the rest stays), `regex`
(constants are regular expressions; `flags=` takes RE2's U, i, m, s).
"""

from __future__ import annotations

import re
from typing import Any

from kshell.query import regex
from kshell.query import types as T
from kshell.query.compiler import Compiler
from kshell.query.tabular import Tabular, mutable_columns, put_column
from kshell.syntax import ast

# What a typed capture matches in the simple and regex kinds (the docs translate `long`
# to a run of digits); other types capture text like a string column and convert it.
_TYPED_CAPTURE = {
    "int": r"[-+]?\d+", "long": r"[-+]?\d+",
    "real": r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?",
    "decimal": r"[-+]?(?:\d+\.?\d*|\.\d+)", "bool": r"true|false|True|False|TRUE|FALSE|1|0",
}
# RE2 flags of `flags=` (parse kind=regex): U swaps greedy and lazy quantifiers.
_REGEX_FLAGS = {"i": re.I, "s": re.S, "m": re.M}


def swap_greed(rx: str) -> str:
    """RE2's U flag for Python's re: every quantifier's greediness is inverted."""
    out, i, n, in_class = [], 0, len(rx), False
    while i < n:
        ch = rx[i]
        if ch == "\\":
            out.append(rx[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            in_class = True
            out.append(ch)
            # a ']' right after '[' or '[^' is a literal member of the class
            j = i + 1
            if j < n and rx[j] == "^":
                out.append("^")
                j += 1
            if j < n and rx[j] == "]":
                out.append("]")
                j += 1
            i = j
            continue
        quant = None
        if ch in "*+" or (ch == "?" and i > 0 and rx[i - 1] != "("):
            quant = ch
            i += 1
        elif ch == "{":
            m = re.match(r"\{\d*(?:,\d*)?\}", rx[i:])
            if m:
                quant = m.group(0)
                i += len(quant)
        if quant is None:
            out.append(ch)
            i += 1
            continue
        out.append(quant)
        if i < n and rx[i] == "?":
            i += 1          # lazy becomes greedy
        else:
            out.append("?")  # greedy becomes lazy
    return "".join(out)


def _parse_regex(op: ast.Parse) -> tuple[re.Pattern, list[tuple[str, str]]]:
    """The regex a parse pattern stands for, with one named group per column (a pattern's
    own groups, in kind=regex, must not shift the captures).

    simple / relaxed: string constants are literal text, `*` and string columns are lazy
    (`.*?`), a string column ending the pattern takes the rest.  regex: the constants are
    regular expressions and string columns are greedy (`.*`), as the docs' outputs show;
    `flags=U` makes them lazy.  Typed columns match their type's text; in relaxed mode a
    typed column falls back to any text (it converts to null)."""
    kind = (op.kind or "simple").lower()
    regex_mode = kind == "regex"
    parts = op.parts
    captures: list[tuple[str, str]] = []
    out = []
    for i, p in enumerate(parts):
        if p.literal is not None:
            out.append(f"(?:{p.literal})" if regex_mode else re.escape(p.literal))
        elif p.wildcard:
            out.append(".*?")
        elif p.column:
            typ = T.canonical_type(p.type) if p.type else "string"
            typ = typ or "string"
            group = f"c{len(captures)}"
            captures.append((p.column, typ))
            if typ in _TYPED_CAPTURE:
                body = _TYPED_CAPTURE[typ] + ("|.*?" if kind == "relaxed" else "")
            elif regex_mode:
                body = ".*"
            elif i == len(parts) - 1:
                body = ".*"
            else:
                body = ".*?"
            out.append(f"(?P<{group}>{body})")
    flags = 0
    ungreedy = False
    for ch in (op.flags or "") if regex_mode else "":
        if ch == "U":
            ungreedy = True
        else:
            flags |= _REGEX_FLAGS.get(ch.lower(), 0)
    if not regex_mode:
        flags |= re.S
    text = "".join(out)
    return regex.compile(swap_greed(text) if ungreedy else text, flags), captures


def parse(ev, tab: Tabular, op: ast.Parse, scope) -> Tabular:
    """parse / parse-where.  simple and regex are strict: a typed column whose text does not
    convert fails the row (all columns null; parse-where drops it).  relaxed keeps the
    columns that convert and nulls the others."""
    source = Compiler(ev, tab.columns, scope).compile(op.source)
    texts = [T.to_string(v) for v in source.values(tab.data, tab.rows)]
    try:
        rx, captures = _parse_regex(op)
    except re.error as err:
        raise ev.error(op, f"parse: invalid pattern: {err}") from None
    kind = (op.kind or "simple").lower()
    relaxed = kind == "relaxed"
    matcher = rx.search if kind == "regex" else rx.match
    values: list[list[Any]] = [[] for _ in captures]
    keep: list[int] = []
    failed = ["" if typ == "string" else None for _n, typ in captures]
    for i, s in enumerate(texts):
        m = matcher(s)
        row = None
        if m is not None:
            row = []
            for j, (_n, typ) in enumerate(captures):
                g = m.group(f"c{j}") or ""
                v = g if typ == "string" else T.convert(g, typ)
                if v is None and not relaxed:
                    row = None
                    break
                row.append(v)
        if row is None:
            if op.where:
                continue
            row = failed
        for j, v in enumerate(row):
            values[j].append(v)
        keep.append(i)
    base = tab if len(keep) == tab.rows else tab.take_rows(keep)
    cols, data = list(base.columns), mutable_columns(base.data)
    for (name, typ), vals in zip(captures, values):
        put_column(cols, data, name, typ, vals)
    return Tabular(cols, data, len(keep), tab.name)
