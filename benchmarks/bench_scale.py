"""Scale: 10, 100, 1,000 (and 10,000) concurrent rooms on the simulator, each running turns.

For each N, in a fresh pair of processes:

- a **simulator** child (``TavusSimulator(time="instant")``: replica speech is not paced, so
  the figures measure software, not simulated talking time);
- a **client** child that creates N conversations through ``AsyncTavus``, joins all N rooms at
  once with ``tavus_async.room.connect`` (the room connector users get, one WebSocket each),
  then has every room run ``--turns`` turns concurrently: ``room.respond(text)`` and
  ``async for event in room`` until the replica's ``StoppedSpeaking``.

Measured in the client (the SDK's side; the simulator's CPU is reported next to it):
total events per second (events the consumers read / wall time of the turns phase), client CPU
per event, join time and CPU per room, and resident memory per room (RSS after joining minus
RSS before, divided by N; and the same after the turns). Separate processes keep the two
sides' CPU and memory apart and give each its own core; a fresh client per N keeps one size's
heap from flattering the next. Each figure is the median of ``--repeat`` runs; ``spread`` is
(max - min) / median over them. The client's garbage collector is timed per generation, and
the GC-tracked objects per room are counted (in all and by type); ``--memory`` says what each
KB per room is.

    python benchmarks/bench_scale.py [--quick] [--json PATH] [--rooms 10,100,1000]
                                     [--turns T] [--repeat R] [--memory]
    python benchmarks/bench_scale.py --rooms 10000 --repeat 1     # about 2 minutes here
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from collections import Counter
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

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
)

TEXT = "Can you check the status of my order A-1234 and tell me when it ships?"
#: Conversations are created this many at a time (a backend creating them for a burst of users).
CREATE_CONCURRENCY = 32


def raise_fd_limit() -> int:
    """Raise this process's soft limit on open files to the hard limit; return the new limit.

    Every room is a socket on each side, so 10,000 rooms need more than the usual 1,024.
    """
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # Linux refuses an infinite soft limit for files; 1M is above any room count measured here.
    target = 1 << 20 if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return int(soft)


# --- the simulator child -------------------------------------------------------------------------


async def serve_simulator(gc_file: str | None = None) -> None:
    """Run a simulator on 127.0.0.1:0, print ``{"url", "api_key"}``, stop when stdin closes.

    With ``gc_file``, SIGUSR1 makes it write ``{"n", "gc_seconds"}`` there: the CPU seconds its
    garbage collector has used so far (``n`` counts the requests), for the client to sample.
    """
    import logging
    import signal

    from tavus_async.testing import TavusSimulator

    logging.getLogger("tavus_async").setLevel(logging.ERROR)
    raise_fd_limit()
    gc_clock = _GcClock()
    asked = 0

    def report() -> None:
        nonlocal asked
        asked += 1
        if gc_file:
            tmp = Path(gc_file + ".tmp")
            tmp.write_text(json.dumps({"n": asked, "gc_seconds": gc_clock.seconds}))
            tmp.replace(gc_file)

    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, report)
    with gc_clock:
        async with TavusSimulator(time="instant", seed=1) as sim:
            await announce_until_stdin_closed({"url": sim.base_url, "api_key": sim.api_key})


def sim_gc_seconds(sim_pid: int, gc_file: str | None, asked: int) -> float | None:
    """Ask the simulator child (SIGUSR1) for its GC seconds so far; wait up to 10 s."""
    import os
    import signal

    if not gc_file:
        return None
    os.kill(sim_pid, signal.SIGUSR1)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            got = json.loads(Path(gc_file).read_text())
        except (OSError, ValueError):
            got = {}
        if got.get("n") == asked:
            return float(got["gc_seconds"])
        time.sleep(0.002)
    return None


# --- the client child ----------------------------------------------------------------------------


class _GcClock:
    """CPU seconds spent in the garbage collector while the ``with`` block runs."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = [0, 0, 0]
        #: Seconds per generation: a full (generation 2) collection walks every tracked object.
        self.by_generation = [0.0, 0.0, 0.0]
        self._t0 = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._t0 = time.process_time()
        else:
            took = time.process_time() - self._t0
            self.seconds += took
            self.collections[info["generation"]] += 1
            self.by_generation[info["generation"]] += took

    def __enter__(self) -> _GcClock:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)


def _owner(trace: Any) -> str:
    """Who made an allocation: the innermost SDK line, and the library line under it."""
    frames = list(trace)[::-1]  # innermost first
    inner = frames[0]
    where = f"{Path(inner.filename).parent.name}/{Path(inner.filename).name}:{inner.lineno}"
    for frame in frames:
        if "tavus_async" in frame.filename:
            mine = frame.filename.split("tavus_async/", 1)[1] + f":{frame.lineno}"
            return mine if frame is inner else f"{mine} -> {where}"
    return where


def memory_breakdown(before: Any, after: Any, n: int, top: int = 12) -> list[list[Any]]:
    """The biggest allocation sites between two tracemalloc snapshots, in bytes per room."""
    sites: Counter[str] = Counter()
    for stat in after.compare_to(before, "traceback"):
        sites[_owner(stat.traceback)] += stat.size_diff
    total = sum(sites.values())
    rows = [["(total)", round(total / n)]]
    rows += [[site, round(size / n)] for site, size in sites.most_common(top)]
    return rows


def _tracked_types() -> Counter[str]:
    """The objects the garbage collector tracks now, counted by type name."""
    return Counter(type(o).__qualname__ for o in gc.get_objects())


def _per_room(before: Counter[str], after: Counter[str], n: int, top: int = 15) -> list[Any]:
    """The types whose tracked count grew most between two counts, per room."""
    grown = after.copy()
    grown.subtract(before)
    return [[name, round(count / n, 2)] for name, count in grown.most_common(top) if count > 0]


def rss() -> int:
    """This process's resident set size, in bytes."""
    import psutil  # type: ignore[import-untyped,unused-ignore]

    return int(psutil.Process().memory_info().rss)


async def client_run(
    url: str,
    api_key: str,
    n: int,
    turns: int,
    sim_pid: int,
    gc_threshold: int | None = None,
    breakdown: bool = False,
    sim_gc_file: str | None = None,
) -> dict[str, Any]:
    """Create, join and drive ``n`` rooms; return the measurements.

    With ``breakdown``, tracemalloc also records what each KB per room is (this slows the
    client down, so its CPU figures are not comparable with a normal run).
    """
    import tracemalloc

    fd_limit = raise_fd_limit()
    if gc_threshold:
        # An experiment knob: collect the young generation less often (and so the old ones).
        gc.set_threshold(gc_threshold, *gc.get_threshold()[1:])
    import anyio
    import psutil  # type: ignore[import-untyped,unused-ignore]

    from tavus_async import AsyncTavus
    from tavus_async.interactions.events import ReplicaJoined, StoppedSpeaking
    from tavus_async.room import Room, connect
    from tavus_async.room.websocket import WebSocketTransport

    sim = psutil.Process(sim_pid)

    def sim_cpu() -> float:
        t = sim.cpu_times()
        return float(t.user + t.system)

    async with AsyncTavus(api_key=api_key, base_url=url) as tavus:
        persona = await tavus.personas.create(persona_name="Bench", system_prompt="Be brief.")
        replica_id = (await tavus.replicas.list(limit=1)).data[0].replica_id
        gate = asyncio.Semaphore(CREATE_CONCURRENCY)

        async def create(i: int) -> Any:
            async with gate:
                return await tavus.conversations.create(
                    persona_id=persona.persona_id,
                    replica_id=replica_id,
                    conversation_name=f"bench {i}",
                    custom_greeting="",
                )

        with timed() as t_create:
            convs = await asyncio.gather(*(create(i) for i in range(n)))

        # One room joined and left first: the first join's one-time costs (lazy imports,
        # caches) would otherwise be charged to the rooms measured.
        warm = await tavus.conversations.create(
            persona_id=persona.persona_id, replica_id=replica_id, custom_greeting=""
        )
        async with connect(warm, client=tavus) as room:
            await room.wait_for(ReplicaJoined, timeout=60.0)
            await room.respond(TEXT)
            await room.wait_for(StoppedSpeaking, where=lambda e: e.role == "replica", timeout=60)
        gc.collect()
        if breakdown:
            tracemalloc.start(25)
            snap_before = tracemalloc.take_snapshot()
        rss_before = rss()
        types_before = _tracked_types()
        tracked_before = sum(types_before.values())
        stack = AsyncExitStack()
        try:

            async def join(conv: Any) -> Room:
                # At 10,000 rooms the simulator (one core) answers a join, acknowledges a respond
                # or answers a ping only after every other room's work: the defaults (connect
                # 30 s, send 10 s, a pong within 10 s of each 20 s heartbeat ping) expired here.
                # So the transport is made as the Room would make it (replica_json), with
                # generous timeouts and no heartbeat.
                transport = WebSocketTransport(
                    connect_timeout=120.0, send_timeout=300.0, heartbeat=None, replica_json=True
                )
                room = connect(
                    conv, client=tavus, transport=transport, join_timeout=120.0, buffer_size=4096
                )
                await stack.enter_async_context(room)
                # Read the join's own events, so that the turns phase counts only turns.
                await room.wait_for(ReplicaJoined, timeout=120.0)
                return room

            s0 = sim_cpu()
            with anyio.fail_after(300), timed() as t_join:
                rooms = await asyncio.gather(*(join(c) for c in convs))
            sim_join = sim_cpu() - s0
            gc.collect()
            rss_joined = rss()
            types_joined = _tracked_types()
            tracked_joined = sum(types_joined.values())
            snap_joined = tracemalloc.take_snapshot() if breakdown else None

            async def drive(room: Room) -> int:
                count = 0
                for _ in range(turns):
                    await room.respond(TEXT)
                    async for event in room:
                        count += 1
                        if isinstance(event, StoppedSpeaking) and event.role == "replica":
                            break
                return count

            received0 = sum(r.stats.received for r in rooms)
            sim_gc0 = sim_gc_seconds(sim_pid, sim_gc_file, 1)
            s0 = sim_cpu()
            gc_clock = _GcClock()
            with gc_clock, anyio.fail_after(600), timed() as t_turns:
                counts = await asyncio.gather(*(drive(r) for r in rooms))
            sim_turns = sim_cpu() - s0
            sim_gc1 = sim_gc_seconds(sim_pid, sim_gc_file, 2)
            rss_after = rss()
            gc.collect()
            memory: dict[str, Any] = {}
            if breakdown:
                snap_after = tracemalloc.take_snapshot()
                tracemalloc.stop()
                memory = {
                    "joined": memory_breakdown(snap_before, snap_joined, n),
                    "turns": memory_breakdown(snap_joined, snap_after, n),
                }
            types_after = _tracked_types()
            tracked_per_room = {
                "joined": (tracked_joined - tracked_before) / n,
                "after_turns": (sum(types_after.values()) - tracked_before) / n,
            }
            tracked_types = {
                "joined": _per_room(types_before, types_joined, n),
                "after_turns": _per_room(types_joined, types_after, n),
            }
            received = sum(r.stats.received for r in rooms) - received0
            dropped = sum(r.stats.dropped for r in rooms)
        finally:
            with timed() as t_leave:
                await stack.aclose()
    events = sum(counts)
    return {
        "rooms": n,
        "turns": turns,
        "events": events,
        "events_per_room_turn": events / (n * turns),
        "create_s": t_create.wall,
        "join_s": t_join.wall,
        "join_cpu_ms_per_room": t_join.cpu / n * 1000,
        "sim_join_cpu_ms_per_room": sim_join / n * 1000,
        "turns_s": t_turns.wall,
        "events_per_s": events / t_turns.wall,
        "client_cpu_us_per_event": t_turns.cpu / events * 1e6,
        "sim_cpu_us_per_event": sim_turns / events * 1e6,
        "client_cpu_util": t_turns.cpu / t_turns.wall,
        "client_gc_share": gc_clock.seconds / t_turns.cpu if t_turns.cpu else 0.0,
        "gc_collections": gc_clock.collections,
        "gc_seconds_by_generation": gc_clock.by_generation,
        "gc_tracked_objects_per_room": tracked_per_room,
        "gc_tracked_types_per_room": tracked_types,
        "sim_cpu_util": sim_turns / t_turns.wall,
        "sim_gc_share": (
            (sim_gc1 - sim_gc0) / sim_turns
            if sim_gc0 is not None and sim_gc1 is not None and sim_turns
            else None
        ),
        "rss_before_mb": rss_before / 2**20,
        "rss_per_room_kb_joined": (rss_joined - rss_before) / n / 1024,
        "rss_per_room_kb_after_turns": (rss_after - rss_before) / n / 1024,
        "messages_received": received,
        "dropped_events": dropped,
        "leave_s": t_leave.wall,
        "gc_threshold": list(gc.get_threshold()),
        "fd_limit": fd_limit,
        "memory_breakdown": memory,
    }


# --- the orchestrating parent --------------------------------------------------------------------


def one(
    n: int, turns: int, gc_threshold: int | None = None, breakdown: bool = False
) -> dict[str, Any]:
    """One measurement of ``n`` rooms, in a fresh simulator and a fresh client process."""
    import subprocess
    import tempfile

    script = Path(__file__)
    gc_dir = tempfile.TemporaryDirectory(prefix="bench_scale_")
    gc_file = str(Path(gc_dir.name) / "sim_gc.json")
    with gc_dir, ServerProcess(script, "--serve-sim", "--sim-gc-file", gc_file) as sim:
        assert sim.proc is not None
        proc = subprocess.run(
            [
                sys.executable,
                str(script),
                "--client",
                json.dumps(
                    {
                        "url": sim.info["url"],
                        "api_key": sim.info["api_key"],
                        "rooms": n,
                        "turns": turns,
                        "sim_pid": sim.proc.pid,
                        "gc_threshold": gc_threshold,
                        "breakdown": breakdown,
                        "sim_gc_file": gc_file,
                    }
                ),
            ],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"the client for {n} rooms failed:\n{proc.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


MEDIAN_KEYS = (
    "events_per_s",
    "client_cpu_us_per_event",
    "sim_cpu_us_per_event",
    "client_cpu_util",
    "client_gc_share",
    "sim_gc_share",
    "sim_cpu_util",
    "join_s",
    "join_cpu_ms_per_room",
    "sim_join_cpu_ms_per_room",
    "turns_s",
    "rss_per_room_kb_joined",
    "rss_per_room_kb_after_turns",
    "rss_before_mb",
    "events_per_room_turn",
)


def summarise(n: int, runs: list[dict[str, Any]]) -> dict[str, Any]:
    row: dict[str, Any] = {"rooms": n, "runs": len(runs)}
    for key in MEDIAN_KEYS:
        values = [r[key] for r in runs if r.get(key) is not None]
        row[key] = median(values) if values else None
    row["events"] = runs[0]["events"]
    row["dropped_events"] = max(r["dropped_events"] for r in runs)
    row["events_per_s_spread"] = spread([r["events_per_s"] for r in runs])
    # CPU per event is the figure the goals are about; other engineers' load moves it less.
    row["client_cpu_us_per_event_spread"] = spread([r["client_cpu_us_per_event"] for r in runs])
    row["samples"] = runs
    return row


def print_result(result: dict[str, Any]) -> None:
    cols = [
        ("rooms", "rooms", ",d"),
        ("events", "events", ",d"),
        ("events_per_s", "events/s", ",.0f"),
        ("events_per_s_spread", "spread", ".2f"),
        ("client_cpu_us_per_event", "client us/event", ",.0f"),
        ("client_cpu_us_per_event_spread", "spread", ".2f"),
        ("sim_cpu_us_per_event", "sim us/event", ",.0f"),
        ("client_cpu_util", "client CPU", ".2f"),
        ("sim_cpu_util", "sim CPU", ".2f"),
        ("client_gc_share", "GC share", ".2f"),
        ("sim_gc_share", "sim GC", ".2f"),
        ("join_s", "join all s", ".2f"),
        ("join_cpu_ms_per_room", "join ms CPU/room", ".2f"),
        ("rss_per_room_kb_joined", "KB/room joined", ",.0f"),
        ("rss_per_room_kb_after_turns", "KB/room after", ",.0f"),
    ]
    title = (
        f"scale: rooms on the simulator (instant clock), {result['turns']} respond->events "
        f"turns per room, median of {result['repeat']} run(s); client and simulator in "
        "separate processes"
    )
    base = result["results"][0]
    notes = [
        f"  {base['rooms']} -> {row['rooms']} rooms: events/s x"
        f"{row['events_per_s'] / base['events_per_s']:.2f}, client CPU/event x"
        f"{row['client_cpu_us_per_event'] / base['client_cpu_us_per_event']:.2f}, "
        f"memory/room x{row['rss_per_room_kb_joined'] / base['rss_per_room_kb_joined']:.2f}"
        for row in result["results"][1:]
    ]
    print_table(title, cols, result["results"], *notes)
    for row in result["results"]:
        memory = row["samples"][0].get("memory_breakdown")
        if not memory:
            continue
        for phase, sites in memory.items():
            what = "joining" if phase == "joined" else f"{result['turns']} turns"
            print(f"\n  what {row['rooms']} rooms allocated per room for {what} (tracemalloc):")
            for site, size in sites:
                print(f"    {size:>8,} B  {site}")


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--rooms", default="10,100,1000", help="comma-separated room counts")
    p.add_argument("--turns", type=int, default=10, help="respond->events turns per room")
    p.add_argument("--repeat", type=int, default=3, help="runs per room count")
    p.add_argument(
        "--gc-threshold",
        type=int,
        help="experiment: the client's gc generation-0 threshold (Python's default is 700)",
    )
    p.add_argument(
        "--memory",
        action="store_true",
        help="also say what each KB per room is (tracemalloc; slows the client: CPU not comparable)",
    )
    p.add_argument("--serve-sim", action="store_true", help=HIDDEN)
    p.add_argument("--sim-gc-file", help=HIDDEN)
    p.add_argument("--client", help=HIDDEN)
    args = p.parse_args(argv)
    if args.serve_sim:
        asyncio.run(serve_simulator(args.sim_gc_file))
        return 0
    if args.client:
        spec = json.loads(args.client)
        out = asyncio.run(
            client_run(
                spec["url"],
                spec["api_key"],
                spec["rooms"],
                spec["turns"],
                spec["sim_pid"],
                spec.get("gc_threshold"),
                spec.get("breakdown", False),
                spec.get("sim_gc_file"),
            )
        )
        print(json.dumps(out), flush=True)
        return 0
    if args.quick:
        sizes, turns, repeat = [10], 2, 1
    else:
        sizes = [int(s) for s in args.rooms.split(",") if s.strip()]
        turns, repeat = args.turns, args.repeat
    started = time.perf_counter()
    rows = []
    for n in sizes:
        runs = [one(n, turns, args.gc_threshold, args.memory) for _ in range(repeat)]
        rows.append(summarise(n, runs))
        print(
            f"  {n} rooms: {rows[-1]['events_per_s']:,.0f} events/s "
            f"({time.perf_counter() - started:.0f} s so far)",
            flush=True,
        )
    result = {
        "benchmark": "scale",
        "turns": turns,
        "repeat": repeat,
        "text": TEXT,
        "gc_threshold": args.gc_threshold,
        "seconds": time.perf_counter() - started,
        "machine": machine("aiohttp", "msgspec", "anyio"),
        "results": rows,
    }
    return finish(result, args.json, print_result)


if __name__ == "__main__":
    raise SystemExit(main())
