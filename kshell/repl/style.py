"""Colours: a pygments style for the Kusto text, plus the shell's own UI classes."""

from __future__ import annotations

from prompt_toolkit.styles import Style, merge_styles

UI_STYLE = {
    "prompt": "ansicyan bold",
    "continuation": "ansibrightblack",
    "bottom-toolbar": "noreverse bg:#303030 #d0d0d0",
    "bottom-toolbar.label": "bg:#303030 #8a8a8a",
    "bottom-toolbar.value": "bg:#303030 #ffffff bold",
    "bottom-toolbar.key": "bg:#303030 #87afd7",
    "bottom-toolbar.warn": "bg:#303030 #ffaf5f",
    "completion-menu.completion": "bg:#3a3a3a #e4e4e4",
    "completion-menu.completion.current": "bg:#5f87af #ffffff",
    "completion-menu.meta.completion": "bg:#262626 #8a8a8a",
    "completion-menu.meta.completion.current": "bg:#5f87af #ffffff",
    "auto-suggestion": "#6c6c6c",
}


def build_style(name: str) -> tuple[Style, list[str]]:
    """The style for pygments style `name` ("none": no syntax colours) and any warning."""
    warnings: list[str] = []
    ui = Style.from_dict(UI_STYLE)
    if name.lower() == "none":
        return ui, warnings
    from pygments.styles import get_style_by_name
    from pygments.util import ClassNotFound
    from prompt_toolkit.styles.pygments import style_from_pygments_cls

    try:
        pyg = get_style_by_name(name)
    except ClassNotFound:
        warnings.append(f"unknown style '{name}'; using 'default'")
        pyg = get_style_by_name("default")
    return merge_styles([style_from_pygments_cls(pyg), ui]), warnings
