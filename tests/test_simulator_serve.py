"""The standalone server (`python -m tavus_async simulate` calls `serve`)."""

from __future__ import annotations

import asyncio

import aiohttp
import anyio
import pytest

from tavus_async.testing import TavusSimulator, serve

pytestmark = pytest.mark.anyio


async def test_serve_prints_its_address_and_serves_until_cancelled(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ready: asyncio.Future[TavusSimulator] = asyncio.get_running_loop().create_future()
    task = asyncio.ensure_future(serve(port=0, api_key="local-key", on_ready=ready.set_result))
    try:
        with anyio.fail_after(10):
            sim = await ready
        out = capsys.readouterr().out
        assert f"TAVUS_BASE_URL={sim.base_url}" in out
        assert "TAVUS_API_KEY=local-key" in out
        assert sim.clock.mode == "scaled"  # real time by default when standalone
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
            http.get(f"{sim.base_url}/v2/voices", headers={"x-api-key": "local-key"}) as resp,
        ):
            assert resp.status == 200
        base_url = sim.base_url
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    # Stopped means the port is released: connecting now fails.
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        with pytest.raises(aiohttp.ClientConnectionError):
            await http.get(f"{base_url}/v2/voices")


async def test_start_stop_and_base_url_before_start() -> None:
    sim = TavusSimulator()
    with pytest.raises(RuntimeError, match="not running"):
        _ = sim.base_url
    await sim.start()
    try:
        assert sim.base_url.startswith("http://127.0.0.1:")
        assert sim.port > 0
    finally:
        await sim.stop()
    await sim.stop()  # idempotent
