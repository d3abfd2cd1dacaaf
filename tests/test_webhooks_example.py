"""examples/webhook_server.py, run as a real process, receives the simulator's callbacks."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import anyio
import pytest
from _example_kit import EXAMPLES, ExampleProcess, example_env, started_example

from tavus_async import webhooks
from tavus_async.testing import TavusSimulator

pytestmark = pytest.mark.anyio

EXAMPLE = EXAMPLES / "webhook_server.py"
FIXTURES = Path(__file__).parent / "fixtures" / "webhooks"


@asynccontextmanager
async def run_example(secret: str | None) -> AsyncIterator[ExampleProcess]:
    env = example_env(drop="TAVUS_WEBHOOK_SECRET")
    if secret is not None:
        env["TAVUS_WEBHOOK_SECRET"] = secret
    async with started_example(EXAMPLE, "--port", "0", env=env) as example:
        yield example


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
