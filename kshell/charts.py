"""Charts for `| render ...` in the terminal, drawn with plotext 6 (optional).

plotext is imported on the first chart only (never at start-up, never in a
script that draws nothing).  Without it, `draw` raises ChartError and
the caller shows the table with that one-line note.  A pie chart is drawn as
proportional bars (plotext has no pie), `card` as its single value, and
kinds kshell cannot draw (pivotchart, treemap, ...) as the table with a note.

`draw(result, width, height, color)` returns the chart as text; `save(results,
path)` writes the last result's chart for `#chart FILE`.
"""

from __future__ import annotations


from kshell.charts_data import DRAWN, ChartData, ChartError, chart_data, span_labels, time_labels
from kshell.result import Result

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Any

# Without colours, series are told apart by their marker characters.
PLAIN_MARKERS = ("*", "o", "+", "x", "#", "@", "%", "=")
PLAIN_BARS = ("█", "▒", "#", "░", "=", "+")
MAX_POINTS = 2000  # per series: a terminal has a few hundred dots across; more only costs time
SAVE_FORMATS = ("html", "txt", "ansi")


def drawable(result: Result) -> bool:
    """The result asks for a chart (`| render X` with X other than table)."""
    vis = result.visualization
    return bool(vis) and str(vis.get("chart", "table")).lower() != "table"


def draw(result: Result, width: int = 80, height: int = 20, *, color: bool = False) -> str:
    """The chart of `result` as text; ChartError (a one-line reason) when it cannot be drawn.

    A failure inside the plotting library is a ChartError too: a chart is an extra
    over the table, and must never cost the result (or the shell)."""
    try:
        return _draw(result, width, height, color)
    except ChartError:
        raise
    except Exception as e:  # noqa: BLE001 - see the docstring
        raise ChartError(f"the chart could not be drawn ({type(e).__name__}: {e}); showing the table") from None


def _draw(result: Result, width: int, height: int, color: bool) -> str:
    props = dict(result.visualization or {})
    kind = str(props.get("chart", "table")).lower()
    if kind not in DRAWN:
        raise ChartError(f"render {kind}: kshell cannot draw this kind of chart in a terminal; showing the table")
    if kind == "card":
        return _card(result, props)
    data = chart_data(result, props)
    if kind == "piechart":
        return _pie(data, width)
    return _figure(data, width, height, color).string(colorless=not color).rstrip("\n")


def _figure(data: ChartData, width: int, height: int, color: bool):
    """plotext's matrix of the chart."""
    fig = _plotext().figure
    fig.clear()
    fig.plot_size(max(width, 30), max(height, 8))
    # "simple": the frame in the terminal's own colours (no painted background, readable on dark
    # and light terminals alike), the series in plotext's palette
    fig.theme("simple" if color else "colorless")
    parts = data.panel_data() if data.panels else [data]
    if len(parts) > 1:
        fig.subplots(len(parts), 1)
        for i, part in enumerate(parts):
            plot = fig.subplot(i + 1, 1)
            plot.theme("simple" if color else "colorless")
            _dress(plot, part, color, title=(f"{data.title}: " if data.title else "") + part.title,
                   x_label=data.x_name if i == len(parts) - 1 else "")
    else:
        _dress(fig, data, color, title=data.title, x_label=None)
    return fig.build()


def _dress(plot, data: ChartData, color: bool, *, title: str, x_label: str | None) -> None:
    """Draw `data` on one plot, with its title, axis labels and y limits."""
    _plot(plot, data, color)
    if title:
        plot.title(title)
    x_name, y_name = (data.y_label, data.x_name) if data.kind == "barchart" else (data.x_name, data.y_label)
    plot.label(x_name if x_label is None else x_label, axis=0)
    plot.label(y_name, axis=1)
    if data.ymin is not None or data.ymax is not None:
        plot.ruler("y").lim(data.ymin, data.ymax)
    if data.kind not in ("columnchart", "barchart"):  # bars start at 0: no log scale for them
        if data.log_y:
            plot.ruler("y").scale("log")
        if data.log_x:
            plot.ruler("x").scale("log")


def save(results: list[Result], path: str, width: int = 100, height: int = 28) -> str:
    """Write the chart of the last drawable result to `path` (.html, .txt or .ansi); a confirmation line."""
    ext = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if ext in ("svg", "png"):
        raise ChartError(f"#chart: kshell cannot write .{ext} files (its chart library, plotext, draws text); "
                         "use .html, .txt or .ansi")
    if ext not in SAVE_FORMATS:
        raise ChartError("#chart: the file name must end with .html, .txt or .ansi")
    result = next((r for r in reversed(results) if drawable(r)), None)
    if result is None:
        raise ChartError("#chart: the last result has no chart; run a query ending with '| render ...' first")
    kind = str(result.visualization.get("chart")).lower()
    try:
        if kind in ("card", "piechart") or kind not in DRAWN:
            text = draw(result, width, height)
            with open(path, "w", encoding="utf-8") as f:
                f.write(f"<pre>{_html_escape(text)}</pre>\n" if ext == "html" else text + "\n")
        else:
            matrix = _figure(chart_data(result, dict(result.visualization)), width, height, color=ext != "txt")
            if ext == "html":
                matrix.save(path)  # plotext's page: the coloured characters in a monospaced <pre>
            else:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(matrix.string(colorless=ext == "txt").rstrip("\n") + "\n")
    except OSError as e:
        raise ChartError(f"#chart: cannot write '{path}': {e.strerror or e}") from None
    except ChartError:
        raise
    except Exception as e:  # noqa: BLE001 - a plotting library failure: one line, as in draw()
        raise ChartError(f"#chart: the chart could not be drawn ({type(e).__name__}: {e})") from None
    return f"chart written to {path}"


def _html_escape(text: str) -> str:
    import html

    return html.escape(text)


# ------------------------------------------------------------------ plotext

def _plotext():
    try:
        import plotext
    except ImportError:
        raise ChartError("charts need the plotext package (pip install 'kshell[charts]'); showing the table") from None
    plotext.terminal.limit(False)  # the size asked for, not the size of whatever terminal runs a script
    return plotext


def _thin(xs: list, ys: list) -> tuple[list, list]:
    if len(xs) <= MAX_POINTS:
        return xs, ys
    step = -(-len(xs) // MAX_POINTS)
    return xs[::step], ys[::step]


def _plot(fig, data: ChartData, color: bool) -> None:
    kind = data.kind
    if kind in ("columnchart", "barchart"):
        _bars(fig, data, horizontal=kind == "barchart", color=color)
        return
    categorical = any(isinstance(x, str) for x in data.xs)
    position = {x: i + 1 for i, x in enumerate(data.xs)} if categorical else None
    totals: dict[Any, float] = {}
    for n, (name, points) in enumerate(data.series.items()):
        xs = [x for x in data.xs if x in points]
        ys = [points[x] for x in xs]
        if kind == "stackedareachart":
            ys = [totals.setdefault(x, 0.0) + y for x, y in zip(xs, ys)]
            for x, y in zip(xs, ys):
                totals[x] = y
        if position is not None:
            xs = [position[x] for x in xs]
        xs, ys = _thin(xs, ys)
        signal = fig.signal(xs, ys, marker=None if color else PLAIN_MARKERS[n % len(PLAIN_MARKERS)])
        if kind != "scatterchart":
            signal.lines()
        if kind in ("areachart", "stackedareachart"):
            signal.fillx()
        if data.legend and (len(data.series) > 1 or kind == "anomalychart"):
            signal.label(name)
        fig.draw(signal)
    _x_ticks(fig, data, position)


def _x_ticks(fig, data: ChartData, position: dict | None) -> None:
    if position is not None:
        step = max(1, len(data.xs) // 8)
        ticks = [(position[x], str(x)[:12]) for x in data.xs[::step]]
        fig.ruler("x").ticks([p for p, _ in ticks], labels=[t for _, t in ticks])
    elif data.x_type in ("datetime", "timespan") and data.xs:
        lo, hi = min(data.xs), max(data.xs)
        n = 5 if hi > lo else 1
        positions = [lo + (hi - lo) * i / max(n - 1, 1) for i in range(n)]
        fig.ruler("x").ticks(positions, labels=time_labels(positions) if data.x_type == "datetime"
                             else span_labels(positions))


def _bars(fig, data: ChartData, horizontal: bool, color: bool) -> None:
    """One bar signal per series (so the legend names each), grouped side by side or stacked."""
    categories = [str(x)[:16] for x in data.xs]
    positions = list(range(1, len(categories) + 1))
    names = list(data.series)
    n = len(names)
    orientation = "horizontal" if horizontal else "vertical"
    base = [0.0] * len(positions)
    width = 0.8 / (1 if data.stacked else n)
    for i, name in enumerate(names):
        ys = [data.series[name].get(x, 0.0) for x in data.xs]
        top = [b + y for b, y in zip(base, ys)]
        marker = "full" if color else PLAIN_BARS[i % len(PLAIN_BARS)]
        offset = 0.0 if data.stacked or n == 1 else -0.4 + width / 2 + i * width
        signal = fig.bar(positions, list(base), top, width=width, orientation=orientation, marker=marker,
                         _offset=offset, _reset_ticks=False)
        if n > 1 and data.legend:
            signal.label(name)
        fig.draw(signal)
        if data.stacked:
            base = top
    fig.ruler("y" if horizontal else "x").ticks(positions, labels=categories)


# ------------------------------------------------------------- text-only kinds

def _pie(data: ChartData, width: int) -> str:
    """A pie as proportional bars: each slice's share of the whole, largest first."""
    name = next(iter(data.series), None)
    slices = data.series.get(name, {}) if name is not None else {}
    total = sum(v for v in slices.values() if v > 0)
    if total <= 0:
        raise ChartError("render piechart: nothing to draw (no positive values)")
    ordered = sorted(((str(k), v) for k, v in slices.items() if v > 0), key=lambda kv: -kv[1])
    label_w = min(max(len(k) for k, _ in ordered), 24)
    bar_w = max(10, width - label_w - 12)
    lines = [data.title] if data.title else []
    lines.append(f"{data.x_name} by {data.y_label} (share of {total:g})")
    for k, v in ordered:
        share = v / total
        lines.append(f"{k[:label_w].ljust(label_w)} {'█' * max(1, round(share * bar_w))} {share * 100:.1f}%")
    return "\n".join(lines)


def _card(result: Result, props: dict) -> str:
    if not result.rows or not result.columns:
        raise ChartError("render card: the result has no rows")
    from kshell.render import format_value

    value = format_value(result.rows[0][0])
    title = str(props.get("title", result.columns[0].name))
    inner = max(len(value), len(title)) + 4
    return "\n".join([
        "┌" + "─" * inner + "┐",
        "│" + title.center(inner) + "│",
        "│" + value.center(inner) + "│",
        "└" + "─" * inner + "┘",
    ])
