"""Result -> text, in the six output formats.

Values print the way Kusto prints them (see `format_value`).  Rendering never
touches the engine.  tabulate is imported only for the table and markdown
formats: it costs tens of milliseconds of start-up, and scripts writing csv,
tsv or json should not pay for it.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import sys

from kshell.formats import FORMATS  # noqa: F401  (re-exported: render.FORMATS)
from kshell.realtext import format_decimal, format_real  # noqa: F401  (one text per number type)
from kshell.lazy_re import lazy

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Any

    from kshell.result import Result

NUMERIC_TYPES = frozenset({"int", "long", "real", "decimal"})

# kshell.ticks, imported by the first datetime or timespan shown (a one-command script
# may show neither, and nothing else of its start-up needs the module: issue 18).
ticks = None


def _ticks():
    global ticks
    from kshell import ticks as module

    ticks = module
    return module

# ----------------------------------------------------------------- values

def format_datetime(value: dt.datetime) -> str:
    """`2026-01-01T00:00:00Z`; fractional seconds only when non-zero, trailing zeros trimmed."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    else:
        value = value.astimezone(dt.timezone.utc)
    text = f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    frac = (ticks or _ticks()).fraction(value)  # 100 ns ticks: up to 7 digits
    if frac:
        text += "." + f"{frac:07d}".rstrip("0")
    return text + "Z"


def format_timespan(value: dt.timedelta) -> str:
    """`01:00:00`, `1.02:03:04`, `-00:01:00`, `00:00:00.5`: Kusto's [-][d.]hh:mm:ss[.fffffff]."""
    t = ticks or _ticks()
    n = t.timespan_ticks(value)  # 100 ns ticks
    sign = "-" if n < 0 else ""
    n = abs(n)
    seconds, frac = divmod(n, t.TICKS_PER_SECOND)
    minutes, sec = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    days, hour = divmod(hours, 24)
    text = f"{sign}{days}." if days else sign
    text += f"{hour:02d}:{minute:02d}:{sec:02d}"
    if frac:
        text += "." + f"{frac:07d}".rstrip("0")
    return text


def _is_uuid_or_decimal(value: Any) -> bool:
    # Neither module is imported here (json, decimal and uuid cost milliseconds of
    # start-up, issue 18): a value can be a UUID or a Decimal only once its module is loaded.
    uuid, decimal = sys.modules.get("uuid"), sys.modules.get("decimal")
    return (uuid is not None and isinstance(value, uuid.UUID)) or (
        decimal is not None and isinstance(value, decimal.Decimal))


def _unwrap_dynamic(value: Any) -> Any:
    # kshell.query may wrap dynamic values; a wrapper exposes the JSON value as `.value`.
    if type(value).__name__ == "Dynamic" and hasattr(value, "value"):
        return value.value
    return value


def _json_default(value: Any) -> Any:
    value = _unwrap_dynamic(value)
    if isinstance(value, (dt.datetime, dt.timedelta)) or _is_uuid_or_decimal(value):
        return format_value(value)
    if isinstance(value, (set, tuple, frozenset)):
        return list(value)
    return str(value)


def format_dynamic(value: Any) -> str:
    """Compact JSON for bags and arrays; a scalar inside dynamic prints as that scalar."""
    value = _unwrap_dynamic(value)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list, tuple)):
        import json

        return json.dumps(_json_safe(value), separators=(",", ":"), ensure_ascii=False, default=_json_default)
    return format_value(value)


def format_value(value: Any, type_name: str | None = None) -> str:
    """One value as Kusto prints it; null is the empty string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_real(value)
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.timedelta):
        return format_timespan(value)
    uuid = sys.modules.get("uuid")  # (see _is_uuid_or_decimal)
    if uuid is not None and isinstance(value, uuid.UUID):
        return str(value)
    decimal = sys.modules.get("decimal")
    if decimal is not None and isinstance(value, decimal.Decimal):
        return format_decimal(value)
    return format_dynamic(value)


# ------------------------------------------------------------------- json

def _json_safe(value: Any) -> Any:
    """A JSON value for any engine value (datetimes etc. as their Kusto strings)."""
    value = _unwrap_dynamic(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else format_real(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (dt.datetime, dt.timedelta)) or _is_uuid_or_decimal(value):
        return format_value(value)
    return str(value)


def render_json(result: Result) -> str:
    obj = {
        "columns": [{"name": c.name, "type": c.type} for c in result.columns],
        "rows": [[_json_safe(v) for v in row] for row in result.rows],
    }
    import json

    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# ------------------------------------------------------------------ texts

def _headers(result: Result, types: bool) -> list[str]:
    if types:
        return [f"{c.name}:{c.type}" for c in result.columns]
    return [c.name for c in result.columns]


def _cells(result: Result) -> list[list[str]]:
    fmt = format_value
    # Strings print as themselves: skip the call for them (most cells of most results).
    return [[v if v.__class__ is str else fmt(v) for v in row] for row in result.rows]


def render_delimited(result: Result, delimiter: str, types: bool = False) -> str:
    """CSV/TSV as the csv module writes it (minimal quoting, "\n" line ends)."""
    return _delimited(result, delimiter, types) + "\n"


def _delimited(result: Result, delimiter: str, types: bool) -> str:
    """render_delimited without the final line end.

    Most results need no quoting at all: their lines are joined in C and the
    whole text is checked at once (no quote, carriage return or line feed in a
    cell, no stray delimiter); only when that check fails are lines quoted one
    by one (_quoted_pieces).  Rows of strings are joined as they are (formatting
    a string is the string itself); a row holding anything else has its cells
    formatted first.
    """
    header = _headers(result, types)
    rows = result.rows
    join = delimiter.join
    try:
        lines = list(map(join, rows))
    except TypeError:  # a value that is not a string: format the cells
        rows = _cells(result)
        lines = list(map(join, rows))
    lines.insert(0, join(header))
    width = len(header)
    if len(lines) > 2:  # (one row is checked as well on its own, without a second text of it)
        text = "\n".join(lines)
        # (C-level scans: `in` finds a character much faster than str.count counts one)
        if (width > 1 and '"' not in text and "\r" not in text and "\n" not in "".join(lines)
                and text.count(delimiter) == (width - 1) * len(lines)
                and {width}.issuperset(map(len, rows))):
            return text
    return "".join(_quoted_pieces([header, *rows], lines, delimiter))


def _quoted_pieces(rows: list, lines: list[str], delimiter: str) -> list[str]:
    """The text of `rows` (`lines`: each row joined), quoted where needed, in pieces
    (lines and the "\n" between them; a quoted line as its fields, quotes and
    delimiters): joined once, a long document is copied once.

    Lines without a quote, line break or stray delimiter stay as joined, and a
    field that needs quoting is quoted with str.replace: the csv module walks
    every character of a field in Python-level calls, ten times slower on the
    large policy documents commands return.  Anything unusual (carriage
    returns, NUL, a row of one empty field) goes through csv itself.
    """
    out = []
    append = out.append
    writer = None
    buf = None
    for row, line in zip(rows, lines):
        if out:
            append("\n")
        if ('"' not in line and "\n" not in line and "\r" not in line
                and line.count(delimiter) == len(row) - 1 and (line or len(row) != 1)):
            append(line)
            continue
        if ("\0" in line or len(row) <= 1) and "\r" not in line:
            if writer is None:
                import csv  # (only for these rare lines: not at start-up)

                buf = io.StringIO()
                writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
            buf.seek(0)
            buf.truncate()
            writer.writerow(row)
            append(buf.getvalue()[:-1])
            continue
        # A carriage return is quoted too (the csv module leaves it bare with "\n" line
        # ends, and readers then see a line break in an unquoted field).
        for i, cell in enumerate(row):
            if i:
                append(delimiter)
            if '"' in cell or "\n" in cell or "\r" in cell or delimiter in cell:
                append('"')
                append(_doubled(cell))
                append('"')
            else:
                append(cell)
    return out


# The last long cell quoted, and that cell with its quotes doubled.  A command
# returning a growing document prints it again unchanged or with an entry added
# (each `.alter-merge` returns the whole policy): its unchanged start is not scanned
# again.  Doubling a one-character quote gives the same text piece by piece, so the
# pieces joined are the whole text doubled.
_LAST_LONG = [("", "")]  # one slot holding a pair: threads rendering at once read a consistent pair
_LONG = 4096
_LONGEST_KEPT = 1 << 25  # characters: a longer cell is not kept (memory)


def _doubled(cell: str) -> str:
    """`cell` with every double quote doubled."""
    if len(cell) < _LONG:
        return cell.replace('"', '""')
    last, last_doubled = _LAST_LONG[0]
    if cell == last:
        return last_doubled
    head = last[:-1]  # all but the closing bracket of a document that grew
    if head and cell.startswith(head):
        kept = last_doubled[:-2] if last[-1] == '"' else last_doubled[:-1]
        doubled = kept + cell[len(head):].replace('"', '""')
    else:
        doubled = cell.replace('"', '""')
    _LAST_LONG[0] = (cell, doubled) if len(cell) <= _LONGEST_KEPT else ("", "")
    return doubled


# Control characters other than the line feed: in the formats meant for the eye they
# would move the cursor, break the column alignment or drive the terminal (ESC
# sequences in data), so table, markdown and vertical show them escaped (\t, \r,
# \u001b); csv, tsv and json keep the data as it is.
_CONTROL = lazy(globals(), "_CONTROL", "[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_CONTROL_NAMES = {"\t": "\\t", "\r": "\\r"}


def _escape_control(match: re.Match) -> str:
    ch = match.group()
    return _CONTROL_NAMES.get(ch) or f"\\u{ord(ch):04x}"


def _visible(rows: list[list[str]]) -> list[list[str]]:
    """The cells with control characters escaped (the rows unchanged when there are none)."""
    if not any(_CONTROL.search(c) for row in rows for c in row):
        return rows
    return [[_CONTROL.sub(_escape_control, c) for c in row] for row in rows]


def render_table(result: Result, fmt: str, types: bool = False) -> str:
    cells = _visible(_cells(result))
    headers = _visible([_headers(result, types)])[0]
    if fmt == "markdown":
        cells = [[c.replace("|", "\\|").replace("\n", "<br>") for c in row] for row in cells]
        headers = [h.replace("|", "\\|") for h in headers]
    elif any("\n" in c for row in cells for c in row):
        # A line feed inside a value would look like extra rows: shown as \n (issue 17).
        cells = [[c.replace("\n", "\\n") if "\n" in c else c for c in row] for row in cells]
    align = ["right" if c.type in NUMERIC_TYPES else "left" for c in result.columns]
    from kshell.table_text import format_table  # tabulate's output without its import cost

    text = format_table(cells, headers, "github" if fmt == "markdown" else "psql", align)
    if text is not None:
        return text
    from tabulate import tabulate  # lazily: see the module docstring

    return tabulate(
        cells,
        headers=headers,
        tablefmt="github" if fmt == "markdown" else "psql",
        disable_numparse=True,
        colalign=align,
    )


def render_vertical(result: Result, types: bool = False) -> str:
    headers = _visible([_headers(result, types)])[0]
    if not result.rows:
        return "(no rows)"
    width = max(len(h) for h in headers)
    blocks = []
    for n, row in enumerate(result.rows, 1):
        lines = [f"-[ RECORD {n} ]" + "-" * max(4, width - 8)]
        for h, v in zip(headers, row):
            text = _CONTROL.sub(_escape_control, format_value(v)).replace("\n", "\n" + " " * (width + 3))
            lines.append(f"{h.ljust(width)} | {text}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def render(result: Result, fmt: str, *, types: bool = False) -> str:
    """`result` in format `fmt` (one of FORMATS), without a trailing newline."""
    if not result.columns:
        return ""
    if fmt == "json":
        return render_json(result)
    if fmt == "csv" or fmt == "tsv":
        text = _delimited(result, "," if fmt == "csv" else "\t", types)
        # (as render_delimited(...).rstrip("\n"), without copying the text when no line ends it)
        return text.rstrip("\n") if text.endswith("\n") else text
    if fmt == "vertical":
        return render_vertical(result, types)
    if fmt in ("table", "markdown"):
        return render_table(result, fmt, types)
    raise ValueError(f"unknown output format {fmt!r}")
