"""Inbound event decoding throughput: `interactions.events.decode` against its limits.

A realistic mix of room traffic (streaming captions and speaking events dominate, heartbeats
every second, a few utterances and tool calls, PAL/replica duplicates) is decoded:

- as dicts (what daily-python hands over) and as JSON bytes (what a socket delivers);
- by `decode` (typed, tolerant, never raises);
- by raw msgspec into the same Structs (the limit): `msgspec.convert(d, cls)` with the class
  already known, and one cached `msgspec.json.Decoder` over the tagged union for bytes;
- by stdlib `json` plus dict handling that flattens the same fields (what peers do).

Ratios are throughput relative to raw msgspec in the same run (1.00 = as fast as the limit).

    python benchmarks/bench_event_decode.py [--quick] [--json PATH] [--events N] [--repeat R]
"""

from __future__ import annotations

import gc
import json
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import CAPTION_WORDS, CID, finish, parser

from tavus_async.interactions import events as ev


def _uuid(rng: random.Random) -> str:
    return "%08x-%04x-4%03x-a%03x-%012x" % (  # noqa: UP031 - fixed-width hex fields
        rng.getrandbits(32),
        rng.getrandbits(16),
        rng.getrandbits(12),
        rng.getrandbits(12),
        rng.getrandbits(48),
    )


def make_mix(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """`n` events in the proportions of a live conversation."""
    rng = random.Random(seed)
    words = CAPTION_WORDS
    out: list[dict[str, Any]] = []
    seq = 0
    turn = 0
    inference = _uuid(rng)
    ts = 1746000000.0

    def envelope(event_type: str, **extra: Any) -> dict[str, Any]:
        nonlocal seq, ts
        seq += 1
        ts += 0.05
        base = {
            "message_type": "conversation",
            "event_type": event_type,
            "conversation_id": CID,
            "seq": seq,
            "turn_idx": turn,
            "timestamp": round(ts, 3),
            "inference_id": inference,
        }
        base.update(extra)
        return base

    kinds = [
        ("streaming", 40),
        ("speaking", 18),
        ("heartbeat", 15),
        ("utterance", 10),
        ("tool_call", 6),
        ("perception", 3),
        ("legacy_speaking", 6),
        ("objective", 1),
        ("unknown", 1),
    ]
    names = [k for k, _ in kinds]
    weights = [w for _, w in kinds]
    while len(out) < n:
        kind = rng.choices(names, weights)[0]
        props: dict[str, Any]
        if kind == "streaming":
            k = rng.randint(1, len(words))
            props = {
                "role": "pal",
                "speech": " ".join(words[:k]),
                "content_index": k,
                "final": k == len(words),
                "is_interrupted": False,
            }
            out.append(envelope("conversation.utterance.streaming", properties=props))
            out.append(
                envelope(
                    "conversation.utterance.streaming", properties={**props, "role": "replica"}
                )
            )
        elif kind == "speaking":
            stop = rng.random() < 0.5
            props = {"role": rng.choice(["pal", "user"])}
            if stop:
                props.update(duration=round(rng.uniform(0.5, 8), 2), interrupted=rng.random() < 0.2)
            et = "conversation.stopped_speaking" if stop else "conversation.started_speaking"
            out.append(envelope(et, properties=props))
        elif kind == "legacy_speaking":
            who = rng.choice(["replica", "user"])
            out.append(envelope(f"conversation.{who}.started_speaking"))
        elif kind == "heartbeat":
            out.append(
                {
                    "message_type": "system",
                    "event_type": "system.replica_present",
                    "conversation_id": CID,
                }
            )
        elif kind == "utterance":
            turn += 1
            inference = _uuid(rng)
            props = {"role": rng.choice(["user", "replica"]), "speech": " ".join(words)}
            if props["role"] == "user":
                props["user_audio_analysis"] = "The user sounded calm."
            out.append(envelope("conversation.utterance", properties=props))
        elif kind == "tool_call":
            args = json.dumps({"item_name": "Bananas", "quantity": rng.randint(1, 9)})
            out.append(
                envelope(
                    "conversation.tool_call",
                    properties={"name": "add_to_cart", "arguments": args, "tool_call_id": "tc_1"},
                )
            )
        elif kind == "perception":
            out.append(
                envelope(
                    "conversation.perception_tool_call",
                    properties={
                        "name": "notify_if_id_shown",
                        "modality": "vision",
                        "arguments": {"id_type": "passport"},
                        "frames": [{"data": "/9j/4AAQSkZJRgABAQ" * 8, "mime_type": "image/jpeg"}],
                    },
                )
            )
        elif kind == "objective":
            out.append(
                envelope(
                    "conversation.objective.completed",
                    properties={
                        "objective_name": "get_contact",
                        "output_variables": {"email": "a@b.c"},
                    },
                )
            )
        else:
            out.append(envelope("conversation.something_new", properties={"x": 1}))
    return out[:n]


# --- what peers do: stdlib json and dict handling that flattens the same fields ---------------

_ROLES = {"pal": "replica", "replica": "replica", "user": "user"}


def peer_handle(msg: dict[str, Any]) -> dict[str, Any]:
    """Flatten one message the way hand-written integrations do (no type checks)."""
    props = msg.get("properties") or {}
    out = {
        "event_type": msg.get("event_type"),
        "conversation_id": msg.get("conversation_id"),
        "seq": msg.get("seq"),
        "turn_idx": msg.get("turn_idx"),
        "timestamp": msg.get("timestamp"),
        "inference_id": msg.get("inference_id") or props.get("inference_id"),
    }
    role = props.get("role")
    if role is not None:
        out["role"] = _ROLES.get(role, role)
    if "speech" in props:
        out["speech"] = props["speech"]
    args = props.get("arguments")
    if isinstance(args, str):
        try:
            out["arguments"] = json.loads(args)
        except ValueError:
            out["arguments"] = {}
    elif args is not None:
        out["arguments"] = args
    return out


def peer_bytes(data: bytes) -> dict[str, Any]:
    """stdlib json.loads, then the dict handling."""
    return peer_handle(json.loads(data))


# --- timing -------------------------------------------------------------------------------------


def best_rates(fns: list[Callable[[], None]], n_events: list[int], repeat: int) -> list[float]:
    """Best events/second of each function, timed in interleaved rounds.

    Interleaving spreads machine noise (other processes, frequency changes) evenly over the
    paths being compared, so the ratios are fairer than timing each path in one block.
    """
    for fn in fns:
        fn()  # warm caches and lazily built msgspec type info
    best = [float("inf")] * len(fns)
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            for i, fn in enumerate(fns):
                start = time.perf_counter()
                fn()
                best[i] = min(best[i], time.perf_counter() - start)
                gc.collect()
    finally:
        if gc_was:
            gc.enable()
    return [n / b for n, b in zip(n_events, best, strict=True)]


def run(n_events: int, repeat: int) -> dict[str, Any]:
    dicts = make_mix(n_events)
    blobs = [msgspec.json.encode(d) for d in dicts]
    classes = [ev.EVENT_TYPES.get(d["event_type"]) for d in dicts]
    known = [(d, c) for d, c in zip(dicts, classes, strict=True) if c is not None]
    decoder = msgspec.json.Decoder(ev._EventUnion, strict=False)
    decode = ev.decode
    convert = msgspec.convert

    def typed_dicts() -> None:
        for d in dicts:
            decode(d)

    def raw_dicts() -> None:
        # The limit: the class is known in advance; unknown types cost nothing here.
        for d, c in known:
            convert(d, c, strict=False)

    def peer_dicts() -> None:
        for d in dicts:
            peer_handle(d)

    def typed_bytes() -> None:
        for b in blobs:
            decode(b)

    def raw_bytes() -> None:
        for b in blobs:
            try:  # noqa: SIM105 - contextlib.suppress would cost more than what is measured
                decoder.decode(b)
            except msgspec.ValidationError:
                pass  # unknown event types: the raw decoder can only fail on them

    def peer_bytes_all() -> None:
        for b in blobs:
            peer_bytes(b)

    n_known = len(known)
    rows = []
    for form, typed, raw, peer, n_raw in (
        ("dict", typed_dicts, raw_dicts, peer_dicts, n_known),
        ("bytes", typed_bytes, raw_bytes, peer_bytes_all, n_events),
    ):
        r_raw, r_typed, r_peer = best_rates([raw, typed, peer], [n_raw, n_events, n_events], repeat)
        rows.append(
            {
                "input": form,
                "raw_msgspec_events_per_s": r_raw,
                "decode_events_per_s": r_typed,
                "stdlib_peer_events_per_s": r_peer,
                "decode_vs_raw": r_typed / r_raw,
                "stdlib_vs_raw": r_peer / r_raw,
            }
        )
    kinds: dict[str, int] = {}
    for d in dicts:
        kinds[d["event_type"]] = kinds.get(d["event_type"], 0) + 1
    return {
        "benchmark": "event_decode",
        "events": n_events,
        "repeat": repeat,
        "mean_message_bytes": sum(map(len, blobs)) / len(blobs),
        "mix": dict(sorted(kinds.items(), key=lambda kv: -kv[1])),
        "python": platform.python_version(),
        "msgspec": msgspec.__version__,
        "machine": platform.machine(),
        "results": rows,
    }


def print_table(result: dict[str, Any]) -> None:
    print(
        f"event decode: {result['events']} events x best of {result['repeat']}, "
        f"mean {result['mean_message_bytes']:.0f} B/message, Python {result['python']}, "
        f"msgspec {result['msgspec']}"
    )
    header = f"{'input':<6} {'path':<34} {'events/s':>12} {'vs raw msgspec':>15}"
    print(header)
    print("-" * len(header))
    for row in result["results"]:
        raw = row["raw_msgspec_events_per_s"]
        lines = [
            ("raw msgspec (same Structs, limit)", raw),
            ("tavus_async decode()", row["decode_events_per_s"]),
            ("stdlib json + dict handling", row["stdlib_peer_events_per_s"]),
        ]
        for name, rate in lines:
            print(f"{row['input']:<6} {name:<34} {rate:>12,.0f} {rate / raw:>14.2f}x")
    print()


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--events", type=int, default=20_000)
    p.add_argument("--repeat", type=int, default=7)
    args = p.parse_args(argv)
    n, repeat = (300, 2) if args.quick else (args.events, args.repeat)
    return finish(run(n, repeat), args.json, print_table)


if __name__ == "__main__":
    raise SystemExit(main())
