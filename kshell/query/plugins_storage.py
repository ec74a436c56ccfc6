"""infer_storage_schema and infer_storage_schema_with_suggestions over kshell's simulated
storage (registered in kshell.query.plugins.REGISTRY).

The files are listed and read through QueryContext.storage_files, with the caller's rights
(a managed identity needs the ExternalDataRequest usage); the types are guessed here from
the text of delimited or JSON files.  Binary formats (parquet, avro, orc) are not read by
kshell and say so.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

from kshell.errors import BadRequest, NotSupported
from kshell.query import types as T
from kshell.query.plugin_args import constant, positional
from kshell.query.plugins import plugin
from kshell.query.tabular import Tabular
from kshell.syntax import ast

DELIMITERS = {"csv": ",", "tsv": "\t", "tsve": "\t", "psv": "|", "scsv": ";", "sohsv": "\x01"}
JSON_FORMATS = ("json", "multijson", "singlejson")
BINARY_FORMATS = ("parquet", "avro", "apacheavro", "orc", "w3clogfile")
MODES = ("any", "last", "all")
NUMERIC = ("int", "long", "real", "decimal")
SUMMABLE = NUMERIC + ("datetime", "timespan")
# A long column is read as unix time by the first unit that puts every value in this range
# (the docs' rule "produces a valid datetime value", made concrete; docs/query-engine.md).
UNIX_UNITS = (("DateTimeFromUnixSeconds", 1), ("DateTimeFromUnixMilliseconds", 1_000),
              ("DateTimeFromUnixMicroseconds", 1_000_000), ("DateTimeFromUnixNanoseconds", 1_000_000_000))
UNIX_RANGE = (dt.datetime(1990, 1, 1), dt.datetime(2100, 1, 1))
_LONG = re.compile(r"^[+-]?\d+$")
_REAL = re.compile(r"^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|NaN|Infinity|-Infinity)$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TIMESPAN = re.compile(r"^-?(\d+\.)?\d{1,2}:\d{2}:\d{2}(\.\d+)?$")


# ------------------------------------------------------------------ options

class Request:
    def __init__(self, ev, call: ast.Call, options: Any):
        if not isinstance(options, dict):
            raise ev.error(call, f"{call.name}(): Options must be a dynamic property bag")
        opts = {str(k).lower(): v for k, v in options.items()}
        containers = opts.get("storagecontainers")
        if isinstance(containers, str):
            containers = [containers]
        if not isinstance(containers, list) or not containers or not all(isinstance(c, str) for c in containers):
            raise ev.error(call, f"{call.name}(): Options must hold 'StorageContainers', an array of storage "
                                 "connection strings")
        fmt = opts.get("dataformat")
        if not isinstance(fmt, str) or not fmt:
            raise ev.error(call, f"{call.name}(): Options must hold 'DataFormat'")
        self.format = fmt.lower()
        if self.format in BINARY_FORMATS:
            raise NotSupported(f"{call.name}(): reading {self.format} files is not simulated by kshell "
                               "(it reads csv, tsv, psv, scsv, sohsv, json, multijson and txt)")
        if self.format not in DELIMITERS and self.format not in JSON_FORMATS and self.format != "txt":
            raise ev.error(call, f"{call.name}(): unknown DataFormat '{fmt}'")
        mode = str(opts.get("mode") or "last").lower()
        if mode not in MODES:
            raise ev.error(call, f"{call.name}(): Mode must be 'any', 'last' or 'all', not '{mode}'")
        self.containers = containers
        self.mode = mode
        self.extension = str(opts.get("fileextension") or "")
        self.prefix = str(opts.get("filenameprefix") or "")
        inference = opts.get("inferenceoptions") or {}
        if not isinstance(inference, dict):
            raise ev.error(call, f"{call.name}(): InferenceOptions must be a property bag")
        self.header = any(str(k).lower() == "usefirstrowasheader" and v is True for k, v in inference.items())


def _files(ev, req: Request) -> list[Any]:
    files = []
    for cs in req.containers:
        for f in ev.ctx.storage_files(cs):
            base = f.name.rpartition("/")[2]
            if req.prefix and not base.startswith(req.prefix):
                continue
            if req.extension and not (base.endswith(req.extension) or base.endswith(req.extension + ".gz")):
                continue
            files.append(f)
    if req.mode == "any":
        return files[:1]
    if req.mode == "last":
        return sorted(files, key=lambda f: (f.modified, f.uri))[-1:]
    return files


# ------------------------------------------------------------------ inference

def _scalar_type(text: str) -> str | None:
    """The type a delimited field's text reads as (None: empty, says nothing)."""
    s = text.strip()
    if not s:
        return None
    if s.lower() in ("true", "false"):
        return "bool"
    if _LONG.match(s):
        return "long" if -2**63 <= int(s) < 2**63 else "real"
    if _REAL.match(s):
        return "real"
    return _string_type(s)


def _string_type(s: str) -> str:
    if _DATETIME.match(s) and T.parse_datetime(s) is not None:
        return "datetime"
    if _GUID.match(s):
        return "guid"
    if _TIMESPAN.match(s) and T.parse_timespan(s) is not None:
        return "timespan"
    return "string"


def _json_type(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "long" if -2**63 <= v < 2**63 else "real"
    if isinstance(v, float):
        return "real"
    if isinstance(v, str):
        return _string_type(v)
    return "dynamic"


def _merge(a: str | None, b: str | None) -> str | None:
    """The type that holds both (long and real widen to real; other mixes are strings)."""
    if a is None or a == b:
        return b
    if b is None:
        return a
    if {a, b} <= {"long", "real"}:
        return "real"
    if "dynamic" in (a, b):
        return "dynamic"
    return "string"


class Schema:
    def __init__(self) -> None:
        self.types: dict[str, str | None] = {}
        self.values: dict[str, list[Any]] = {}  # the long values seen (for the unix-time suggestion)

    def see(self, name: str, typ: str | None, value: Any = None) -> None:
        self.types[name] = _merge(self.types.get(name), typ) if name in self.types else typ
        if typ == "long" and value is not None:
            self.values.setdefault(name, []).append(int(value))

    def columns(self) -> list[tuple[str, str]]:
        return [(n, t or "string") for n, t in self.types.items()]


def _infer_text(req: Request, text: str, schema: Schema) -> None:
    if req.format in JSON_FORMATS:
        for obj in _json_records(text):
            for k, v in obj.items():
                schema.see(str(k), _json_type(v), v if isinstance(v, int) and not isinstance(v, bool) else None)
        return
    if req.format == "txt":
        schema.see("Text", "string")
        return
    rows = list(csv.reader(io.StringIO(text), delimiter=DELIMITERS[req.format]))
    rows = [r for r in rows if r]
    if not rows:
        return
    names = [h.strip() or f"Column{i + 1}" for i, h in enumerate(rows[0])] if req.header else []
    width = max(len(r) for r in rows[1 if req.header else 0:] or [[]] + [names])
    names += [f"Column{i + 1}" for i in range(len(names), width)]
    for name in names:
        schema.types.setdefault(name, None)
    for r in rows[1 if req.header else 0:]:
        for name, cell in zip(names, r):
            typ = _scalar_type(cell)
            schema.see(name, typ, cell.strip() if typ == "long" else None)


def _json_records(text: str) -> list[dict]:
    """Objects of a JSON file: one per line, a top-level array, or objects back to back."""
    dec = json.JSONDecoder()
    out: list[dict] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " \t\r\n,":
            i += 1
        if i >= n:
            break
        try:
            value, i = dec.raw_decode(text, i)
        except json.JSONDecodeError as e:
            raise BadRequest(f"infer_storage_schema: the file is not valid JSON ({e.msg} at character {e.pos})") from None
        if isinstance(value, list):
            out.extend(v for v in value if isinstance(v, dict))
        elif isinstance(value, dict):
            out.append(value)
    return out


def _infer(ev, call: ast.Call, scope) -> tuple[Schema, Request]:
    args = positional(call)
    if len(args) != 1:
        raise ev.error(call, f"{call.name}(): expects one argument, the Options property bag")
    req = Request(ev, call, constant(ev, call, args[0], scope, "Options"))
    files = _files(ev, req)
    if not files:
        raise BadRequest(f"{call.name}(): no file under the storage containers matches the request "
                         "(check FileNamePrefix, FileExtension and the container paths)")
    schema = Schema()
    for f in files:
        _infer_text(req, f.read(), schema)
    if not schema.types:
        raise BadRequest(f"{call.name}(): the files hold no data to infer a schema from")
    return schema, req


@plugin("infer_storage_schema")
def infer_storage_schema(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    if ev.schema_only:  # a schema check (function or policy validation) reads no storage
        return Tabular.from_rows([("CslSchema", "string")], [])
    inferred, _req = _infer(ev, call, scope)
    text = ", ".join(f"{_csl_name(n)}:{t}" for n, t in inferred.columns())
    return Tabular.from_rows([("CslSchema", "string")], [[text]])


def _csl_name(name: str) -> str:
    return name if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name) else "['" + name.replace("'", "\\'") + "']"


# ------------------------------------------------------------------ suggestions

def _csl_type(typ: str) -> dict[str, Any]:
    return {"type": typ, "IsNumeric": typ in NUMERIC, "IsSummable": typ in SUMMABLE}


def _suggest(name: str, typ: str, longs: list[int]) -> tuple[str, str]:
    """(recommended type, ApplicableTransformationMapping) by the docs' two rules."""
    if typ != "long":
        return typ, "None"
    if name.lower().endswith("id"):
        return "string", "None"
    for mapping, per_second in UNIX_UNITS:
        if longs and all(_plausible_unix(v / per_second) for v in longs):
            return "datetime", mapping
    return typ, "None"


def _plausible_unix(seconds: float) -> bool:
    low, high = (d.replace(tzinfo=dt.timezone.utc).timestamp() for d in UNIX_RANGE)
    return low <= seconds < high


@plugin("infer_storage_schema_with_suggestions")
def infer_storage_schema_with_suggestions(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    if ev.schema_only:
        return Tabular.from_rows([("InferredSchema", "dynamic")], [])
    inferred, _req = _infer(ev, call, scope)
    columns = []
    for name, typ in inferred.columns():
        recommended, mapping = _suggest(name, typ, inferred.values.get(name, []))
        columns.append({"OriginalColumn": {"Name": name, "CslType": _csl_type(typ)},
                        "RecommendedColumn": {"Name": name, "CslType": _csl_type(recommended)},
                        "ApplicableTransformationMapping": mapping})
    return Tabular.from_rows([("InferredSchema", "dynamic")], [[{"Columns": columns}]])
