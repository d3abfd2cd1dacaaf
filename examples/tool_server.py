"""Serve Python functions as Tavus tools over signed HTTP, and wire them to a PAL.

One :class:`~tavus_async.tools.ToolRegistry` describes the functions to Tavus (the JSON schema
comes from their annotations) and answers Tavus's signed requests (``X-Tavus-Signature``).

Against the local simulator (no account needed), ask the replica once and exit::

    python examples/tool_server.py --demo

Against Tavus, with a public HTTPS URL that reaches this server (a tunnel, a load balancer)::

    export TAVUS_API_KEY=...
    export TAVUS_TOOL_SECRET=$(python -c "import secrets; print(secrets.token_hex(32))")
    python examples/tool_server.py --port 8080 --public-url https://my-tunnel.example.com

It creates or updates the tools by name (idempotent), attaches them to ``--pal-id`` (or to a new
PAL), and serves until Ctrl-C. Without TAVUS_TOOL_SECRET a secret is generated for this run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import signal
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import msgspec
from aiohttp import web

from tavus_async import AsyncTavus, tools
from tavus_async.interactions.events import StoppedSpeaking, Utterance
from tavus_async.models.tools import ApiDelivery, AuthHmac
from tavus_async.testing import TavusSimulator

PATH = "/tavus/tools"

registry = tools.ToolRegistry()


@registry.tool(timeout=8)
async def get_weather(
    city: Annotated[str, msgspec.Meta(description="The city, e.g. Oslo")],
    units: Literal["metric", "imperial"] = "metric",
) -> str:
    """Current weather for a city."""
    degrees = "21 C" if units == "metric" else "70 F"
    return f"It is sunny in {city}, {degrees}."


@registry.tool
async def lookup_order(order_id: str, ctx: tools.ToolContext) -> dict[str, Any]:
    """Look up an order's shipping status.

    Args:
        order_id: The order number the customer reads out.
    """
    return {"order_id": order_id, "status": "shipped", "conversation": ctx.conversation_id}


@contextlib.asynccontextmanager
async def serving(host: str, port: int, secret: str) -> AsyncIterator[tuple[str, web.AppRunner]]:
    """The tool receiver on ``host:port``; yields its local URL."""
    app = web.Application()
    receiver = tools.aiohttp_handler(registry, secret=secret)
    receiver.attach(app, PATH)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_host, bound_port = runner.addresses[0][:2]
    try:
        yield f"http://{bound_host}:{bound_port}{PATH}", runner
    finally:
        print(f"stopped; requests: {receiver.stats.by_status}", flush=True)
        await runner.cleanup()


async def a_face(tavus: AsyncTavus) -> str:
    """A stock face to give the demo PAL (Tavus's system faces, or the simulator's)."""
    page = await tavus.faces.list(face_type="system", limit=1)
    if not page.data:
        raise SystemExit("no stock face found: pass --pal-id of a PAL that has a face")
    return page.data[0].face_id


async def wire(tavus: AsyncTavus, url: str, secret: str, pal_id: str | None) -> str:
    """Publish the registry's tools (signed API delivery to ``url``) and attach them to a PAL."""
    if pal_id is None:
        pal = await tavus.pals.create(
            pal_name="Tool demo",
            system_prompt="Answer with the tools you have.",
            default_face_id=await a_face(tavus),
        )
        pal_id = pal.pal_id
    synced = await tools.sync_tools(
        tavus,
        registry,
        delivery=ApiDelivery(url=url, auth=AuthHmac(secret=secret)),
        pal_id=pal_id,
        on_resolve="generate_response",
    )
    print(f"tools on PAL {pal_id}: {', '.join(t.name or t.tool_id for t in synced)}", flush=True)
    return pal_id


async def demo(tavus: AsyncTavus, pal_id: str) -> None:
    """One conversation: ask for the weather, print what the replica says, end it."""
    conv = await tavus.conversations.create(pal_id=pal_id, custom_greeting="")
    async with tavus.conversations.connect(conv, end_conversation=True) as room:
        await room.respond('get_weather {"city": "Oslo"}')
        said = await room.wait_for(Utterance, where=lambda u: u.role == "replica", timeout=10)
        await room.wait_for(StoppedSpeaking, timeout=10)
        print(f"replica: {said.speech}", flush=True)


async def main(args: argparse.Namespace) -> int:
    secret = os.environ.get("TAVUS_TOOL_SECRET") or secrets.token_hex(32)
    use_tavus = bool(os.environ.get("TAVUS_API_KEY")) and not args.demo
    async with serving(args.host, args.port, secret) as (local_url, _runner):
        print(f"listening on {local_url}", flush=True)
        url = (args.public_url.rstrip("/") + PATH) if args.public_url else local_url
        async with contextlib.AsyncExitStack() as stack:
            if use_tavus:
                tavus = await stack.enter_async_context(AsyncTavus())
            else:
                # The simulator refuses loopback URLs as Tavus does; this switch lets it call us.
                sim = await stack.enter_async_context(TavusSimulator(allow_private_tool_urls=True))
                tavus = await stack.enter_async_context(sim.client())
            pal_id = await wire(tavus, url, secret, args.pal_id)
            if args.demo:
                await demo(tavus, pal_id)
                return 0
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await stop.wait()
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--public-url", help="the HTTPS base URL Tavus reaches this server at")
    p.add_argument("--pal-id", help="attach the tools to this PAL (default: a new one)")
    p.add_argument("--demo", action="store_true", help="simulator only: ask once and exit")
    return p.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(parse_args())))
