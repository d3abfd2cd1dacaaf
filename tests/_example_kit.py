"""Helpers for the tests that run the scripts in examples/ as real child processes."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType

import anyio

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
STOP_DEADLINE = 15.0


def example_env(*, drop: str | tuple[str, ...] = "TAVUS_", **values: str) -> dict[str, str]:
    """``os.environ`` without the variables in ``drop``, plus ``values``.

    A name in ``drop`` that ends with ``_`` drops its whole family (``"TAVUS_"`` drops every
    Tavus setting), so a developer's own key never steers an example under test.
    """
    names = (drop,) if isinstance(drop, str) else drop

    def dropped(key: str) -> bool:
        return any(key.startswith(n) if n.endswith("_") else key == n for n in names)

    env = {k: v for k, v in os.environ.items() if not dropped(k)}
    env.update(values)
    return env


def run_example(
    script: Path, *args: str, env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run ``script`` to its end (bounded by ``timeout``) and capture its text output."""
    return subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def assert_refused_cleanly(proc: subprocess.CompletedProcess[str], message: str, key: str) -> None:
    """The script exited 1 naming ``message``, without a traceback or the API ``key``."""
    assert proc.returncode == 1
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert key not in proc.stdout + proc.stderr


def load_example(script: Path, name: str) -> ModuleType:
    """Import ``script`` as module ``name`` without running its ``__main__`` block."""
    spec = importlib.util.spec_from_file_location(name, script)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


class ExampleProcess:
    """A running example; stdout and stderr merged, read line by line."""

    def __init__(self, proc: asyncio.subprocess.Process, name: str) -> None:
        self.proc = proc
        self.name = name
        self.lines: list[str] = []

    async def wait_for(self, pattern: str, timeout: float = 15) -> re.Match[str]:
        """Read output until a line matches ``pattern``; fail after ``timeout`` seconds."""
        regex = re.compile(pattern)
        for line in self.lines:
            if m := regex.search(line):
                return m
        assert self.proc.stdout is not None
        with anyio.fail_after(timeout):
            while True:
                raw = await self.proc.stdout.readline()
                if not raw:
                    raise AssertionError(f"{self.name} exited before {pattern!r}:\n" + self.output)
                line = raw.decode().rstrip("\n")
                self.lines.append(line)
                if m := regex.search(line):
                    return m

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


@asynccontextmanager
async def started_example(
    script: Path, *args: str, env: dict[str, str]
) -> AsyncIterator[ExampleProcess]:
    """Start ``script``; on exit stop it with SIGTERM and keep the rest of its output.

    The child is killed if it has not stopped within ``STOP_DEADLINE`` seconds, so a hang
    fails the test instead of leaving a process behind.
    """
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    example = ExampleProcess(proc, script.stem)
    try:
        yield example
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        assert proc.stdout is not None
        rest = b""
        try:
            with anyio.fail_after(STOP_DEADLINE):
                rest = await proc.stdout.read()
                await proc.wait()
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        example.lines.extend(rest.decode().splitlines())
