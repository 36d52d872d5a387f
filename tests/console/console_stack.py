"""A real stack for the CLI and browser tests: the sandbox served on free loopback ports and
``grunndata console --port 0`` started as a subprocess, its address read from its first line."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console_env import SECRET_VALUES, write_config

from grunndata.sandbox import Sandbox
from grunndata.sandbox.server import serve_in_thread

START_TIMEOUT = 60  # seconds for the console's first line (a cold start on a loaded machine)


@dataclass
class Stack:
    url: str  # the address printed, token and all
    config: Path
    sb: Sandbox
    process: subprocess.Popen


def console_env() -> dict[str, str]:
    env = {**os.environ, **SECRET_VALUES, "GRUNNDATA_POWEROFFICE_RATE": "0"}
    env.pop("GRUNNDATA_DEBUG", None)
    return env


def start_console(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """Start ``grunndata console ARGS``; return it and its first line of output."""
    process = subprocess.Popen([sys.executable, "-m", "grunndata.cli.main", "console", *args], cwd=cwd,
                               env=env or console_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    box: dict[str, str] = {}
    reader = threading.Thread(target=lambda: box.setdefault("line", process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    line = box.get("line", "")
    if not line:
        process.kill()
        _, err = process.communicate(timeout=10)
        raise AssertionError(f"grunndata console printed no address (exit {process.returncode}): {err[-2000:]}")
    return process, line.strip()


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@contextlib.contextmanager
def stack(folder: Path, world: Any) -> Iterator[Stack]:
    sb = Sandbox(world, rate_limit=False)
    with serve_in_thread(sb) as urls:
        config = write_config(folder, urls.smartdok, urls.poweroffice, urls.token)
        process, url = start_console(["--port", "0", "-c", str(config)], folder)
        try:
            yield Stack(url, config, sb, process)
        finally:
            stop(process)
