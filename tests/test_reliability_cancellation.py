"""Cancelling any public coroutine at any await point leaves nothing behind.

Each public coroutine runs as a task that is cancelled after ``n`` event-loop iterations, for a
range of ``n`` that covers every stage (before the request is written, while it is in flight,
while the body is read, while a room joins, while a send awaits its ack...). After each
cancellation the client must still work, and once the client (or the room) is closed, the leak
detector (``tests/_leaks.py``) must find no task, thread, socket or aiohttp session left over.
A conversation opened with the lifecycle helper (``tavus.conversations.session``) must be ended on
the simulator whatever the moment of cancellation, even while its create is in flight; and a
task cancelled while it leaves a room must still end up cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import anyio
import pytest
from _leaks import assert_no_leaks, find_leaks, snapshot

from tavus_async import AsyncTavus
from tavus_async._lifecycle import ended_on_exit
from tavus_async.interactions.events import StoppedSpeaking, Utterance
from tavus_async.room import connect
from tavus_async.testing import TavusSimulator

pytestmark = pytest.mark.anyio

#: Event-loop iterations to let a coroutine run before cancelling it: 0..STEPS-1.
STEPS = 40


async def _cancel_after(
    n: int, make: Callable[[], Awaitable[Any]], *, seconds: float = 0.0
) -> bool:
    """Run ``make()`` as a task, cancel it after ``n`` loop iterations (then ``seconds``).

    Returns:
        True if the task had finished before the cancellation.
    """
    task = asyncio.ensure_future(make())
    for _ in range(n):
        if task.done():
            break
        await asyncio.sleep(0)
    if seconds and not task.done():
        await asyncio.wait({task}, timeout=seconds)
    finished = task.done()
    task.cancel()
    with anyio.fail_after(20):
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return finished


async def _poll(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait (bounded) until ``condition()`` holds."""
    with anyio.fail_after(timeout):
        while True:
            if condition():
                return
            await asyncio.sleep(0.002)


@pytest.fixture
async def sim() -> AsyncIterator[TavusSimulator]:
    async with TavusSimulator(time=20.0) as s:
        yield s


async def _persona_and_replica(tavus: AsyncTavus) -> tuple[str, str]:
    persona = await tavus.personas.create(persona_name="Cancel", system_prompt="Be brief.")
    replica = (await tavus.replicas.list(limit=1)).data[0].replica_id
    return persona.persona_id, replica


async def _warm_up(sim: TavusSimulator) -> None:
    # Resolver threads and the like exist after one call; they are reused, not leaked.
    async with sim.client() as tavus:
        await tavus.replicas.list(limit=1)


async def test_the_leak_detector_sees_each_kind_of_leak(sim: TavusSimulator) -> None:
    before = snapshot()
    session = aiohttp.ClientSession()
    resp = await session.get(f"{sim.base_url}/v2/replicas", headers={"x-api-key": sim.api_key})
    stuck = asyncio.ensure_future(asyncio.sleep(60), loop=asyncio.get_running_loop())
    leaks = find_leaks(before)
    assert leaks.sessions, "an open ClientSession must be reported"
    assert any("socket" in fd for fd in leaks.fds), "an open connection must be reported"
    assert any("sleep" in t for t in leaks.tasks), "a pending task must be reported"
    resp.release()
    await session.close()
    stuck.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await stuck
    await assert_no_leaks(before)


@pytest.mark.parametrize(
    "operation",
    ["personas.create", "personas.get", "personas.list(iterate)", "conversations.end"],
)
async def test_cancelled_rest_calls_leave_nothing_and_the_client_still_works(
    sim: TavusSimulator, operation: str
) -> None:
    await _warm_up(sim)
    before = snapshot()
    finished = 0
    async with sim.client(retry_initial_delay=0.001) as tavus:
        persona_id, replica_id = await _persona_and_replica(tavus)
        conv = await tavus.conversations.create(persona_id=persona_id, replica_id=replica_id)

        async def iterate() -> None:
            async for _ in tavus.personas.list(limit=1):
                pass

        ops: dict[str, Callable[[], Awaitable[Any]]] = {
            "personas.create": lambda: tavus.personas.create(persona_name="x", system_prompt="y"),
            "personas.get": lambda: tavus.personas.get(persona_id),
            "personas.list(iterate)": iterate,
            "conversations.end": lambda: tavus.conversations.end(conv.conversation_id),
        }
        for n in range(STEPS):
            finished += await _cancel_after(n, ops[operation])
            # The connection pool is not poisoned by a request cancelled half-way.
            assert (await tavus.personas.get(persona_id)).persona_id == persona_id
    await assert_no_leaks(before)
    # Some runs were cut before completion, else the test proved nothing.
    assert finished < STEPS


#: Cancellation points for room operations: loop iterations first (the join's stages), then
#: wall-clock delays that land in the turn, the echo stream and the leave.
ROOM_POINTS = [(n, 0.0) for n in range(0, STEPS, 2)] + [
    (0, d / 100) for d in (1, 2, 3, 5, 8, 12, 18, 25, 35, 50, 70, 100)
]


async def test_cancelled_room_operations_leave_nothing(sim: TavusSimulator) -> None:
    await _warm_up(sim)
    before = snapshot()
    stages: dict[str, int] = {"join": 0, "respond": 0, "wait_for": 0, "echo_audio": 0}
    async with sim.client() as tavus:
        persona_id, replica_id = await _persona_and_replica(tavus)
        for n, seconds in ROOM_POINTS:
            conv = await tavus.conversations.create(
                persona_id=persona_id, replica_id=replica_id, custom_greeting="Hi."
            )
            room = connect(conv, client=tavus, join_timeout=10)

            async def join_and_use(room: Any = room) -> None:
                async with room:
                    stages["join"] += 1
                    await room.respond("hello")
                    stages["respond"] += 1
                    await room.wait_for(StoppedSpeaking, timeout=10)
                    stages["wait_for"] += 1
                    await room.echo_audio(b"\x00\x01" * 48000, realtime=True)
                    stages["echo_audio"] += 1

            await _cancel_after(n, join_and_use, seconds=seconds)
            assert room.state in ("new", "closed", "disconnected")
            await tavus.conversations.end(conv.conversation_id)
    await assert_no_leaks(before)
    # Cancellations landed at every stage (the echo stream takes 2 s, so it never finishes).
    assert stages["join"] > 0
    assert stages["wait_for"] > 0, stages
    assert stages["echo_audio"] == 0, stages


async def test_cancelling_a_task_while_it_leaves_a_room_still_cancels_it(
    sim: TavusSimulator,
) -> None:
    lost = []
    async with sim.client() as tavus:
        persona_id, replica_id = await _persona_and_replica(tavus)
        for n in range(1, 8):
            conv = await tavus.conversations.create(persona_id=persona_id, replica_id=replica_id)
            room = connect(conv, client=tavus)
            await room.join()
            after_leave = asyncio.Event()

            async def leave_then_wait(room: Any = room, after: asyncio.Event = after_leave) -> None:
                await room.leave()
                after.set()  # reached only when the cancellation was lost
                await anyio.sleep(0.05)

            await _cancel_after(n, leave_then_wait)
            assert room.state == "closed"  # the leave itself always completes
            if after_leave.is_set():
                lost.append(n)
    assert lost == [], f"cancellation lost when cancelled {lost} iterations into leave()"


async def _session(tavus: AsyncTavus, **fields: Any) -> Any:
    """The lifecycle helper: ``tavus.conversations.session`` once it exists."""
    session = getattr(tavus.conversations, "session", None)
    if session is not None:
        return session(**fields)
    return ended_on_exit(
        lambda: tavus.conversations.create(**fields),
        tavus.conversations.end,
        lambda c: c.conversation_id,
    )


async def test_a_cancelled_lifecycle_block_still_ends_its_conversation(
    sim: TavusSimulator,
) -> None:
    await _warm_up(sim)
    before = snapshot()
    seen: list[str] = []
    async with sim.client() as tavus:
        persona_id, replica_id = await _persona_and_replica(tavus)
        for n in range(STEPS):

            async def block() -> None:
                async with await _session(
                    tavus, persona_id=persona_id, replica_id=replica_id
                ) as conv:
                    seen.append(conv.conversation_id)
                    async with connect(conv, client=tavus) as room:
                        await room.respond("hello")
                        await room.wait_for(Utterance, timeout=10)
                    # Short, so that a cancellation lost inside the room's leave (see the
                    # test below) would show as a failure, not a 10 s wait.
                    await anyio.sleep(0.2)

            await _cancel_after(n, block)
            # Every conversation is ended, whatever point the block was cancelled at: even one
            # whose create was in flight (the block never saw it).
            still = [
                cid for cid, conv in sim.store.conversations.items() if conv["status"] != "ended"
            ]
            assert still == [], f"cancelled after {n} iterations, still running: {still}"
    await assert_no_leaks(before)
    assert len(seen) > STEPS // 2, "too few runs got inside the block to prove anything"


async def test_cancelling_while_the_create_is_in_flight_still_ends_the_conversation(
    sim: TavusSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tavus_async import _http

    attempt = _http.HTTPCore._attempt

    async def slow_answer(self: Any, method: str, path: str, *args: Any) -> Any:
        # Tavus has made the conversation; its answer is slow to come back.
        outcome = await attempt(self, method, path, *args)
        if (method, path) == ("POST", "/v2/conversations"):
            await asyncio.sleep(0.5)
        return outcome

    monkeypatch.setattr(_http.HTTPCore, "_attempt", slow_answer)
    async with sim.client() as tavus:
        persona_id, replica_id = await _persona_and_replica(tavus)

        async def block() -> None:
            async with await _session(tavus, persona_id=persona_id, replica_id=replica_id):
                pass

        task = asyncio.ensure_future(block())
        await _poll(lambda: sim.counts["conversations.create"] > 0)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.2)
        active = [c for c in sim.store.conversations.values() if c["status"] == "active"]
        assert active == []
