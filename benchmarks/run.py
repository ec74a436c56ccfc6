"""Run every kshell benchmark and write docs/performance.md.

    python3 benchmarks/run.py            # all items, a few minutes
    python3 benchmarks/run.py --quick    # fewer repetitions (smoke run)

Each item runs in a fresh child process (so imports, caches and peak memory
of one item never flatter another) and is repeated; the median is reported
beside the budget of issue 11.  Comparisons with pandas are added when pandas
is installed (optional extra `bench`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ITEMS_DIR = Path(__file__).resolve().parent
OUT = ROOT / "docs" / "performance.md"


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    tmp = tempfile.mkdtemp(prefix="kshell-bench-")
    env["XDG_CONFIG_HOME"] = tmp
    env["XDG_DATA_HOME"] = tmp
    env["HOME"] = tmp
    return env


# CPU seconds (user + system) of every finished child, by command line: the
# report shows them beside the wall times, which other load on the machine inflates.
CPU: dict[str, list[float]] = {}


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def wall(cmd: list[str], *, stdin: bytes = b"", repeat: int) -> list[float]:
    """Wall times of running `cmd` to completion (CPU times go to CPU[" ".join(cmd)])."""
    times = []
    cpus = CPU.setdefault(" ".join(cmd), [])
    env = child_env()
    for _ in range(repeat):
        c0 = _children_cpu()
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, input=stdin, capture_output=True, env=env, cwd=ROOT)
        times.append(time.perf_counter() - t0)
        cpus.append(_children_cpu() - c0)
        if proc.returncode != 0:
            raise RuntimeError(f"{cmd} failed: {proc.stderr.decode()[-500:]}")
    return times


def cpu_of(cmd: list[str]) -> float:
    return statistics.median(CPU[" ".join(cmd)])


def load() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def item(name: str, *args: str) -> dict:
    """Run benchmarks/items.py ITEM in a child process; it prints one JSON object."""
    proc = subprocess.run([sys.executable, str(ITEMS_DIR / "items.py"), name, *args],
                          capture_output=True, env=child_env(), cwd=ROOT, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"item {name} failed: {proc.stderr.decode()[-2000:]}")
    return json.loads(proc.stdout.decode().strip().splitlines()[-1])


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def ms(x: float) -> str:
    return f"{x * 1000:.1f} ms"


def use_project_interpreter() -> None:
    """Re-run under the project's virtualenv when this interpreter lacks kshell's dependencies.

    `python3 benchmarks/run.py` may start a system Python without
    prompt_toolkit, pygments or tabulate; every item runs with sys.executable.
    """
    import importlib.util

    if all(importlib.util.find_spec(m) for m in ("prompt_toolkit", "pygments", "tabulate")):
        return
    venv_python = ROOT / ".venv" / "bin" / "python"
    if venv_python.is_file() and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        os.execv(str(venv_python), [str(venv_python), str(Path(__file__).resolve()), *sys.argv[1:]])
    raise SystemExit("kshell's dependencies are not installed: pip install -e '.[bench]'")


def main() -> int:
    use_project_interpreter()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = ap.parse_args()
    rep = 3 if args.quick else 9
    py = sys.executable
    rows: list[tuple[str, str, str, bool, str]] = []  # item, measured, budget, pass, notes
    started = time.perf_counter()

    load_before = load()

    # 1. Script start-up (the three commands interleaved, so load hits them alike)
    c_bare, c_tab = [py, "-c", "pass"], [py, "-c", "import tabulate"]
    c_ks = [py, "-m", "kshell", "-e", ".show databases", "--format", "csv"]
    t_bare, t_tab, t_ks = [], [], []
    for _ in range(rep):
        t_bare += wall(c_bare, repeat=1)
        t_tab += wall(c_tab, repeat=1)
        t_ks += wall(c_ks, repeat=1)
    bare, tab, ks = median(t_bare), median(t_tab), median(t_ks)
    rows.append(("1. Script start-up: `kshell -e '.show databases' --format csv`", ms(ks),
                 f"≤ 2× bare Python ({ms(2 * bare)})", ks <= 2 * bare,
                 f"python -c pass {ms(bare)}; python -c 'import tabulate' {ms(tab)}; ratio {ks / bare:.2f}×; "
                 f"CPU: kshell {ms(cpu_of(c_ks))}, python {ms(cpu_of(c_bare))} ({cpu_of(c_ks) / cpu_of(c_bare):.2f}×)"))

    # 2. Interactive start-up to the first prompt (interleaved with the baseline)
    c_imp = [py, "-c", "import prompt_toolkit, pygments"]
    t_imp, inter = [], []
    for _ in range(rep):
        t_imp += wall(c_imp, repeat=1)
        inter.append(item("interactive_startup")["seconds"])
    imp, it = median(t_imp), median(inter)
    rows.append(("2. Interactive start-up to the first prompt (pty)", ms(it),
                 f"≤ 1.3× importing prompt_toolkit + pygments ({ms(1.3 * imp)})", it <= 1.3 * imp,
                 f"import prompt_toolkit, pygments: {ms(imp)}; ratio {it / imp:.2f}×; "
                 "clock stops when the prompt is drawn"))

    # 3. Parser throughput
    r = item("parser", str(rep))
    rows.append(("3. Parser throughput over the corpus (≥ 10 MB of text)",
                 f"{r['mb_per_s']:.2f} MB/s, {r['requests_per_s']:.0f} requests/s",
                 "≥ 2 MB/s", r["mb_per_s"] >= 2.0,
                 f"{r['mb']:.1f} MB, {r['requests']} requests parsed, {r['errors']} syntax errors; "
                 f"{r['cpu_mb_per_s']:.2f} MB/s of CPU time"))

    # 4. 10,000 management commands
    r = item("management", str(rep))
    rows.append(("4. Script of 10,000 management commands", f"{r['seconds']:.2f} s", "≤ 3 s",
                 r["seconds"] <= 3.0, f"{r['notes']}; CPU {r['cpu_seconds']:.2f} s"))

    # 5. MI policy alter-merge scaling
    r = item("mi_scaling", str(rep))
    t1, t10, t100 = r["1000"], r["10000"], r["100000"]
    worst = max(t10 / t1, t100 / t10)
    rows.append(("5. ManagedIdentity alter-merge at 1,000 / 10,000 / 100,000 identities",
                 f"{ms(t1)} / {ms(t10)} / {ms(t100)}", "10× identities ≤ 12× time",
                 worst <= 12.0, f"growth ×{t10 / t1:.1f} then ×{t100 / t10:.1f}"))

    # 6. Query engine on 1,000,000 rows
    r = item("queries", str(rep))
    for key, label in (("filter_summarize", "where + summarize count() by string key"),
                       ("extend", "extend with arithmetic"),
                       ("top", "sort / top 10"),
                       ("join", "join 1,000,000 × 10,000")):
        secs = r[key]
        budget = "≤ 1 s" if key == "filter_summarize" else "reported"
        ok = secs <= 1.0 if key == "filter_summarize" else True
        note = f"{1_000_000 / secs:,.0f} rows/s"
        if f"pandas_{key}" in r:
            note += f"; pandas {ms(r[f'pandas_{key}'])}"
        rows.append((f"6. Query, 1,000,000 rows: {label}", ms(secs), budget, ok, note))
    if "pandas_version" not in r:
        rows.append(("6. (comparison)", "—", "—", True, "pandas not installed: `pip install '.[bench]'` adds the comparison"))

    # 7. Completion latency
    r = item("completion")
    rows.append(("7. Completion latency, 10,000 tables × 100 columns", f"p95 {r['p95_ms']:.2f} ms",
                 "p95 ≤ 20 ms", r["p95_ms"] <= 20.0,
                 f"median {r['median_ms']:.2f} ms over {r['calls']} calls in {r['contexts']} contexts"))

    # 8. Peak memory
    r = item("memory")
    rows.append(("8. Peak memory, 1,000,000 rows × 5 columns", f"{r['peak_mb']:.0f} MB", "≤ 400 MB",
                 r["peak_mb"] <= 400.0, f"after ingesting and one query; baseline interpreter {r['baseline_mb']:.0f} MB"))

    elapsed = time.perf_counter() - started
    write_report(rows, rep, elapsed, f"{load_before} before, {load()} after")
    for name, measured, budget, ok, notes in rows:
        print(f"{'PASS' if ok else 'MISS'}  {name}: {measured} (budget {budget}) {notes}")
    print(f"wrote {OUT.relative_to(ROOT)} in {elapsed:.0f} s")
    return 0


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


def write_report(rows, rep: int, elapsed: float, loadavg: str) -> None:
    lines = [
        "# Performance",
        "",
        "Written by `python3 benchmarks/run.py` (do not edit by hand). Each item runs in a fresh",
        f"child process; times are the median of {rep} runs unless the item says otherwise.",
        "Budgets are on wall time; CPU times are noted where other load on the machine can",
        "inflate the wall time.",
        "",
        f"- Run: {dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, {elapsed:.0f} s in all",
        f"- Machine: {machine()}",
        f"- Load average (1/5/15 min): {loadavg}",
        "",
        "| Item | Measured | Budget | Result | Notes |",
        "|---|---|---|---|---|",
    ]
    for name, measured, budget, ok, notes in rows:
        lines.append(f"| {name} | {measured} | {budget} | {'pass' if ok else '**miss**'} | {notes} |")
    lines.append("")
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text("\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
