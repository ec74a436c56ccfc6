"""Server load test: N concurrent SDK clients against `kshell serve` (and duckdb-kql's `serve`).

    python3 benchmarks/server_load.py                 # 8 clients, 30 s per server, writes docs/performance.md
    python3 benchmarks/server_load.py --clients 4 --seconds 10 --no-report

Each client is one thread with its own azure-kusto-data KustoClient, cycling
through the same ten requests: five queries, three writes (`.set-or-append`
of one row tagged with the client and a sequence number) and two management
commands.  Every request is timed; any exception counts as an error.  At the
end every client's acknowledged writes are counted back with a query: a write
that was acknowledged but is missing is a lost write.

The same workload runs against each target in turn, in the same run:
- kshell serve, in memory;
- kshell serve STATE_FILE (every write is an SQLite transaction before its reply);
- duckdb-kql serve --allow-write (when duckdb-kql is installed).

The report replaces the "Server load" section at the end of docs/performance.md
(between the markers below); benchmarks/run.py keeps that section when it
rewrites the rest of the file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "performance.md"
BEGIN = "<!-- server-load: written by benchmarks/server_load.py -->"
END = "<!-- /server-load -->"

SETUP = (".set-or-append Events <| range i from 1 to 10000 step 1 "
         "| project Worker = i % 10, Seq = i, Name = strcat('n', tostring(i))")


def cycle(client_id: int) -> list[tuple[str, str, bool]]:
    """(kind, text, is_write) of one round of a client's requests; writes carry a placeholder."""
    w = client_id % 10
    return [
        ("query", f"Events | where Worker == {w} | summarize n = count(), top = max(Seq)", False),
        ("write", f".set-or-append Events <| print Worker = {1000 + client_id}, Seq = {{seq}}, Name = 'load'", True),
        ("query", "Events | summarize n = count() by Worker | top 3 by n", False),
        ("mgmt", ".show tables", False),
        ("query", "Events | where Seq > 9990 | project Worker, Seq, Name | take 10", False),
        ("write", f".set-or-append Events <| print Worker = {1000 + client_id}, Seq = {{seq}}, Name = 'load'", True),
        ("query", f"Events | where Worker == {1000 + client_id} | count", False),
        ("mgmt", ".show databases", False),
        ("query", "Events | where Name startswith 'n99' | summarize count()", False),
        ("write", f".set-or-append Events <| print Worker = {1000 + client_id}, Seq = {{seq}}, Name = 'load'", True),
    ]


# ------------------------------------------------------------------ targets

def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Target:
    def __init__(self, label: str, cmd: list[str], db: str, url_pattern: str = r"http://\S+:\d+"):
        self.label, self.db = label, db
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, env=_env(), cwd=ROOT, text=True)
        deadline = time.monotonic() + 60
        self.url = None
        while time.monotonic() < deadline and self.url is None:
            line = self.proc.stdout.readline()
            if not line:
                break
            m = re.search(url_pattern, line)
            if m:
                self.url = m.group(0)
        if self.url is None:
            self.stop()
            raise RuntimeError(f"{label} did not start")
        # keep reading its stdout so that it never blocks on a full pipe
        threading.Thread(target=lambda: self.proc.stdout.read(), daemon=True).start()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def client(url: str):
    from azure.kusto.data import KustoClient, KustoConnectionStringBuilder

    return KustoClient(KustoConnectionStringBuilder.with_no_authentication(url))


def run_load(target: Target, clients: int, seconds: float) -> dict:
    setup = client(target.url)
    setup.execute_mgmt(target.db, SETUP)
    stop_at = time.monotonic() + seconds
    latencies: dict[str, list[float]] = {"query": [], "write": [], "mgmt": []}
    acknowledged = [0] * clients
    errors: list[str] = []
    lock = threading.Lock()

    def work(cid: int) -> None:
        c = client(target.url)
        seq = 0
        mine: dict[str, list[float]] = {"query": [], "write": [], "mgmt": []}
        while time.monotonic() < stop_at:
            for kind, text, is_write in cycle(cid):
                if time.monotonic() >= stop_at:
                    break
                if is_write:
                    seq += 1
                    text = text.format(seq=seq)
                t0 = time.perf_counter()
                try:
                    (c.execute_mgmt if text.startswith(".") else c.execute)(target.db, text)
                except Exception as e:  # noqa: BLE001 - every failure is counted
                    with lock:
                        errors.append(f"{type(e).__name__}: {str(e)[:200]}")
                    continue
                mine[kind].append(time.perf_counter() - t0)
                if is_write:
                    acknowledged[cid] += 1
        with lock:
            for k, v in mine.items():
                latencies[k].extend(v)

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    check = client(target.url)
    landed = {int(r[0]): int(r[1]) for r in check.execute(
        target.db, "Events | where Worker >= 1000 | summarize n = count() by Worker").primary_results[0]}
    lost = sum(max(0, acknowledged[i] - landed.get(1000 + i, 0)) for i in range(clients))
    extra = sum(max(0, landed.get(1000 + i, 0) - acknowledged[i]) for i in range(clients))
    every = [x for v in latencies.values() for x in v]
    return {
        "label": target.label, "clients": clients, "seconds": elapsed, "requests": len(every),
        "rps": len(every) / elapsed, "p50": _pct(every, 50), "p99": _pct(every, 99),
        "kinds": {k: (len(v), _pct(v, 50), _pct(v, 99)) for k, v in latencies.items()},
        "errors": len(errors), "first_error": errors[0] if errors else "",
        "writes": sum(acknowledged), "lost": lost, "unacknowledged_landed": extra,
    }


def _pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, round(p / 100 * (len(xs) - 1))))
    return xs[k]


# ------------------------------------------------------------------ report

def _ms(x: float) -> str:
    return f"{x * 1000:.1f} ms"


def loadavg() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def section(results: list[dict], notes: list[str], clients: int, seconds: float, load: str = "") -> str:
    lines = [
        BEGIN,
        "## Server load",
        "",
        f"Written by `python3 benchmarks/server_load.py` (not by run.py, which keeps this section). "
        f"{clients} concurrent clients (threads of one process, each its own azure-kusto-data `KustoClient`, "
        f"no authentication) for {seconds:.0f} s per server, each cycling through five queries, three "
        "one-row `.set-or-append` writes and two management commands (`.show tables`, `.show databases`) "
        "over a 10,000-row table; then every client's acknowledged writes are counted back.",
        "",
        f"- Run: {dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}; machine: {os.cpu_count()} CPUs "
        f"shared by the load generator and the server; load average (1/5/15 min) {load}",
        "",
        "| Server | Requests/s | p50 | p99 | Queries p50 / p99 | Writes p50 / p99 | Commands p50 / p99 | "
        "Errors | Writes acknowledged | Lost writes |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        k = r["kinds"]
        lines.append(
            f"| {r['label']} | {r['rps']:.0f} ({r['requests']} in {r['seconds']:.0f} s) | {_ms(r['p50'])} | "
            f"{_ms(r['p99'])} | {_ms(k['query'][1])} / {_ms(k['query'][2])} | {_ms(k['write'][1])} / "
            f"{_ms(k['write'][2])} | {_ms(k['mgmt'][1])} / {_ms(k['mgmt'][2])} | {r['errors']} | {r['writes']} | "
            f"{r['lost']} |")
    lines.append("")
    for r in results:
        if r["errors"]:
            lines.append(f"- {r['label']}: first error: {r['first_error']}")
    lines += notes
    lines += ["", END, ""]
    return "\n".join(lines)


def write_section(text: str) -> None:
    old = OUT.read_text() if OUT.exists() else "# Performance\n"
    if BEGIN in old:
        head = old[: old.index(BEGIN)]
        tail = old[old.index(END) + len(END):].lstrip("\n") if END in old else ""
    else:
        head, tail = old, ""
    OUT.write_text(head.rstrip("\n") + "\n\n" + text + tail)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--no-report", action="store_true", help="print only; leave docs/performance.md alone")
    args = ap.parse_args()
    py = sys.executable
    tmp = tempfile.mkdtemp(prefix="kshell-load-")
    targets = [
        ("kshell serve (in memory)", [py, "-m", "kshell", "serve", "--port", "0"], "NetDefaultDB"),
        ("kshell serve STATE_FILE", [py, "-m", "kshell", "serve", os.path.join(tmp, "load.kshell"), "--port", "0"],
         "NetDefaultDB"),
    ]
    notes = []
    duck = shutil.which("duckdb-kql") or (str(Path(py).parent / "duckdb-kql")
                                          if (Path(py).parent / "duckdb-kql").exists() else None)
    if duck:
        targets.append(("duckdb-kql serve --allow-write (in memory)",
                        [duck, "serve", "-p", str(_free_port()), "--allow-write"], "memory"))
    else:
        notes.append("- duckdb-kql is not installed: no comparison in this run.")
    results = []
    load_before = loadavg()
    try:
        for label, cmd, db in targets:
            target = Target(label, cmd, db)
            try:
                r = run_load(target, args.clients, args.seconds)
            finally:
                target.stop()
            results.append(r)
            print(f"{label}: {r['rps']:.0f} req/s, p50 {_ms(r['p50'])}, p99 {_ms(r['p99'])}, "
                  f"errors {r['errors']}, writes {r['writes']}, lost {r['lost']}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if duck:
        notes.append("- duckdb-kql runs the same requests and data (its `.set-or-append` needs `--allow-write`); it "
                     "answers unauthenticated requests only (no principals, roles or policies to evaluate) and, "
                     "here, keeps its database in memory.")
    notes.append("- kshell serializes the engine behind one lock (the session is not thread-safe): throughput is "
                 "one engine's, concurrency shows in the latency percentiles.")
    if not args.no_report:
        write_section(section(results, notes, args.clients, args.seconds,
                              f"{load_before} before, {loadavg()} after (other work on the machine included)"))
        print(f"wrote the Server load section of {OUT.relative_to(ROOT)}")
    return 0 if all(r["errors"] == 0 and r["lost"] == 0 for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
