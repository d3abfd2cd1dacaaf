"""Raw HTTP against the simulator's REST surface, for tests that check the wire itself."""

from __future__ import annotations

from typing import Any

import aiohttp
from multidict import CIMultiDictProxy

TIMEOUT = aiohttp.ClientTimeout(total=10)


async def call_with_headers(
    http: aiohttp.ClientSession, method: str, path: str, **kwargs: Any
) -> tuple[int, Any, CIMultiDictProxy[str]]:
    """Send one request; return its status, JSON body (``None`` when empty) and headers."""
    async with http.request(method, path, **kwargs) as resp:
        raw = await resp.read()
        body = (await resp.json(content_type=None)) if raw else None
        return resp.status, body, resp.headers


async def call(
    http: aiohttp.ClientSession, method: str, path: str, **kwargs: Any
) -> tuple[int, Any]:
    """Send one request; return its status and JSON body (``None`` when empty)."""
    status, body, _ = await call_with_headers(http, method, path, **kwargs)
    return status, body
