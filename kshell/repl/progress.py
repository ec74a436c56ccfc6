"""A spinner with the elapsed time for requests that take a while (stderr).

Nothing shows for requests under DELAY seconds.  The spinner runs in a
daemon thread and only writes; the request keeps the main thread, so Ctrl-C
still raises KeyboardInterrupt there and cancels it.  The line is erased
before anything else is printed.
"""

from __future__ import annotations

import contextlib
import threading
import time

DELAY = 0.3
FRAMES = "|/-\\"


def _is_tty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def spinner(stream, *, delay: float = DELAY, label: str = "running"):
    if not _is_tty(stream):
        yield
        return
    done = threading.Event()
    shown = threading.Event()
    started = time.monotonic()

    def spin() -> None:
        if done.wait(delay):
            return
        n = 0
        while not done.is_set():
            elapsed = time.monotonic() - started
            try:
                stream.write(f"\r{FRAMES[n % len(FRAMES)]} {label}... {elapsed:.1f} s (Ctrl-C cancels)")
                stream.flush()
            except (OSError, ValueError):
                return
            shown.set()
            n += 1
            done.wait(0.1)

    thread = threading.Thread(target=spin, name="kshell-spinner", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(1.0)
        if shown.is_set():
            try:
                stream.write("\r\x1b[K")
                stream.flush()
            except (OSError, ValueError):
                pass
