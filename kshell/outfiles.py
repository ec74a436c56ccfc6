"""Results to files and the clipboard: `#out`, `#clip` (directives in directives_core).

Both runners (script mode and the shell) call `after_request(state, outcome)`
after each request: it remembers the results (for `#out last` and `#clip`)
and writes them to the file a preceding `#out FILE` asked for, returning the
confirmation lines to print.

Formats: csv, tsv, json (kshell's json output: one object with columns and
rows), jsonl (one JSON object per row), markdown, and parquet when pyarrow is
installed (imported only then).  The format comes from the word after the
file name, else from its extension.
"""

from __future__ import annotations

import os

from kshell.errors import KustoError
from kshell.result import Result

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Any

OUT_FORMATS = ("csv", "tsv", "json", "jsonl", "markdown", "parquet")
_EXTENSIONS = {"csv": "csv", "tsv": "tsv", "json": "json", "jsonl": "jsonl", "ndjson": "jsonl",
               "md": "markdown", "markdown": "markdown", "parquet": "parquet"}
# Clipboard programs, in order of preference: (program, arguments).
CLIPBOARD_TOOLS = (("wl-copy", ()), ("xclip", ("-selection", "clipboard")), ("xsel", ("--clipboard", "--input")),
                   ("pbcopy", ()), ("clip.exe", ()))


class OutError(KustoError):
    kind = "DirectiveError"


def parse_target(args: str) -> tuple[str, str]:
    """`FILE [FORMAT]` -> (path, format)."""
    import shlex

    try:
        words = shlex.split(args)
    except ValueError as e:
        raise OutError(f"#out: {e}") from None
    if not words or len(words) > 2:
        raise OutError("usage: #out [last] FILE [csv|tsv|json|jsonl|markdown|parquet]")
    path = words[0]
    if len(words) == 2:
        fmt = words[1].lower()
        if fmt not in OUT_FORMATS:
            raise OutError(f"#out: unknown format '{words[1]}'; expected one of: {', '.join(OUT_FORMATS)}")
    else:
        ext = path.rsplit(".", 1)[-1].lower() if "." in os.path.basename(path) else ""
        fmt = _EXTENSIONS.get(ext)
        if fmt is None:
            raise OutError("#out: say the format after the file name (csv, tsv, json, jsonl, markdown, parquet) "
                           "or use one of their extensions")
    if fmt == "parquet":
        _pyarrow()  # refuse now, not after the query ran
    return path, fmt


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise OutError("#out: parquet needs the pyarrow package, which is not installed "
                       "(pip install pyarrow); use csv, tsv, json, jsonl or markdown") from None
    return pyarrow


def results_text(results: list[Result], fmt: str) -> str:
    from kshell.render import _json_safe, render

    blocks = []
    for r in results:
        if not r.columns:
            continue
        if fmt == "jsonl":
            import json

            names = r.column_names
            blocks.append("\n".join(json.dumps({n: _json_safe(v) for n, v in zip(names, row)}, ensure_ascii=False)
                                    for row in r.rows))
        else:
            blocks.append(render(r, fmt))
    sep = "\n\n" if fmt == "markdown" else "\n"
    return sep.join(b for b in blocks if b) + "\n"


def write_results(results: list[Result], path: str, fmt: str) -> str:
    """Write `results` to `path`; the confirmation line."""
    rows = sum(len(r.rows) for r in results if r.columns)
    try:
        if fmt == "parquet":
            _write_parquet(results, path)
        else:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(results_text(results, fmt))
    except OSError as e:
        raise OutError(f"#out: cannot write '{path}': {e.strerror or e}") from None
    return f"{rows} row{'s' if rows != 1 else ''} written to {path} ({fmt})"


def _write_parquet(results: list[Result], path: str) -> None:
    pa = _pyarrow()
    import pyarrow.parquet as pq

    from kshell.render import format_value

    tables = [r for r in results if r.columns]
    if len(tables) != 1:
        raise OutError("#out: a parquet file holds one table; this request gave "
                       f"{len(tables)} results (use csv, json or markdown)")
    r = tables[0]
    native = {"bool": pa.bool_(), "int": pa.int32(), "long": pa.int64(), "real": pa.float64()}
    arrays = []
    for i, c in enumerate(r.columns):
        values = [row[i] for row in r.rows]
        if c.type in native:
            arrays.append(pa.array(values, type=native[c.type]))
        elif c.type == "datetime":
            arrays.append(pa.array(values, type=pa.timestamp("us", tz="UTC")))
        else:  # timespan, guid, decimal, dynamic, string: their Kusto text
            arrays.append(pa.array([None if v is None else format_value(v) for v in values], type=pa.string()))
    pq.write_table(pa.Table.from_arrays(arrays, names=r.column_names), path)


def after_request(state: Any, outcome: Any) -> list[str]:
    """Remember the results; write them where a pending `#out` asked.  Returns notices."""
    if not isinstance(outcome, list) or not outcome or not all(isinstance(r, Result) for r in outcome):
        return []
    state.extras["last_results"] = outcome
    pending = state.extras.pop("out_pending", None)
    if pending is None:
        return []
    return [write_results(outcome, *pending)]


def last_results(state: Any, what: str) -> list[Result]:
    results = state.extras.get("last_results")
    if not results:
        raise OutError(f"{what}: no result yet; run a query first")
    return results


def clipboard_tool() -> list[str] | None:
    import shutil

    for program, args in CLIPBOARD_TOOLS:
        found = shutil.which(program)
        if found:
            return [found, *args]
    return None


def copy_to_clipboard(results: list[Result], fmt: str = "tsv") -> str:
    tool = clipboard_tool()
    if tool is None:
        raise OutError("#clip: no clipboard program found (wl-copy, xclip, xsel, pbcopy or clip.exe); "
                       "use #out FILE instead")
    import subprocess

    text = results_text(results, fmt)
    try:
        subprocess.run(tool, input=text.encode("utf-8"), check=True, timeout=10,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as e:
        raise OutError(f"#clip: {os.path.basename(tool[0])} failed: {e}") from None
    rows = sum(len(r.rows) for r in results if r.columns)
    return f"{rows} row{'s' if rows != 1 else ''} copied to the clipboard ({fmt})"
