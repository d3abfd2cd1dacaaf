"""Shared fixtures: every async test runs on asyncio through the anyio pytest plugin."""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    # aiohttp and daily-python tie the SDK to asyncio; trio is not a supported backend.
    return "asyncio"
