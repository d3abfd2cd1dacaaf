"""examples/webhook_server.py, run as a real process, receives the simulator's callbacks."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import anyio
import pytest

from tavus_async import webhooks
from tavus_async.testing import TavusSimulator

pytestmark = pytest.mark.anyio

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "webhook_server.py"
FIXTURES = Path(__file__).parent / "fixtures" / "webhooks"


class Example:
    """The example server as a child process; stdout and stderr merged, read line by line."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
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
                    raise AssertionError(f"example exited before {pattern!r}:\n" + self.output)
                line = raw.decode().rstrip("\n")
                self.lines.append(line)
                if m := regex.search(line):
                    return m

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


@asynccontextmanager
async def run_example(secret: str | None) -> AsyncIterator[Example]:
    env = {k: v for k, v in os.environ.items() if k != "TAVUS_WEBHOOK_SECRET"}
    if secret is not None:
        env["TAVUS_WEBHOOK_SECRET"] = secret
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLE),
        "--port",
        "0",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    example = Example(proc)
    try:
        yield example
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        assert proc.stdout is not None
        with anyio.fail_after(15):
            rest = await proc.stdout.read()
            await proc.wait()
        example.lines.extend(rest.decode().splitlines())


async def test_example_prints_typed_events_from_the_simulator() -> None:
    secret = webhooks.generate_secret()
    async with run_example(secret) as example:
        base = (await example.wait_for(r"listening on (http://127\.0\.0\.1:\d+/\S+)")).group(1)
        async with TavusSimulator(rooms=False) as sim, sim.client() as tavus:
            conv = await tavus.conversations.create(
                persona_id="pdced222244b",
                replica_id="rfe12d8b9597",
                callback_url=webhooks.callback_url(base, secret),
            )
            await tavus.conversations.end(conv.conversation_id)
            with anyio.fail_after(10):
                await sim.callbacks.drain(timeout=10)
            assert all(d.ok for d in sim.callbacks.deliveries)
        await example.wait_for(r"conversation ended: end_conversation_endpoint_hit \[END_ENDPOINT")
        await example.wait_for(r"transcript ready: \d+ turns \| TranscriptionReady\(")
    assert example.proc.returncode == 0
    assert re.search(r"stopped; stats: .*'accepted': [1-9]", example.output)
    assert conv.conversation_id in example.output
    assert secret not in example.output  # not in prints, logs or the access log


async def test_example_generates_a_secret_and_rejects_other_tokens() -> None:
    async with run_example(None) as example:
        url = (await example.wait_for(r"callback_url \(contains the secret\): (\S+)")).group(1)
        wrong = webhooks.callback_url(url, webhooks.generate_secret())
        body = (FIXTURES / "video_ready.json").read_bytes()
        async with aiohttp.ClientSession() as session:
            async with session.post(wrong, data=body) as resp:
                assert resp.status == 401
            async with session.post(url, data=body) as resp:
                assert resp.status == 200
        await example.wait_for(r"succeeded \| VideoCallback\(video_id='v1a2b3c4'")
    assert example.proc.returncode == 0
