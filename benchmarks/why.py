"""Hand-written explanations that run.py puts into docs/performance.md.

WHY[row] is printed under a missed row (with the profile run.py takes of it);
NOTES closes the page.  They say what the numbers rest on and why a budget is
missed; the numbers themselves always come from the run.
"""

WHY = {
    "1": """
Script mode imports only what a request uses: the command families load on first
use from static indexes (`COMMAND_INDEX`, `HANDLER_INDEX`/`POLICY_INDEX`,
`DIRECTIVE_INDEX`, hook owners), tables are drawn without tabulate, and
tests/test_startup.py fails if `.show databases` imports the REPL, the policy
kinds, the query engine, argparse, hashlib, csv or shutil.  Issue 18's second
round removed: the parser's node classes built by `dataclasses` (now slotted
records, `kshell.syntax.records`, whose `__init__` is compiled on a class's first
use: the AST was the largest import), argparse (the usual options are read by
`cli._fast_args`), hashlib (derived ids hash with the built-in SHA-1), the policy
kinds (`.show databases` computes policy columns only for the flavours that show
them), module-level regular expressions not used at start-up (`kshell.lazy_re`),
and the csv module.  The benchmark now runs kshell with bytecode cached, as an
installed kshell runs (before, the inherited PYTHONDONTWRITEBYTECODE made every
start-up compile kshell's sources).  What remains (profile below) is mostly the
cost of importing Python modules at all.  The engine's part of that was cut in
the third round: its stored records are Records too (the state file reads them
through the same dataclass fields), ids that are only text are derived without
`uuid` (a GUID value imports `uuid` without `platform`), `decimal`, `json`,
`threading`, `typing` and `array` are not imported by the engine for
`.show databases`, and the table family and the ingestion converters no longer
load for it (the engine's imports for that script went from ~14 ms to ~4.5 ms
with the front's modules already loaded), and the cyclic collector, which walked
start-up's long-lived objects some 25 times (~4 ms), runs 100x less often until
the first request ran (`kshell.gc_pause`).  A bare interpreter starts in 12-15 ms,
so 3x leaves kshell 25-30 ms.
""",
    "2": """
The interactive shell draws its prompt after importing prompt_toolkit and
pygments and before the engine families (they load in the background once the
prompt is drawn).  The gap over bare `import prompt_toolkit, pygments` is the
shell's own modules (key bindings, lexer, completer) and the session; on this
shared machine the round-to-round spread of this ratio is about +-0.15.
""",
    "3": """
In memory the budget is met (issue 18's third round took about a third off: csv
results that need no quoting are joined and checked as one block; a long quoted
cell that repeats or extends the last one -- each `.alter-merge cluster policy`
prints the whole growing policy -- doubles the quotes of its new part only; the
request log keeps tuples until shown; principal rows and keys are looked up in C;
per-request imports avoid Python 3.11's from-import cost).  The state file is what
misses.  Its quadratic cost is long gone (metadata stored as parts, a request
writing only the parts whose text changed), and this round cut its extra cost
from about 3 s to about 1.4 s on a quiet machine: fields of the cluster and its
databases whose contents note their own changes (tracking dicts and lists,
records noting assignments, immutable values) are "sealed", so reading them --
every request's permission check reads the identities, databases and principals
-- no longer makes the store re-examine them (about 9,500 field re-checks per run
became about 450); a merge into the 500-entry policy list compares identities in
C and encodes only the changed entries (about 400 us -> 50 us); WAL checkpoints
come every 10,000 pages.  Measured in-process on a quiet machine (file run 2.6 s
against 1.18 s in memory): writing takes about 1.17 s -- SQLite's BEGIN, insert
and COMMIT for each of the ~9,500 changing requests about 55 us each (0.5 s;
`synchronous=OFF` made no difference once checkpoints were rare), working out and
encoding what changed about 0.43 s, the rest bookkeeping -- plus about 0.27 s of
tracked attribute access and re-tracking outside the write.  The faster the
in-memory run gets, the harder the ratio: 1.5x of 1.18 s leaves the file 0.6 s
for 10,000 commits, about 60 us each, about what SQLite alone takes per
transaction here.  Meeting it needs fewer transactions than requests.  A request
must be in the file before anyone can see it completed, so the way is to commit
at the points where a result leaves the process (group commit tied to output:
one transaction per flushed batch of results, every few milliseconds, and before
any other visible effect such as an export to storage), with a failed batch write
reported against every request in it.  That changes the crash contract of
docs/state-file.md (from "every completed request" to "every request whose result
was shown"), so it is left as a decision, not done here.
""",
    "4": """
Delimited input is now parsed and converted 65,536 rows at a time
(`kshell.engine.values._delimited_columns`): the rows never exist all at once as
lists of strings, and equal strings within a chunk share one object (before:
about 720 MB peak for this input).  What remains is the representation: every
value is a Python object -- an int 28 bytes, a float 24, a datetime 48, plus an
8-byte list slot -- against 8 bytes per value in DuckDB's typed vectors, and the
input text itself (the file is read whole, about 50 MB as bytes and again as
str).  Typed column storage (array module for numbers, datetimes as ticks,
bools as bytes) was not built in this round: the engine's column interface is
plain lists everywhere (kshell.query), so it is a change to every operator and
function, not a local one.
""",
    "5": """
Reopening reads the metadata only; the query then loads the table's rows (all
columns, one chunk of 100,000 rows after another, each a zlib-compressed JSON
array decoded into Python objects) before filtering.  Per-column lazy loading
(read only the columns a query uses) and typed chunk formats were not built in
this round; DuckDB reads two columns of a columnar file.
""",
    "6": """
The query engine evaluates whole columns with list comprehensions and `map` over
C operators: about 5-50 ns of interpreter work per value and operator, where
DuckDB runs vectorised native kernels (single-threaded here) over typed vectors.
Filters and counts stay within a few times DuckDB; arithmetic over several
columns (extend + sum), sorting (top), joins and grouped aggregates over
Python objects do not.  Decision on a numeric library: not adopted in this round.
numpy is not a core dependency, and the columns are Python lists of Python
objects (datetimes, bools, None for nulls): converting a 10M-row column to a
numpy array costs about as much as the Python kernel it would replace, so numpy
pays only behind a typed column store (item 4's work) that keeps numeric columns
as arrays to begin with -- that is the order to build them in.
""",
    "7": """
The hash join builds a dict from the right side's keys and probes it once per
left row in Python, then materialises the joined columns before counting; DuckDB
runs a native hash join and never materialises rows for `count`.  A count that
needs only the match multiplicity per key (sum over left keys of right-side
counts) would avoid the materialisation; not built in this round.
""",
}

NOTES = """
## What the numbers rest on

- **State file** (docs/state-file.md): WAL with `synchronous=NORMAL` (a killed
  kshell loses nothing committed; a power loss may lose the requests since the
  last checkpoint, never leaving a partial one); the cluster metadata as parts,
  written in proportion to what a request changed; rows in compressed columnar
  chunks appended per ingestion.  The crash test kills a real kshell 20 times
  (100 times with `KSHELL_SLOW_TESTS=1`) and checks whole requests every time.
- **Start-up**: families load on first use from static indexes; the indexes are
  data that a family adds a line to (tests/test_startup.py checks every index
  against what the families register, and every command of the docs corpus
  against a parse with all families loaded; a command the index does not cover
  is parsed with every family, so the index can make parsing faster but never
  change its answer).  Nothing on the path of a one-command script imports
  `dataclasses`, `typing`, `json`, `decimal` or `threading` (the engine's and the
  parser's records are `kshell.syntax.records.Record`s; standard modules load on
  first use), commands are read by a small head scanner made of the tokenizer's
  first alternatives (the full pattern compiles when a text needs it), and the
  cyclic collector runs 100x less often until the first request has run
  (tests/test_startup.py checks the imports).
- **Query engine**: tables are columnar; a `long`/`int`/`real` column without nulls
  is an `array.array`, and on 20,000 rows or more the hot operators run as numpy
  kernels (the optional `fast` extra, imported on the first large column), each
  giving exactly the pure-Python answer or declining; otherwise whole-column
  comprehensions or `map` over C operators.

## How to read and reproduce

`python benchmarks/run.py` (about ten minutes; `--quick` for a smoke run with 1M
rows and fewer rounds; `--only 1,3` for some rows without writing this page).
Every measurement is a fresh child process; kshell and its contender alternate
(A B, B A, ...); the per-child CPU time and peak memory come from `wait4`.
Children run with bytecode cached in a private `PYTHONPYCACHEPREFIX`, compiled
before anything is timed, as an installed kshell runs (an inherited
`PYTHONDONTWRITEBYTECODE` would make every start-up compile kshell's sources).  The
items are in `benchmarks/items.py` (`python benchmarks/items.py NAME ARGS...`
prints one JSON object).  duckdb-kql, DuckDB and pandas are the `bench` extra
(`pip install -e '.[bench]'`); without them the rows that need them say so.
"""
