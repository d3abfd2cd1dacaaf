"""The room's inbound event path: a foreign thread -> ``async for event in room``.

A producer thread plays daily-python's emitter thread: it calls the ``DailyTransport``'s real
event handler (``on_app_message``) at a fixed offered rate. Each event then takes the real path:
``call_soon_threadsafe`` -> the transport's dispatch on the loop -> the Room's sender check,
``decode``, conversation check, PAL de-duplication, transcript -> the bounded buffer -> the
consumer's ``async for``. The call client under the transport is a stub that completes join and
leave at once, so only the event path is measured.

The baseline in the same run is the least any thread-to-asyncio bridge can do: the same thread
calls ``loop.call_soon_threadsafe(queue.put_nowait, message)`` and a task awaits
``queue.get()`` (no decoding, no checks).

Reported per path: events delivered per second (delivered / time from the first send to the
last receive), and the latency from the producer's send to the consumer's receive (p50, p99,
max). Two runs each: at a fixed offered rate (5,000 events/s by default) and flat out (the
producer sends as fast as it can; the ceiling is then the GIL shared by both threads).

    python benchmarks/bench_event_path.py [--quick] [--json PATH] [--rate N] [--events N]
"""

from __future__ import annotations

import asyncio
import gc
import platform
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import CAPTION_WORDS, CID, parser, write_json

from tavus_async.interactions.events import Event
from tavus_async.room import Room
from tavus_async.room.daily import DailyTransport

REPLICA_ID = str(uuid.uuid4())


def make_events(n: int) -> list[dict[str, Any]]:
    """``n`` distinct replica events in live-conversation proportions, ``seq`` = index."""
    out: list[dict[str, Any]] = []
    inference = str(uuid.uuid4())
    words = CAPTION_WORDS
    for i in range(n):
        kind = i % 20
        base: dict[str, Any] = {
            "message_type": "conversation",
            "conversation_id": CID,
            "seq": i,
            "turn_idx": i // 40,
            "timestamp": 1746000000.0 + i * 0.01,
            "inference_id": inference,
        }
        if kind < 12:
            base["event_type"] = "conversation.utterance.streaming"
            base["properties"] = {
                "role": "replica",
                "speech": " ".join(words[: 1 + i % len(words)]),
                "content_index": i % 40,
                "final": False,
            }
        elif kind < 14:
            base["event_type"] = "conversation.started_speaking"
            base["properties"] = {"role": "user" if kind == 12 else "replica"}
        elif kind < 16:
            base["event_type"] = "conversation.stopped_speaking"
            base["properties"] = {"role": "replica", "duration": 1.5, "interrupted": False}
        elif kind < 19:
            base["event_type"] = "conversation.utterance"
            base["properties"] = {"role": "user", "speech": "Can you check on my order?"}
        else:
            base["event_type"] = "conversation.tool_call"
            base["properties"] = {
                "name": "lookup_order",
                "arguments": '{"order_id": "A-1234"}',
                "tool_call_id": f"tc{i}",
            }
        out.append(base)
    return out


class _StubCallClient:
    """Completes join/leave/sends at once (from a thread, like Daily); records the handler."""

    def __init__(self, handler: Any) -> None:
        self.handler = handler

    def _later(self, fn: Callable[..., None], *args: Any) -> None:
        threading.Thread(target=fn, args=args, daemon=True).start()

    def set_user_name(self, name: str) -> None:
        pass

    def join(
        self,
        meeting_url: str,
        meeting_token: str | None = None,
        client_settings: Any = None,
        completion: Any = None,
    ) -> None:
        data = {
            "participants": {
                "local": {"id": str(uuid.uuid4()), "info": {"isLocal": True}},
                REPLICA_ID: {
                    "id": REPLICA_ID,
                    "info": {"userName": "r1", "userId": "tavus-replica-r1", "isLocal": False},
                },
            }
        }
        self._later(completion, data, None)

    def leave(self, completion: Any = None) -> None:
        if completion is not None:
            self._later(completion, None)

    def send_app_message(
        self, message: Any, participant_id: Any = None, completion: Any = None
    ) -> None:
        if completion is not None:
            self._later(completion, None)

    def update_subscription_profiles(self, profile_settings: Any, completion: Any = None) -> None:
        if completion is not None:
            self._later(completion, None)

    def participants(self) -> dict[str, Any]:
        return {}

    def release(self) -> None:
        pass


def _produce(
    events: list[dict[str, Any]],
    rate: float,
    fire: Callable[[dict[str, Any]], None],
    sent_at: list[float],
) -> None:
    """Fire ``events`` from this (foreign) thread at ``rate`` per second (0: flat out)."""
    clock = time.perf_counter
    start = clock()
    for i, event in enumerate(events):
        if rate:
            # Sleep (which releases the GIL) rather than spin: a spinning producer would hold
            # the GIL for whole switch intervals (5 ms) and measure itself, not the path.
            delay = start + i / rate - clock()
            if delay > 0:
                time.sleep(delay)
        sent_at[i] = clock()
        fire(event)


def _summary(
    latencies: list[float], first_send: float, last_recv: float, count: int
) -> dict[str, Any]:
    lat = sorted(latencies)
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else lat * 99
    span = last_recv - first_send
    return {
        "delivered": count,
        "events_per_s": count / span if span > 0 else float("inf"),
        "p50_us": q[49] * 1e6,
        "p99_us": q[98] * 1e6,
        "max_us": lat[-1] * 1e6,
    }


async def run_room(events: list[dict[str, Any]], rate: float) -> dict[str, Any]:
    """The full Room path over DailyTransport's real bridge."""
    transport = DailyTransport(client_factory=_StubCallClient)
    room = Room(
        f"https://tavus.daily.co/{CID}",
        transport=transport,
        buffer_size=4096,
    )
    sent_at = [0.0] * len(events)
    latencies: list[float] = []
    async with room:
        handler = transport._bridge
        assert handler is not None
        seen = 0
        # The lifecycle events from the join come first; skip them.
        while room._buffer._items:
            await room.recv()
        producer = threading.Thread(
            target=_produce,
            args=(events, rate, lambda e: handler.on_app_message(e, REPLICA_ID), sent_at),
            name="bench-daily-emitter",
        )
        gc.collect()
        producer.start()
        last = 0.0
        async for event in room:
            now = time.perf_counter()
            if isinstance(event, Event) and event.seq is not None:
                latencies.append(now - sent_at[event.seq])
                last = now
            seen += 1
            if isinstance(event, Event) and event.seq == len(events) - 1:
                break
        producer.join()
        dropped = room.stats.dropped
    result = _summary(latencies, sent_at[0], last, len(latencies))
    result["dropped"] = dropped
    return result


async def run_baseline(events: list[dict[str, Any]], rate: float) -> dict[str, Any]:
    """The floor: call_soon_threadsafe(queue.put_nowait) + await queue.get()."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    sent_at = [0.0] * len(events)
    latencies: list[float] = []
    producer = threading.Thread(
        target=_produce,
        args=(events, rate, lambda e: loop.call_soon_threadsafe(queue.put_nowait, e), sent_at),
        name="bench-baseline-emitter",
    )
    gc.collect()
    producer.start()
    last = 0.0
    for _ in range(len(events)):
        item = await queue.get()
        last = time.perf_counter()
        latencies.append(last - sent_at[item["seq"]])
    producer.join()
    result = _summary(latencies, sent_at[0], last, len(latencies))
    result["dropped"] = 0
    return result


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--rate", type=float, default=5000.0, help="offered events/s")
    p.add_argument("--events", type=int, help="events per run (default 20000; quick 1000)")
    args = p.parse_args(argv)
    n = args.events or (1000 if args.quick else 20000)
    events = make_events(n)

    async def all_runs() -> dict[str, Any]:
        out: dict[str, Any] = {}
        for label, rate in ((f"offered {args.rate:g}/s", args.rate), ("flat out", 0.0)):
            out[label] = {
                "baseline": await run_baseline(events, rate),
                "room": await run_room(events, rate),
            }
        return out

    results = asyncio.run(all_runs())
    print(f"event path, {n} events per run, Python {platform.python_version()}")
    print(
        f"{'run':<18} {'path':<9} {'events/s':>10} {'p50 µs':>9} {'p99 µs':>9} {'max µs':>9} {'dropped':>8}"
    )
    for label, paths in results.items():
        for path, r in paths.items():
            print(
                f"{label:<18} {path:<9} {r['events_per_s']:>10.0f} {r['p50_us']:>9.1f} "
                f"{r['p99_us']:>9.1f} {r['max_us']:>9.1f} {r['dropped']:>8}"
            )
    write_json(
        args.json,
        {
            "benchmark": "event_path",
            "events": n,
            "rate": args.rate,
            "python": platform.python_version(),
            "results": results,
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
