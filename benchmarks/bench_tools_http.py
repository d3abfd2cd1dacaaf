"""HTTP tool channel overhead: ``tools.aiohttp_handler`` against a bare aiohttp handler.

Both servers answer the same signed Tavus tool request (``{"conversation_id", "name",
"arguments"}`` with ``X-Tavus-Signature``) by calling the same function, on one aiohttp app in a
*child process* (its CPU is not mixed with the client's):

- ``tavus_async``: ``tools.aiohttp_handler(registry, secret=...)``: size limit, constant-time
  HMAC check over the raw bytes, typed decode of the body and of the arguments into the
  function's annotations, a deadline, the answer;
- ``bare aiohttp``: the least a hand-written handler does for the same call: ``await
  request.read()``, ``hmac.compare_digest`` on the same HMAC, ``json.loads`` of the body and of
  its ``arguments``, the function call, ``web.Response(text=...)``.

The figure is the server's CPU time per call (what the channel costs), measured with
``psutil`` around interleaved runs of N calls at concurrency C from one aiohttp client; the
ratio is bare CPU per call / tavus_async CPU per call (1.00 = as cheap as the bare handler;
goal >= 0.8). Wall-clock calls per second are printed too.

    python benchmarks/bench_tools_http.py [--quick] [--json PATH] [--requests N] [--repeat R]
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    HIDDEN,
    ServerProcess,
    announce_until_stdin_closed,
    finish,
    machine,
    median,
    parser,
    print_table,
    spread,
    timed,
    verdict,
)

from tavus_async import tools

SECRET = "whsec_bench_0123456789abcdef"
PATHS = ("tavus_async", "bare_aiohttp")
GOAL = 0.8


async def lookup_order(order_id: str, include_items: bool = False) -> str:
    """Look up an order's shipping status (async, as tools that do I/O are: so ours runs it
    under its deadline on every call)."""
    return f"Order {order_id} shipped yesterday."


# --- the servers (child process) -----------------------------------------------------------------


async def bare_handler(request: web.Request) -> web.Response:
    """A hand-written receiver doing the same checks with the standard library."""
    body = await request.read()
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    given = request.headers.get("X-Tavus-Signature", "")
    if not hmac.compare_digest(expected.encode(), given.encode()):
        return web.Response(status=401, text="bad signature")
    payload = json.loads(body)
    arguments = payload.get("arguments") or "{}"
    if isinstance(arguments, str):
        arguments = json.loads(arguments)
    if payload.get("name") != "lookup_order":
        return web.Response(status=404, text="unknown tool")
    return web.Response(text=await lookup_order(**arguments))


async def serve() -> None:
    registry = tools.ToolRegistry()
    registry.register(lookup_order)
    app = web.Application()
    tools.aiohttp_handler(registry, secret=SECRET).attach(app, "/tavus_async")
    app.router.add_post("/bare_aiohttp", bare_handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    sockets = getattr(site._server, "sockets", None) or []
    port = sockets[0].getsockname()[1]
    try:
        await announce_until_stdin_closed({"url": f"http://127.0.0.1:{port}"})
    finally:
        await runner.cleanup()


# --- the client ----------------------------------------------------------------------------------


def signed_call() -> tuple[bytes, dict[str, str]]:
    """One Tavus-shape request body and its headers."""
    body = json.dumps(
        {
            "conversation_id": "c58b46f8646d943f",
            "name": "lookup_order",
            "arguments": json.dumps({"order_id": "A-1001", "include_items": True}),
        },
        separators=(",", ":"),
    ).encode()
    headers = {"Content-Type": "application/json", "X-Tavus-Signature": tools.sign(SECRET, body)}
    return body, headers


async def measure(
    session: aiohttp.ClientSession, url: str, n: int, concurrency: int, server: ServerProcess
) -> dict[str, float]:
    body, headers = signed_call()
    expected = await lookup_order("A-1001")
    per_task = n // concurrency

    async def worker() -> None:
        for _ in range(per_task):
            async with session.post(url, data=body, headers=headers) as resp:
                text = await resp.text()
                if resp.status != 200 or text != expected:
                    raise RuntimeError(f"{url}: {resp.status} {text!r}")

    s0 = server.cpu_seconds()
    with timed() as t:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    calls = per_task * concurrency  # psutil counts CPU in clock ticks: keep runs long enough
    return {
        "server_us_per_call": (server.cpu_seconds() - s0) / calls * 1e6,
        "calls_per_s": calls / t.wall,
    }


async def run(n: int, repeat: int, concurrencies: list[int], server: ServerProcess) -> list[Any]:
    base = server.info["url"]
    rows = []
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        for path in PATHS:  # warm both paths up (connections, first-call costs)
            await measure(session, f"{base}/{path}", 50, 1, server)
        for c in concurrencies:
            samples: dict[str, list[dict[str, float]]] = {p: [] for p in PATHS}
            for _ in range(repeat):
                for path in PATHS:
                    samples[path].append(await measure(session, f"{base}/{path}", n, c, server))
            cpu = {p: median([s["server_us_per_call"] for s in samples[p]]) for p in PATHS}
            for path in PATHS:
                rows.append(
                    {
                        "path": path,
                        "concurrency": c,
                        "server_us_per_call": cpu[path],
                        "calls_per_s": median([s["calls_per_s"] for s in samples[path]]),
                        "vs_bare": cpu["bare_aiohttp"] / max(cpu[path], 1e-9),
                        "spread": spread([s["server_us_per_call"] for s in samples[path]]),
                    }
                )
    return rows


def print_rows(result: dict[str, Any]) -> None:
    goal = result["goal"]
    print_table(
        f"HTTP tool channel: {result['requests']} signed calls per run, server CPU per call",
        [
            ("path", "path", ""),
            ("concurrency", "conc", "d"),
            ("server_us_per_call", "server CPU us/call", ",.1f"),
            ("calls_per_s", "calls/s (wall)", ",.0f"),
            ("vs_bare", "vs bare", ".2f"),
            ("spread", "spread", ".2f"),
        ],
        result["results"],
        f"vs bare = bare aiohttp CPU per call / this path's, medians of {result['repeat']} "
        "interleaved runs; server in a child process",
        f"goal: tavus_async >= {goal['min_ratio']:.2f} of bare at every concurrency "
        f"(worst {goal['worst_ratio']:.2f}): {verdict(goal['met'])}",
    )


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--requests", type=int, default=5000, help="calls per timed run")
    p.add_argument("--repeat", type=int, default=5, help="interleaved runs per figure")
    p.add_argument("--serve", action="store_true", help=HIDDEN)
    args = p.parse_args(argv)
    if args.serve:
        asyncio.run(serve())
        return 0
    n, repeat = (400, 1) if args.quick else (args.requests, args.repeat)
    concurrencies = [1, 8] if args.quick else [1, 32]
    started = time.perf_counter()
    with ServerProcess(Path(__file__), "--serve") as server:
        rows = asyncio.run(run(n, repeat, concurrencies, server))
    worst = min(r["vs_bare"] for r in rows if r["path"] == "tavus_async")
    result = {
        "benchmark": "tools_http",
        "requests": n,
        "repeat": repeat,
        "concurrency": concurrencies,
        "seconds": time.perf_counter() - started,
        "machine": machine("aiohttp", "msgspec"),
        "goal": {"min_ratio": GOAL, "worst_ratio": worst, "met": worst >= GOAL},
        "results": rows,
    }
    return finish(result, args.json, print_rows)


if __name__ == "__main__":
    raise SystemExit(main())
