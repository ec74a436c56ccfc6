"""A real `kshell serve` on a free loopback port, for the remote-target tests.

`KshellServer` starts `python -m kshell serve --port 0` from this checkout and
reads the port from its first line; `token(fqn)` mints what `kshell token` prints.
Tests skip when the checkout has no server or no Azure SDK.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-01-01T00:00:00Z"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("PYTHONIOENCODING", "utf-8")
    env.pop("KSHELL_TOKEN", None)
    return env


def skip_without_server() -> None:
    if not (PROJECT_ROOT / "kshell" / "server").is_dir():
        pytest.skip("this checkout has no `kshell serve` (kshell/server)")
    if importlib.util.find_spec("azure.kusto.data") is None:
        pytest.skip("the Azure SDK (kshell[azure]) is not installed")


class KshellServer:
    def __init__(self, *args: str):
        skip_without_server()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kshell", "serve", "--port", "0", "--now", NOW, *args],
            cwd=str(PROJECT_ROOT), env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.log: list[str] = []
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if not m:
            self.stop()
            raise RuntimeError(f"kshell serve did not start: {line!r} {self.proc.stderr.read()!r}")
        self.port = int(m.group(1))
        self.url = f"http://127.0.0.1:{self.port}"
        # the server writes one line per request on stderr: keep them for the tests to read
        threading.Thread(target=self._read_log, daemon=True).start()

    def _read_log(self) -> None:
        for line in self.proc.stderr:
            self.log.append(line.rstrip("\n"))

    def wait_log(self, predicate, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(predicate(line) for line in list(self.log)):
                return True
            time.sleep(0.05)
        return False

    def stop(self, *, force: bool = False) -> None:
        """End the server; `force` kills it at once (a request may still be computing)."""
        if self.proc.poll() is None and force:
            self.proc.kill()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def token(fqn: str) -> str:
    """What `kshell token FQN` prints (minted in this process: same function, no start-up)."""
    from kshell.server.principals import mint

    return mint(fqn)


def run_remote(url: str, script: str, *args: str, env: dict[str, str] | None = None,
               timeout: float = 60) -> tuple[int, str, str]:
    """`kshell URL *args` in script mode with `script` on stdin."""
    full_env = _env()
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "kshell", url, *args], input=script.encode("utf-8"),
                          capture_output=True, timeout=timeout, cwd=str(PROJECT_ROOT), env=full_env)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
