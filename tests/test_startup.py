"""Script start-up: script mode imports only what it uses, and loading command
families on first use (static indexes) never changes an answer."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# ../shared beside the checkout (or beside the worktrees' directory)
CORPUS = next((p / "shared" / "corpus" / "docs-kusto-blocks.jsonl" for p in (PROJECT_ROOT.parent, PROJECT_ROOT.parent.parent)
               if (p / "shared").is_dir()), PROJECT_ROOT.parent / "shared" / "corpus" / "docs-kusto-blocks.jsonl")
REPL_ONLY = ("prompt_toolkit", "pygments", "tabulate", "wcwidth", "kshell.repl")

SCRIPT = """\
.create table T (a:long, s:string, d:datetime)

.ingest inline into table T <|
1,x,2026-01-01
2,y,2026-01-02

T | where a > 1 | project a, s, d

T | summarize count() by s | order by s asc

.show tables

#db

.create database D2 volatile

.add database D2 viewers ('aaduser=v@contoso.com')

.show database D2 principals

#identity create mi1

.alter-merge cluster policy managed_identity ```[{"ObjectId": "system", "AllowedUsages": "NativeIngestion"}]```

.alter table T policy update @'[{"IsEnabled": true, "Source": "T", "Query": "T", "IsTransactional": false}]'

#time advance 1h

print now()
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _modules_after(args: list[str], stdin: str = "", preload: bool = False) -> tuple[list[str], str, str]:
    code = (
        "import sys\n"
        + ("import kshell.engine.session as s; s.load_families()\n"
           "import kshell.syntax.commands as c; c._load_families()\n"
           "import kshell.directives as d; d._load()\n" if preload else "")
        + "from kshell.cli import main\n"
        f"rc = main({args!r})\n"
        "print('MODULES', ' '.join(sorted(sys.modules)), file=sys.stderr)\n"
        "sys.exit(rc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], input=stdin.encode(), capture_output=True,
                          cwd=str(PROJECT_ROOT), env=_env(), timeout=120)
    err = proc.stderr.decode()
    head, _, mods = err.rpartition("MODULES ")
    return mods.split(), proc.stdout.decode(), head


@pytest.mark.parametrize("how", ["-e", "-f", "stdin"])
def test_script_mode_imports_no_repl_module_nor_tabulate(tmp_path, how):
    script = tmp_path / "s.kql"
    script.write_text(SCRIPT)
    args = ["--now", "2026-01-01"]
    stdin = ""
    if how == "-e":
        args += ["-e", ".show databases", "-e", "print 1"]
    elif how == "-f":
        args += ["-f", str(script)]
    else:
        stdin = SCRIPT
    mods, out, err = _modules_after(args, stdin)
    assert "Error" not in err, err
    assert out.strip()
    heavy = sorted(m for m in mods if m.split(".")[0] in REPL_ONLY or m.startswith("kshell.repl"))
    assert heavy == [], heavy
    # the vector kernels import numpy on the first large column only (kshell/query/vector.py)
    if not os.environ.get("KSHELL_VECTOR_MIN_ROWS"):
        assert "numpy" not in mods


def test_a_short_script_loads_only_the_families_it_uses():
    mods, out, err = _modules_after(["--now", "2026-01-01", "-e", ".show databases", "--format", "csv"])
    assert "NetDefaultDB" in out, err
    assert "kshell.engine.update_policy" not in mods and "kshell.engine.continuous_export" not in mods
    assert "kshell.syntax.cmd_external_table" not in mods
    # what a one-command script does not need (issue 18): the policy kinds (only the
    # flavours with policy columns), the query engine, argparse for the usual options,
    # hashlib (derived ids use the built-in SHA-1), the csv module (rendered directly)
    for heavy in ("kshell.engine.policies", "kshell.query", "argparse", "hashlib", "csv", "shutil"):
        assert heavy not in mods, heavy


def test_lazily_loaded_families_answer_exactly_like_preloaded_ones(tmp_path):
    script = tmp_path / "s.kql"
    script.write_text(SCRIPT)
    for fmt in ("table", "csv"):
        args = ["--now", "2026-01-01", "-f", str(script), "--format", fmt, "--keep-going"]
        _, lazy_out, lazy_err = _modules_after(args)
        _, eager_out, eager_err = _modules_after(args, preload=True)
        assert lazy_out == eager_out and lazy_err == eager_err
        assert "policy update" not in lazy_err  # the update policy request succeeded


# ------------------------------------------------------------ the indexes

def test_handler_and_policy_indexes_name_the_modules_that_register_them():
    from kshell.engine import session as s

    s.load_families()
    # module names relative to kshell.engine (families may be subpackages: policies.commands)
    handlers = {t.__name__: fn.__module__.removeprefix("kshell.engine.") for t, fn in s._HANDLERS.items()}
    policies = {k: fn.__module__.removeprefix("kshell.engine.") for k, fn in s._POLICY_HANDLERS.items()}
    assert s.HANDLER_INDEX == handlers, "add the new handlers to kshell.engine.session.HANDLER_INDEX"
    assert s.POLICY_INDEX == policies, "add the new policy kinds to kshell.engine.session.POLICY_INDEX"


def test_directive_index_names_the_module_of_every_directive():
    import kshell.directives as d

    d._load()
    assert d.DIRECTIVE_INDEX == {n: x.fn.__module__ for n, x in d._REGISTRY.items()}


def _hook_lists(code: str) -> dict:
    prog = ("import sys, json, importlib\n" + code +
            "import kshell.engine.session as s\n"
            "out = {}\n"
            "for kind, names in s.HOOK_LISTS.items():\n"
            "    s.load_hook_owners(kind)\n"
            "    for name in names:\n"
            "        m, _, a = name.partition(':')\n"
            "        out[name] = [f'{h.__module__}:{h.__qualname__}' for h in getattr(importlib.import_module(m), a)]\n"
            "print(json.dumps(out))\n")
    proc = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, cwd=str(PROJECT_ROOT),
                          env=_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_hook_lists_hold_the_same_hooks_in_the_same_order_lazily_or_eagerly():
    """Eagerly (every family loaded) the hook lists are HOOK_ORDER; loaded lazily, in an
    order that imports a late family first, load_hook_owners gives the same lists."""
    from kshell.engine import session as s

    eager = _hook_lists("import kshell.engine.session as s0; s0.load_families()\n")
    assert eager == {k: list(v) for k, v in s.HOOK_ORDER.items()}, "update kshell.engine.session.HOOK_ORDER"
    lazy = _hook_lists("import kshell.engine.continuous_export, kshell.engine.materialized_views, "
                       "kshell.engine.policies\n")
    assert lazy == eager
    lazy = _hook_lists("")
    assert lazy == eager


def _corpus_commands() -> list[str]:
    from kshell.script import split_requests

    texts = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        try:
            texts += [r.text for r in split_requests(json.loads(line)["text"]) if r.text.lstrip().startswith(".")]
        except Exception:  # noqa: BLE001 - a block the splitter refuses
            continue
    return texts


@pytest.mark.skipif(not CORPUS.exists(), reason="the shared docs corpus (../shared) is not beside the checkout")
def test_the_command_index_never_changes_what_a_corpus_command_parses_to():
    """For every command of the docs corpus: the families the index names either give
    the same node as all families, or the command is parsed again with all of them."""
    from kshell.errors import KustoSyntaxError
    from kshell.syntax import commands as c
    from kshell.syntax.cursor import Cursor
    from kshell.syntax.inline_data import inline_ingest_tokens

    c._load_families()
    checked = fast = 0
    for text in _corpus_commands():
        try:
            cursor = Cursor(text, inline_ingest_tokens(text))
            start_tok = cursor.expect_op(".")
        except KustoSyntaxError:
            continue
        verb_tok = cursor.peek()
        if verb_tok.kind != "NAME":
            continue
        start = cursor.i
        families = c.families_for(cursor)
        try:
            full = c._dispatch(text, cursor, start, start_tok, verb_tok, c._RULES)[0]
        except KustoSyntaxError:
            full = None
        checked += 1
        if families is None:
            continue
        wanted = {f"kshell.syntax.{f}" for f in families}
        cursor.i, cursor.hint = start, None
        try:
            node, rule = c._dispatch(text, cursor, start, start_tok, verb_tok,
                                     [r for r in c._RULES if r.__module__ in wanted])
        except KustoSyntaxError:
            continue  # parsed again with every family
        if rule.__module__ == f"kshell.syntax.{c.CATCH_ALL}":
            continue
        fast += 1
        assert node == full, text
    assert checked > 1000 and fast > checked // 2, (checked, fast)


@pytest.mark.parametrize("argv", [
    [], ["-e", ".show databases"], ["s.kshell", "-e", "a", "--execute=b", "--format", "csv", "--keep-going"],
    ["--echo", "-f", "x.kql", "--now", "2026-01-01", "--storage", "d", "--charts", "never"],
    ["--format=json", "-e", ""], ["-e", "print 1", "s.kshell"], ["-f", "a.kql", "-f", "b.kql"],
    # argparse decides these (help, abbreviations, values like options, bad choices, a second positional)
    ["--form", "csv"], ["-e", "-x"], ["--format", "yaml"], ["a", "b"], ["-eprint 1"], ["--check"], ["--", "x"],
    ["-f", "-"], ["--auth", "none", "http://127.0.0.1:1/db"], ["--keep-going=1"],
])
def test_the_fast_option_reader_answers_as_argparse(argv):
    from kshell import cli

    fast = cli._fast_args(argv)
    if fast is not None:
        assert vars(fast) == vars(cli.build_parser().parse_args(argv))


def test_common_command_lines_skip_argparse():
    from kshell import cli

    assert cli._fast_args(["state.kshell", "-f", "s.kql", "--format", "csv"]) is not None
    assert cli._fast_args(["--version"]) is None


# ------------------------------------------------------------ the engine's imports

# Modules the engine must not import for `.show databases` (issue 18): the records are
# kshell.syntax.records Records, decimal/json load on first use.  `uuid` is the value type
# of guid columns (the DatabaseId column holds one), imported without `platform`
# (kshell.engine.guids); ids that are only text are derived without it.
ENGINE_AVOIDS = ("dataclasses", "typing", "platform", "json", "decimal", "threading", "array", "hashlib",
                 "inspect")
# helpers that import on someone else's behalf: the import is charged to their caller
_PROXIES = ("kshell.engine.lazy_modules", "kshell.lazy_re", "kshell.engine.guids")
_ENGINE_MODULES = ("kshell.engine", "kshell.columns", "kshell.gc_pause", "kshell.syntax.records", "kshell.lazy_re",
                   "kshell.ticks")
_WATCH_IMPORTS = f"""\
import sys
WATCH, PROXIES, seen = {ENGINE_AVOIDS!r}, {_PROXIES!r}, {{}}
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name in WATCH and name not in seen:
            f = sys._getframe(1)
            while f is not None and (not f.f_globals.get("__name__", "").startswith("kshell")
                                     or f.f_globals["__name__"] in PROXIES):
                f = f.f_back
            seen[name] = f.f_globals["__name__"] if f is not None else None
        return None
sys.meta_path.insert(0, Watch())
"""


def test_show_databases_imports_no_heavy_module_from_the_engine():
    """Who imports dataclasses, typing, platform ... in a `.show databases` script: never an
    engine module (the front's own imports are its business, tested with it)."""
    code = (_WATCH_IMPORTS + f"ENGINE = {_ENGINE_MODULES!r}\nheld = {{}}\nfrom kshell.cli import main\n"
            "rc = main(['--now', '2026-01-01', '-e', '.show databases', '--format', 'csv'])\n"
            # modules the front imported first are not seen above: also look at what the
            # engine's modules hold (a module, a function or class of one, a dataclass)
            "for mod in [m for n, m in sorted(sys.modules.items()) if n.startswith(ENGINE)]:\n"
            "    for value in vars(mod).values():\n"
            "        source = getattr(value, '__name__' if type(value) is type(sys) else '__module__', None)\n"
            "        if source in WATCH:\n"
            "            held.setdefault(source, mod.__name__)\n"
            "        elif isinstance(value, type) and source == mod.__name__ and '__dataclass_params__' in vars(value):\n"
            "            held.setdefault('dataclasses', mod.__name__)\n"
            "print('IMPORTERS', repr((seen, held)), file=sys.stderr)\n"
            "sys.exit(rc)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=str(PROJECT_ROOT), env=_env(),
                          timeout=120)
    err = proc.stderr.decode()
    assert proc.returncode == 0 and "NetDefaultDB" in proc.stdout.decode(), err
    importers, held = ast.literal_eval(err.rpartition("IMPORTERS ")[2].strip())
    engine = {m: who for m, who in importers.items() if who is None or who.startswith(_ENGINE_MODULES)}
    assert engine == {}, engine  # imported first by the engine
    assert held == {}, held  # imported first by the front, and then used by the engine too


def test_the_import_watch_names_the_engine_module_that_imports():
    """The watch above charges an import made through a lazy stand-in to the module using it."""
    code = (_WATCH_IMPORTS + "import kshell.engine.values as v\n"
            "v.to_decimal('1.5'); v.to_dynamic('[1]')\n"
            "print('IMPORTERS', repr(seen), file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=str(PROJECT_ROOT), env=_env(),
                          timeout=120)
    importers = ast.literal_eval(proc.stderr.decode().rpartition("IMPORTERS ")[2].strip())
    assert importers.get("decimal") == "kshell.engine.values" and importers.get("json") == "kshell.engine.values"


def test_uuid_is_imported_without_platform_and_platform_stays_real():
    code = ("import sys, os\n"
            "from kshell.engine.guids import uuid_module\n"
            "u = uuid_module()\n"
            "print('platform' in sys.modules, file=sys.stderr)\n"
            "import platform, uuid\n"
            "assert u is uuid and hasattr(platform, 'machine') and u._LINUX == (platform.system() == 'Linux')\n"
            "assert str(u.uuid5(u.NAMESPACE_DNS, 'x')) == '05b16a01-46c6-56dd-bd6e-c6dfb4a1427a' and u.uuid4().version == 4\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(PROJECT_ROOT),
                          env=_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    expected = "True" if sys.platform in ("win32", "darwin") else "False"
    assert proc.stderr.strip() == expected


def test_start_up_raises_the_collector_threshold_until_the_first_request_ran():
    code = ("import gc, sys\n"
            "before = gc.get_threshold()\n"
            "import kshell\n"
            "starting = gc.get_threshold()\n"
            "from kshell.engine.session import Session\n"
            "s = Session()\n"
            "s.execute('.show databases')\n"
            "after, frozen = gc.get_threshold(), gc.get_freeze_count()\n"
            "s.execute('print 1')\n"
            "print(repr((before, starting, after, frozen, gc.get_threshold())), file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(PROJECT_ROOT),
                          env=_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    before, starting, after, frozen, later = ast.literal_eval(proc.stderr.strip().splitlines()[-1])
    assert starting == (100_000, *before[1:])  # while starting: young collections 100x rarer
    assert after == later == before and frozen > 1000  # then as before, with start-up's objects frozen


def test_gc_paused_pauses_and_resumes_as_it_found_the_collector():
    import gc

    from kshell.gc_pause import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested: the outer pause resumes
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with gc_paused(False):
        assert gc.isenabled()
    with pytest.raises(ValueError):
        with gc_paused():
            raise ValueError("x")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off: it stays off
    finally:
        gc.enable()
