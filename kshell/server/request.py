"""Decoding a Kusto REST request: body, client request properties, options.

The body is `{"db": ..., "csl": ..., "properties": ...}`; `properties` is a
JSON string in the Python SDK and an object in the Node SDK (both accepted).
Properties hold `Options` (client request options) and `Parameters` (query
parameter values, declared in the query with `declare query_parameters`).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

from kshell.errors import BadRequest

# The service's default result limits (spec: query limits).
DEFAULT_TRUNCATION_MAX_RECORDS = 500_000


@dataclass(slots=True)
class QueryRequest:
    db: str | None
    csl: str
    options: dict[str, Any] = field(default_factory=dict)     # names lower-cased
    parameters: dict[str, Any] = field(default_factory=dict)

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name.lower(), default)

    def flag(self, name: str) -> bool:
        v = self.option(name)
        return v is True or (isinstance(v, str) and v.strip().lower() == "true")

    @property
    def max_records(self) -> int | None:
        """Rows a result may hold before it is truncated (None: no limit)."""
        if self.flag("notruncation"):
            return None
        value = self.option("truncationmaxrecords")
        if value is None:
            return DEFAULT_TRUNCATION_MAX_RECORDS
        try:
            n = int(value)
        except (TypeError, ValueError):
            raise BadRequest(f"the truncationmaxrecords option must be a whole number, not {value!r}") from None
        if n < 0:
            raise BadRequest("the truncationmaxrecords option must not be negative")
        return n

    @property
    def progressive(self) -> bool:
        return self.flag("results_progressive_enabled")

    @property
    def server_timeout(self) -> dt.timedelta | None:
        value = self.option("servertimeout")
        if value is None:
            return None
        return parse_timeout(value)

    @property
    def datetime_scope(self) -> tuple[str, dt.datetime | None, dt.datetime | None] | None:
        """`query_datetimescope_column`, `_from`, `_to` (validated; None when not given)."""
        column = self.option("query_datetimescope_column")
        if column is None:
            return None
        return (str(column), _datetime_option(self, "query_datetimescope_from"),
                _datetime_option(self, "query_datetimescope_to"))


def parse_timeout(value: Any) -> dt.timedelta:
    """servertimeout in every spelling clients send: "0:01:00" (Python), "00:01:00.000" (Node),
    "1m", "1.00:00:00", or a number of seconds... as a timespan; ValueError -> BadRequest."""
    from kshell.engine.clock_directives import parse_timespan

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return dt.timedelta(seconds=value)
    try:
        span = parse_timespan(str(value))
    except ValueError as e:
        raise BadRequest(f"the servertimeout option is not a timespan: {e}") from None
    if span <= dt.timedelta(0):
        raise BadRequest("the servertimeout option must be positive")
    return span


def _datetime_option(req: QueryRequest, name: str) -> dt.datetime | None:
    from kshell.engine.clock_directives import parse_datetime

    value = req.option(name)
    if value is None:
        return None
    try:
        return parse_datetime(str(value))
    except ValueError as e:
        raise BadRequest(f"the {name} option is not a datetime: {e}") from None


def decode_body(raw: bytes) -> bytes:
    """Request bytes, gunzipped or inflated when they are compressed.  The magic bytes decide,
    not Content-Encoding: one SDK labels an uncompressed stream as gzip."""
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error):
            raise BadRequest("the request body starts like gzip but does not decompress") from None
    return raw


def parse_query_request(raw: bytes) -> QueryRequest:
    text = _text(decode_body(raw))
    try:
        body = json.loads(text) if text.strip() else None
    except ValueError as e:
        raise BadRequest(f"the request body is not JSON: {e}") from None
    if not isinstance(body, dict):
        raise BadRequest('the request body must be a JSON object {"db": ..., "csl": ..., "properties": ...}')
    csl = body.get("csl")
    if not isinstance(csl, str) or not csl.strip():
        raise BadRequest("the request has no query or command text ('csl')")
    db = body.get("db")
    if db is not None and not isinstance(db, str):
        raise BadRequest("the request's database ('db') must be a string")
    options, parameters = parse_properties(body.get("properties"))
    return QueryRequest(db.strip() if db and db.strip() else None, csl, options, parameters)


def parse_properties(props: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(Options with lower-cased names, Parameters) of the `properties` member."""
    if props is None or props == "":
        return {}, {}
    if isinstance(props, str):
        try:
            props = json.loads(props)
        except ValueError as e:
            raise BadRequest(f"the request's 'properties' is not JSON: {e}") from None
    if not isinstance(props, dict):
        raise BadRequest("the request's 'properties' must be a JSON object")
    options = _member(props, "Options")
    parameters = _member(props, "Parameters")
    if not isinstance(options, dict) or not isinstance(parameters, dict):
        raise BadRequest("the request's Options and Parameters must be JSON objects")
    return {str(k).lower(): v for k, v in options.items()}, dict(parameters)


def _member(props: dict, name: str) -> Any:
    for key in (name, name.lower()):
        if props.get(key) is not None:
            return props[key]
    return {}


def _text(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the request body is not UTF-8 text") from None
    return text[1:] if text.startswith("\ufeff") else text
