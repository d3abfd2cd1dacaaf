"""Audio echo pacing: how fast ``Room.echo_audio`` streams against real time, per completion latency.

Each audio chunk is one app message (~61 ms of 24 kHz PCM16, the most that fits Daily's 4 KB),
and daily-python completes each send some time later (the round trip to Daily's servers: not
measurable offline, so it is a parameter here). The stream is measured on ``DailyTransport``
over the fake ``CallClient`` of the tests (its completions arrive on their own thread, after the
chosen delay, like the real library's), with completions of 0, 60 and 100 ms, through:

- the baseline in the same run: a loop that sends one chunk and awaits its completion before
  the next (what ``echo_audio`` did before it pipelined);
- ``Room.echo_audio``: chunks handed over in order with a bounded number awaiting completion.

Figure: ``x real time`` = seconds of audio streamed per wall-clock second (below 1.0 the
replica runs out of audio and stutters). Goal: at least 1.0x at 100 ms.

    python benchmarks/bench_echo_pacing.py [--quick] [--json PATH] [--seconds S]
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The fake CallClient that tests/test_daily_contract.py pins to the real library.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _common import CID, finish, machine, parser, print_table, verdict
from fakes.fake_daily import FakeDailyRoom

from tavus_async.interactions.audio import echo_audio_messages
from tavus_async.room import Room
from tavus_async.room.daily import DailyTransport

RATE = 24000
LATENCIES_MS = (0, 60, 100)


def make_pcm(seconds: float, seed: int = 5) -> bytes:
    """``seconds`` of noisy 24 kHz PCM16."""
    return random.Random(seed).randbytes(int(seconds * RATE) * 2)


async def stream(pcm: bytes, latency: float, *, pipelined: bool) -> tuple[float, int]:
    """Stream ``pcm`` into a fake Daily room whose sends complete after ``latency`` seconds.

    Returns:
        (wall seconds of the stream, messages sent).
    """
    fake = FakeDailyRoom()
    fake.add_remote("replica", user_id="tavus-replica-bench")
    fake.send_delay = latency
    transport = DailyTransport(client_factory=fake.factory, send_timeout=30.0)
    url = f"https://tavus.daily.co/{CID}"
    async with Room(url, transport=transport, conversation_id=CID) as room:
        started = time.perf_counter()
        if pipelined:
            result = await room.echo_audio(pcm, sample_rate=RATE)
            sent = result.chunks
        else:
            sent = 0
            for message in echo_audio_messages(pcm, conversation_id=CID, sample_rate=RATE):
                await room.send(message)
                sent += 1
        wall = time.perf_counter() - started
    return wall, sent


def run(seconds: float) -> dict[str, Any]:
    pcm = make_pcm(seconds)
    rows: list[dict[str, Any]] = []
    for ms in LATENCIES_MS:
        serial_wall, serial_n = asyncio.run(stream(pcm, ms / 1000, pipelined=False))
        piped_wall, piped_n = asyncio.run(stream(pcm, ms / 1000, pipelined=True))
        rows.append(
            {
                "latency_ms": ms,
                "messages": piped_n,
                "serial_x_realtime": seconds / serial_wall,
                "pipelined_x_realtime": seconds / piped_wall,
                "speedup": serial_wall / piped_wall,
                "serial_messages": serial_n,
            }
        )
    at_100 = next(r for r in rows if r["latency_ms"] == 100)["pipelined_x_realtime"]
    return {
        "benchmark": "echo_pacing",
        "audio_seconds": seconds,
        "sample_rate": RATE,
        "machine": machine("msgspec", "daily-python"),
        "goal": {"min_x_realtime_at_100ms": 1.0, "at_100ms": at_100, "met": at_100 >= 1.0},
        "results": rows,
    }


def print_result(result: dict[str, Any]) -> None:
    cols = [
        ("latency_ms", "completion ms", ",d"),
        ("messages", "messages", ",d"),
        ("serial_x_realtime", "serial (baseline) x rt", ".2f"),
        ("pipelined_x_realtime", "echo_audio x rt", ".2f"),
        ("speedup", "vs baseline", ".2f"),
    ]
    title = (
        f"echo audio pacing: {result['audio_seconds']:g} s of {result['sample_rate']} Hz PCM16 "
        "over DailyTransport + fake CallClient (wall clock)"
    )
    goal = result["goal"]
    note = (
        f"goal: >= {goal['min_x_realtime_at_100ms']:.1f}x real time at 100 ms -> "
        f"{goal['at_100ms']:.2f}x ({verdict(goal['met'])})"
    )
    print_table(title, cols, result["results"], note)


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--seconds", type=float, default=5.0, help="seconds of audio per stream")
    args = p.parse_args(argv)
    seconds = 1.0 if args.quick else args.seconds
    started = time.perf_counter()
    result = run(seconds)
    result["seconds"] = time.perf_counter() - started
    return finish(result, args.json, print_result)


if __name__ == "__main__":
    raise SystemExit(main())
