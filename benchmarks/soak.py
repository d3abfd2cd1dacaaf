"""Soak: many live rooms on the simulator for a long time, with the process's memory sampled.

The simulator runs in a child process (``python -m tavus_async simulate --time real``), so the
memory measured here is the SDK's own: the ``AsyncTavus`` client and ``--rooms`` concurrent
``Room`` connections over real sockets. Each room worker, until the deadline:

1. creates a private conversation (``require_auth``: the meeting token is used to join),
2. joins its room and holds turns: ``respond(...)`` then waits (bounded) for the replica's reply,
   checking that it is the right one (nothing lost, nothing mixed up); every fourth turn makes
   the replica call a tool the room answers (the reply is then the tool's result), and every
   tenth turn also reads the conversation over REST,
3. every ``--churn`` seconds (jittered) leaves, ends the conversation and starts over, so
   connections, sessions and tasks are made and released all along the run.

Every ``--interval`` seconds the script samples this process's RSS, its open file descriptors,
its live asyncio tasks and threads, and the simulator's RSS. At the end it prints a table and a
verdict: memory is *flat* when the RSS median over the last tenth of the run is within
``--max-growth-mb`` of the median over the tenth after warm-up (the first 20 %).

    python benchmarks/soak.py [--rooms 100] [--duration 600] [--json PATH] [--quick]

``--quick`` is a 10 s, 10-room smoke run. Exit status: 0 when no turn was lost or failed and
memory stayed flat, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import signal
import statistics
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import anyio
import psutil  # type: ignore[import-untyped,unused-ignore]

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tavus_async import AsyncTavus
from tavus_async.errors import RoomError, TavusError
from tavus_async.interactions.events import StoppedSpeaking, Utterance
from tavus_async.models import ToolParams
from tavus_async.room import EventsDropped, connect

REPLY_PREFIX = "You said: "
#: Every this many turns, a turn that makes the replica call our tool.
TOOL_EVERY = 4
#: Every this many turns, a REST read of the conversation.
READ_EVERY = 10
WEATHER_TOOL: ToolParams = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string"}},
            "required": ["location"],
        },
    },
}


@dataclass
class Totals:
    """What the workers did; ``lost`` must stay 0."""

    conversations: int = 0
    turns: int = 0
    tool_calls: int = 0
    events: int = 0
    dropped_events: int = 0
    lost: int = 0
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)

    def error(self, exc: BaseException) -> None:
        self.errors += 1
        name = type(exc).__name__
        self.error_kinds[name] = self.error_kinds.get(name, 0) + 1


@dataclass
class Sample:
    """One reading of the client process (and the simulator's RSS)."""

    t: float
    rss_mb: float
    sim_rss_mb: float
    fds: int
    tasks: int
    threads: int
    rooms_open: int
    turns: int


async def start_simulator() -> tuple[asyncio.subprocess.Process, str, str]:
    """Run the simulator in a child process; returns it, its base URL and its key."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tavus_async",
        "simulate",
        "--port",
        "0",
        "--time",
        "real",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    base_url = api_key = ""
    with anyio.move_on_after(30):
        while not (base_url and api_key):
            line = (await proc.stdout.readline()).decode()
            if not line:
                break
            line = line.strip()
            if line.startswith("TAVUS_BASE_URL="):
                base_url = line.split("=", 1)[1]
            elif line.startswith("TAVUS_API_KEY="):
                api_key = line.split("=", 1)[1]
    if not (base_url and api_key):
        proc.kill()
        await proc.wait()
        raise SystemExit("the simulator did not start (no TAVUS_BASE_URL/TAVUS_API_KEY printed)")
    # Keep reading its stdout so a full pipe can never stall it.
    asyncio.get_running_loop().create_task(_drain(proc.stdout))
    return proc, base_url, api_key


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.read(65536):
        pass


async def room_worker(
    n: int,
    tavus: AsyncTavus,
    persona_id: str,
    replica_id: str,
    deadline: float,
    churn: float,
    totals: Totals,
    open_rooms: list[int],
) -> None:
    """Hold conversations until the deadline; see the module docstring."""
    rng = random.Random(n)
    turn = 0
    while time.monotonic() < deadline:
        try:
            conv = await tavus.conversations.create(
                persona_id=persona_id,
                replica_id=replica_id,
                custom_greeting="Hi.",
                require_auth=True,
            )
        except TavusError as exc:
            totals.error(exc)
            await asyncio.sleep(1)
            continue
        totals.conversations += 1
        until = min(deadline, time.monotonic() + churn * rng.uniform(0.5, 1.5))
        try:
            async with connect(conv, client=tavus, end_conversation=True, join_timeout=30) as room:
                open_rooms[0] += 1

                @room.tool("get_weather")
                async def get_weather(location: str) -> str:
                    totals.tool_calls += 1
                    return f"Sunny in {location} for worker {n}."

                try:
                    while time.monotonic() < until:
                        turn += 1
                        if turn % TOOL_EVERY == 0:
                            # The replica calls our tool, waits for the result, then speaks it.
                            text = f"get_weather for worker {n} turn {turn}"
                            want = f"Sunny in test for worker {n}."
                        else:
                            text = f"worker {n} turn {turn}"
                            want = REPLY_PREFIX + text
                        await room.respond(text)
                        if not await _read_turn(room, want, totals):
                            totals.lost += 1  # the stream ended before the reply
                            break
                        if turn % READ_EVERY == 0:
                            got = await tavus.conversations.get(conv.conversation_id)
                            if got.status != "active":
                                totals.lost += 1
                        await asyncio.sleep(rng.uniform(0.1, 0.5))
                finally:
                    open_rooms[0] -= 1
        except TimeoutError as exc:
            totals.lost += 1
            totals.error(exc)
        except (RoomError, TavusError) as exc:
            totals.error(exc)


async def _read_turn(room: Any, want: str, totals: Totals) -> bool:
    """Read until the replica has said ``want`` and stopped speaking; False if the stream ended."""
    heard = False
    with anyio.fail_after(30):
        async for event in room:
            totals.events += 1
            if isinstance(event, EventsDropped):
                totals.dropped_events += event.count
            elif isinstance(event, Utterance) and event.role == "replica" and event.speech == want:
                heard = True
                totals.turns += 1
            elif heard and isinstance(event, StoppedSpeaking) and event.role == "replica":
                return True
    return False


async def sampler(
    interval: float,
    sim_pid: int,
    started: float,
    samples: list[Sample],
    totals: Totals,
    open_rooms: list[int],
    stop: asyncio.Event,
    show: bool,
) -> None:
    """Sample every ``interval`` seconds until ``stop`` is set."""
    me = psutil.Process()
    sim = psutil.Process(sim_pid)
    while True:
        try:
            sim_rss = sim.memory_info().rss / 2**20
        except psutil.Error:
            sim_rss = float("nan")
        s = Sample(
            t=round(time.monotonic() - started, 1),
            rss_mb=round(me.memory_info().rss / 2**20, 2),
            sim_rss_mb=round(sim_rss, 2),
            fds=me.num_fds(),
            tasks=len(asyncio.all_tasks()),
            threads=threading.active_count(),
            rooms_open=open_rooms[0],
            turns=totals.turns,
        )
        samples.append(s)
        if show:
            print(_row(s), flush=True)
        with anyio.move_on_after(interval):
            await stop.wait()
        if stop.is_set():
            return


_HEADER = f"{'t (s)':>7} {'rss MB':>8} {'sim MB':>8} {'fds':>5} {'tasks':>6} {'thr':>4} "
_HEADER += f"{'rooms':>6} {'turns':>8}"


def _row(s: Sample) -> str:
    return (
        f"{s.t:7.1f} {s.rss_mb:8.1f} {s.sim_rss_mb:8.1f} {s.fds:5d} {s.tasks:6d} {s.threads:4d} "
        f"{s.rooms_open:6d} {s.turns:8d}"
    )


def verdict(samples: list[Sample], max_growth_mb: float) -> dict[str, Any]:
    """Compare RSS after warm-up with RSS at the end of the run."""
    usable = samples[1:] or samples
    warm = max(1, len(usable) // 5)
    tenth = max(1, len(usable) // 10)
    early = usable[warm : warm + tenth] or usable[:1]
    late = usable[-tenth:]
    early_mb = statistics.median(s.rss_mb for s in early)
    late_mb = statistics.median(s.rss_mb for s in late)
    return {
        "rss_after_warmup_mb": round(early_mb, 2),
        "rss_at_end_mb": round(late_mb, 2),
        "growth_mb": round(late_mb - early_mb, 2),
        "max_growth_mb": max_growth_mb,
        "rss_peak_mb": max(s.rss_mb for s in samples),
        "fds_after_warmup": early[0].fds,
        "fds_at_end": late[-1].fds,
        "flat": late_mb - early_mb <= max_growth_mb,
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start the simulator, run the workers and the sampler, stop everything, report."""
    proc, base_url, api_key = await start_simulator()
    samples: list[Sample] = []
    totals = Totals()
    open_rooms = [0]
    stop = asyncio.Event()
    started = time.monotonic()
    try:
        async with AsyncTavus(api_key=api_key, base_url=base_url, timeout=30) as tavus:
            persona = await tavus.personas.create(
                persona_name="Soak",
                system_prompt="Repeat what you hear.",
                layers={"llm": {"tools": [WEATHER_TOOL]}},
            )
            replica_id = (await tavus.replicas.list(limit=1)).data[0].replica_id
            print(
                f"soak: {args.rooms} rooms for {args.duration:g} s, sampling every "
                f"{args.interval:g} s (simulator pid {proc.pid})",
                flush=True,
            )
            if not args.quiet:
                print(_HEADER, flush=True)
            sampling = asyncio.create_task(
                sampler(
                    args.interval,
                    proc.pid,
                    started,
                    samples,
                    totals,
                    open_rooms,
                    stop,
                    not args.quiet,
                )
            )
            deadline = time.monotonic() + args.duration
            workers = []
            for n in range(args.rooms):
                workers.append(
                    asyncio.create_task(
                        room_worker(
                            n,
                            tavus,
                            persona.persona_id,
                            replica_id,
                            deadline,
                            args.churn,
                            totals,
                            open_rooms,
                        )
                    )
                )
                # Stagger the joins so the start is not one thundering herd.
                await asyncio.sleep(min(0.05, args.duration / max(args.rooms, 1) / 10))
            await asyncio.gather(*workers)
            stop.set()
            await sampling
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            with anyio.move_on_after(10):
                await proc.wait()
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    elapsed = time.monotonic() - started
    result = verdict(samples, args.max_growth_mb)
    return {
        "benchmark": "soak",
        "rooms": args.rooms,
        "duration_s": args.duration,
        "elapsed_s": round(elapsed, 1),
        "churn_s": args.churn,
        "interval_s": args.interval,
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {os.cpu_count()} cpu",
        "totals": asdict(totals),
        "turns_per_s": round(totals.turns / elapsed, 1) if elapsed else 0.0,
        "memory": result,
        "samples": [asdict(s) for s in samples],
        "ok": bool(result["flat"] and totals.lost == 0 and totals.errors == 0),
    }


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run, print the summary, write ``--json``; 0 when all went well."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rooms", type=int, default=100, help="concurrent rooms (default 100)")
    p.add_argument("--duration", type=float, default=600.0, help="seconds (default 600)")
    p.add_argument("--interval", type=float, default=5.0, help="seconds between samples")
    p.add_argument("--churn", type=float, default=60.0, help="mean seconds a room stays joined")
    p.add_argument("--max-growth-mb", type=float, default=20.0, help="RSS growth still called flat")
    p.add_argument("--json", type=Path, default=None, help="write the report here")
    p.add_argument("--quick", action="store_true", help="10 s, 10 rooms (a smoke test)")
    p.add_argument("--quiet", action="store_true", help="no table while running")
    args = p.parse_args(argv)
    if args.quick:
        args.rooms, args.duration, args.interval, args.churn = 10, 10.0, 1.0, 4.0
    if args.rooms < 1 or args.duration <= 0 or args.interval <= 0 or args.churn <= 0:
        p.error("--rooms, --duration, --interval and --churn must be positive")
    report = asyncio.run(run(args))
    t, m = report["totals"], report["memory"]
    print(
        f"\nconversations {t['conversations']}, turns {t['turns']} "
        f"(tool calls answered {t['tool_calls']}) "
        f"({report['turns_per_s']}/s), events {t['events']}, dropped {t['dropped_events']}, "
        f"lost {t['lost']}, errors {t['errors']} {t['error_kinds'] or ''}"
    )
    print(
        f"RSS after warm-up {m['rss_after_warmup_mb']} MB, at end {m['rss_at_end_mb']} MB "
        f"(growth {m['growth_mb']:+} MB, peak {m['rss_peak_mb']} MB): "
        f"{'flat' if m['flat'] else 'GROWING'}; fds {m['fds_after_warmup']} -> {m['fds_at_end']}"
    )
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
