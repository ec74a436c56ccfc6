"""A lenient JSON reader for policy payloads (ManagedIdentity, update, ...).

The service reads policy JSON with Newtonsoft.Json, which is more forgiving
than RFC 8259, and the docs rely on it: `ingest-data-managed-identity.md`
passes `"[ { 'ObjectId' : '<id>', 'AllowedUsages' : 'NativeIngestion' }]"`
(single-quoted keys and strings).  So this reader accepts, on top of JSON:

- strings in single quotes (with the same escapes, plus `\\'`);
- unquoted property names (`{ObjectId: "system"}`);
- `//` and `/* */` comments;
- trailing commas in arrays and objects;
- `true` / `false` / `null` in any letter case.

Property names are kept as written; `canonical_keys()` maps them onto a
policy's known property names case-insensitively (spec 0.3 [DECIDE]).

Every failure is a `BadRequest` whose message names the policy and the line
and column inside the payload, never a Python exception.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable

from kshell.errors import BadRequest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_MAX_DEPTH = 100  # nesting guard: a policy is two levels deep; refuse pathological input

_WS = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)*", re.S)
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_BARE_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "/": "/", "b": "\b", "f": "\f",
            "n": "\n", "r": "\r", "t": "\t"}
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
_RUN = {'"': re.compile(r'[^"\\]*'), "'": re.compile(r"[^'\\]*")}
_WORDS = {"true": True, "false": False, "null": None}


class _Reader:
    __slots__ = ("text", "i", "policy")

    def __init__(self, text: str, policy: str):
        self.text = text
        self.i = 0
        self.policy = policy

    # ------------------------------------------------------------ helpers
    def error(self, message: str, at: int | None = None) -> BadRequest:
        at = self.i if at is None else at
        line = self.text.count("\n", 0, at) + 1
        col = at - (self.text.rfind("\n", 0, at) + 1) + 1
        if at >= len(self.text):
            found = "end of text"
        else:
            found = repr(self.text[at:at + 12]) if self.text[at] != "\n" else "end of line"
        return BadRequest(f"{self.policy} policy: invalid JSON at line {line}, column {col}: "
                          f"{message}, found {found}")

    def skip(self) -> None:
        m = _WS.match(self.text, self.i)
        self.i = m.end()
        if self.text.startswith("/*", self.i):
            raise self.error("unterminated /* comment")

    def peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    # -------------------------------------------------------------- values
    def value(self, depth: int) -> Any:
        self.skip()
        ch = self.peek()
        if ch == "[":
            return self.array(depth + 1)
        if ch == "{":
            return self.object(depth + 1)
        if ch in ("'", '"'):
            return self.string()
        if ch == "-" or ch.isdigit():
            m = _NUMBER.match(self.text, self.i)
            if not m:
                raise self.error("expected a number")
            self.i = m.end()
            tok = m.group()
            return float(tok) if any(c in tok for c in ".eE") else int(tok)
        m = _BARE_NAME.match(self.text, self.i)
        if m and m.group().lower() in _WORDS:
            self.i = m.end()
            return _WORDS[m.group().lower()]
        raise self.error("expected a value (object, array, string, number, true, false or null)")

    def array(self, depth: int) -> list[Any]:
        if depth > _MAX_DEPTH:
            raise self.error("nested too deeply")
        self.i += 1  # [
        items: list[Any] = []
        while True:
            self.skip()
            if self.peek() == "]":
                self.i += 1
                return items
            items.append(self.value(depth))
            self.skip()
            ch = self.peek()
            if ch == ",":
                self.i += 1
            elif ch == "]":
                self.i += 1
                return items
            else:
                raise self.error("expected ',' or ']' in an array")

    def object(self, depth: int) -> dict[str, Any]:
        if depth > _MAX_DEPTH:
            raise self.error("nested too deeply")
        self.i += 1  # {
        obj: dict[str, Any] = {}
        while True:
            self.skip()
            ch = self.peek()
            if ch == "}":
                self.i += 1
                return obj
            if ch in ("'", '"'):
                key = self.string()
            else:
                m = _BARE_NAME.match(self.text, self.i)
                if not m:
                    raise self.error("expected a property name or '}'")
                key = m.group()
                self.i = m.end()
            self.skip()
            if self.peek() != ":":
                raise self.error(f"expected ':' after property name '{key}'")
            self.i += 1
            obj[key] = self.value(depth)
            self.skip()
            ch = self.peek()
            if ch == ",":
                self.i += 1
            elif ch == "}":
                self.i += 1
                return obj
            else:
                raise self.error("expected ',' or '}' in an object")

    def string(self) -> str:
        quote = self.text[self.i]
        start = self.i
        self.i += 1
        out: list[str] = []
        text = self.text
        n = len(text)
        while True:
            # Copy the run up to the next quote or backslash in one slice.
            j = _RUN[quote].match(text, self.i).end()
            out.append(text[self.i:j])
            if j >= n:
                raise self.error("unterminated string", start)
            if text[j] == quote:
                self.i = j + 1
                return "".join(out)
            esc = text[j + 1] if j + 1 < n else ""
            if esc in _ESCAPES:
                out.append(_ESCAPES[esc])
                self.i = j + 2
            elif esc == "u" and _HEX4.fullmatch(text, j + 2, j + 6):
                code = int(text[j + 2:j + 6], 16)
                self.i = j + 6
                # A UTF-16 surrogate pair written as two escapes is one character.
                if 0xD800 <= code < 0xDC00 and text.startswith("\\u", self.i) \
                        and _HEX4.fullmatch(text, self.i + 2, self.i + 6):
                    low = int(text[self.i + 2:self.i + 6], 16)
                    if 0xDC00 <= low < 0xE000:
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        self.i += 6
                out.append(chr(code))
            else:
                raise self.error("invalid escape sequence in a string", j)


def _reject_constant(name: str) -> Any:
    raise ValueError(name)  # NaN / Infinity are not JSON; let the lenient reader report them


@functools.lru_cache(maxsize=1)
def _strict_decode():
    return json.JSONDecoder(parse_constant=_reject_constant).decode


def parse_json(text: str, policy_name: str) -> Any:
    """Any lenient-JSON value; BadRequest naming `policy_name` when malformed."""
    # Fast path: strict JSON (what most payloads are) through the C decoder.
    # Lenient JSON is a superset, so whatever it accepts reads the same here.
    try:
        if text.__class__ is str:
            return _strict_decode()(text)  # json.loads(text, parse_constant=...) without a new decoder per call
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        pass
    reader = _Reader(text, policy_name)
    reader.skip()
    if reader.i >= len(text):
        raise BadRequest(f"{policy_name} policy: the policy text is empty; expected a JSON array")
    value = reader.value(0)
    reader.skip()
    if reader.i < len(text):
        raise reader.error("unexpected text after the JSON value")
    return value


def parse_policy_array(text: str, policy_name: str) -> list[dict[str, Any]]:
    """The policy payload as a list of objects (property names as written).

    Raises BadRequest when the text is not lenient JSON, is not an array, or
    holds an element that is not an object.
    """
    value = parse_json(text, policy_name)
    if not isinstance(value, list):
        raise BadRequest(f"{policy_name} policy: expected a JSON array of policy objects, "
                         f"got {_json_kind(value)}")
    for n, item in enumerate(value, 1):
        if not isinstance(item, dict):
            raise BadRequest(f"{policy_name} policy: element {n} of the array is "
                             f"{_json_kind(item)}, expected an object")
    return value


def canonical_keys(obj: dict[str, Any], known: Iterable[str]) -> dict[str, Any]:
    """`obj` with property names matching `known` case-insensitively renamed to their canonical form.

    Unknown properties are kept as written (callers ignore them, spec 2.8).
    When one name appears in several casings, the last one wins.  Returns
    `obj` itself when its names are already canonical (do not mutate it).
    """
    exact, by_lower = _known_names(tuple(known))
    if exact.issuperset(obj):  # already canonical: the usual case
        return obj
    return {by_lower.get(k.lower(), k): v for k, v in obj.items()}


@functools.lru_cache(maxsize=32)
def _known_names(known: tuple[str, ...]) -> tuple[frozenset[str], dict[str, str]]:
    return frozenset(known), {k.lower(): k for k in known}


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
