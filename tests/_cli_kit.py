"""Helpers for the CLI tests: run ``main([...])`` in a worker thread against a live simulator.

``main`` calls ``asyncio.run`` per command, which cannot run inside the test's own event loop
(where the simulator lives), so each command runs in a thread with a loop of its own.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import anyio
import pytest

from tavus_async.cli import main
from tavus_async.testing import TavusSimulator

COMMAND_DEADLINE = 30.0
#: A stock replica of the simulator the CLI tests start.
STOCK_REPLICA = "r4067604db72"


@dataclass
class Result:
    """What one command did."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        assert self.code == 0, self.err
        return json.loads(self.out)


class CLI:
    """Runs commands against ``sim`` with ``--api-key``/``--base-url`` and records every output."""

    def __init__(self, sim: TavusSimulator, capsys: pytest.CaptureFixture[str]) -> None:
        self.sim = sim
        self.capsys = capsys
        self.history: list[Result] = []

    async def __call__(self, *argv: str, auth: bool = True) -> Result:
        extra = ["--api-key", self.sim.api_key, "--base-url", self.sim.base_url] if auth else []
        self.capsys.readouterr()
        with anyio.fail_after(COMMAND_DEADLINE):
            code = await anyio.to_thread.run_sync(main, [*argv, *extra])
        captured = self.capsys.readouterr()
        result = Result(code, captured.out, captured.err)
        self.history.append(result)
        return result

    async def json(self, *argv: str) -> Any:
        return (await self("--json", *argv)).json()

    def assert_key_never_printed(self) -> None:
        for result in self.history:
            assert self.sim.api_key not in result.out
            assert self.sim.api_key not in result.err


async def started_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[CLI]:
    """The body of the ``cli`` fixture: a simulator, and no real key in the environment."""
    monkeypatch.delenv("TAVUS_API_KEY", raising=False)
    monkeypatch.delenv("TAVUS_BASE_URL", raising=False)
    async with TavusSimulator() as sim:
        cli = CLI(sim, capsys)
        yield cli
        cli.assert_key_never_printed()
