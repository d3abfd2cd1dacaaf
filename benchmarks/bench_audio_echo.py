"""Audio echo: seconds of 24 kHz PCM16 turned into echo messages per second of CPU.

One long utterance of 24 kHz mono PCM16 is cut into ``conversation.echo`` audio messages, each
sized to fit Daily's 4 KB app-message limit (~61 ms of audio), through:

- ``interactions.audio.echo_audio_messages`` + ``messages.to_dict``: the dicts a Room hands to
  daily-python (which serialises them in native code);
- the same + ``messages.encode``: compact JSON bytes checked against the size limit (what a
  socket transport sends);
- ``Room.echo_audio`` on a joined Room whose transport only JSON-encodes what it is given: the
  whole SDK send path (per-message delivery await, send timeout, stats);
- the baseline in the same run: a naive loop that slices the PCM, base64-encodes each chunk and
  ``json.dumps`` a hand-built message, with the same chunk size (so the same message count).

Figures: audio seconds per CPU second (``x real time``; goal: at least 1,000), and messages
per CPU second, each the median of interleaved runs.

    python benchmarks/bench_audio_echo.py [--quick] [--json PATH] [--seconds S] [--repeat R]
"""

from __future__ import annotations

import asyncio
import base64
import gc
import json
import random
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    CID,
    finish,
    interleaved,
    machine,
    median,
    parser,
    print_table,
    spread,
    timed,
    verdict,
)

from tavus_async.interactions.audio import echo_audio_messages, max_chunk_bytes
from tavus_async.interactions.messages import encode, to_dict
from tavus_async.room import JoinInfo, Participant, Room
from tavus_async.room.transport import EventSink

RATE = 24000
IID = "7a0f3b1e-9d4c-4b8e-a1f2-3c4d5e6f7a8b"


def make_pcm(seconds: float, seed: int = 3) -> bytes:
    """``seconds`` of noisy 24 kHz PCM16 (random bytes: base64 cannot shortcut it)."""
    n = int(seconds * RATE) * 2
    return random.Random(seed).randbytes(n)


class NullTransport:
    """A joined-at-once transport whose ``send`` only JSON-encodes the message, like a socket."""

    def __init__(self) -> None:
        self.sent = 0
        self.bytes = 0

    @property
    def local_id(self) -> str | None:
        return "local"

    def participants(self) -> Mapping[str, Participant]:
        return {}

    async def join(
        self, url: str, meeting_token: str | None, display_name: str, sink: EventSink
    ) -> JoinInfo:
        replica = Participant("replica", "r79e1c033f", is_replica=True)
        return JoinInfo("local", (replica,), CID)

    async def send(self, message: Any, recipient: str | None = None) -> None:
        self.sent += 1
        self.bytes += len(msgspec.json.encode(message))

    async def leave(self) -> None:
        return None


def run(seconds: float, repeat: int) -> dict[str, Any]:
    pcm = make_pcm(seconds)
    chunk = max_chunk_bytes(CID, sample_rate=RATE, inference_id=IID)

    def sdk_dicts() -> int:
        n = 0
        for m in echo_audio_messages(pcm, conversation_id=CID, inference_id=IID):
            to_dict(m, CID)
            n += 1
        return n

    def sdk_bytes() -> int:
        n = 0
        for m in echo_audio_messages(pcm, conversation_id=CID, inference_id=IID):
            encode(m, CID)
            n += 1
        return n

    room_cpu: list[float] = []

    async def _room() -> int:
        transport = NullTransport()
        url = "ws://127.0.0.1:1/rooms/bench"  # never dialled: the transport is ours
        async with Room(url, transport=transport, conversation_id=CID) as room:
            # Only the send path is timed, not the event loop's or the Room's start-up.
            with timed() as t:
                result = await room.echo_audio(pcm, inference_id=IID)
        room_cpu.append(t.cpu)
        assert result.completed
        assert transport.sent == result.chunks
        return result.chunks

    def room_echo_audio() -> int:
        return asyncio.run(_room())

    def naive() -> int:
        # What a hand-written integration does: slice, base64, json.dumps, per chunk.
        n = 0
        for start in range(0, len(pcm), chunk):
            json.dumps(
                {
                    "message_type": "conversation",
                    "event_type": "conversation.echo",
                    "conversation_id": CID,
                    "properties": {
                        "modality": "audio",
                        "audio": base64.b64encode(pcm[start : start + chunk]).decode("ascii"),
                        "sample_rate": RATE,
                        "inference_id": IID,
                        "done": False,
                    },
                }
            )
            n += 1
        return n

    paths: list[tuple[str, str, Callable[[], int]]] = [
        ("naive", "naive base64 + json.dumps loop (baseline)", naive),
        ("sdk_dicts", "echo_audio_messages + to_dict", sdk_dicts),
        ("sdk_bytes", "echo_audio_messages + encode (JSON bytes)", sdk_bytes),
        ("room_echo_audio", "Room.echo_audio (null transport)", room_echo_audio),
    ]
    counts: dict[str, int] = {}

    def timer(key: str, fn: Callable[[], int]) -> Callable[[], float]:
        def once() -> float:
            gc.collect()
            room_cpu.clear()
            with timed() as t:
                counts[key] = fn()
            return room_cpu[0] if room_cpu else t.cpu

        return once

    for _, _, fn in paths:
        fn()  # warm up: imports, msgspec type info, first event loop
    cpu = interleaved([timer(key, fn) for key, _, fn in paths], repeat)
    base = median(cpu[0])
    rows: list[dict[str, Any]] = []
    for (key, label, _), times in zip(paths, cpu, strict=True):
        t = median(times)
        rows.append(
            {
                "path": key,
                "label": label,
                "messages": counts[key],
                "cpu_s": t,
                "x_realtime": seconds / t,
                "messages_per_cpu_s": counts[key] / t,
                "vs_naive": base / t,
                "spread": spread(times),
            }
        )
    sdk = [float(r["x_realtime"]) for r in rows if r["path"] != "naive"]
    return {
        "benchmark": "audio_echo",
        "audio_seconds": seconds,
        "sample_rate": RATE,
        "chunk_bytes": chunk,
        "chunk_ms": chunk / 2 / RATE * 1000,
        "repeat": repeat,
        "machine": machine("msgspec"),
        "goal": {"min_x_realtime": 1000, "worst_x_realtime": min(sdk), "met": min(sdk) >= 1000},
        "results": rows,
    }


def print_result(result: dict[str, Any]) -> None:
    cols = [
        ("label", "path", ""),
        ("messages", "messages", ",d"),
        ("cpu_s", "CPU s", ".4f"),
        ("x_realtime", "x real time", ",.0f"),
        ("messages_per_cpu_s", "msgs/CPU-s", ",.0f"),
        ("vs_naive", "vs naive", ".2f"),
        ("spread", "spread", ".2f"),
    ]
    title = (
        f"audio echo: {result['audio_seconds']:g} s of {result['sample_rate']} Hz PCM16 in "
        f"{result['chunk_bytes']}-byte chunks ({result['chunk_ms']:.1f} ms), median CPU of "
        f"{result['repeat']} interleaved runs"
    )
    goal = result["goal"]
    note = (
        f"goal: >= {goal['min_x_realtime']:,} x real time -> worst SDK path "
        f"{goal['worst_x_realtime']:,.0f} x ({verdict(goal['met'])})"
    )
    print_table(title, cols, result["results"], note)


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--seconds", type=float, default=60.0, help="seconds of audio per run")
    p.add_argument("--repeat", type=int, default=7, help="interleaved runs per figure")
    args = p.parse_args(argv)
    seconds, repeat = (2.0, 2) if args.quick else (args.seconds, args.repeat)
    started = time.perf_counter()
    result = run(seconds, repeat)
    result["seconds"] = time.perf_counter() - started
    return finish(result, args.json, print_result)


if __name__ == "__main__":
    raise SystemExit(main())
