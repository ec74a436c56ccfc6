"""Policy arguments that are not JSON, turned into the policy's JSON shape.

    retention   softdelete = 10d [recoverability = enabled|disabled]
    caching     hot = 30d [, hotdata = 1d] [, hotindex = 1d] [, hot_window = datetime(a) .. datetime(b)] ...
    boolean     true | false                          (ingestiontime, restricted_view_access)
    enable_disable  enable | disable                  (streamingingestion)
    roworder    (Column asc|desc, ...)
    encoding    [type = 'identifier']
    request_classification  'json' <| classification function body

Each reader gets the generic PolicyCommand node and returns a raw value that
kshell.engine.policies.schema then validates like a JSON payload.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kshell.errors import BadRequest, KustoSyntaxError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_ASSIGN = re.compile(r"\s*,?\s*([A-Za-z_]+)\s*=\s*", re.S)
_WINDOW = re.compile(r"(datetime\s*\([^)]*\)|\S+)\s*\.\.\s*(datetime\s*\([^)]*\)|[^\s,]+)", re.S | re.I)
_VALUE = re.compile(r"('[^']*'|\"[^\"]*\"|[^\s,]+)")


def _assignments(text: str, context: str) -> list[tuple[str, str]]:
    """`name = value` pairs separated by spaces or commas; `hot_window` takes `a .. b`."""
    out = []
    i = 0
    text = text.rstrip()
    while i < len(text):
        if not text[i:].strip(" \t\r\n,"):
            break
        m = _ASSIGN.match(text, i)
        if not m:
            raise KustoSyntaxError(f"expected 'name = value' in {context}, found {text[i:i + 20].strip()!r}")
        name = m.group(1).lower()
        i = m.end()
        vm = (_WINDOW if name == "hot_window" else _VALUE).match(text, i)
        if not vm:
            raise KustoSyntaxError(f"expected a value after '{name} =' in {context}")
        out.append((name, vm.group(0).strip()))
        i = vm.end()
    return out


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def retention(node: Any) -> Any:
    obj: dict[str, Any] = {}
    for name, value in _assignments(node.args_text, "a retention policy"):
        if name == "softdelete":
            obj["SoftDeletePeriod"] = _unquote(value)
        elif name == "recoverability":
            obj["Recoverability"] = _unquote(value)
        else:
            raise BadRequest(f"RetentionPolicy: unknown property '{name}' (expected softdelete or recoverability)")
    return obj


def caching(node: Any) -> Any:
    obj: dict[str, Any] = {}
    windows = []
    for name, value in _assignments(node.args_text, "a caching policy"):
        if name == "hot":
            obj["DataHotSpan"] = {"Value": _unquote(value)}
            obj["IndexHotSpan"] = {"Value": _unquote(value)}
        elif name == "hotdata":
            obj["DataHotSpan"] = {"Value": _unquote(value)}
        elif name == "hotindex":
            obj["IndexHotSpan"] = {"Value": _unquote(value)}
        elif name == "hot_window":
            m = _WINDOW.fullmatch(value)
            windows.append({"MinValue": m.group(1), "MaxValue": m.group(2)})
        else:
            raise BadRequest(f"CachingPolicy: unknown property '{name}' (expected hot, hotdata, hotindex or hot_window)")
    if windows:
        obj["HotWindows"] = windows
    if "DataHotSpan" not in obj and "IndexHotSpan" not in obj and not windows:
        raise KustoSyntaxError("expected 'hot = TIMESPAN' after 'policy caching'")
    return obj


def boolean(node: Any) -> Any:
    word = node.args_text.strip().lower()
    if word not in ("true", "false"):
        raise KustoSyntaxError(f"expected 'true' or 'false' after 'policy {node.kind}', found {node.args_text.strip()[:20]!r}")
    return {"IsEnabled": word == "true"}


def enable_disable(node: Any) -> Any:
    word = node.args_text.strip().lower()
    if word not in ("enable", "disable"):
        raise KustoSyntaxError(f"expected 'enable', 'disable' or a JSON policy after 'policy {node.kind}'")
    return {"IsEnabled": word == "enable"}


_SORT_KEY = re.compile(r"\s*([A-Za-z_][\w]*|\[\s*'[^']*'\s*\]|\['[^']*'\])\s+(asc|desc)\s*", re.I)


def roworder(node: Any) -> Any:
    text = node.args_text.strip()
    if not (text.startswith("(") and text.endswith(")")):
        raise KustoSyntaxError("expected '(Column asc|desc, ...)' after 'policy roworder'")
    keys = []
    for part in text[1:-1].split(","):
        m = _SORT_KEY.fullmatch(part)
        if not m:
            raise KustoSyntaxError(f"expected 'Column asc' or 'Column desc' in the row order, found {part.strip()!r}")
        name = m.group(1)
        if name.startswith("["):
            name = name.strip("[] ")[1:-1]
        keys.append(f"{name} {m.group(2).lower()}")
    if not keys:
        raise KustoSyntaxError("the row order needs at least one sort key")
    return {"RowOrder": keys}


def encoding(node: Any) -> Any:
    pairs = _assignments(node.args_text, "an encoding policy")
    obj: dict[str, Any] = {}
    for name, value in pairs:
        if name != "type":
            raise BadRequest(f"EncodingPolicy: unknown property '{name}' (expected type)")
        obj["EncodingPolicyType"] = _unquote(value)
    return obj


def request_classification(node: Any) -> Any:
    from kshell.engine.policy_json import parse_json

    props = parse_json(node.payload, "RequestClassification") if node.payload else {}
    if not isinstance(props, dict):
        raise BadRequest("RequestClassificationPolicy: the properties must be a JSON object")
    rest = node.args_text.strip()
    obj: dict[str, Any] = {"ClassificationProperties": props}
    if rest:
        if not rest.startswith("<|"):
            raise KustoSyntaxError("expected '<|' and the classification function after the properties")
        body = rest[2:].strip()
        if not body:
            raise KustoSyntaxError("expected the classification function after '<|'")
        _check_expression(body)
        obj["ClassificationFunction"] = body
    return obj


def _check_expression(body: str) -> None:
    """The classification function is a scalar expression returning the workload group name."""
    from kshell.errors import KustoError
    from kshell.syntax import parse_query

    try:
        parse_query(f"print __group = {body}")
    except KustoError as e:
        raise BadRequest(f"RequestClassificationPolicy: the classification function is not valid: {e.message}") from None


READERS: dict[str, Callable[[Any], Any]] = {
    "retention": retention, "caching": caching, "boolean": boolean, "enable_disable": enable_disable,
    "roworder": roworder, "encoding": encoding, "request_classification": request_classification,
}
