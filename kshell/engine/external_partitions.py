"""Partitions and path formats of storage external tables (spec 6.1).

Writing renders a row's partition values into a folder path; reading parses
a file's folder path back into the values of virtual columns and skips files
whose path does not fit the format.

Datetime values are rendered with .NET-style patterns (`yyyy/MM/dd`,
`'year='yyyy'/month='MM`, `year={yyyy}/month={MM}`); the defaults follow the
partition function (startofyear -> yyyy, startofmonth -> yyyy/MM, startofweek,
startofday, bin(,1d) -> yyyy/MM/dd, bin(,1h) -> yyyy/MM/dd/HH, bin(,1m) ->
yyyy/MM/dd/HH/mm).  `hash(Column, N)` uses a stable CRC-32 of the value's
text modulo N: the same value always lands in the same partition, but the
numbers are not the service's (docs/storage.md).
"""

from __future__ import annotations

import datetime as dt
import re
import zlib

from kshell.errors import BadRequest
from kshell.syntax.cmd_external_table import PartitionSpec, PathFormatItem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

UTC = dt.timezone.utc
EPOCH = dt.datetime(1, 1, 1, tzinfo=UTC)
_FIELDS = {"yyyy": ("%Y", r"\d{4}"), "yy": ("%y", r"\d{2}"), "MM": ("%m", r"\d{2}"), "dd": ("%d", r"\d{2}"),
           "HH": ("%H", r"\d{2}"), "mm": ("%M", r"\d{2}"), "ss": ("%S", r"\d{2}")}


# ------------------------------------------------------------------ values
def partition_value(p: PartitionSpec, value: Any) -> Any:
    """The partition value of a row whose source column holds `value`."""
    if value is None:
        return None
    fn = p.function
    if fn == "hash":
        text = value if isinstance(value, str) else str(value)
        return zlib.crc32(text.encode("utf-8")) % p.modulo
    if not fn:
        return value
    if not isinstance(value, dt.datetime):
        raise BadRequest(f"partition '{p.name}': {fn}() needs a datetime column, '{p.column}' holds {value!r}")
    if fn == "bin":
        step = dt.timedelta(seconds=p.step)
        return EPOCH + ((value - EPOCH) // step) * step
    day = value.replace(hour=0, minute=0, second=0, microsecond=0)
    if fn == "startofday":
        return day
    if fn == "startofweek":
        return day - dt.timedelta(days=(day.weekday() + 1) % 7)  # weeks start on Sunday
    if fn == "startofmonth":
        return day.replace(day=1)
    if fn == "startofyear":
        return day.replace(month=1, day=1)
    raise BadRequest(f"unknown partition function '{fn}'")


def default_pattern(p: PartitionSpec) -> str:
    if p.function == "startofyear":
        return "yyyy"
    if p.function == "startofmonth":
        return "yyyy/MM"
    if p.function == "bin" and p.step:
        if p.step < 3600:
            return "yyyy/MM/dd/HH/mm"
        if p.step < 86400:
            return "yyyy/MM/dd/HH"
    return "yyyy/MM/dd"


def elements(partitions: list[PartitionSpec], path_format: list[PathFormatItem] | None) -> list[PathFormatItem]:
    """The effective path format: the declared one, or the partitions separated by '/'."""
    if path_format:
        return path_format
    out: list[PathFormatItem] = []
    for i, p in enumerate(partitions):
        if i:
            out.append(PathFormatItem("/", False))
        out.append(PathFormatItem(p.name, True))
    return out


def validate(partitions: list[PartitionSpec], path_format: list[PathFormatItem] | None,
             columns: dict[str, str]) -> None:
    """Set-time checks of a partition / path format definition (BadRequest on the first problem)."""
    names: set[str] = set()
    for p in partitions:
        if p.name in names:
            raise BadRequest(f"partition '{p.name}' is declared twice")
        names.add(p.name)
        if p.type not in ("string", "datetime", "long", "int"):
            raise BadRequest(f"partition '{p.name}' has type '{p.type}'; partitions are string, datetime or long")
        if p.column is None:
            if p.type not in ("string", "datetime"):
                raise BadRequest(f"virtual column '{p.name}' must be of type string or datetime")
            if p.name in columns:
                raise BadRequest(f"virtual column '{p.name}' has the name of a column of the schema")
            continue
        if p.column not in columns:
            raise BadRequest(f"partition '{p.name}' refers to column '{p.column}', which is not in the schema")
        source = columns[p.column]
        if p.function in ("bin", "startofday", "startofweek", "startofmonth", "startofyear"):
            if source != "datetime" or p.type != "datetime":
                raise BadRequest(f"partition '{p.name}': {p.function}() needs a datetime column and a datetime partition")
            if p.function == "bin" and p.step <= 0:
                raise BadRequest(f"partition '{p.name}': bin() needs a positive timespan")
        elif p.function == "hash":
            if p.type not in ("long", "int"):
                raise BadRequest(f"partition '{p.name}': hash() partitions are of type long")
        elif p.type != source and not (p.type == "string"):
            raise BadRequest(f"partition '{p.name}' of type {p.type} takes column '{p.column}' of type {source}")
    if path_format:
        if not partitions:
            raise BadRequest("pathformat needs 'partition by (...)'")
        previous_partition = False
        used = set()
        for item in path_format:
            if item.is_partition:
                if item.text not in names:
                    raise BadRequest(f"pathformat refers to '{item.text}', which is not a declared partition")
                if previous_partition:
                    raise BadRequest("consecutive partitions in pathformat must be separated by a string")
                spec = next(p for p in partitions if p.name == item.text)
                if item.pattern and spec.type != "datetime":
                    raise BadRequest(f"datetime_pattern() applies to datetime partitions, not '{item.text}'")
                used.add(item.text)
            previous_partition = item.is_partition
        missing = [p.name for p in partitions if p.name not in used]
        if missing:
            raise BadRequest(f"pathformat does not use partition(s) {', '.join(missing)}")


# ------------------------------------------------------------- patterns
def _pattern_tokens(fmt: str) -> list[tuple[str, str]]:
    """A .NET datetime format as [('field', 'yyyy') | ('lit', text)].

    Two spellings (spec 6.1): quoted literals (`'year='yyyy'/month='MM`) or, when the
    pattern has braces, literal text with the format specifiers in braces
    (`year={yyyy}/month={MM}`).
    """
    if "{" in fmt:
        out_braced: list[tuple[str, str]] = []
        for i, piece in enumerate(re.split(r"[{}]", fmt)):
            if i % 2:
                out_braced.extend(_pattern_tokens(piece))
            elif piece:
                out_braced.append(("lit", piece))
        return out_braced
    out: list[tuple[str, str]] = []
    i, n = 0, len(fmt)
    while i < n:
        ch = fmt[i]
        if ch in "'\"":
            j = fmt.find(ch, i + 1)
            j = n if j < 0 else j
            out.append(("lit", fmt[i + 1:j]))
            i = j + 1
        elif ch == "\\" and i + 1 < n:
            out.append(("lit", fmt[i + 1]))
            i += 2
        elif ch in "yMdHms":
            j = i
            while j < n and fmt[j] == ch:
                j += 1
            run = fmt[i:j]
            key = {"y": "yyyy" if len(run) >= 3 else "yy"}.get(ch, ch * 2)
            out.append(("field", key))
            i = j
        else:
            out.append(("lit", ch))
            i += 1
    return out


def render_datetime(value: dt.datetime, fmt: str) -> str:
    parts = []
    for kind, text in _pattern_tokens(fmt):
        parts.append(value.strftime(_FIELDS[text][0]) if kind == "field" else text)
    return "".join(parts)


def _datetime_regex(fmt: str) -> tuple[str, str]:
    """(regex, strptime format) of a .NET datetime pattern."""
    regex, strp = [], []
    for kind, text in _pattern_tokens(fmt):
        if kind == "field":
            regex.append(_FIELDS[text][1])
            strp.append(_FIELDS[text][0])
        else:
            regex.append(re.escape(text))
            strp.append(text.replace("%", "%%"))
    return "".join(regex), "".join(strp)


# --------------------------------------------------------------- rendering
def render_path(partitions: list[PartitionSpec], path_format: list[PathFormatItem] | None,
                values: dict[str, Any]) -> str:
    """The folder path of one partition-values combination."""
    by_name = {p.name: p for p in partitions}
    parts = []
    for item in elements(partitions, path_format):
        if not item.is_partition:
            parts.append(item.text)
            continue
        p = by_name[item.text]
        v = values.get(p.name)
        if v is None:
            parts.append("__null__")  # rows with null partition values still need a folder
        elif isinstance(v, dt.datetime):
            parts.append(render_datetime(v, item.pattern or default_pattern(p)))
        else:
            text = str(v).replace("%", "%25").replace("/", "%2F")  # one folder per value
            if text in (".", ".."):  # not a folder name storage accepts
                text = text.replace(".", "%2E")
            parts.append(text)
    return "".join(parts).strip("/")


class PathParser:
    """Parses a file's path (relative to the connection string) into partition values."""

    def __init__(self, partitions: list[PartitionSpec], path_format: list[PathFormatItem] | None):
        self.by_group: dict[str, tuple[PartitionSpec, str]] = {}
        by_name = {p.name: p for p in partitions}
        regex = []
        for n, item in enumerate(elements(partitions, path_format)):
            if not item.is_partition:
                regex.append(re.escape(item.text))
                continue
            p = by_name[item.text]
            group = f"p{n}"
            if p.type == "datetime":
                rx, strp = _datetime_regex(item.pattern or default_pattern(p))
                self.by_group[group] = (p, strp)
                regex.append(f"(?P<{group}>{rx})")
            else:
                self.by_group[group] = (p, "")
                regex.append(f"(?P<{group}>[^/]+?)" if p.type == "string" else f"(?P<{group}>-?\\d+)")
        self.regex = re.compile("^/?" + "".join(regex).strip("/") + "(?:/|$)") if regex else None

    def parse(self, relative_path: str) -> dict[str, Any] | None:
        """The partition values of a file, or None when its path does not fit the format."""
        if self.regex is None:
            return {}
        m = self.regex.match(relative_path)
        if m is None:
            return None
        values: dict[str, Any] = {}
        for group, (p, strp) in self.by_group.items():
            text = m.group(group)
            if p.type == "datetime":
                try:
                    values[p.name] = dt.datetime.strptime(text, strp).replace(tzinfo=UTC)
                except ValueError:
                    return None
            elif p.type in ("long", "int"):
                values[p.name] = int(text)
            else:
                values[p.name] = text.replace("%2F", "/").replace("%2E", ".").replace("%25", "%")
        return values
