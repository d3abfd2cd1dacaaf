"""The HTTP tool channel over a real socket: signature, size, JSON, name, arguments, failures."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import anyio
import pytest
from aiohttp import web

from tavus_async import tools
from tavus_async.errors import ConfigurationError

pytestmark = pytest.mark.anyio

SECRET = "whsec_test_0123456789"
TIMEOUT = aiohttp.ClientTimeout(total=10)


def _registry() -> tools.ToolRegistry:
    registry = tools.ToolRegistry()

    @registry.tool
    async def get_weather(city: str, ctx: tools.ToolContext) -> str:
        """Current weather for a city."""
        return f"Sunny in {city} ({ctx.channel}, {ctx.conversation_id})"

    @registry.tool
    def order_status(order_id: str) -> dict[str, Any]:
        """An order's status."""
        return {"order_id": order_id, "status": "shipped"}

    @registry.tool
    async def explode() -> str:
        """Always fails, with a secret in the exception."""
        raise RuntimeError(f"db password=hunter2 secret={SECRET}")

    @registry.tool(timeout=0.5)
    async def dawdle() -> str:
        """Takes longer than its timeout."""
        await anyio.sleep(5)
        return "late"

    return registry


@pytest.fixture
async def served() -> AsyncIterator[tuple[str, tools.ToolRequestHandler]]:
    receiver = tools.aiohttp_handler(_registry(), secret=SECRET, max_body_size=4096)
    app = web.Application()
    receiver.attach(app, "/tavus/tools")
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/tavus/tools", receiver
    finally:
        await runner.cleanup()


async def _post(
    url: str, body: bytes, *, signature: str | None = "auto", chunked: bool = False
) -> tuple[int, str, str]:
    headers = {"Content-Type": "application/json"}
    if signature == "auto":
        headers[tools.SIGNATURE_HEADER] = tools.sign(SECRET, body)
    elif signature is not None:
        headers[tools.SIGNATURE_HEADER] = signature

    async def gen() -> AsyncIterator[bytes]:
        for i in range(0, len(body), 1000):
            yield body[i : i + 1000]

    data: Any = gen() if chunked else body
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.post(url, data=data, headers=headers) as resp,
    ):
        return resp.status, resp.headers.get("Content-Type", ""), await resp.text()


def _call(name: str, arguments: Any, **extra: Any) -> str:
    return json.dumps({"conversation_id": "c123", "name": name, "arguments": arguments, **extra})


async def test_a_signed_call_is_answered_as_text_or_json(
    served: tuple[str, tools.ToolRequestHandler],
) -> None:
    url, receiver = served
    status, ctype, text = await _post(url, _call("get_weather", '{"city": "Oslo"}').encode())
    assert (status, text) == (200, "Sunny in Oslo (http, c123)")
    assert ctype.startswith("text/plain")
    # arguments may come as an object too, and a sha256= prefix is accepted.
    body = _call("order_status", {"order_id": "A-1"}).encode()
    status, ctype, text = await _post(url, body, signature="sha256=" + tools.sign(SECRET, body))
    assert status == 200
    assert ctype == "application/json"
    assert json.loads(text) == {"order_id": "A-1", "status": "shipped"}
    assert receiver.stats.answered == 2


async def test_the_signature_is_checked_over_the_exact_bytes(
    served: tuple[str, tools.ToolRequestHandler],
) -> None:
    url, receiver = served
    body = _call("get_weather", '{"city": "Oslo"}').encode()
    assert (await _post(url, body, signature=None))[0] == 401
    assert (await _post(url, body, signature="00" * 32))[0] == 401
    assert (await _post(url, body, signature="zz\u00e9"))[0] == 401
    # The same JSON with one more space is different bytes: the old signature no longer fits.
    respaced = body.replace(b'"name":', b'"name":  ')
    assert (await _post(url, respaced, signature=tools.sign(SECRET, body)))[0] == 401
    assert receiver.stats.unauthorized == 4


async def test_size_json_name_and_argument_refusals(
    served: tuple[str, tools.ToolRequestHandler],
) -> None:
    url, receiver = served
    big = _call("get_weather", json.dumps({"city": "x" * 5000})).encode()
    assert (await _post(url, big))[0] == 413
    assert (await _post(url, big, chunked=True))[0] == 413  # no Content-Length: still bounded
    assert (await _post(url, b"{not json"))[0] == 400
    assert (await _post(url, b'{"arguments": "{}"}'))[0] == 400  # no name
    assert (await _post(url, _call("get_weather", "{oops").encode()))[0] == 400
    status, _, text = await _post(url, _call("no_such_tool", "{}").encode())
    assert status == 404
    assert "no_such_tool" in text
    status, _, text = await _post(url, _call("get_weather", '{"city": 7}').encode())
    assert status == 422
    assert "'city'" in json.loads(text)["error"]
    s = receiver.stats
    assert (s.too_large, s.bad_request, s.unknown_tool, s.bad_arguments) == (2, 3, 1, 1)


async def test_a_raising_tool_gets_a_safe_500_and_a_slow_one_504(
    served: tuple[str, tools.ToolRequestHandler], caplog: pytest.LogCaptureFixture
) -> None:
    url, receiver = served
    with caplog.at_level(logging.WARNING, logger="tavus_async"):
        status, _, text = await _post(url, _call("explode", "").encode())
    assert status == 500
    assert json.loads(text) == {"error": "the tool explode failed"}
    assert "hunter2" not in text
    assert "Traceback" not in text
    assert any("explode raised" in r.getMessage() for r in caplog.records)
    assert all(SECRET not in r.getMessage() for r in caplog.records)
    with anyio.fail_after(3):  # the deadline (0.4 s) is below the tool's 0.5 s timeout
        status, _, text = await _post(url, _call("dawdle", None).encode())
    assert status == 504
    assert "timed out" in text
    assert (receiver.stats.failed, receiver.stats.timed_out) == (1, 1)


async def test_handle_request_is_framework_free() -> None:
    registry = _registry()
    body = _call("get_weather", '{"city": "Rome"}').encode()
    # Plain dicts are case-sensitive; the signature header is found in any case.
    answer = await tools.handle_request(
        registry, body, {"x-tavus-signature": tools.sign(SECRET, body)}, secret=SECRET
    )
    assert (answer.status, answer.text) == (200, "Sunny in Rome (http, c123)")
    assert answer.headers["Content-Type"].startswith("text/plain")
    with pytest.raises(ConfigurationError):
        await tools.handle_request(registry, body, {}, secret="")


def test_signature_helpers_and_secret_hygiene() -> None:
    # The worked example of api-2026-surface.md §15.2.
    body = b'{"conversation_id":"c123456","name":"get_recent_history","arguments":"{\\"days\\":3}"}'
    expected = "1d909c8687e2d1e59dc7a57a458b292fd8f856af1967b67476eb2e5dfb87e76e"
    assert tools.sign("whsec_demo_only", body) == expected
    assert tools.verify_signature("whsec_demo_only", body, expected.upper())
    assert tools.verify_signature("whsec_demo_only", body, f" sha256={expected} ")
    assert not tools.verify_signature("whsec_demo_only", body + b" ", expected)
    assert not tools.verify_signature("whsec_demo_only", body, "")
    receiver = tools.aiohttp_handler(tools.ToolRegistry(), secret=SECRET)
    assert SECRET not in repr(receiver)
    assert "********" in repr(receiver)
    with pytest.raises(ConfigurationError, match="secret"):
        tools.aiohttp_handler(tools.ToolRegistry(), secret="")
    assert tools.handler_deadline(10) == 9
    assert tools.handler_deadline(1) == pytest.approx(0.8)
