"""A real `kshell serve` process for the server tests, and SDK clients for it.

`KshellServer(state_file, *args)` starts `python -m kshell serve --port 0`,
reads the URL it prints, and stops it with SIGTERM.  Its request log goes to a
file (a pipe nobody reads would fill up and block the server).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXED_NOW = "2026-01-01T00:00:00Z"


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(PROJECT_ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.setdefault("PYTHONIOENCODING", "utf-8")
    return e


def run_cli(*args: str, stdin: str = "", timeout: float = 60) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "kshell", *args], input=stdin.encode(), capture_output=True,
                          timeout=timeout, cwd=str(PROJECT_ROOT), env=env())
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


class KshellServer:
    def __init__(self, *args: str, state_file: str | None = None):
        self._log = tempfile.NamedTemporaryFile(prefix="kshell-serve-", suffix=".log", delete=False)
        cmd = [sys.executable, "-m", "kshell", "serve"]
        if state_file:
            cmd.append(str(state_file))
        if "--now" not in args:
            args = ("--now", FIXED_NOW, *args)
        cmd += ["--port", "0", *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._log, cwd=str(PROJECT_ROOT),
                                     env=env(), text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"http://\S+:\d+", line)
        if m is None:
            self.proc.kill()
            raise RuntimeError(f"kshell serve did not start: {line!r} {self.log()}")
        self.url = m.group(0)
        self.port = int(self.url.rsplit(":", 1)[1])

    def log(self) -> str:
        return Path(self._log.name).read_text("utf-8", "replace")

    def stop(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        return self.proc.returncode

    def close(self) -> None:
        self.stop()
        self._log.close()
        try:
            os.unlink(self._log.name)
        except OSError:
            pass

    # ------------------------------------------------------------ clients
    def client(self, token: str | None = None):
        from azure.kusto.data import KustoClient, KustoConnectionStringBuilder

        if token is None:
            kcsb = KustoConnectionStringBuilder.with_no_authentication(self.url)
        else:
            kcsb = KustoConnectionStringBuilder.with_token_provider(self.url, lambda: token)
        return KustoClient(kcsb)

    def ingest_client(self, token: str | None = None):
        from azure.kusto.data import KustoConnectionStringBuilder
        from azure.kusto.ingest import KustoStreamingIngestClient

        if token is None:
            kcsb = KustoConnectionStringBuilder.with_no_authentication(self.url)
        else:
            kcsb = KustoConnectionStringBuilder.with_aad_application_token_authentication(self.url, token)
        return KustoStreamingIngestClient(kcsb)


def token(fqn: str) -> str:
    """A token minted by the real `kshell token` command."""
    code, out, err = run_cli("token", fqn)
    assert code == 0, err
    return out.strip()


def prepare_state(path: str, script: str) -> str:
    """Run `script` with the shell on the state file at `path` (directives included)."""
    code, out, err = run_cli(str(path), "--now", FIXED_NOW, "--format", "csv", stdin=script)
    assert code == 0, err
    return out


def wait_until(predicate, timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()
