"""The completion engine: what to offer at a cursor position in a request.

Pure Python over kshell's own tokenizer and the live cluster (through
`Catalog`), independent of prompt_toolkit so that tests and benchmarks can
call it on partial texts: `CompletionEngine(session).complete(text, pos)`
returns `Suggestion`s (replacement text and how many characters before the
cursor it replaces).

Contexts, decided from the request around the cursor:
- `#` directives: directive names, then per-directive arguments;
- `.` commands: walked through the command templates of the vocabulary
  (keywords by prefix, names fuzzily), principals inside `(...)`, usage names
  and identity ids inside a managed_identity payload, a query after `<|`;
- queries: tables and functions at the start, operators after `|`, columns
  of the source table(s) inside an operator and after `by`/`on`, database
  names inside `database("...")`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kshell.repl.catalog import Catalog
from kshell.repl.matching import fuzzy_matches, prefix_matches
from kshell.repl import templates as tpl
from kshell.syntax.tokens import ERROR, NAME, OP, STRING, WS, tokenize
from kshell.syntax.vocabulary import (
    MANAGED_IDENTITY_USAGES,
    SCALAR_TYPES,
    POLICY_KINDS,
    QUERY_OPERATORS,
)

# The characters of a word being typed (hyphenated keywords included).
_FRAGMENT = re.compile(r"[\w$][\w$-]*$|$")
_IDENT = re.compile(r"^[A-Za-z_$][\w$]*$")

# Words that may start a query statement.
STATEMENT_KEYWORDS = ("let", "print", "range", "datatable", "union", "database", "cluster",
                      "declare", "set", "search", "find", "evaluate", "materialize", "view")

# Column types offered in a schema, canonical names first.
SCHEMA_TYPES = tuple(dict.fromkeys(list(SCALAR_TYPES.values()) + list(SCALAR_TYPES)))

# Statements whose body is an expression (scalar functions are offered in them).
EXPRESSION_STATEMENTS = frozenset({"print", "let", "range", "set", "declare"})

# Keywords worth offering inside a given operator, besides column and function names.
OPERATOR_KEYWORDS = {
    "summarize": ("by",),
    "order": ("by", "asc", "desc", "nulls", "first", "last"),
    "sort": ("by", "asc", "desc", "nulls", "first", "last"),
    "top": ("by", "asc", "desc"),
    "join": ("kind", "on", "inner", "innerunique", "leftouter", "rightouter", "fullouter",
             "leftanti", "rightanti", "leftsemi", "rightsemi", "hint.strategy"),
    "lookup": ("kind", "on", "leftouter", "inner"),
    "mv-expand": ("to", "typeof", "with_itemindex", "limit"),
    "make-series": ("on", "from", "to", "step", "by", "default"),
    "where": ("and", "or", "not", "has", "contains", "startswith", "endswith", "in", "between",
              "matches", "has_any", "has_all", "isempty", "isnotempty", "isnull", "isnotnull"),
    "parse": ("with", "kind"),
    "render": ("timechart", "barchart", "columnchart", "piechart", "table", "linechart",
               "scatterchart", "areachart", "with"),
}
# After these words a column name is expected.
COLUMN_AFTER = frozenset({"by", "on"})
# After these words a table name is expected.
TABLE_AFTER = frozenset({"join", "union", "lookup", "in"})

DIRECTIVE_ARGUMENTS = {
    "pager": ("on", "off"),
    "timing": ("on", "off"),
    "types": ("on", "off"),
    "echo": ("on", "off"),
    "format": ("table", "csv", "tsv", "json", "markdown", "vertical"),
    "connect": ("local",),
}
DATABASE_DIRECTIVES = frozenset({"db", "dbcontext", "use"})
IDENTITY_DIRECTIVES = frozenset({"identity", "identities"})
IDENTITY_SUBCOMMANDS = ("create", "assign", "unassign", "explain")

MI_PAYLOAD_KEYS = ("ObjectId", "AllowedUsages")


@dataclass(frozen=True, slots=True)
class Suggestion:
    text: str          # what replaces the fragment
    replace: int       # how many characters before the cursor it replaces
    display: str = ""  # menu text (default: text)
    meta: str = ""     # menu annotation (kind of thing)


@dataclass(slots=True)
class Unit:
    """A command word group: a word, a dotted name, a string, a (...) group, an operator."""

    kind: str
    text: str
    value: Any = None
    low: str = ""
    parts: tuple = ()


def _quote_name(name: str) -> str:
    return name if _IDENT.match(name) else "['" + name.replace("'", "\\'") + "']"


class CompletionEngine:
    def __init__(self, session: Any, *, builtin_functions: Any = None):
        self.session = session
        self.catalog = Catalog(session)
        self._builtins = builtin_functions

    def invalidate(self) -> None:
        self.catalog.invalidate()

    # ------------------------------------------------------------------ entry
    def complete(self, text: str, pos: int | None = None) -> list[Suggestion]:
        if pos is None:
            pos = len(text)
        before = _current_request(text[:pos])
        stripped = before.lstrip()
        if stripped.startswith("#"):
            return self._directive(stripped)
        if stripped.startswith("."):
            return self._command(stripped[1:])
        return self._query(before)

    # ------------------------------------------------------------- directives
    def _directive(self, text: str) -> list[Suggestion]:
        body = text[1:]
        if " " not in body and "\t" not in body:
            from kshell.directives import names

            return [Suggestion(n + " ", len(body), n, "directive")
                    for n in prefix_matches(body, names())]
        word, _, args = body.partition(" ")
        word = word.lower()
        fragment = _FRAGMENT.search(args).group()
        if word in DIRECTIVE_ARGUMENTS and " " not in args.strip():
            return _keywords(fragment, DIRECTIVE_ARGUMENTS[word], "option")
        if word in DATABASE_DIRECTIVES:
            return _plain(fragment, self.catalog.databases().match(fragment), "database")
        if word in IDENTITY_DIRECTIVES:
            return self._identity_directive(args, fragment)
        return []

    def _identity_directive(self, args: str, fragment: str) -> list[Suggestion]:
        """`#identity [create|assign|unassign|explain] ...`: subcommands, identity names, usages."""
        done = args[: len(args) - len(fragment)].split()
        names = [i.name for i in self._identities() if getattr(i, "name", None)]
        if not done:
            return (_keywords(fragment, IDENTITY_SUBCOMMANDS, "subcommand")
                    + _plain(fragment, fuzzy_matches(fragment, names), "identity"))
        sub = done[0].lower()
        if len(done) == 1 and sub in ("assign", "unassign", "explain"):
            return _plain(fragment, fuzzy_matches(fragment, names), "identity")
        if len(done) == 2 and sub == "explain":
            return _keywords(fragment, MANAGED_IDENTITY_USAGES, "usage")
        return []

    # --------------------------------------------------------------- commands
    def _command(self, body: str) -> list[Suggestion]:
        whole = tokenize(body, lenient=True)
        if whole and whole[-1].kind == ERROR:
            return self._inside_literal(whole)
        fragment = _FRAGMENT.search(body).group()
        head = body[: len(body) - len(fragment)]
        toks = tokenize(head, lenient=True)
        if toks and toks[-1].is_op(":") and _inside_parens(toks):
            return _keywords(fragment, SCHEMA_TYPES, "type", space=False)  # a schema column's type
        for t in toks:
            if t.is_op("|"):  # a command's result piped into query operators
                return self._query(head[t.start:] + fragment)
            if t.is_op("<|"):
                break
        units, open_group = _units(toks)
        if open_group is not None:
            return self._inside_group(open_group, fragment, toks)
        if units and units[-1].kind == tpl.OPEN_DOT:
            # `Db.` being typed where a table goes: that database's tables.
            db = units[-1].value
            if any(p.next_step is not None and p.next_step.slot == "table"
                   for p in tpl.match_units(units[:-1])):
                return _names(fragment, self.catalog.tables(db).match(fragment), "table")
            return []
        positions = tpl.match_units(units)
        out: list[Suggestion] = []
        seen: set[str] = set()
        done_steps: set = set()
        for p in positions:
            step = p.next_step
            if step is None or step in done_steps:
                continue  # many templates share a step (e.g. a table slot): look it up once
            done_steps.add(step)
            if step.slot == "rest":
                out.extend(self._after_rest(head, toks, fragment))
                continue
            for s in self._step_suggestions(step, fragment, units, p.captured):
                if s.text not in seen:
                    seen.add(s.text)
                    out.append(s)
        return out

    def _step_suggestions(self, step: tpl.Step, fragment: str, units: list, captured: dict) -> list[Suggestion]:
        if step.words:
            return _keywords(fragment, step.words, "keyword")
        slot = step.slot
        if slot == "policy":
            return _keywords(fragment, POLICY_KINDS, "policy kind")
        if slot.startswith("role:"):
            return _keywords(fragment, tpl.role_words(slot), "role")
        if slot == "database":
            return _names(fragment, self.catalog.databases().match(fragment), "database")
        if slot == "table":
            return _names(fragment, self.catalog.tables().match(fragment), "table")
        if slot == "function":
            return _names(fragment, self.catalog.stored_functions().match(fragment), "function")
        if slot == "external_table":
            return _names(fragment, self.catalog.external_tables().match(fragment), "external table")
        if slot == "materialized_view":
            return _names(fragment, self.catalog.materialized_views().match(fragment), "materialized view")
        if slot == "continuous_export":
            return _names(fragment, self.catalog.continuous_exports().match(fragment), "continuous export")
        if slot == "principals" and not fragment:
            return [Suggestion("('" + f + "')", 0, f, "principal") for f in self.catalog.principals().match("")]
        return []

    def _after_rest(self, head: str, toks: list, fragment: str) -> list[Suggestion]:
        """Free text after a template: complete the query after `<|`, if any."""
        for t in reversed(toks):
            if t.kind == OP and t.text == "<|":
                return self._query(head[t.end:] + fragment)
        return []

    def _inside_group(self, group_start: int, fragment: str, toks: list) -> list[Suggestion]:
        """Inside an open `(`: principals of a role command, else nothing."""
        units, _ = _units(toks[:group_start])
        for p in tpl.match_units(units):
            step = p.next_step
            if step is not None and step.slot == "principals":
                return self._principals("", fragment)
        return []

    def _principals(self, quote: str, fragment: str) -> list[Suggestion]:
        q = quote[:1] or "'"
        found = self.catalog.principals().match(fragment)
        return [Suggestion(q + f + q, len(quote) + len(fragment), f, "principal") for f in found]

    def _inside_literal(self, toks: list) -> list[Suggestion]:
        """The cursor is inside an unterminated string literal of a command."""
        err = toks[-1]
        literal = err.text
        prior = toks[:-1]
        # A principal being typed inside `( ... )`.
        units, open_group = _units(prior)
        if open_group is not None:
            inner_units, _ = _units(prior[:open_group])
            for p in tpl.match_units(inner_units):
                step = p.next_step
                if step is not None and step.slot == "principals" and literal[:1] in "'\"":
                    return self._principals(literal[:1], literal[1:])
            return []
        for p in tpl.match_units(units):
            step = p.next_step
            if step is not None and step.slot == "payload":
                kind = p.captured.get("policy")
                if kind == "managed_identity":
                    return self._mi_payload(literal)
                if kind == "update":
                    return self._update_payload(literal)
        return []

    def _mi_payload(self, literal: str) -> list[Suggestion]:
        """Usage names, identity ids and property names inside a managed_identity payload."""
        m = re.search(r'"AllowedUsages"\s*:\s*"([^"]*)$', literal, re.IGNORECASE)
        if m:
            typed = m.group(1)
            frag = re.search(r"[A-Za-z]*$", typed).group()
            already = {u.strip().lower() for u in typed.split(",")[:-1]}
            words = [u for u in MANAGED_IDENTITY_USAGES if u.lower() not in already]
            return _keywords(frag, words, "usage", space=False)
        m = re.search(r'"ObjectId"\s*:\s*"([^"]*)$', literal, re.IGNORECASE)
        if m:
            return self._identity_ids(m.group(1))
        m = re.search(r'[{,]\s*"(\w*)$', literal)
        if m:
            return _keywords(m.group(1), MI_PAYLOAD_KEYS, "property", space=False)
        return []

    def _identity_ids(self, frag: str) -> list[Suggestion]:
        """`system` and the object ids of user-assigned identities (matched by id or name)."""
        out: list[Suggestion] = []
        for ident in self._identities():
            oid = "system" if getattr(ident, "is_system", False) else str(getattr(ident, "object_id", ""))
            name = str(getattr(ident, "name", oid))
            if oid and (oid.lower().startswith(frag.lower()) or frag.lower() in name.lower()):
                out.append(Suggestion(oid, len(frag), f"{oid} ({name})" if oid != name else oid, "identity"))
        return out

    def _update_payload(self, literal: str) -> list[Suggestion]:
        """Property names, source tables, identities and booleans inside an update policy payload."""
        m = re.search(r'"Source"\s*:\s*"([^"]*)$', literal, re.IGNORECASE)
        if m:
            return _plain(m.group(1), self.catalog.tables().match(m.group(1)), "table")
        m = re.search(r'"ManagedIdentity"\s*:\s*"([^"]*)$', literal, re.IGNORECASE)
        if m:
            return self._identity_ids(m.group(1))
        m = re.search(r'"(?:Is\w+|Propagate\w+)"\s*:\s*(\w*)$', literal)
        if m:
            return _keywords(m.group(1), ("true", "false"), "value", space=False)
        m = re.search(r'[{,]\s*"(\w*)$', literal)
        if m:
            return _keywords(m.group(1), _update_policy_keys(), "property", space=False)
        return []

    def _identities(self) -> list[Any]:
        try:
            from kshell.engine.azure import identities

            return list(identities(self.session.cluster).values())
        except ImportError:
            return self.catalog.identities()

    # ---------------------------------------------------------------- queries
    def _query(self, text: str) -> list[Suggestion]:
        whole = tokenize(text, lenient=True)
        if whole and whole[-1].kind == ERROR:
            return self._query_literal(whole)
        fragment = _FRAGMENT.search(text).group()
        head = text[: len(text) - len(fragment)]
        toks = tokenize(head, lenient=True)
        if toks and toks[-1].is_op(":") and _inside_parens(toks):
            return _keywords(fragment, SCHEMA_TYPES, "type", space=False)  # datatable(a:..., ...)
        # Tables named at the start of each open nesting level feed the columns.
        levels: list[list] = [[]]
        for t in toks:
            if t.kind == OP and t.text in ("(", "[", "{"):
                levels.append([])
            elif t.kind == OP and t.text in (")", "]", "}"):
                if len(levels) > 1:
                    levels.pop()
                    levels[-1].append(None)  # a closed group stands in the outer segment
            else:
                levels[-1].append(t)
        segment: list = []
        for t in levels[-1]:
            if t is not None and t.kind == OP and t.text in ("|", ";"):
                segment = []
            else:
                segment.append(t)
        prev = segment[-1] if segment else None

        # `database("x").` → that database's tables.
        if prev is not None and prev.kind == OP and prev.text == ".":
            db = _database_before_dot(toks)
            if db is not None:
                return _names(fragment, self.catalog.tables(db).match(fragment), "table")
            return []
        operator = None
        first = segment[0] if segment else None
        if first is not None and first.kind == NAME:
            if _segment_after_pipe(levels[-1]):
                operator = first.text.lower()
            elif first.text.lower() in EXPRESSION_STATEMENTS:
                operator = first.text.lower()
        lets = _let_names(toks)
        if not segment or (operator == "let" and prev is not None and prev.is_op("=")):
            if _segment_after_pipe(levels[-1]):
                return _keywords(fragment, QUERY_OPERATORS, "operator")
            # The start of a statement (or of a nested query): tables, functions, statement words.
            out = _names(fragment, fuzzy_matches(fragment, lets), "let")
            out += _names(fragment, self.catalog.tables().match(fragment), "table")
            out += _names(fragment, self._function_names(fragment), "function")
            out += _keywords(fragment, STATEMENT_KEYWORDS, "keyword")
            if len(levels) > 1:
                out = _names(fragment, fuzzy_matches(fragment, self._columns(toks)), "column") + out
            return out
        if operator == "let" and prev is not None and prev.is_word("let"):
            return []  # a new name is being typed
        if prev is not None and prev.kind == NAME and prev.text.lower() in TABLE_AFTER and operator in (None, "join", "union", "lookup"):
            return _names(fragment, self.catalog.tables().match(fragment), "table")
        if operator is None and len(levels) == 1:
            # Still in the source part of the statement (e.g. after `T `): nothing useful.
            return []
        columns = _names(fragment, fuzzy_matches(fragment, self._columns(toks)), "column")
        if prev is not None and prev.kind == NAME and prev.text.lower() in COLUMN_AFTER:
            return columns
        out = columns + _names(fragment, fuzzy_matches(fragment, lets), "let")
        out += _keywords(fragment, OPERATOR_KEYWORDS.get(operator or "", ()), "keyword")
        out += _names(fragment, self._function_names(fragment), "function")
        return out

    def _query_literal(self, toks: list) -> list[Suggestion]:
        """Inside an unterminated string of a query: database names in database("...")."""
        err = toks[-1]
        literal = err.text
        if literal[:1] in "'\"" and len(toks) >= 3 and toks[-2].is_op("(") and toks[-3].is_word("database"):
            frag = literal[1:]
            q = literal[0]
            return [Suggestion(q + n + q, len(literal), n, "database") for n in self.catalog.databases().match(frag)]
        return []

    def _columns(self, toks: list) -> list[str]:
        """Columns of the tables the query reads, plus names it assigns (`x = ...`)."""
        cols: list[str] = []
        tables = self.catalog.tables()
        prev = None
        prev_prev = None
        for i, t in enumerate(toks):
            if t.kind == NAME:
                starts_source = prev is None or (prev.kind == OP and prev.text in ("(", ";", ",", "=")) \
                    or (prev.kind == NAME and prev.text.lower() in TABLE_AFTER)
                if starts_source and t.text in tables:
                    cols.extend(self.catalog.columns(t.text))
                elif prev is not None and prev.is_op(".") and prev_prev is not None and prev_prev.is_op(")"):
                    db = _database_before_dot(toks[: i])
                    if db is not None:
                        cols.extend(self.catalog.columns(t.text, db))
                nxt = toks[i + 1] if i + 1 < len(toks) else None
                if nxt is not None and nxt.is_op("=") and not (prev is not None and prev.is_word("let")):
                    cols.append(t.text)
            prev_prev, prev = prev, t
        return cols

    def _function_names(self, fragment: str) -> list[str]:
        names = list(self.catalog.stored_functions().match(fragment))
        if self._builtins is None:
            self._builtins = _load_builtin_functions()
        names += self._builtins.match(fragment)
        return names


# ---------------------------------------------------------------- helpers
def _keywords(fragment: str, words, meta: str, space: bool = True) -> list[Suggestion]:
    tail = " " if space else ""
    return [Suggestion(w + tail, len(fragment), w, meta) for w in prefix_matches(fragment, words)]


def _plain(fragment: str, names, meta: str) -> list[Suggestion]:
    """Names as typed in a directive argument (no Kusto quoting)."""
    return [Suggestion(n, len(fragment), n, meta) for n in names]


def _names(fragment: str, names, meta: str) -> list[Suggestion]:
    return [Suggestion(_quote_name(n), len(fragment), n, meta) for n in names]


def _current_request(text: str) -> str:
    """The text of the request the cursor is in: after the last blank line outside literals."""
    if "\n" not in text:
        return text
    last = 0
    for t in tokenize(text, trivia=True, lenient=True):
        if t.kind == WS and t.text.count("\n") >= 2:
            last = t.end
    return text[last:]


def _units(toks: list) -> tuple[list[Unit], int | None]:
    """Group command tokens into units; also the index of an unclosed `(` (or None)."""
    units: list[Unit] = []
    i = 0
    n = len(toks)
    while i < n:
        t = toks[i]
        if t.kind == NAME:
            parts = [t.text]
            j = i + 1
            while j + 1 < n and toks[j].is_op(".") and toks[j + 1].kind == NAME:
                parts.append(toks[j + 1].text)
                j += 2
            if j < n and j == n - 1 and toks[j].is_op("."):
                units.append(Unit(tpl.OPEN_DOT, t.text, ".".join(parts)))
                return units, None
            if len(parts) > 1:
                units.append(Unit(tpl.DOTTED, ".".join(parts), ".".join(parts), parts=tuple(parts)))
            else:
                units.append(Unit(tpl.WORD, t.text, t.text, t.text.lower()))
            i = j
        elif t.kind == STRING:
            units.append(Unit(tpl.STRING, t.text, t.value))
            i += 1
        elif t.kind == OP and t.text == "(":
            depth = 0
            j = i
            while j < n:
                if toks[j].is_op("("):
                    depth += 1
                elif toks[j].is_op(")"):
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j >= n:
                return units, i
            units.append(Unit(tpl.GROUP, "(...)"))
            i = j + 1
        else:
            units.append(Unit(tpl.OP, t.text, t.text))
            i += 1
    return units, None


def _inside_parens(toks: list) -> bool:
    depth = 0
    for t in toks:
        if t.is_op("("):
            depth += 1
        elif t.is_op(")"):
            depth -= 1
    return depth > 0


def _let_names(toks: list) -> list[str]:
    """Names bound by `let NAME = ...` earlier in the text."""
    return [toks[i + 1].text for i, t in enumerate(toks[:-1])
            if t.kind == NAME and t.text.lower() == "let" and toks[i + 1].kind == NAME]


def _segment_after_pipe(level: list) -> bool:
    """True when the current segment of this nesting level follows a `|`."""
    for t in reversed(level):
        if t is not None and t.kind == OP and t.text in ("|", ";"):
            return t.text == "|"
    return False


def _database_before_dot(toks: list) -> str | None:
    """`database("x").` / `database(x).` just before the end → "x"."""
    # toks ends with: database ( x ) .
    if len(toks) >= 5 and toks[-1].is_op(".") and toks[-2].is_op(")") and toks[-4].is_op("(") \
            and toks[-5].is_word("database"):
        arg = toks[-3]
        if arg.kind in (STRING, NAME):
            return str(arg.value)
    if len(toks) >= 4 and toks[-1].is_op(")") and toks[-3].is_op("(") and toks[-4].is_word("database"):
        arg = toks[-2]
        if arg.kind in (STRING, NAME):
            return str(arg.value)
    return None


def _update_policy_keys() -> tuple[str, ...]:
    """Update policy property names, from the update policy family (its table is the truth)."""
    try:
        from kshell.engine.update_policy import PROPERTIES
    except ImportError:
        return ()
    return tuple(p[0] for p in PROPERTIES)


def _load_builtin_functions():
    """Names in the query engine's registries: scalar functions and aggregates."""
    import importlib

    from kshell.repl.matching import NameIndex

    names: list[str] = []
    for module in ("kshell.query.functions", "kshell.query.aggregates"):
        try:
            registry = importlib.import_module(module)
            names += [str(n) for n in registry.names()]
        except Exception:  # noqa: BLE001 - a registry missing or mid-construction must not break completion
            continue
    return NameIndex(names)
