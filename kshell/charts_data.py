"""What a `| render` chart shows: the x axis and the series, read from a Result.

Kusto's rules (render operator docs), in short: `xcolumn` (default: the first
column; for a timechart the first datetime column) gives x; `ycolumns`
(default: every numeric column other than x and the series columns) give y;
`series` (default: the other non-numeric columns) cut the rows into series.
A series is named by its series values, plus the y column when there are
several.  No plotting library is imported here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kshell.result import Result

NUMERIC = frozenset({"int", "long", "real", "decimal"})
TIME_KINDS = frozenset({"timechart", "anomalychart"})
# Charts drawn in the terminal; `card` shows one value; `table` is the plain table.
DRAWN = frozenset({"timechart", "linechart", "areachart", "stackedareachart", "barchart", "columnchart",
                   "scatterchart", "piechart", "anomalychart", "card"})


class ChartError(Exception):
    """The result cannot be drawn as asked (a one-line note; the table is shown instead)."""


@dataclass
class ChartData:
    kind: str
    title: str
    x_name: str
    x_type: str
    y_label: str
    xs: list[Any] = field(default_factory=list)            # x positions (numbers) or categories (strings)
    series: dict[str, dict[Any, float]] = field(default_factory=dict)  # name -> {x: y}
    stacked: bool = False
    legend: bool = True
    ymin: float | None = None
    ymax: float | None = None
    panels: dict[str, str] = field(default_factory=dict)  # with ysplit=panels: series name -> its y column
    log_x: bool = False  # xaxis=log / yaxis=log
    log_y: bool = False

    def panel_data(self) -> list["ChartData"]:
        """One ChartData per y column (`ysplit=panels`), in column order."""
        out: dict[str, ChartData] = {}
        for name, points in self.series.items():
            column = self.panels.get(name, "")
            part = out.get(column)
            if part is None:
                part = out[column] = ChartData(self.kind, column, self.x_name, self.x_type, column, list(self.xs),
                                               stacked=self.stacked, legend=self.legend,
                                               ymin=self.ymin, ymax=self.ymax, log_x=self.log_x, log_y=self.log_y)
            part.series[name] = points
        return list(out.values())


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [v.strip() for v in str(value).split(",") if v.strip()]


def _index(result: Result, name: str, what: str) -> int:
    for i, c in enumerate(result.columns):
        if c.name == name:
            return i
    raise ChartError(f"render: {what} '{name}' is not a column of the result")


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None if value is None else float(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if f == f else None  # NaN is not drawn


def _x_value(value: Any, type_name: str) -> Any:
    if value is None:
        return None
    if type_name == "datetime" and isinstance(value, dt.datetime):
        return value.timestamp()
    if type_name == "timespan" and isinstance(value, dt.timedelta):
        return value.total_seconds()
    if type_name in NUMERIC:
        return _number(value)
    from kshell.render import format_value

    return format_value(value)


def _float_prop(props: dict, key: str) -> float | None:
    v = props.get(key)
    try:
        return None if v is None else float(v)
    except (TypeError, ValueError):
        raise ChartError(f"render: {key} must be a number, got '{v}'") from None


def chart_data(result: Result, props: dict[str, Any]) -> ChartData:
    kind = str(props.get("chart", "table")).lower()
    cols = result.columns
    if not cols:
        raise ChartError("render: the result has no columns")
    if "xcolumn" in props:
        xi = _index(result, str(props["xcolumn"]), "xcolumn")
    elif kind in TIME_KINDS:
        xi = next((i for i, c in enumerate(cols) if c.type == "datetime"), None)
        if xi is None:
            raise ChartError(f"render {kind}: the result has no datetime column for the x axis")
    else:
        xi = 0
    series_cols = [_index(result, n, "series column") for n in _names(props.get("series"))]
    if "ycolumns" in props:
        y_cols = [_index(result, n, "ycolumn") for n in _names(props["ycolumns"])]
    else:
        y_cols = [i for i, c in enumerate(cols) if i != xi and i not in series_cols and c.type in NUMERIC]
    if "series" not in props:
        series_cols = [i for i, c in enumerate(cols) if i != xi and i not in y_cols and c.type not in NUMERIC
                       and c.type not in ("datetime", "timespan")]
    if kind == "piechart":
        y_cols = y_cols[:1]  # a pie shows one measure: the first
    if not y_cols:
        raise ChartError(f"render {kind}: the result has no numeric column to draw")
    x_type = cols[xi].type
    data = ChartData(
        kind=kind,
        title=str(props.get("title", "")),
        x_name=str(props.get("xtitle", cols[xi].name)),
        x_type=x_type,
        y_label=str(props.get("ytitle", ", ".join(cols[i].name for i in y_cols))),
        stacked=str(props.get("kind", "")).lower() in ("stacked", "stacked100") or kind == "stackedareachart",
        legend=str(props.get("legend", "visible")).lower() != "hidden",
        ymin=_float_prop(props, "ymin"),
        ymax=_float_prop(props, "ymax"),
        log_x=str(props.get("xaxis", "")).lower() == "log" and x_type in NUMERIC,
        log_y=str(props.get("yaxis", "")).lower() == "log",
    )
    # ysplit=panels: one chart per y column, stacked vertically (lines, areas, points)
    split = (str(props.get("ysplit", "none")).lower() == "panels" and len(y_cols) > 1
             and kind not in ("columnchart", "barchart", "piechart"))
    seen_x: dict[Any, None] = {}
    for row in result.rows:
        x = _x_value(row[xi], x_type)
        if x is None:
            continue
        seen_x.setdefault(x, None)
        prefix = ", ".join("" if row[i] is None else _x_value(row[i], cols[i].type) for i in series_cols)
        for yi in y_cols:
            y = _number(row[yi])
            if y is None:
                continue
            name = prefix if prefix and len(y_cols) == 1 else (f"{prefix}:{cols[yi].name}" if prefix else cols[yi].name)
            if split:
                data.panels[name] = cols[yi].name
            bucket = data.series.setdefault(name, {})
            bucket[x] = bucket.get(x, 0.0) + y if kind in ("columnchart", "barchart", "piechart") else y
    data.xs = list(seen_x)
    if all(isinstance(x, (int, float)) for x in data.xs):
        data.xs.sort()
    return data


def time_labels(positions: list[float]) -> list[str]:
    """Tick labels for epoch seconds: the date, plus the time when the span is under a few days."""
    if not positions:
        return []
    span = max(positions) - min(positions)
    fmt = "%Y-%m-%d" if span >= 3 * 86400 else ("%m-%d %H:%M" if span >= 3600 * 6 else "%H:%M:%S")
    return [dt.datetime.fromtimestamp(p, dt.timezone.utc).strftime(fmt) for p in positions]


def span_labels(positions: list[float]) -> list[str]:
    """Tick labels for seconds of a timespan axis, as Kusto prints timespans."""
    from kshell.render import format_timespan

    return [format_timespan(dt.timedelta(seconds=round(p, 3))) for p in positions]
