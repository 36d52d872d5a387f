"""``grunndata sandbox`` as a child process, and the addresses it prints: for the tests that start
the command as a user would (the sandbox's own tests, the README's walk-through)."""
from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# The lines `grunndata sandbox` prints on start: one address per name, and with a world of
# tenants the number of companies.
_PRINTED = re.compile(r"(SmartDok|PowerOffice|Token)\s+(http://\S+)|(Selskaper)\s+(\d+)")


def grunndata_command() -> list[str]:
    """The installed command, or the module when no script is on PATH."""
    exe = shutil.which("grunndata")
    return [exe] if exe else [sys.executable, "-m", "grunndata.cli.main"]


@contextmanager
def sandbox_process(*args: str, until: str = "Token", cwd: Path | None = None,
                    timeout: float = 20) -> Iterator[tuple[subprocess.Popen, dict[str, str]]]:
    """Start ``grunndata sandbox`` on free ports with ``args``, read what it prints until ``until``
    is named, and yield the process with what it printed (name -> address or count). Stopped
    with SIGTERM and waited for on the way out."""
    proc = subprocess.Popen([*grunndata_command(), "sandbox", "--smartdok-port", "0", "--poweroffice-port", "0",
                             *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
        printed: dict[str, str] = {}
        while until not in printed:
            match = _PRINTED.match(lines.get(timeout=timeout))
            if match:
                name, value = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
                printed[name] = value
        yield proc, printed
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def _pump(stream, sink: queue.Queue) -> None:
    for line in iter(stream.readline, ""):
        sink.put(line)
