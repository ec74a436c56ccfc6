"""Run the performance budget of issue 18 and write docs/performance.md.

    python benchmarks/run.py            # every row, about ten minutes
    python benchmarks/run.py --quick    # fewer rounds and 1M instead of 10M rows (smoke run)
    python benchmarks/run.py --only 1,3 # some rows (docs/performance.md is not written)

Each budget row measures kshell against its contender *in the same run*,
interleaved (A B, then B A, ...), each run in a fresh child process, and
reports the median of the per-round ratios of wall times beside the ratio of
CPU times (on a machine shared with other work, CPU time is the steadier
measure; the load average is noted before and after).  The contenders
duckdb-kql, DuckDB and pandas come from the optional `bench` extra; a row
whose contender is missing is reported as not measured, with a notice.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ITEMS = Path(__file__).resolve().parent / "items.py"
OUT = ROOT / "docs" / "performance.md"
PY = sys.executable
TMP = Path(tempfile.mkdtemp(prefix="kshell-bench-"))


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "HOME"):
        env[var] = str(TMP)
    # Bytecode cached, as an installed kshell runs (pip compiles it at install time): an
    # environment with PYTHONDONTWRITEBYTECODE would make every child compile kshell's
    # sources again (about 60 ms of each start-up).  The cache is private to this run, so
    # the checkout gets no __pycache__; warm_bytecode() fills it before anything is timed.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(TMP / "pycache")
    return env


def warm_bytecode() -> None:
    """Compile kshell and the modules a start-up imports into the run's bytecode cache."""
    run([PY, "-m", "compileall", "-q", str(ROOT / "kshell")])
    run([PY, "-c", "pass"])
    run([PY, "-m", "kshell", "-e", ".show databases"])


class Run:
    """One finished child: wall seconds, CPU seconds (user + system), peak RSS (MB), stdout."""

    def __init__(self, wall: float, cpu: float, rss_mb: float, out: str):
        self.wall, self.cpu, self.rss_mb, self.out = wall, cpu, rss_mb, out

    def json(self) -> dict:
        return json.loads(self.out.strip().splitlines()[-1])


def run(cmd: list[str], *, stdout_path: str | None = None, stdin: bytes | None = None) -> Run:
    """Run `cmd` to completion; its own CPU time and peak memory come from wait4."""
    out_f = open(stdout_path, "wb") if stdout_path else subprocess.PIPE
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=out_f, stderr=subprocess.PIPE, env=child_env(), cwd=ROOT)
    out, err = proc.communicate(stdin)
    # communicate() reaped the child: its rusage is in RUSAGE_CHILDREN deltas; use wait4 via a
    # second, identical measurement path when possible (see _rusage_of).
    wall = time.perf_counter() - t0
    if stdout_path:
        out_f.close()
    ru = _LAST_RUSAGE.pop(proc.pid, None)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:6])} failed ({proc.returncode}): {err.decode()[-800:]}")
    cpu, rss = ru if ru else (float("nan"), float("nan"))
    return Run(wall, cpu, rss, (out or b"").decode())


_LAST_RUSAGE: dict[int, tuple[float, float]] = {}


def _install_wait4() -> None:
    """Make subprocess reap children with os.wait4, keeping each child's own rusage."""
    orig = subprocess.Popen._try_wait

    def _try_wait(self, wait_flags):
        try:
            pid, sts, ru = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            return orig(self, wait_flags)
        if pid == self.pid:
            _LAST_RUSAGE[pid] = (ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024)
        return (pid, sts)

    subprocess.Popen._try_wait = _try_wait


def item(name: str, *args: str) -> Run:
    return run([PY, str(ITEMS), name, *map(str, args)])


def med(xs) -> float:
    return statistics.median(xs)


def load() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def have(*modules: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in modules)


def ms(x: float) -> str:
    return f"{x * 1000:.1f} ms"


def secs(x: float) -> str:
    return f"{x:.2f} s"


def interleave(a, b, rounds: int) -> tuple[list, list]:
    """Run a() and b() `rounds` times, alternating which goes first."""
    ra, rb = [], []
    for k in range(rounds):
        if k % 2 == 0:
            ra.append(a())
            rb.append(b())
        else:
            rb.append(b())
            ra.append(a())
    return ra, rb


# ------------------------------------------------------------------ the rows

class Row:
    def __init__(self, key, item, kshell, contender, ratio, budget, ok, notes):
        self.key, self.item, self.kshell, self.contender = key, item, kshell, contender
        self.ratio, self.budget, self.ok, self.notes = ratio, budget, ok, notes


def ratio_text(wall_ratio: float, cpu_ratio: float) -> str:
    return f"{wall_ratio:.2f}× (CPU {cpu_ratio:.2f}×)"


def row_startup(rounds: int) -> list[Row]:
    bare = [PY, "-c", "pass"]
    ks = [PY, "-m", "kshell", "-e", ".show databases"]
    a, b = interleave(lambda: run(ks), lambda: run(bare), rounds)
    wall = med([x.wall / y.wall for x, y in zip(a, b)])
    cpu = med([x.cpu for x in a]) / max(med([y.cpu for y in b]), 1e-4)
    return [Row("1", "Script start-up: `kshell -e '.show databases'` (table format)",
                ms(med([x.wall for x in a])), f"`python -c pass` {ms(med([y.wall for y in b]))}",
                ratio_text(wall, cpu), "≤ 3×", wall <= 3.0,
                f"{rounds} rounds; CPU {ms(med([x.cpu for x in a]))} vs {ms(med([y.cpu for y in b]))}; "
                f"interpreter {PY} called directly")]


def row_interactive(rounds: int) -> list[Row]:
    imp = [PY, "-c", "import prompt_toolkit, pygments"]
    a, b = interleave(lambda: item("interactive_startup").json()["seconds"], lambda: run(imp).wall, rounds)
    wall = med([x / y for x, y in zip(a, b)])
    return [Row("2", "Interactive start-up to the first prompt (pty)", ms(med(a)),
                f"`import prompt_toolkit, pygments` {ms(med(b))}", f"{wall:.2f}×", "≤ 1.1×", wall <= 1.1,
                f"{rounds} rounds; the clock stops when the prompt is drawn")]


def row_management(rounds: int) -> list[Row]:
    sys.path.insert(0, str(ITEMS.parent))
    from items import management_script

    script, notes = management_script()
    path = TMP / "mgmt.kql"
    path.write_text(script)
    out = str(TMP / "mgmt.out")

    def mem():
        return run([PY, "-m", "kshell", "-f", str(path), "--format", "csv"], stdout_path=out)

    def file():
        state = TMP / "mgmt.kshell"
        for suffix in ("", "-wal", "-journal"):
            Path(str(state) + suffix).unlink(missing_ok=True)
        return run([PY, "-m", "kshell", str(state), "-f", str(path), "--format", "csv"], stdout_path=out)

    a, b = interleave(file, mem, rounds)
    wall = med([x.wall / y.wall for x, y in zip(a, b)])
    cpu = med([x.cpu for x in a]) / med([y.cpu for y in b])
    mem_wall = med([y.wall for y in b])
    return [Row("3", "10,000-request management script, state file on disk ÷ in memory",
                secs(med([x.wall for x in a])), f"in memory {secs(mem_wall)}", ratio_text(wall, cpu),
                "≤ 1.5×, and in memory ≤ 2 s", wall <= 1.5 and mem_wall <= 2.0,
                f"{rounds} rounds, a new state file each; {notes}; CPU {secs(med([x.cpu for x in a]))} vs "
                f"{secs(med([y.cpu for y in b]))}; output to a file")]


def csv_setup(n: int) -> tuple[Path, Path]:
    sys.path.insert(0, str(ITEMS.parent))
    from items import write_csv

    storage = TMP / "storage"
    f = storage / "bench" / "c" / f"data{n}.csv"
    if not f.exists():
        f.parent.mkdir(parents=True, exist_ok=True)
        write_csv(str(f), n)
    return storage, f


def kshell_ingest_cmd(storage: Path, f: Path, state: str | None = None) -> list[str]:
    from items import COLUMNS

    return [PY, "-m", "kshell", *([state] if state else []), "--storage", str(storage), "--format", "csv",
            "-e", f".create table T ({COLUMNS})",
            "-e", f".ingest into table T ('https://bench.blob.core.windows.net/c/{f.name}?sig=bench')",
            "-e", "T | count"]


def row_memory(rounds: int, n: int) -> list[Row]:
    if not have("duckdb"):
        return [Row("4", "Peak memory, CSV ingestion", "—", "DuckDB not installed", "—", "≤ 1.5×", False,
                    "install the `bench` extra (duckdb, duckdb-kql, pandas)")]
    storage, f = csv_setup(n)
    a, b = interleave(lambda: run(kshell_ingest_cmd(storage, f)), lambda: item("duck_csv", f), rounds)
    rss = med([x.rss_mb for x in a]) / med([y.rss_mb for y in b])
    load_ratio = med([x.wall for x in a]) / med([y.json()["seconds"] for y in b])
    notes = (f"{rounds} rounds, {n:,} rows × 5 columns ({f.stat().st_size / 1e6:.0f} MB CSV) through "
             f"`.ingest into` from simulated storage; kshell {secs(med([x.wall for x in a]))} for the whole "
             f"run vs DuckDB `read_csv` {secs(med([y.json()['seconds'] for y in b]))} ({load_ratio:.1f}×)")
    if have("pandas"):
        p = item("pandas_csv", f)
        notes += f"; pandas `read_csv` {p.rss_mb:.0f} MB, {secs(p.json()['seconds'])}"
    return [Row("4", f"Peak memory, {n // 1_000_000}M × 5 columns ingested from CSV",
                f"{med([x.rss_mb for x in a]):.0f} MB", f"DuckDB {med([y.rss_mb for y in b]):.0f} MB",
                f"{rss:.2f}×", "≤ 1.5×", rss <= 1.5, notes)]


REOPEN_QUERY = "T | where Value % 2 == 0 | summarize count() by Flag"


def row_reopen(rounds: int, n: int) -> list[Row]:
    if not have("duckdb_kql"):
        return [Row("5", "Reopen a state file + one query", "—", "duckdb-kql not installed", "—", "≤ 1.5×",
                    False, "install the `bench` extra")]
    storage, f = csv_setup(n)
    state = str(TMP / f"reopen{n}.kshell")
    if not Path(state).exists():
        run(kshell_ingest_cmd(storage, f, state))
    duck = str(TMP / f"reopen{n}.duckdb")
    if not Path(duck).exists():
        item("duck_file", duck, n)
    a, b = interleave(lambda: run([PY, "-m", "kshell", state, "--format", "csv", "-e", REOPEN_QUERY]),
                      lambda: item("duck_reopen", duck, REOPEN_QUERY), rounds)
    wall = med([x.wall / y.wall for x, y in zip(a, b)])
    cpu = med([x.cpu for x in a]) / med([y.cpu for y in b])
    return [Row("5", f"Reopen a {n // 1_000_000}M-row state file + one query", secs(med([x.wall for x in a])),
                f"duckdb-kql (file) {secs(med([y.wall for y in b]))}", ratio_text(wall, cpu), "≤ 1.5×",
                wall <= 1.5, f"{rounds} rounds, each a new process; `{REOPEN_QUERY}`; "
                f"state file {os.path.getsize(state) / 1e6:.0f} MB")]


def query_rows(n: int, reps: int, key: str, only: str, budget: float, label: str) -> list[Row]:
    if not have("duckdb_kql"):
        return [Row(key, label, "—", "duckdb-kql not installed", "—", f"≤ {budget:g}×", False,
                    "install the `bench` extra")]
    d1 = item("queries_duck", n, reps, only).json()
    k = item("queries_kshell", n, reps, only).json()
    d2 = item("queries_duck", n, reps, only).json()
    rows = []
    for q, times in k["queries"].items():
        kw, kc = med(times["wall"]), med(times["cpu"])
        dw = med(d1["queries"][q]["wall"] + d2["queries"][q]["wall"])
        dc = med(d1["queries"][q]["cpu"] + d2["queries"][q]["cpu"])
        from items import QUERIES

        rows.append(Row(key, f"{label}: `{QUERIES[q]}`", ms(kw), f"duckdb-kql {ms(dw)}",
                        ratio_text(kw / dw, kc / dc), f"≤ {budget:g}×", kw / dw <= budget,
                        f"{reps} runs each, kshell between two duckdb-kql processes (1 thread); "
                        f"tables built in {secs(k['build'])} (kshell) / {secs(d1['build'])}; "
                        f"kshell peak {k['peak_mb']:.0f} MB"))
    return rows


# ---------------------------------------------------------------- profiles

def profile_startup() -> str:
    proc = subprocess.run([PY, "-X", "importtime", "-m", "kshell", "-e", ".show databases"], capture_output=True,
                          env=child_env(), cwd=ROOT)
    rows = []
    for line in proc.stderr.decode().splitlines():
        if line.startswith("import time:") and "|" in line:
            self_us, cum_us, name = line[len("import time:"):].split("|")
            if self_us.strip().isdigit():
                rows.append((int(self_us), int(cum_us), name.rstrip()))
    total = sum(r[0] for r in rows)
    top = sorted(rows, reverse=True)[:12]
    return (f"imports: {len(rows)} modules, {total / 1000:.0f} ms of import time (self), the largest:\n"
            + "\n".join(f"  {s / 1000:6.1f} ms  {n.strip()}" for s, _, n in top))


def profile_python(code: str, limit: int = 14) -> str:
    prog = ("import cProfile, pstats, io, sys\n"
            f"sys.path.insert(0, {str(ITEMS.parent)!r})\n"
            "pr = cProfile.Profile()\n"
            f"exec(compile({code!r}, 'bench', 'exec'))\n"
            "s = io.StringIO(); pstats.Stats(pr, stream=s).sort_stats('tottime').print_stats(" + str(limit) + ")\n"
            "print('\\n'.join(l for l in s.getvalue().splitlines() if l.strip())[-3000:])\n")
    proc = subprocess.run([PY, "-c", prog], capture_output=True, env=child_env(), cwd=ROOT, timeout=900)
    text = proc.stdout.decode() or proc.stderr.decode()[-1500:]
    lines = [l for l in text.splitlines() if "ncalls" in l or "{" in l or ".py:" in l]
    return "\n".join(l.replace(str(ROOT) + "/", "").replace(sys.prefix, "<venv>") for l in lines[:limit + 1])


PROFILES = {
    "1": lambda n: profile_startup(),
    "3": lambda n: profile_python(
        "from items import management_script\n"
        "import tempfile, os, io, contextlib\n"
        "s, _ = management_script(); s = '\\n'.join(s.splitlines()[:4000]) + '\\n'\n"
        "d = tempfile.mkdtemp(); open(d + '/m.kql', 'w').write(s)\n"
        "from kshell import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    pr.enable()\n"
        "    cli.main([d + '/s.kshell', '-f', d + '/m.kql', '--format', 'csv'])\n"
        "    pr.disable()\n"),
    "6": lambda n: profile_python(
        "from items import big_session, QUERIES\n"
        f"s = big_session({n})\n"
        "for q in ('extend_sum', 'top', 'join_count', 'avg_by_flag'):\n"
        "    s.execute(QUERIES[q])\n"
        "pr.enable()\n"
        "for q in ('extend_sum', 'top', 'join_count', 'avg_by_flag'):\n"
        "    s.execute(QUERIES[q])\n"
        "pr.disable()\n", 16),
}


# ------------------------------------------------------------------ report

def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines()
                          if l.startswith("MemTotal")).split()[1])
        mem = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        mem = "unknown"
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu}), {mem} RAM, "
            f"Python {platform.python_version()}")


def versions() -> str:
    out = []
    for m in ("duckdb", "duckdb_kql", "pandas"):
        try:
            mod = __import__(m)
            out.append(f"{m} {getattr(mod, '__version__', '?')}")
        except ImportError:
            out.append(f"{m} not installed")
    return ", ".join(out)


def write_report(rows: list[Row], elapsed: float, loads: str, profiles: dict[str, str], big: int) -> None:
    sys.path.insert(0, str(ITEMS.parent))
    from why import WHY, NOTES

    lines = [
        "# Performance",
        "",
        "Written by `python benchmarks/run.py` (do not edit by hand): the budget of issue 18, each row",
        "measured against its contender in the same run, interleaved, every run a fresh process.",
        "Ratios are medians of per-round ratios of wall times; CPU ratios beside them (the machine is",
        "shared: CPU time is the steadier measure).",
        "",
        f"- Run: {dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, {elapsed:.0f} s in all",
        f"- Machine: {machine()}",
        f"- Load average (1/5/15 min): {loads}",
        f"- Contenders: {versions()}",
        "",
        "| # | Item | kshell | Contender | Ratio | Budget | Result | Notes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    missed: dict[str, list[Row]] = {}
    for r in rows:
        cells = [r.key, r.item, r.kshell, r.contender, r.ratio, r.budget, "pass" if r.ok else "**miss**", r.notes]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
        if not r.ok:
            missed.setdefault(r.key, []).append(r)
    lines.append("")
    if missed:
        lines += ["## Missed budgets", ""]
        for key, rs in missed.items():
            lines.append(f"### Row {key}: " + "; ".join(f"{r.item} at {r.ratio} (budget {r.budget})" for r in rs))
            lines.append("")
            lines.append(WHY.get(key, "").strip())
            lines.append("")
            if key in profiles:
                lines += ["Profile:", "", "```", profiles[key], "```", ""]
    else:
        lines += ["Every budget is met.", ""]
    lines += [NOTES.strip(), ""]
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text("\n".join(lines) + kept_server_section())


def kept_server_section() -> str:
    """The "Server load" section at the end of the file: benchmarks/server_load.py writes it, run.py keeps it."""
    marker = "<!-- server-load: written by benchmarks/server_load.py -->"
    old = OUT.read_text() if OUT.exists() else ""
    return "\n" + old[old.index(marker):] if marker in old else ""


def main() -> int:
    _install_wait4()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds, 1M instead of 10M rows")
    ap.add_argument("--only", default="", help="comma-separated row numbers (no report written)")
    args = ap.parse_args()
    quick = args.quick
    only = set(args.only.split(",")) if args.only else None
    big = 1_000_000 if quick else 10_000_000
    started = time.perf_counter()
    load_before = load()
    plan = [
        ("1", lambda: row_startup(6 if quick else 20)),
        ("2", lambda: row_interactive(3 if quick else 15)),
        ("3", lambda: row_management(1 if quick else 3)),
        ("4", lambda: row_memory(1 if quick else 2, 1_000_000)),
        ("5", lambda: row_reopen(2 if quick else 5, 1_000_000)),
        ("6", lambda: query_rows(big, 1 if quick else 2, "6", "", 5.0,
                                 f"{big // 1_000_000}M rows")),
        ("7", lambda: query_rows(1_000_000, 2 if quick else 5, "7", "join_count", 3.0, "1M rows")),
    ]
    warm_bytecode()
    rows: list[Row] = []
    for key, fn in plan:
        if only and key not in only:
            continue
        t0 = time.perf_counter()
        try:
            got = fn()
        except Exception as e:  # one broken row must not lose the others
            got = [Row(key, "(failed to run)", "—", "—", "—", "—", False, str(e).strip().splitlines()[-1][:300])]
        rows += got
        for r in got:
            print(f"{'PASS' if r.ok else 'MISS'} {r.key} {r.item}: {r.kshell} vs {r.contender}: {r.ratio} "
                  f"(budget {r.budget}) [{time.perf_counter() - t0:.0f} s]", flush=True)
    profiles = {}
    for key in sorted({r.key for r in rows if not r.ok}):
        if key in PROFILES:
            try:
                profiles[key] = PROFILES[key](1_000_000)
            except Exception as e:  # noqa: BLE001
                profiles[key] = f"(profile failed: {e})"
    elapsed = time.perf_counter() - started
    if not only:
        write_report(rows, elapsed, f"{load_before} before, {load()} after", profiles, big)
        print(f"wrote {OUT.relative_to(ROOT)} in {elapsed:.0f} s")
    shutil.rmtree(TMP, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
