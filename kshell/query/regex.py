"""Regular expressions from queries (user patterns): RE2 semantics, never a hang.

Kusto evaluates regular expressions with RE2: matching takes linear time, and
backreferences and lookaround do not exist.  Every pattern a query supplies
(`matches regex`, `extract`, `extract_all`, `replace_regex`, `trim`, `countof(...,
"regex")`, `parse kind=regex`) is compiled here:

- with the optional `google-re2` package (extra `kshell[re2]`), by RE2 itself;
- without it, by Python's `re` after a check that refuses, with a clear error,
  every pattern whose backtracking could explode: a repeated group that contains
  another repetition or an alternation (`(a+)+$`, `(a|aa)*`), and the
  constructs RE2 does not have (backreferences, lookaround, atomic groups,
  possessive repeats).

`compile` returns an object with the `re.Pattern` methods the query engine uses
(search, match, fullmatch, finditer, findall, sub, groups, groupindex).  An invalid
pattern raises `RegexError` (a `re.error`, so callers that turn a bad pattern into
null keep doing so); a refused one raises `RegexRefused` (a KustoError: the query fails).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from kshell.errors import BadRequest

try:  # 3.11+: the stdlib's own regex parser (used only for the safety check)
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
    from re import _constants as _sre_const  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older layouts
    import sre_constants as _sre_const  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

IGNORECASE = re.IGNORECASE
DOTALL = re.DOTALL
MULTILINE = re.MULTILINE

# Force the stdlib path (tests of the fallback set this to False).
USE_RE2: bool | None = None


class RegexError(re.error):
    """The pattern is not a valid (RE2) regular expression."""


class RegexRefused(BadRequest):
    """The pattern could take exponential time without RE2: the request fails."""


def _re2() -> Any:
    global USE_RE2
    if USE_RE2 is False:
        return None
    try:
        import re2  # type: ignore[import-not-found]
    except ImportError:
        USE_RE2 = False
        return None
    return re2


def compile(pattern: str, flags: int = 0) -> Any:  # noqa: A001 - mirrors re.compile
    """A compiled user pattern (see the module docstring); cached."""
    return _compile(pattern, flags, _re2() is not None)


@functools.lru_cache(maxsize=512)
def _compile(pattern: str, flags: int, with_re2: bool) -> Any:
    if with_re2:
        return _compile_re2(pattern, flags)
    return _compile_checked(pattern, flags)


def _compile_re2(pattern: str, flags: int) -> Any:
    re2 = _re2()
    prefix = "".join(ch for flag, ch in ((IGNORECASE, "i"), (DOTALL, "s"), (MULTILINE, "m")) if flags & flag)
    options = re2.Options()
    options.log_errors = False  # RE2 would print parse errors on stderr
    try:
        return re2.compile(f"(?{prefix}){pattern}" if prefix else pattern, options)
    except Exception as e:  # re2.error: the message names the problem
        message = e.args[0] if e.args else str(e)
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        raise RegexError(f"invalid regular expression '{pattern}': {message}") from None


def repeated(pattern: str, at_start: bool) -> Any:
    r"""One or more repetitions of `pattern` anchored at the start (`^(?:p)+`) or the end
    (`(?:p)+$`) of the text: what trim(), trim_start() and trim_end() remove.

    Without RE2 the repetitions are made atomic (each repetition is not re-split once
    matched, which `re` supports and RE2 does not need), so a repeating pattern such as
    `\s+` is accepted: `pattern` alone passes the safety check, the wrapper cannot explode.
    """
    if _re2() is not None:
        return compile(f"^(?:{pattern})+" if at_start else f"(?:{pattern})+$")
    compile(pattern)  # the pattern itself: valid, RE2 constructs only, no exponential shape
    wrapped = f"(?:(?>{pattern}))++"
    return re.compile(f"^{wrapped}" if at_start else f"{wrapped}$")


# ---------------------------------------------------------- stdlib fallback

_REPEATS = {_sre_const.MAX_REPEAT, _sre_const.MIN_REPEAT}
_UNSUPPORTED = {
    _sre_const.GROUPREF: "backreferences",
    _sre_const.GROUPREF_EXISTS: "conditional groups",
    _sre_const.ASSERT: "lookahead/lookbehind",
    _sre_const.ASSERT_NOT: "lookahead/lookbehind",
}
for _name, _what in (("ATOMIC_GROUP", "atomic groups"), ("POSSESSIVE_REPEAT", "possessive repeats")):
    if hasattr(_sre_const, _name):
        _UNSUPPORTED[getattr(_sre_const, _name)] = _what


def _compile_checked(pattern: str, flags: int) -> re.Pattern:
    try:
        tree = _sre_parse.parse(pattern, flags)
    except re.error as e:
        raise RegexError(f"invalid regular expression '{pattern}': {e}") from None
    _check(pattern, tree, inside_repeat=False)
    try:
        return re.compile(pattern, flags)
    except re.error as e:  # pragma: no cover - parse succeeded above
        raise RegexError(f"invalid regular expression '{pattern}': {e}") from None


def _check(pattern: str, items: Any, inside_repeat: bool) -> None:
    for op, arg in items:
        if op in _UNSUPPORTED:
            raise RegexError(f"invalid regular expression '{pattern}': RE2 does not support {_UNSUPPORTED[op]}")
        if op in _REPEATS:
            lo, hi, body = arg
            unbounded_or_many = hi is _sre_const.MAXREPEAT or hi > 1
            if inside_repeat and unbounded_or_many:
                _refuse(pattern)
            _check(pattern, body, inside_repeat or unbounded_or_many)
        elif op == _sre_const.BRANCH:
            if inside_repeat:
                _refuse(pattern)
            for alternative in arg[1]:
                _check(pattern, alternative, inside_repeat)
        elif op == _sre_const.SUBPATTERN:
            _check(pattern, arg[-1], inside_repeat)


def _refuse(pattern: str) -> None:
    raise RegexRefused(
        f"regular expression '{pattern}' repeats a group that itself repeats or alternates, which "
        "can take exponential time without RE2; install the RE2 engine (pip install 'kshell[re2]', "
        "linear-time matching as in Kusto) or simplify the pattern")
