"""The benchmark items; `run.py` runs each in a fresh process: `items.py NAME [REPEAT]`.

Each item prints one JSON object on its last line of output.
"""

from __future__ import annotations

import json
import os
import pty
import resource
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus" / "docs-kusto-blocks.jsonl"


def emit(obj: dict) -> None:
    print(json.dumps(obj))


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# ------------------------------------------------------------ 2. interactive

def interactive_startup() -> None:
    """Start `kshell` on a pseudo-terminal; time until its first prompt is drawn.

    The clock stops when the prompt text (`<database>> `) reaches the terminal:
    that is what a user waits for.  prompt_toolkit asks the terminal for the
    cursor position before drawing; the answer is sent at once, as a real
    terminal would.  Then `#quit` is typed and the shell must exit cleanly
    (shutdown is not part of the measured time).
    """
    from kshell.engine.cluster import DEFAULT_DATABASE

    prompt = f"{DEFAULT_DATABASE}> ".encode()
    master, slave = pty.openpty()
    env = dict(os.environ, TERM="xterm", COLUMNS="120", LINES="40")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "kshell"], stdin=slave, stdout=slave, stderr=slave,
                            env=env, cwd=ROOT, close_fds=True)
    os.close(slave)
    seen = b""
    elapsed = None
    deadline = time.time() + 60
    while time.time() < deadline:
        r, _, _ = select.select([master], [], [], 0.05)
        if not r:
            if proc.poll() is not None:
                break
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if b"\x1b[6n" in chunk:
            os.write(master, b"\x1b[1;1R")
        seen += chunk
        # The prompt is drawn after escape sequences; look for its text.
        if elapsed is None and prompt in seen.replace(b"\x1b[0m", b""):
            elapsed = time.perf_counter() - t0
            os.write(master, b"#quit\r")
        if len(seen) > 1_000_000:
            seen = seen[-100_000:]
    if elapsed is None:
        proc.kill()
        raise SystemExit(f"no prompt within 60 s; output: {seen[-500:]!r}")
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise SystemExit("kshell did not exit after #quit")
    os.close(master)
    emit({"seconds": elapsed, "returncode": proc.returncode})


# ------------------------------------------------------------ 3. parser

def parser(repeat: str = "3") -> None:
    from kshell.errors import KustoSyntaxError
    from kshell.script import split_requests
    from kshell.syntax import parse

    texts = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        block = json.loads(line)["text"]
        try:
            texts.extend(r.text for r in split_requests(block) if not r.text.lstrip().startswith("#"))
        except KustoSyntaxError:
            continue
    size = sum(len(t.encode("utf-8")) for t in texts)
    rounds = max(1, -(-10_000_000 // size))

    def once() -> int:
        errors = 0
        for _ in range(rounds):
            for t in texts:
                try:
                    parse(t)
                except KustoSyntaxError:
                    errors += 1
        return errors

    errors = once()  # warm-up, and the error count
    c0 = time.process_time()
    secs = median_time(once, int(repeat))
    cpu = (time.process_time() - c0) / int(repeat)
    mb = size * rounds / 1e6
    emit({"mb": mb, "mb_per_s": mb / secs, "requests": len(texts) * rounds,
          "requests_per_s": len(texts) * rounds / secs, "errors": errors, "cpu_mb_per_s": mb / cpu})


# ------------------------------------------------------------ 4. management script

def management_script() -> tuple[str, str]:
    import uuid

    lines: list[str] = []
    identities = [str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-{i}")) for i in range(500)]
    for i, oid in enumerate(identities):
        lines.append(f"#identity create id{i} objectid={oid}")
        lines.append(f"#identity assign id{i}")
    for d in range(100):
        lines.append(f".create database DB{d} volatile")
        lines.append(f"#db DB{d}")
        for t in range(10):
            lines.append(f".create table T{t} (Timestamp:datetime, Key:string, Value:long, Note:string)")
        for p in range(40):
            lines.append(f".add database DB{d} viewers ('aadapp={identities[(d * 40 + p) % 500]}')")
        for m in range(29):
            oid = identities[(d * 29 + m) % 500]
            lines.append(f'.alter-merge database DB{d} policy managed_identity '
                         f'```[{{"ObjectId": "{oid}", "AllowedUsages": "AutomatedFlows"}}]```')
    while len(lines) < 10_000:
        oid = identities[len(lines) % 500]
        lines.append(f'.alter-merge cluster policy managed_identity '
                     f'```[{{"ObjectId": "{oid}", "AllowedUsages": "NativeIngestion"}}]```')
    return "\n".join(lines) + "\n", f"{len(lines)} requests: 500 identities created and assigned, 100 databases, 1,000 tables, 4,000 role assignments, 3,800 MI policy alter-merges"


def management(repeat: str = "3") -> None:
    script, notes = management_script()
    with tempfile.NamedTemporaryFile("w", suffix=".kql", delete=False) as f:
        f.write(script)
        path = f.name

    out_path = path + ".out"

    def once() -> None:
        # The ~118 MB of output go to a file, as a script's output would.
        with open(out_path, "wb") as out:
            proc = subprocess.run([sys.executable, "-m", "kshell", "-f", path, "--format", "csv"],
                                  stdout=out, stderr=subprocess.PIPE, cwd=ROOT)
        if proc.returncode != 0:
            raise SystemExit(proc.stderr.decode()[-2000:])

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    secs = median_time(once, int(repeat))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / int(repeat)
    os.unlink(path)
    os.unlink(out_path)
    emit({"seconds": secs, "notes": notes, "cpu_seconds": cpu})


# ------------------------------------------------------------ 5. MI scaling

def mi_scaling(repeat: str = "3") -> None:
    import uuid

    from kshell.engine import azure
    from kshell.engine.session import Session

    out = {}
    for n in (1000, 10000, 100000):
        session = Session()
        oids = [str(uuid.uuid5(uuid.NAMESPACE_URL, f"mi-{n}-{i}")) for i in range(n)]
        for i, oid in enumerate(oids):
            azure.create_identity(session.cluster, f"id{i}", object_id=oid)
            azure.set_assigned(session.cluster, f"id{i}", True)
        payload = json.dumps([{"ObjectId": o, "AllowedUsages": "AutomatedFlows"} for o in oids])
        text = f".alter-merge cluster policy managed_identity ```{payload}```"

        times = []
        for _ in range(int(repeat)):
            session.execute(".delete cluster policy managed_identity")  # start empty; not timed
            t0 = time.perf_counter()
            session.execute(text)
            times.append(time.perf_counter() - t0)
        out[str(n)] = statistics.median(times)
    emit(out)


# ------------------------------------------------------------ data and queries

COLUMNS = "Key:string, Value:long, Amount:real, Timestamp:datetime, Flag:bool"
KEYS = 10_000


def write_csv(path: str, n: int) -> None:
    """n rows x 5 columns (the same values big_session builds), no header."""
    import datetime as dt

    t0 = dt.datetime(2026, 1, 1)
    with open(path, "w", encoding="utf-8", newline="") as f:
        step = 100_000
        for lo in range(0, n, step):
            f.write("".join(
                f"k{i % KEYS},{i},{i * 0.5},{(t0 + dt.timedelta(seconds=i)).isoformat()}Z,{'true' if i % 3 == 0 else 'false'}\n"
                for i in range(lo, min(n, lo + step))))


def big_session(n: int = 1_000_000, keys: int = KEYS):
    """A session holding T (n rows x 5 columns) and D (`keys` rows)."""
    from kshell.engine.session import Session

    session = Session()
    session.execute(f".create table T ({COLUMNS})")
    session.execute(
        f".set-or-append T <| range i from 0 to {n - 1} step 1 "
        f"| project Key = strcat('k', i % {keys}), Value = i, Amount = i * 0.5, "
        f"Timestamp = datetime(2026-01-01) + i * 1s, Flag = i % 3 == 0")
    session.execute(".create table D (Key:string, Label:string)")
    session.execute(f".set-or-append D <| range i from 0 to {keys - 1} step 1 "
                    f"| project Key = strcat('k', i), Label = strcat('label', i % 7)")
    return session


# The six benchmark queries (the same KQL text for kshell and duckdb-kql).
QUERIES = {
    "filter_summarize": "T | where Value % 2 == 0 | summarize count() by Key | count",
    "extend_sum": "T | extend x = Value * 2 + Amount / 3 | summarize sum(x)",
    "top": "T | top 10 by Amount desc",
    "join_count": "T | join kind=inner (D) on Key | count",
    "dcount_bin": "T | summarize dcount(Key) by bin(Timestamp, 1h) | count",
    "avg_by_flag": "T | where Amount > 1000 | summarize avg(Value), max(Amount) by Flag",
}


def _timed(fn, reps: int) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for _ in range(reps):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return walls, cpus


def queries_kshell(n: str = "1000000", reps: str = "3", only: str = "") -> None:
    """Build T (n rows) in memory, then time each query (queries interleaved per round)."""
    t0 = time.perf_counter()
    session = big_session(int(n))
    build = time.perf_counter() - t0
    names = [q for q in QUERIES if not only or q in only.split(",")]
    out = {q: {"wall": [], "cpu": []} for q in names}
    session.execute(QUERIES[names[0]])  # warm-up (first-use imports)
    for _ in range(int(reps)):
        for q in names:
            w, c = _timed(lambda q=q: session.execute(QUERIES[q]), 1)
            out[q]["wall"] += w
            out[q]["cpu"] += c
    emit({"build": build, "queries": out, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def duck_connection(n: int, threads: int = 1, path: str = ":memory:"):
    import duckdb_kql

    con = duckdb_kql.connect(path)
    con.execute(f"SET threads={threads}")
    return con


def duck_fill(con, n: int) -> None:
    con.execute(
        f"CREATE OR REPLACE TABLE T AS SELECT 'k' || (i % {KEYS}) AS Key, i AS Value, i * 0.5 AS Amount, "
        f"TIMESTAMP '2026-01-01' + to_seconds(i) AS Timestamp, i % 3 = 0 AS Flag FROM range({n}) t(i)")
    con.execute(f"CREATE OR REPLACE TABLE D AS SELECT 'k' || i AS Key, 'label' || (i % 7) AS Label FROM range({KEYS}) t(i)")


def queries_duck(n: str = "1000000", reps: str = "3", only: str = "") -> None:
    """duckdb-kql, one thread: the same tables and query texts."""
    import duckdb_kql

    con = duck_connection(int(n))
    t0 = time.perf_counter()
    duck_fill(con, int(n))
    build = time.perf_counter() - t0
    names = [q for q in QUERIES if not only or q in only.split(",")]
    out = {q: {"wall": [], "cpu": []} for q in names}
    duckdb_kql.kql(con, QUERIES[names[0]]).fetchall()
    for _ in range(int(reps)):
        for q in names:
            w, c = _timed(lambda q=q: duckdb_kql.kql(con, QUERIES[q]).fetchall(), 1)
            out[q]["wall"] += w
            out[q]["cpu"] += c
    import duckdb

    emit({"build": build, "queries": out, "version": duckdb.__version__})


def duck_csv(path: str) -> None:
    """DuckDB loading the CSV into a table (one thread): time and peak memory."""
    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET threads=1")
    con.execute(f"CREATE TABLE T AS SELECT * FROM read_csv('{path}', header=false, columns="
                "{'Key': 'VARCHAR', 'Value': 'BIGINT', 'Amount': 'DOUBLE', 'Timestamp': 'TIMESTAMP', 'Flag': 'BOOLEAN'})")
    n = con.execute("SELECT count(*) FROM T").fetchone()[0]
    emit({"seconds": time.perf_counter() - t0, "rows": n,
          "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def pandas_csv(path: str) -> None:
    import pandas as pd

    t0 = time.perf_counter()
    df = pd.read_csv(path, header=None, names=["Key", "Value", "Amount", "Timestamp", "Flag"],
                     parse_dates=["Timestamp"])
    emit({"seconds": time.perf_counter() - t0, "rows": len(df),
          "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def duck_file(path: str, n: str) -> None:
    """Create a DuckDB database file holding T (n rows), for the reopen item."""
    con = duck_connection(int(n), path=path)
    duck_fill(con, int(n))
    con.close()
    emit({"ok": True})


def duck_reopen(path: str, query: str) -> None:
    import duckdb_kql

    con = duck_connection(0, path=path)
    rows = duckdb_kql.kql(con, query).fetchall()
    emit({"rows": len(rows)})


# ------------------------------------------------------------ 7. completion

def completion() -> None:
    from kshell.engine.cluster import Column, Table
    from kshell.engine.session import Session
    from kshell.repl.completion import CompletionEngine

    session = Session()
    db = session.database
    columns = [Column(f"Column{c}", "string") for c in range(100)]
    for t in range(10_000):
        db.tables[f"Table{t}"] = Table(f"Table{t}", list(columns))
    engine = CompletionEngine(session)
    contexts = [
        "Tab", "Table42", ".show table Table99", ".drop table Tab",
        "Table5000 | where Col", "Table5000 | summarize count() by Colu", "Table5000 | project Column1, Col",
        ".alter-merge cluster policy m", ".alter table Table7 policy up", "#ide",
    ]
    engine.complete(contexts[0])  # the catalog is built once per session change
    times = []
    for _ in range(20):
        for text in contexts:
            t0 = time.perf_counter()
            engine.complete(text)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    emit({"p95_ms": times[int(len(times) * 0.95) - 1], "median_ms": statistics.median(times),
          "calls": len(times), "contexts": len(contexts)})


# ------------------------------------------------------------ 8. memory

def memory() -> None:
    from kshell.engine.session import Session  # noqa: F401  (baseline includes the engine)

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    session = big_session(1_000_000, 1000)
    session.execute(QUERIES["filter_summarize"])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    emit({"peak_mb": peak, "baseline_mb": baseline})


ITEMS = {
    "interactive_startup": interactive_startup,
    "parser": parser,
    "management": management,
    "mi_scaling": mi_scaling,
    "queries_kshell": queries_kshell,
    "queries_duck": queries_duck,
    "duck_csv": duck_csv,
    "pandas_csv": pandas_csv,
    "duck_file": duck_file,
    "duck_reopen": duck_reopen,
    "completion": completion,
    "memory": memory,
}

if __name__ == "__main__":
    ITEMS[sys.argv[1]](*sys.argv[2:])
