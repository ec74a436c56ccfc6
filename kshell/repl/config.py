"""The REPL's configuration file: `$XDG_CONFIG_HOME/kshell/config` (default ~/.config).

Written from a commented template on first run, then read on every start.
An unreadable file or a bad value never stops the shell: the default is used
and one warning line names the problem.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

FORMATS = ("table", "csv", "tsv", "json", "markdown", "vertical")
KEY_MODES = ("emacs", "vi")
MULTILINE_MODES = ("block", "line", "smart", "newline")  # smart: the old name of line

TEMPLATE = """\
# kshell configuration.  Written on first run; edit freely.
# Lines starting with '#' are comments.  Delete this file to get the defaults back.

[main]
# Output format of results: table, csv, tsv, json, markdown or vertical.
# (A --format given on the command line wins over this.)
format = table

# Page results taller than the screen through $PAGER (default "less -SRXF"): on or off.
# Switch it for the current session with #pager on|off.
pager = on

# Print the row count and elapsed time after each result: on or off (#timing on|off).
timing = on

# Show column types in table headers (name:type): on or off (#types on|off).
types = off

# Tables wider than the terminal stay horizontal and scroll sideways in the pager
# (less -S).  on: show one record per block instead when a row would not fit at all
# (wider than four screens, or wider than the screen with the pager off); a number N:
# the same with N screens instead of four; off: never.  (#format vertical always does.)
auto_vertical = on

# How many entries the history file ($XDG_DATA_HOME/kshell/history) keeps.
history_size = 10000

# Syntax colours: any pygments style name (default, monokai, native, solarized-dark,
# solarized-light, friendly, vim, ...).  "none" turns highlighting off.
style = default

# Key bindings: emacs or vi.
key_mode = emacs

# What Enter does (#blockmode / #linemode switch it for the session).
#   block:   as in Kusto Explorer: Enter inserts a newline; Enter on an empty line,
#            Alt-Enter (Esc Enter), Ctrl-Enter (where the terminal sends it) or F5
#            runs the block.  A complete one-line .command or #directive runs on Enter.
#   line:    Enter runs the request as soon as it is complete (an open ``` literal,
#            bracket, or a trailing | or , keeps it open); Alt-Enter inserts a newline.
#   newline: Enter always inserts a newline; Alt-Enter (Esc Enter) runs the request.
multiline = block

# Results taller than this many rows are cut on the screen, with a note (0: no cap).
max_rows = 5000

# Charts for `| render ...`: on or off (off shows the table only).
charts = on

# Offer completions while typing (on) or only when Tab is pressed (off).
complete_while_typing = on
"""


@dataclass
class Config:
    format: str = "table"
    pager: bool = True
    timing: bool = True
    types: bool = False
    auto_vertical: int = 4  # screens a row may span before records are shown vertically; 0: never
    history_size: int = 10000
    style: str = "default"
    key_mode: str = "emacs"
    multiline: str = "block"
    max_rows: int = 5000
    charts: bool = True
    complete_while_typing: bool = True
    warnings: list[str] = field(default_factory=list)


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "kshell"


def data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "kshell"


def config_path() -> Path:
    return config_dir() / "config"


def history_path() -> Path:
    return data_dir() / "history"


def ensure_config_file(path: Path | None = None) -> Path:
    """Write the commented template if there is no config file yet (first run)."""
    path = path or config_path()
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(TEMPLATE, encoding="utf-8")
        except OSError:
            pass  # a read-only home must not stop the shell
    return path


def _bool(value: str) -> bool | None:
    v = value.strip().lower()
    if v in ("on", "true", "yes", "1"):
        return True
    if v in ("off", "false", "no", "0"):
        return False
    return None


def parse_config(text: str, source: str = "config") -> Config:
    """A Config from the file's text; bad lines and values become warnings."""
    cfg = Config()
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")) or (line.startswith("[") and line.endswith("]")):
            continue
        key, sep, value = line.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not sep:
            cfg.warnings.append(f"{source}:{lineno}: expected 'name = value'")
            continue
        problem = _apply(cfg, key, value)
        if problem:
            cfg.warnings.append(f"{source}:{lineno}: {problem}")
    return cfg


def _apply(cfg: Config, key: str, value: str) -> str | None:
    low = value.lower()
    if key == "format":
        if low not in FORMATS:
            return f"format must be one of {', '.join(FORMATS)}"
        cfg.format = low
    elif key == "auto_vertical":
        b = _bool(value)
        if b is not None:
            cfg.auto_vertical = 4 if b else 0
        elif value.strip().isdigit():
            cfg.auto_vertical = int(value)
        else:
            return "auto_vertical must be on, off or a number of screens"
    elif key in ("pager", "timing", "types", "complete_while_typing", "charts"):
        b = _bool(value)
        if b is None:
            return f"{key} must be on or off"
        setattr(cfg, key, b)
    elif key in ("history_size", "max_rows"):
        try:
            n = int(value)
        except ValueError:
            return f"{key} must be a whole number"
        if n < 0:
            return f"{key} must not be negative"
        setattr(cfg, key, n)
    elif key == "style":
        cfg.style = value or "default"
    elif key == "key_mode":
        if low not in KEY_MODES:
            return "key_mode must be emacs or vi"
        cfg.key_mode = low
    elif key == "multiline":
        if low not in MULTILINE_MODES:
            return "multiline must be block, line or newline"
        cfg.multiline = "line" if low == "smart" else low
    else:
        return f"unknown setting '{key}'"
    return None


def load_config(path: Path | None = None) -> Config:
    """Read the config file, writing the template first if there is none."""
    path = ensure_config_file(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        cfg = Config()
        if path.exists():
            cfg.warnings.append(f"cannot read {path}: {e}")
        return cfg
    return parse_config(text, str(path))
