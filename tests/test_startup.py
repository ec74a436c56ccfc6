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


def _python(code: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter with this checkout importable (text output)."""
    return subprocess.run([sys.executable, "-c", code], input=stdin, capture_output=True, text=True,
                          cwd=str(PROJECT_ROOT), env=_env(), timeout=120)


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
    proc = _python(code, stdin)
    err = proc.stderr
    head, _, mods = err.rpartition("MODULES ")
    return mods.split(), proc.stdout, head


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


# ------------------------------------------------- the front side (issue 18)

# What the front modules (command line, runner, directives, target, rendering, the
# command parser) no longer load at import: `typing` and `dataclasses` (with inspect,
# ast, dis ...), json, decimal and uuid only where a value or a format needs them,
# and the query AST when the request is a command.
FRONT_MODULES = ("kshell.cli", "kshell.directives", "kshell.script", "kshell.target", "kshell.result",
                 "kshell.render", "kshell.outfiles", "kshell.table_text", "kshell.ticks", "kshell.syntax.commands",
                 "kshell.syntax.cmd_database", "kshell.syntax.inline_data")
FRONT_NOT_LOADED = ("typing", "dataclasses", "inspect", "json", "decimal", "uuid", "kshell.syntax.ast")
# ... and the whole run, engine included (a guid column's values are uuid.UUIDs: uuid stays)
RUN_NOT_LOADED = ("typing", "dataclasses", "inspect", "json", "decimal", "threading", "kshell.syntax.ast",
                  "kshell.ticks")


def _front_run(code: str) -> dict:
    prog = ("import sys, importlib\n"
            f"for m in {FRONT_MODULES!r}: importlib.import_module(m)\n"
            + code +
            "import kshell.syntax.tokens as t\n"
            "print(repr({'modules': sorted(sys.modules), 'full_scanner': t._FAST is not None}))\n")
    proc = _python(prog)
    assert proc.returncode == 0, proc.stderr
    import ast

    return ast.literal_eval(proc.stdout.strip().splitlines()[-1])


def test_the_front_parses_and_renders_a_command_without_typing_dataclasses_json_decimal_or_the_query_ast():
    got = _front_run(
        "from kshell.syntax import parse\n"
        "from kshell.render import render\n"
        "from kshell.result import Result\n"
        "node = parse('.show databases')\n"
        "assert type(node).__name__ == 'ShowDatabases', node\n"
        "r = Result.of([('a', 'long'), ('b', 'string'), ('c', 'real')], [[1, 'x', 1.5], [None, 'y\\tz', -0.0]])\n"
        "for fmt in ('table', 'csv', 'tsv', 'vertical', 'markdown'):\n"
        "    assert render(r, fmt)\n"
        "from kshell.script import split_requests, format_error\n"
        "from kshell.errors import KustoSyntaxError\n"
        "assert len(split_requests('.show databases\\n\\n#db\\n')) == 2\n"
        "assert format_error(1, KustoSyntaxError('bad \\x1b')).endswith('bad \\\\u001b')\n")
    loaded = [m for m in FRONT_NOT_LOADED if m in got["modules"]]
    assert loaded == []
    # the command head was read by the small head scanner: the full token pattern is not compiled
    assert got["full_scanner"] is False


def test_a_value_that_needs_json_decimal_or_uuid_still_renders_as_before():
    got = _front_run(
        "import decimal, uuid\n"
        "from kshell.render import format_value, render\n"
        "from kshell.result import Result\n"
        "assert format_value(decimal.Decimal('1.50')) == '1.50'\n"
        "assert format_value(uuid.UUID(int=1)) == '00000000-0000-0000-0000-000000000001'\n"
        "assert format_value({'a': [1, decimal.Decimal('2.0')]}) == '{\"a\":[1,\"2.0\"]}'\n"
        "assert render(Result.of([('d', 'dynamic')], [[[1, 2]]]), 'json') == "
        "'{\"columns\":[{\"name\":\"d\",\"type\":\"dynamic\"}],\"rows\":[[[1,2]]]}'\n")
    assert "json" in got["modules"]


def test_a_script_of_one_command_never_loads_the_query_ast_nor_compiles_the_full_token_pattern():
    """The whole run (front and engine): none of the modules issue 18 took off the path."""
    code = ("import sys\n"
            "from kshell.cli import main\n"
            "rc = main(['-e', '.show databases', '--format', 'csv'])\n"
            "import kshell.syntax.tokens as t\n"
            f"heavy = [m for m in {RUN_NOT_LOADED!r} if m in sys.modules]\n"
            "print('STATE', heavy, t._FAST is not None, t._MASTER is not None, rc)\n")
    proc = _python(code)
    assert "NetDefaultDB" in proc.stdout, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "STATE [] False False 0"


def _token_tuples(tokens) -> list[tuple]:
    return [(t.kind, t.text, t.value, t.start, t.end, t.obfuscated) for t in tokens]


def _tokenizer_texts() -> list[str]:
    texts = [".show databases", "  // c\n .show  tables | x", ".show table T details", "a.b", "x ..", ".5",
             "datetime(1)", "a-b", "in~ x", "h'x'", "T | where a !has 'x'", "ingestion-time", "$left.x",
             ".alter table T policy update @'[]'", "", "   ", "\ufeff.show version", "a\u00a0.\u00a0b", "é.ü"]
    if CORPUS.exists():
        for line in CORPUS.read_text(encoding="utf-8").splitlines()[:3000]:
            text = json.loads(line)["text"]
            texts += [text] + [ln for ln in text.splitlines() if ln.strip()]
    import random

    rnd = random.Random(18)
    pieces = [" ", "\n", ".", "..", "a", "show", "T", "1", "(", ")", ",", "|", "-", "~", "!", "in", "h", "'", '"',
              "@", "//", "datetime", "$", "é", "_", "=", ">", "<", "ingestion", "time", "[", "]", "{", "}", ":", "#"]
    texts += ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 12))) for _ in range(20000)]
    return texts


def test_the_head_scanner_reads_a_text_only_as_the_full_scanner_does():
    """One tokenizer: where the small head scanner reads a whole text, the tokens are the
    full scanner's, token for token; anything else goes to the full scanner."""
    from kshell.errors import KustoSyntaxError
    from kshell.syntax import tokens as t

    read = 0
    for text in _tokenizer_texts():
        head = t._tokenize_head(text)
        if head is None:
            continue
        read += 1
        try:
            full = t._tokenize_fast(text)
        except KustoSyntaxError:
            raise AssertionError(f"the head scanner read a text the full one refuses: {text!r}") from None
        assert _token_tuples(head) == _token_tuples(full), text
    assert read > 1000
    assert _token_tuples(t.tokenize(".show databases")) == [
        ("OP", ".", ".", 0, 1, False), ("NAME", "show", "show", 1, 5, False),
        ("NAME", "databases", "databases", 6, 15, False)]



def test_the_scanners_skip_whitespace_and_comments_as_the_plain_form_reads_them():
    """_SKIP (the BOM matched on its own, for a cheap compile) consumes what
    `{_SPACE}*+(?://[^\\n]*+{_SPACE}*+)*+` consumes, at every position of random texts."""
    import random
    import re

    from kshell.syntax import tokens as t

    plain = re.compile(rf"{t._SPACE}*+(?://[^\n]*+{t._SPACE}*+)*+", re.VERBOSE | re.DOTALL)
    skip = re.compile(t._SKIP, re.VERBOSE | re.DOTALL)
    rnd = random.Random(11)
    pieces = [" ", "\n", "\t", "\r", "\f", "\v", "\u00a0", "\ufeff", "//", "/", "x", "\u2028", "'"]
    for _ in range(20000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12)))
        for pos in range(len(text) + 1):
            assert skip.match(text, pos).end() == plain.match(text, pos).end(), (text, pos)
    assert t._tokenize_head("\ufeff.show databases") is not None

def test_requests_that_cannot_hold_inline_data_skip_the_inline_data_patterns_exactly():
    """inline_data's cheap pre-check answers False only for texts neither pattern matches."""
    import random

    from kshell.syntax import inline_data as d

    rnd = random.Random(7)
    pieces = [" ", "\n", "\t", "\u00a0", ".", "ingest", "INGEST", "inline", "execute", "Execute", "database",
              "cluster", "script", "//", "x", "<|", "[", "\u017f", "\u0131", "\u0130", "async", "into"]
    texts = ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 9))) for _ in range(50000)]
    texts += [".ingest inline into table T <| 1", "// c\n.ingest inline into table T <| 1", "print 1",
              " . execute database script <| .show tables", ".inge\u017ft inline into table T <| 1"]
    declined = 0
    for text in texts:
        if not d._may_hold_data(text):
            declined += 1
            assert not d._INLINE_HEAD.match(text) and not d._SCRIPT_HEAD.match(text), text
    assert declined > 1000
    assert d.inline_ingest_tokens(".ingest inline into table T <| O'Brien,5") is not None


def test_the_plain_classes_that_replaced_dataclasses_keep_their_behaviour():
    import copy
    import pickle

    from kshell.directives import ShellState
    from kshell.result import Result, ResultColumn
    from kshell.script import Request

    col = ResultColumn("a", "long")
    assert col == ResultColumn("a", "long") != ResultColumn("a", "int")
    assert {col: 1}[ResultColumn("a", "long")] == 1  # frozen records are hashable
    with pytest.raises(AttributeError):
        col.name = "b"
    r = Result.of([("a", "long")], [[1]])
    assert r == Result([col], [[1]]) and r != Result([col], [[2]]) and r.warnings == [] and r.visualization is None
    assert repr(r) == ("Result(columns=[ResultColumn(name='a', type='long')], rows=[[1]], name='PrimaryResult', "
                       "visualization=None, warnings=[])")
    assert pickle.loads(pickle.dumps(r)) == r == copy.deepcopy(r)
    with pytest.raises(TypeError):
        hash(r)
    assert Result([col]).rows == [] and Result([col]).rows is not Result([col]).rows
    req = Request("#db", 3)
    assert req == Request("#db", 3, 1) and hash(req) == hash(Request("#db", 3, 1)) and req.is_directive
    with pytest.raises(AttributeError):
        req.line = 4
    a, b = ShellState(session=None), ShellState(session=None, format="csv")
    assert (a.format, b.format, a.pager, a.quit, a.connection) == ("table", "csv", True, False, None)
    a.extras["x"] = 1
    assert b.extras == {}


def test_finding_inline_data_reads_comments_as_the_trivia_scanner_does():
    """inline_data finds a data start inside a comment with the parser's scanner (no trivia
    scanner to compile): the same answer as the trivia scanner's last piece."""
    import random

    from kshell.errors import KustoSyntaxError
    from kshell.syntax.inline_data import ends_in_comment
    from kshell.syntax.tokens import COMMENT, tokenize

    rnd = random.Random(5)
    pieces = [" ", "\n", "\t", "\r", "\u00a0", "\ufeff", "//", "/", "x", "1", "'a'", "'", "(", ")", "<", "|", "#", "."]
    texts = ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 10))) for _ in range(30000)]
    inside = 0
    for text in texts:
        try:
            trivia = tokenize(text, trivia=True)
            tokens = tokenize(text)
        except KustoSyntaxError:
            continue
        expected = bool(trivia) and trivia[-1].kind == COMMENT and trivia[-1].end == len(text)
        inside += expected
        assert ends_in_comment(text, tokens[-1].end if tokens else 0, len(text)) == expected, repr(text)
    assert inside > 1000


def test_a_script_of_commands_with_inline_data_compiles_only_the_head_scanner():
    code = ("from kshell.cli import main\n"
            "rc = main(['-e', '.create table T (a:long, s:string)', '-e', '.ingest inline into table T <| 1,x',\n"
            "           '-e', '.show tables', '--format', 'csv'])\n"
            "import kshell.syntax.tokens as t\n"
            "print('STATE', t._FAST is not None, t._MASTER is not None, rc)\n")
    proc = _python(code)
    assert "TableName" in proc.stdout, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "STATE False False 0"


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
    proc = _python(prog)
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
    proc = _python(code)
    err = proc.stderr
    assert proc.returncode == 0 and "NetDefaultDB" in proc.stdout, err
    importers, held = ast.literal_eval(err.rpartition("IMPORTERS ")[2].strip())
    engine = {m: who for m, who in importers.items() if who is None or who.startswith(_ENGINE_MODULES)}
    assert engine == {}, engine  # imported first by the engine
    assert held == {}, held  # imported first by the front, and then used by the engine too


def test_the_import_watch_names_the_engine_module_that_imports():
    """The watch above charges an import made through a lazy stand-in to the module using it."""
    code = (_WATCH_IMPORTS + "import kshell.engine.values as v\n"
            "v.to_decimal('1.5'); v.to_dynamic('[1]')\n"
            "print('IMPORTERS', repr(seen), file=sys.stderr)\n")
    proc = _python(code)
    importers = ast.literal_eval(proc.stderr.rpartition("IMPORTERS ")[2].strip())
    assert importers.get("decimal") == "kshell.engine.values" and importers.get("json") == "kshell.engine.values"


def test_uuid_is_imported_without_platform_and_platform_stays_real():
    code = ("import sys, os\n"
            "from kshell.engine.guids import uuid_module\n"
            "u = uuid_module()\n"
            "print('platform' in sys.modules, file=sys.stderr)\n"
            "import platform, uuid\n"
            "assert u is uuid and hasattr(platform, 'machine') and u._LINUX == (platform.system() == 'Linux')\n"
            "assert str(u.uuid5(u.NAMESPACE_DNS, 'x')) == '05b16a01-46c6-56dd-bd6e-c6dfb4a1427a' and u.uuid4().version == 4\n")
    proc = _python(code)
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
    proc = _python(code)
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


def test_a_show_databases_script_imports_neither_dataclasses_typing_nor_platform():
    """The whole program (front and engine) for `.show databases`.  `uuid` does load: the
    DatabaseId column holds a GUID value (uuid.UUID), made without `platform`."""
    mods, out, err = _modules_after(["--now", "2026-01-01", "-e", ".show databases", "--format", "csv"])
    assert "NetDefaultDB" in out, err
    heavy = [m for m in ("dataclasses", "typing", "inspect", "platform", "json", "decimal", "threading", "hashlib",
                         "array", "contextlib") if m in mods]
    assert heavy == []
