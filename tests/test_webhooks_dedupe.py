"""Webhook de-duplication stores: in memory, and shared through a real Redis server.

The cross-process test runs two backend instances (``_webhook_instance.py``) against one Redis
and posts the same deliveries to both, in shuffled order and concurrently.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from _redis_kit import redis_url  # noqa: F401 (fixture)
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from test_webhooks_handler import SECRET, Recorder, fixture, serve, with_token

from tavus_async import webhooks
from tavus_async.webhooks import DedupeError, MemoryDedupe, RedisDedupe, WebhookEvent

INSTANCE = Path(__file__).with_name("_webhook_instance.py")
INSTANCE_SECRET = "fleet-dedupe-test-secret-0123456789"  # the one _webhook_instance.py checks


@pytest.fixture
async def redis(redis_url: str, request: pytest.FixtureRequest) -> AsyncIterator[Redis]:  # noqa: F811
    client = Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


def _prefix(request: pytest.FixtureRequest) -> str:
    return f"t:{request.node.name}:"


@pytest.mark.anyio
async def test_memory_store_claims_once_and_releases() -> None:
    now = [0.0]
    store = MemoryDedupe(maxsize=2, clock=lambda: now[0])
    assert await store.claim("a", ttl=10)
    assert not await store.claim("a", ttl=10)
    await store.release("a")
    assert await store.claim("a", ttl=10)  # released: the next copy is fresh again
    now[0] = 10.0
    assert await store.claim("a", ttl=10)  # expired
    assert await store.claim("b", ttl=10)
    assert await store.claim("c", ttl=10)  # over maxsize: the oldest is forgotten, and counted
    assert store.evicted == 1
    assert len(store) == 2
    with pytest.raises(ValueError, match="maxsize"):
        MemoryDedupe(maxsize=-1)


@pytest.mark.anyio
async def test_redis_store_is_one_atomic_claim_per_key(
    redis: Redis, request: pytest.FixtureRequest
) -> None:
    prefix = _prefix(request)
    a, b = RedisDedupe(redis, prefix=prefix), RedisDedupe(redis, prefix=prefix)
    # Many claimers race on the same key through two stores: exactly one wins.
    results = await asyncio.gather(*(s.claim("k", ttl=30) for s in [a, b] * 10))
    assert results.count(True) == 1
    ttl_ms = await redis.pttl(prefix + "k")
    assert 0 < ttl_ms <= 30_000
    # Only the winner's release deletes the key; the loser's is a no-op.
    winner, loser = (a, b) if any(results[0::2]) else (b, a)
    await loser.release("k")
    assert await redis.exists(prefix + "k") == 1
    await winner.release("k")
    assert await redis.exists(prefix + "k") == 0
    # A claim that expired and was taken by another store is not deleted by the first one.
    assert await a.claim("x", ttl=0.05)
    await asyncio.sleep(0.1)
    assert await b.claim("x", ttl=30)
    await a.release("x")
    assert await redis.exists(prefix + "x") == 1


@pytest.mark.anyio
async def test_once_releases_when_the_block_raises(
    redis: Redis, request: pytest.FixtureRequest
) -> None:
    store = RedisDedupe(redis, prefix=_prefix(request))
    body = fixture("system_shutdown")
    key = webhooks.delivery_key(body)

    async def fail_inside() -> None:
        async with store.once(key) as fresh:
            assert fresh
            raise RuntimeError("db down")

    with pytest.raises(RuntimeError, match="db down"):
        await fail_inside()
    async with store.once(key) as fresh:
        assert fresh  # the failed attempt did not mark it done
    async with store.once(key) as fresh:
        assert not fresh


@pytest.mark.anyio
async def test_handlers_sharing_redis_run_each_delivery_once(
    redis: Redis, request: pytest.FixtureRequest
) -> None:
    prefix = _prefix(request)
    rec_a, rec_b = Recorder(), Recorder()
    a = webhooks.aiohttp_handler(rec_a, secret=SECRET, dedupe=RedisDedupe(redis, prefix=prefix))
    b = webhooks.aiohttp_handler(rec_b, secret=SECRET, dedupe=RedisDedupe(redis, prefix=prefix))
    async with serve(a) as (session, url_a), serve(b) as (_s, url_b):
        for name in ("system_shutdown", "video_ready", "system_shutdown", "video_ready"):
            for url in (url_a, url_b):
                async with session.post(with_token(url), data=fixture(name)) as resp:
                    assert resp.status == 200
        await a.join(timeout=5)
        await b.join(timeout=5)
    assert len(rec_a.events) + len(rec_b.events) == 2
    assert a.stats.duplicates + b.stats.duplicates == 6


@pytest.mark.anyio
async def test_failed_callback_is_released_for_the_next_copy(
    redis: Redis, request: pytest.FixtureRequest
) -> None:
    calls: list[str] = []

    async def flaky(event: WebhookEvent) -> None:
        calls.append(type(event).__name__)
        if len(calls) == 1:
            raise RuntimeError("database is down")

    handler = webhooks.aiohttp_handler(
        flaky, secret=SECRET, dedupe=RedisDedupe(redis, prefix=_prefix(request))
    )
    async with serve(handler) as (session, url):
        for _ in range(3):
            async with session.post(with_token(url), data=fixture("system_shutdown")) as resp:
                assert resp.status == 200
            await handler.join(timeout=5)
    assert len(calls) == 2  # failed, then the next copy ran; the third was a duplicate
    assert handler.stats.callback_errors == 1
    assert handler.stats.dedupe_released == 1
    assert handler.stats.duplicates == 1


@pytest.mark.anyio
async def test_unreachable_redis_answers_503_and_runs_nothing() -> None:
    # A port with nothing listening: the claim fails, so the delivery is refused, not run.
    dead = Redis(host="127.0.0.1", port=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))
    rec = Recorder()
    handler = webhooks.aiohttp_handler(rec, secret=SECRET, dedupe=RedisDedupe(dead))
    try:
        async with (
            serve(handler) as (session, url),
            session.post(with_token(url), data=fixture("system_shutdown")) as resp,
        ):
            assert resp.status == 503
            assert resp.headers["Retry-After"] == "5"
    finally:
        await dead.aclose()
    assert rec.events == []
    assert handler.stats.dedupe_errors == 1
    with pytest.raises(DedupeError, match="could not claim"):
        await RedisDedupe(dead).claim("k")


def test_dedupe_must_be_a_store() -> None:
    with pytest.raises(TypeError, match="DedupeStore"):
        webhooks.aiohttp_handler(lambda e: None, secret=SECRET, dedupe=object())  # type: ignore[arg-type]


def test_key_text_is_stable_across_key_types() -> None:
    from tavus_async._webhook_dedupe import key_text

    assert key_text("abc") == "abc"
    assert key_text(b"\x01\x02") == "0102"
    assert key_text(("joined", "c1")) == key_text(("joined", "c1"))
    assert key_text(("joined", "c1")) != key_text(("joined", "c2"))


async def _start_instance(url: str, name: str) -> tuple[asyncio.subprocess.Process, int]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(INSTANCE),
        url,
        name,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 30)
    if not line.startswith(b"PORT "):
        rest = await asyncio.wait_for(proc.stdout.read(), 10)
        proc.kill()
        await proc.wait()
        pytest.fail(f"instance did not start: {(line + rest).decode(errors='replace')}")
    return proc, int(line.split()[1])


async def _stop_instance(proc: asyncio.subprocess.Process) -> str:
    if proc.returncode is None:
        proc.terminate()
    assert proc.stdout is not None
    try:
        out = await asyncio.wait_for(proc.stdout.read(), 20)
        await asyncio.wait_for(proc.wait(), 10)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    return out.decode(errors="replace")


def _deliveries() -> list[bytes]:
    """20 distinct deliveries, each twice, plus replica/pal-joined twins and a failing one."""
    base = json.loads(fixture("system_shutdown"))
    bodies = []
    for i in range(20):
        body = {**base, "conversation_id": f"c{i:03d}", "delivery": f"shutdown-{i}"}
        bodies += [json.dumps(body).encode()] * 2
    joined = json.loads(fixture("system_replica_joined"))
    for i in range(5):
        for kind in ("system.replica_joined", "system.pal_joined"):
            twin = {**joined, "event_type": kind, "conversation_id": f"j{i}", "delivery": f"j{i}"}
            bodies.append(json.dumps(twin).encode())
    flaky = {**base, "conversation_id": "cf", "delivery": "flaky", "fail_once": True}
    bodies += [json.dumps(flaky).encode()] * 3
    return bodies


@pytest.mark.slow
@pytest.mark.anyio
async def test_two_backend_processes_run_each_callback_once(
    redis_url: str,  # noqa: F811
    redis: Redis,
    request: pytest.FixtureRequest,
) -> None:
    name = f"proc-{random.randrange(1 << 30)}"
    procs: list[tuple[asyncio.subprocess.Process, int]] = []
    try:
        for _ in range(2):
            procs.append(await _start_instance(redis_url, name))
        bodies = _deliveries()
        random.Random(18).shuffle(bodies)
        ports = [port for _, port in procs]
        async with aiohttp.ClientSession() as session:

            async def post(i: int, body: bytes) -> int:
                url = f"http://127.0.0.1:{ports[i % 2]}/hook?token={INSTANCE_SECRET}"
                async with session.post(url, data=body) as resp:
                    return resp.status

            # Every copy goes to an alternating instance, all at once: twins and duplicates
            # reach the two processes concurrently, in no particular order.
            statuses = await asyncio.gather(*(post(i, b) for i, b in enumerate(bodies)))
            assert set(statuses) == {200}
            # The failed delivery's first run released its claim; the later copies may have
            # arrived while it was still running (then they were duplicates), so send one more
            # copy now, as Tavus's own redelivery would.
            await asyncio.sleep(0.5)
            flaky = next(b for b in bodies if b"flaky" in b)
            assert await post(0, flaky) == 200
    finally:
        outputs = [await _stop_instance(proc) for proc, _ in procs]
    raw_runs = await redis.lrange(f"{name}:runs", 0, -1)
    runs = [r.decode() if isinstance(r, bytes) else r for r in raw_runs]
    per_delivery = Counter(r.split("|", 1)[0] for r in runs)
    expected = {f"shutdown-{i}" for i in range(20)} | {f"j{i}" for i in range(5)} | {"flaky"}
    assert set(per_delivery) == expected, outputs
    assert set(per_delivery.values()) == {1}, per_delivery
    # Both instances did real work (the load balancer spread it), and no process crashed.
    assert len({r.split("|", 1)[1] for r in runs}) == 2
    assert all("STATS" in out for out in outputs), outputs
    # The flaky delivery really failed once before its released claim let a later copy run.
    assert int(await redis.get(f"{name}:failed:flaky") or 0) >= 2
    assert all(proc.returncode == 0 for proc, _ in procs)
