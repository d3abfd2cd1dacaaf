"""One backend instance for the cross-process dedupe test: ``python _webhook_instance.py URL NAME``.

Serves ``webhooks.aiohttp_handler`` with a :class:`RedisDedupe` on a free loopback port, prints
``PORT <n>`` once listening, and records every callback run in Redis (``RPUSH <NAME>:runs``), so the
test can count runs across instances. A delivery whose body holds ``"fail_once"`` raises the first
time any instance runs it (an ``INCR`` decides), to show that a failed callback is released. Stops
on SIGTERM (or when stdin closes), closing the handler, the server and the Redis client.
"""

from __future__ import annotations

import asyncio
import signal
import sys

from aiohttp import web
from redis.asyncio import Redis

from tavus_async import webhooks

SECRET = "fleet-dedupe-test-secret-0123456789"


def twin_key(body: bytes, event: webhooks.WebhookEvent) -> object:
    # Tavus sends system.replica_joined and system.pal_joined for the same moment: one identity.
    kind = getattr(event, "event_type", None)
    if kind in ("system.replica_joined", "system.pal_joined"):
        return ("joined", getattr(event, "conversation_id", None))
    return webhooks.delivery_key(body)


async def main(url: str, name: str) -> None:
    redis = Redis.from_url(url)
    instance = f"{name}-{id(redis)}"

    async def on_event(event: webhooks.WebhookEvent) -> None:
        raw = event.raw if isinstance(event.raw, dict) else {}
        ident = str(raw.get("delivery") or getattr(event, "event_type", ""))
        if raw.get("fail_once") and await redis.incr(f"{name}:failed:{ident}") == 1:
            raise RuntimeError(f"simulated failure for {ident}")
        await asyncio.sleep(0.01)  # a little work, so overlapping copies really overlap
        await redis.rpush(f"{name}:runs", f"{ident}|{instance}")

    handler = webhooks.aiohttp_handler(
        on_event,
        secret=SECRET,
        dedupe=webhooks.RedisDedupe(redis, prefix=f"{name}:dedupe:"),
        dedupe_key=twin_key,
    )
    app = web.Application()
    handler.attach(app, "/hook")
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    print(f"PORT {port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_reader(sys.stdin.fileno(), lambda: stop.set() if not sys.stdin.read(1) else None)
    await stop.wait()
    await handler.join(timeout=10)
    print(f"STATS {handler.stats.as_dict()}", flush=True)
    await runner.cleanup()
    await redis.aclose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
