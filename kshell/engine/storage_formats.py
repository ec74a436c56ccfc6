"""Writing and reading rows as storage files (csv, tsv, psv, json lines; gzip).

Exports and external tables write with `encode_rows`; ingestion from storage
and external-table reads go through `decode_rows`, which uses the same
reader as inline ingestion (kshell.engine.values.read_columns), so a file an
export wrote reads back to the same values.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import gzip
import io
import json

from kshell.engine.values import BINARY_FORMATS, FormatError, SUPPORTED_FORMATS, read_columns
from kshell.errors import BadRequest, NotSupported
from kshell.render import format_value
from kshell.engine.guids import uuid_module
from kshell.engine.lazy_modules import lazy_module

TYPE_CHECKING = False
if TYPE_CHECKING:
    import uuid
    from typing import Any
else:  # imported on the first GUID value, without `platform` (kshell.engine.guids)
    lazy_module(globals(), "uuid", uuid_module)

DELIMITERS = {"csv": ",", "tsv": "\t", "tsve": "\t", "psv": "|", "scsv": ";", "sohsv": "\x01"}
WRITABLE_FORMATS = ("csv", "tsv", "json")
EXPORT_FORMATS = ("csv", "tsv", "json", "parquet")  # spec 5.5 / 6.1: what an export target may use
EXTENSIONS = {"csv": ".csv", "tsv": ".tsv", "json": ".json", "multijson": ".json", "psv": ".psv", "parquet": ".parquet"}
FORMAT_BY_EXTENSION = {".csv": "csv", ".tsv": "tsv", ".psv": "psv", ".json": "multijson",
                       ".jsonl": "multijson", ".multijson": "multijson", ".txt": "txt", ".scsv": "scsv",
                       ".parquet": "parquet", ".avro": "avro", ".orc": "orc"}


def check_writable(fmt: str) -> None:
    if fmt == "parquet":
        raise NotSupported("writing Parquet files is not simulated by kshell (use csv, tsv or json)")
    if fmt not in WRITABLE_FORMATS:
        raise BadRequest(f"data format '{fmt}' cannot be exported (export formats: csv, tsv, json, parquet)")


def check_readable(fmt: str) -> None:
    if fmt in BINARY_FORMATS or fmt == "parquet":
        raise NotSupported(f"reading {fmt} files is not simulated by kshell "
                           "(it reads csv, tsv, psv, scsv, json, multijson and txt)")
    if fmt not in SUPPORTED_FORMATS:
        raise BadRequest(f"unknown data format '{fmt}' (expected one of: {', '.join(SUPPORTED_FORMATS)})")


def format_of_path(path: str, default: str = "csv") -> str:
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for ext, fmt in FORMAT_BY_EXTENSION.items():
        if name.endswith(ext):
            return fmt
    return default


def _json_value(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if v == v and v not in (float("inf"), float("-inf")) else format_value(v)
    if isinstance(v, (dt.datetime, dt.timedelta, uuid.UUID, decimal.Decimal)):
        return format_value(v)
    if isinstance(v, dict):
        return {str(k): _json_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_value(x) for x in v]
    inner = getattr(v, "value", None)  # a Dynamic wrapper
    return _json_value(inner) if inner is not None else str(v)


def encode_rows(names: list[str], rows: list[list[Any]], fmt: str, *, header: bool = False,
                compressed: bool = False, bom: bool = False) -> bytes:
    """The bytes of one file holding `rows` (UTF-8; with a BOM for encoding=UTF8BOM)."""
    check_writable(fmt)
    if fmt == "json":
        text = "".join(json.dumps({n: _json_value(v) for n, v in zip(names, row)}, ensure_ascii=False) + "\n"
                       for row in rows)
    else:
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=DELIMITERS[fmt], lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        if header:
            w.writerow(names)
        for row in rows:
            w.writerow([_cell(v) for v in row])
        text = buf.getvalue()
    data = ("\ufeff" + text if bom else text).encode("utf-8")
    return gzip.compress(data, mtime=0) if compressed else data


def _cell(v: Any) -> str:
    if isinstance(v, (dict, list)):
        return json.dumps(_json_value(v), ensure_ascii=False, separators=(",", ":"))
    return format_value(v)


def decode_rows(text: Any, columns: list[tuple[str, str]], fmt: str, *, skip_first: bool = False,
                mapping: Any = None) -> list[Any]:
    """Columnar values of a file's text (a str, or a text stream read as it is parsed)."""
    check_readable(fmt)
    props: dict[str, Any] = {"format": fmt, "ignoreFirstRecord": skip_first}
    if mapping is not None:
        props["ingestionMapping"] = mapping
    try:
        return read_columns(text, columns, props)
    except FormatError as e:
        raise BadRequest(str(e)) from None
    except OSError as e:  # the file failed while being read
        raise BadRequest(f"cannot read the data: {e.strerror or e}") from None
