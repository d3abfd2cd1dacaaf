"""REST overhead: ``AsyncTavus`` against raw aiohttp and httpx on the same minimal server.

Two calls, ``personas.get`` (one persona with layers, ~1.3 KB) and ``conversations.list``
(a page of 10 conversations, ~4 KB), are made through:

- ``tavus_async.AsyncTavus`` (the SDK: retry loop, error mapping, typed msgspec decode);
- ``tavus_async+options``: the same SDK calls with per-call options (``timeout=``,
  ``extra_headers=``), which each call then folds into its own timeout and headers;
- a raw ``aiohttp.ClientSession``: the same request (URL, query, headers) and ``await r.json()``
  (the baseline: the least an aiohttp user writes);
- ``httpx.AsyncClient`` (what the official Tavus CLI uses), the same request and ``r.json()``;

at concurrency 1 (one caller, latency bound) and 64 (many tasks sharing one client).

The server is a tiny aiohttp app answering canned Tavus-shaped JSON on 127.0.0.1, port 0. It
runs in a *child process*: in a thread it would share the client's GIL and its CPU would be
counted against the client; in its own process it gets the other core, and the client's own CPU
time (``time.process_time``) is exactly the client's. Reported per path: requests per second of
wall time, requests per second of client CPU (independent of how fast the server is), and both
as ratios to raw aiohttp measured in the same run. The server's CPU use during each run is
printed so a saturated server (the ratios then tend to 1.0) can be seen.

    python benchmarks/bench_rest.py [--quick] [--json PATH] [--requests N] [--repeat R]
    python benchmarks/bench_rest.py --profile          # pyinstrument over the SDK path
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import httpx
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

from tavus_async import AsyncTavus

API_KEY = "tvs_bench_0123456789abcdef"
PERSONA_ID = "pe13ed370726"
LIST_LIMIT = 10
CLIENTS = ("tavus_async", "tavus_async+options", "raw_aiohttp", "httpx")

OPS = ("personas.get", "conversations.list")


# --- the server (child process) ------------------------------------------------------------------


def persona_body() -> dict[str, Any]:
    """A persona as GET /v2/personas/{id} returns it (flat), with typical layers."""
    return {
        "persona_id": PERSONA_ID,
        "persona_name": "Customer Support Guide",
        "system_prompt": (
            "You are a friendly support agent for an online store. Answer briefly, confirm "
            "order numbers back to the customer, and hand over to a human when asked."
        ),
        "context": "The store ships within 2 business days. Returns are free for 30 days.",
        "default_replica_id": "r79e1c033f",
        "document_ids": ["d8-5c71baca86fc", "d9-1f3e0a2b7c44"],
        "document_tags": ["faq", "shipping"],
        "pipeline_mode": "full",
        "persona_type": "user",
        "layers": {
            "llm": {
                "model": "tavus-gpt-4o",
                "speculative_inference": True,
                "tools": [
                    {
                        "type": "function",
                        "function": {
                            "name": "lookup_order",
                            "description": "Look up an order by its number",
                            "parameters": {
                                "type": "object",
                                "properties": {"order_id": {"type": "string"}},
                                "required": ["order_id"],
                            },
                        },
                    }
                ],
            },
            "tts": {"tts_engine": "cartesia", "tts_emotion_control": True},
            "perception": {"perception_model": "raven-0", "ambient_awareness_queries": []},
            "stt": {"stt_engine": "tavus-advanced", "participant_pause_sensitivity": "high"},
        },
        "created_at": "2025-05-02T09:14:33.123456Z",
        "updated_at": "2025-05-03T11:20:00.000000Z",
    }


def conversations_body(n: int = LIST_LIMIT) -> dict[str, Any]:
    """A page of GET /v2/conversations."""
    data = []
    for i in range(n):
        cid = f"c{i:03d}b46f8646d943f"
        data.append(
            {
                "conversation_id": cid,
                "conversation_name": f"Support call {i}",
                "status": "ended" if i % 3 else "active",
                "conversation_url": f"https://tavus.daily.co/{cid}",
                "callback_url": "https://example.com/tavus/webhook",
                "replica_id": "r79e1c033f",
                "persona_id": PERSONA_ID,
                "created_at": "2025-05-02T09:14:33.123456Z",
                "updated_at": "2025-05-02T09:24:01.000000Z",
            }
        )
    return {"data": data, "total_count": 137}


def make_app() -> web.Application:
    """The minimal server: canned bytes, encoded once; an API key check like Tavus's."""
    persona = json.dumps(persona_body()).encode()
    convs = json.dumps(conversations_body()).encode()
    unauthorized = b'{"message": "Invalid access token"}'

    def reply(body: bytes, request: web.Request) -> web.Response:
        if request.headers.get("x-api-key") != API_KEY:
            return web.Response(status=401, body=unauthorized, content_type="application/json")
        return web.Response(body=body, content_type="application/json")

    async def get_persona(request: web.Request) -> web.Response:
        return reply(persona, request)

    async def list_conversations(request: web.Request) -> web.Response:
        return reply(convs, request)

    app = web.Application()
    app.router.add_get("/v2/personas/{persona_id}", get_persona)
    app.router.add_get("/v2/conversations", list_conversations)
    return app


async def serve() -> None:
    """Serve on 127.0.0.1:0, print ``{"url": ...}``, and stop when stdin closes."""
    runner = web.AppRunner(make_app(), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    sockets = getattr(site._server, "sockets", None) or []
    port = sockets[0].getsockname()[1]
    try:
        await announce_until_stdin_closed({"url": f"http://127.0.0.1:{port}"})
    finally:
        await runner.cleanup()


# --- the clients ---------------------------------------------------------------------------------

Call = Callable[[], Awaitable[object]]
HEADERS = {"Accept": "application/json", "User-Agent": "bench/1.0", "x-api-key": API_KEY}


@asynccontextmanager
async def client_calls(kind: str, base: str) -> AsyncIterator[dict[str, Call]]:
    """The two calls, made the way ``kind`` makes them, on one client shared by all tasks."""
    persona_url = f"{base}/v2/personas/{PERSONA_ID}"
    list_url = f"{base}/v2/conversations"
    query = {"page": "1", "limit": str(LIST_LIMIT)}
    if kind == "tavus_async":
        async with AsyncTavus(api_key=API_KEY, base_url=base) as tavus:

            async def t_get() -> object:
                return await tavus.personas.get(PERSONA_ID)

            async def t_list() -> object:
                return await tavus.conversations.list(limit=LIST_LIMIT)

            yield {"personas.get": t_get, "conversations.list": t_list}
    elif kind == "tavus_async+options":
        # The same calls with a per-call timeout and an extra header (merged on every call).
        async with AsyncTavus(api_key=API_KEY, base_url=base) as tavus:

            async def o_get() -> object:
                return await tavus.personas.get(
                    PERSONA_ID, timeout=30.0, extra_headers={"X-Trace": "bench"}
                )

            async def o_list() -> object:
                return await tavus.conversations.list(
                    limit=LIST_LIMIT, timeout=30.0, extra_headers={"X-Trace": "bench"}
                )

            yield {"personas.get": o_get, "conversations.list": o_list}
    elif kind == "raw_aiohttp":
        async with aiohttp.ClientSession() as session:

            async def a_get() -> object:
                async with session.get(persona_url, headers=HEADERS) as r:
                    r.raise_for_status()
                    return await r.json()

            async def a_list() -> object:
                async with session.get(list_url, params=query, headers=HEADERS) as r:
                    r.raise_for_status()
                    return await r.json()

            yield {"personas.get": a_get, "conversations.list": a_list}
    elif kind == "httpx":
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        async with httpx.AsyncClient(limits=limits) as hx:

            async def h_get() -> object:
                r = await hx.get(persona_url, headers=HEADERS)
                r.raise_for_status()
                return r.json()

            async def h_list() -> object:
                r = await hx.get(list_url, params=query, headers=HEADERS)
                r.raise_for_status()
                return r.json()

            yield {"personas.get": h_get, "conversations.list": h_list}
    else:
        raise ValueError(f"unknown client {kind!r}")


async def drive(call: Call, n: int, concurrency: int) -> None:
    """Make ``n`` calls from ``concurrency`` tasks sharing one client."""
    left = n

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await call()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def measure(
    kind: str, op: str, base: str, n: int, concurrency: int, server: ServerProcess
) -> dict[str, float]:
    """One timed run: a fresh client, warmed up (connections open), then ``n`` calls."""
    async with client_calls(kind, base) as calls:
        call = calls[op]
        await drive(call, max(concurrency * 2, 20), concurrency)
        gc.collect()
        s0 = server.cpu_seconds()
        with timed() as t:
            await drive(call, n, concurrency)
        server_cpu = server.cpu_seconds() - s0
    return {
        "wall_rps": n / t.wall,
        "cpu_rps": n / t.cpu if t.cpu > 0 else float("inf"),
        "client_cpu_util": t.cpu / t.wall,
        "server_cpu_util": server_cpu / t.wall,
    }


async def run(n: int, repeat: int, concurrencies: list[int], server: ServerProcess) -> list[Any]:
    base = server.info["url"]
    samples: dict[tuple[str, int, str], list[dict[str, float]]] = {}
    for _ in range(repeat):
        for op in OPS:
            for c in concurrencies:
                for kind in CLIENTS:  # interleaved: noise falls on every path alike
                    # httpx is an order of magnitude slower: fewer requests keep the run short.
                    s = await measure(kind, op, base, n if kind != "httpx" else n // 4, c, server)
                    samples.setdefault((op, c, kind), []).append(s)
    rows = []
    for op in OPS:
        for c in concurrencies:
            raw_wall = median([s["wall_rps"] for s in samples[(op, c, "raw_aiohttp")]])
            raw_cpu = median([s["cpu_rps"] for s in samples[(op, c, "raw_aiohttp")]])
            for kind in CLIENTS:
                ss = samples[(op, c, kind)]
                wall = [s["wall_rps"] for s in ss]
                cpu = [s["cpu_rps"] for s in ss]
                rows.append(
                    {
                        "op": op,
                        "concurrency": c,
                        "client": kind,
                        "requests_per_s": median(wall),
                        "requests_per_cpu_s": median(cpu),
                        "vs_raw_aiohttp": median(wall) / raw_wall,
                        "cpu_vs_raw_aiohttp": median(cpu) / raw_cpu,
                        "client_cpu_util": median([s["client_cpu_util"] for s in ss]),
                        "server_cpu_util": median([s["server_cpu_util"] for s in ss]),
                        "spread": spread(wall),
                        "samples_requests_per_s": wall,
                    }
                )
    return rows


def print_rows(result: dict[str, Any]) -> None:
    cols = [
        ("op", "call", ""),
        ("concurrency", "conc", "d"),
        ("client", "client", ""),
        ("requests_per_s", "req/s", ",.0f"),
        ("vs_raw_aiohttp", "vs raw", ".2f"),
        ("requests_per_cpu_s", "req/CPU-s", ",.0f"),
        ("cpu_vs_raw_aiohttp", "vs raw", ".2f"),
        ("client_cpu_util", "client CPU", ".2f"),
        ("server_cpu_util", "server CPU", ".2f"),
        ("spread", "spread", ".2f"),
    ]
    title = (
        f"REST overhead: {result['requests']} requests per run ({result['requests'] // 4} for httpx), median of {result['repeat']} "
        f"interleaved runs (spread = (max-min)/median); server in a child process"
    )
    goal = result["goal"]
    note = (
        f"goal: tavus_async >= {goal['min_ratio']:.2f} x raw aiohttp req/s -> "
        f"worst {goal['worst_ratio']:.2f} ({verdict(goal['met'])})"
    )
    print_table(title, cols, result["results"], note)


async def profile(n: int, concurrency: int, server: ServerProcess) -> None:
    """Print a pyinstrument profile of the SDK path (``pip install pyinstrument``)."""
    from pyinstrument import Profiler

    base = server.info["url"]
    for op in OPS:
        async with client_calls("tavus_async", base) as calls:
            await drive(calls[op], 50, concurrency)
            prof = Profiler(interval=0.0002, async_mode="disabled")
            prof.start()
            await drive(calls[op], n, concurrency)
            prof.stop()
        print(f"=== {op}, concurrency {concurrency} ===")
        print(prof.output_text(unicode=False, color=False, show_all=False))


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--requests", type=int, default=2000, help="requests per timed run")
    p.add_argument("--repeat", type=int, default=5, help="interleaved runs per figure")
    p.add_argument("--profile", action="store_true", help="profile the SDK path (pyinstrument)")
    p.add_argument("--serve", action="store_true", help=HIDDEN)
    args = p.parse_args(argv)
    if args.serve:
        asyncio.run(serve())
        return 0
    n, repeat = (60, 1) if args.quick else (args.requests, args.repeat)
    concurrencies = [1, 64] if not args.quick else [1, 8]
    with ServerProcess(Path(__file__), "--serve") as server:
        if args.profile:
            asyncio.run(profile(n, 64, server))
            return 0
        started = time.perf_counter()
        rows = asyncio.run(run(n, repeat, concurrencies, server))
    worst = min(r["vs_raw_aiohttp"] for r in rows if r["client"] == "tavus_async")
    result = {
        "benchmark": "rest",
        "requests": n,
        "repeat": repeat,
        "concurrency": concurrencies,
        "seconds": time.perf_counter() - started,
        "machine": machine("aiohttp", "httpx", "msgspec"),
        "goal": {"min_ratio": 0.85, "worst_ratio": worst, "met": worst >= 0.85},
        "results": rows,
    }
    return finish(result, args.json, print_rows)


if __name__ == "__main__":
    raise SystemExit(main())
