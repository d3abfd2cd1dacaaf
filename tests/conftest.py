"""Shared fixtures: every async test runs on asyncio through the anyio pytest plugin."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from _cli_kit import CLI, started_cli
from _sim_http import TIMEOUT

from tavus_async.testing import TavusSimulator


@pytest.fixture
def anyio_backend() -> str:
    # aiohttp and daily-python tie the SDK to asyncio; trio is not a supported backend.
    return "asyncio"


@pytest.fixture
async def http(tavus_simulator: TavusSimulator) -> AsyncIterator[aiohttp.ClientSession]:
    """A session on the ``tavus_simulator`` fixture's base URL that sends its API key."""
    headers = {"x-api-key": tavus_simulator.api_key}
    async with aiohttp.ClientSession(
        tavus_simulator.base_url, headers=headers, timeout=TIMEOUT
    ) as session:
        yield session


@pytest.fixture
async def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[CLI]:
    """Runs ``tavus-async`` commands against a fresh simulator (see ``_cli_kit.CLI``)."""
    async for value in started_cli(capsys, monkeypatch):
        yield value
