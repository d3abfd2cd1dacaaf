"""Scale: 10, 100, 1,000 (and 10,000) concurrent rooms on the simulator, each running turns.

For each N, in a fresh pair of processes:

- a **simulator** child (``TavusSimulator(time="instant")``: replica speech is not paced, so
  the figures measure software, not simulated talking time);
- a **client** child that creates N conversations through ``AsyncTavus``, joins all N rooms at
  once with ``tavus_async.room.connect`` (the room connector users get, one WebSocket each),
  then has every room run turns concurrently: ``room.respond(text)`` and ``async for event in
  room`` until the replica's ``StoppedSpeaking``;
- then a **floor** client child against the same simulator (after the SDK's client finished):
  bare ``aiohttp`` WebSocket clients (one shared ``ClientSession``, the join parameters the SDK
  sends), each sending the same ``conversation.respond`` app-message per turn and reading
  frames until the replica's ``stopped_speaking`` (found by substring, nothing decoded), for as
  many turns as the SDK's timed phase. What the floor costs per frame is asyncio, sockets and
  the kernel; what the SDK costs on top of it is its own.

The SDK client's turns run in two phases. Phase 1: ``--turns`` turns (default 10) for every
room, then the memory is read ("KB/room after 10 turns"; tracked objects; ``--memory``'s
breakdown). Phase 2: the remaining turns, so that the CPU figures are over about ``--events``
events at every size (default 100,000; at 10 rooms, 10 turns are only 1,000 events, about
20 ms of CPU, which is noise): timed turns per room = max(``--turns``, ceil(events / (N x
events per turn))), events per turn measured in phase 1 (10 here). CPU per event, its user and
system split (``os.times``), the GC share and the simulator's CPU and GC per event are summed
over the two phases' timed spans (the memory readout between them is not timed); events/s is
the events of both phases over their wall time. The table's ``turns`` and ``events`` columns say
what each row's CPU figures are over.

Measured in the client (the SDK's side; the simulator's CPU is reported next to it):
total events per second (events the consumers read / wall time of the turns), client CPU
per event, join time and CPU per room, and resident memory per room (RSS after joining minus
RSS before, divided by N; and the same after phase 1's turns). Separate processes keep the two
sides' CPU and memory apart and give each its own core; a fresh client per N keeps one size's
heap from flattering the next. Each figure is the median of ``--repeat`` runs; ``spread`` is
(max - min) / median over them. The client's garbage collector is timed per generation, and
the GC-tracked objects per room are counted (in all and by type); ``--memory`` says what each
KB per room is. The floor reports CPU per frame (every frame read, acks included) and per event
(frames minus acks: the events the SDK counts), and ``SDK - floor`` is the client's CPU per
event minus the floor's.

    python benchmarks/bench_scale.py [--quick] [--json PATH] [--rooms 10,100,1000]
                                     [--turns T] [--events E] [--repeat R] [--memory]
    python benchmarks/bench_scale.py --rooms 10000 --repeat 1     # about 4 minutes here
"""

from __future__ import annotations

import asyncio
import gc
import json
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
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
#: The name a room joins with: ``Room``'s default display name, which the floor sends too.
DISPLAY_NAME = "tavus-async"


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


@dataclass
class Span:
    """Wall and CPU seconds of one or more timed blocks, summed (and the simulator's share)."""

    wall: float = 0.0
    #: This process's CPU (``time.process_time``), and the same split by ``os.times``.
    cpu: float = 0.0
    user: float = 0.0
    system: float = 0.0
    sim_cpu: float = 0.0
    #: The simulator's GC seconds; ``None`` once a sample was missing.
    sim_gc: float | None = 0.0


@contextmanager
def measure(
    span: Span, sim_cpu: Callable[[], float], sim_gc: Callable[[], float | None]
) -> Iterator[None]:
    """Add the ``with`` block's wall, CPU and simulator CPU and GC seconds to ``span``.

    Args:
        span: Where the block's figures are added.
        sim_cpu: The simulator's CPU seconds so far.
        sim_gc: The simulator's GC seconds so far, or ``None`` when it did not answer.
    """
    g0 = sim_gc()
    s0 = sim_cpu()
    t0 = os.times()
    w0, c0 = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        t1 = os.times()
        sim = sim_cpu() - s0
        g1 = sim_gc()
        span.wall += wall
        span.cpu += cpu
        span.user += t1.user - t0.user
        span.system += t1.system - t0.system
        span.sim_cpu += sim
        if span.sim_gc is not None and g0 is not None and g1 is not None:
            span.sim_gc += g1 - g0
        else:
            span.sim_gc = None


def timed_turns(turns: int, events: int, rooms: int, events_per_turn: float) -> int:
    """Turns per room for the timed phases: at least ``turns``, and about ``events`` in all."""
    return max(turns, math.ceil(events / (rooms * events_per_turn)))


def _sim_probe(sim_pid: int) -> Callable[[], float]:
    """A function returning the simulator child's CPU seconds (user + system) so far."""
    import psutil  # type: ignore[import-untyped,unused-ignore]

    sim = psutil.Process(sim_pid)

    def sim_cpu() -> float:
        t = sim.cpu_times()
        return float(t.user + t.system)

    return sim_cpu


async def create_conversations(tavus: Any, n: int) -> list[Any]:
    """Create a persona and ``n`` conversations with it, :data:`CREATE_CONCURRENCY` at a time."""
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

    return list(await asyncio.gather(*(create(i) for i in range(n))))


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
    events_target: int = 0,
) -> dict[str, Any]:
    """Create, join and drive ``n`` rooms; return the measurements.

    Phase 1 runs ``turns`` turns in every room and reads the memory; phase 2 runs the turns
    that bring the timed events to about ``events_target`` (see :func:`timed_turns`).

    With ``breakdown``, tracemalloc also records what each KB per room is (this slows the
    client down, so its CPU figures are not comparable with a normal run).
    """
    import tracemalloc

    fd_limit = raise_fd_limit()
    if gc_threshold:
        # An experiment knob: collect the young generation less often (and so the old ones).
        gc.set_threshold(gc_threshold, *gc.get_threshold()[1:])
    import anyio

    from tavus_async import AsyncTavus
    from tavus_async.interactions.events import ReplicaJoined, StoppedSpeaking
    from tavus_async.room import Room, connect
    from tavus_async.room.websocket import WebSocketTransport

    sim_cpu = _sim_probe(sim_pid)
    asked = 0

    def sim_gc() -> float | None:
        nonlocal asked
        asked += 1
        return sim_gc_seconds(sim_pid, sim_gc_file, asked)

    async with AsyncTavus(api_key=api_key, base_url=url) as tavus:
        with timed() as t_create:
            convs = await create_conversations(tavus, n)

        # One room joined and left first: the first join's one-time costs (lazy imports,
        # caches) would otherwise be charged to the rooms measured.
        [warm] = await create_conversations(tavus, 1)
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
                    conv,
                    client=tavus,
                    transport=transport,
                    join_timeout=120.0,
                    buffer_size=4096,
                    display_name=DISPLAY_NAME,
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

            async def drive(room: Room, k: int) -> int:
                count = 0
                for _ in range(k):
                    await room.respond(TEXT)
                    async for event in room:
                        count += 1
                        if isinstance(event, StoppedSpeaking) and event.role == "replica":
                            break
                return count

            received0 = sum(r.stats.received for r in rooms)
            span = Span()
            gc_clock = _GcClock()
            # Phase 1: the turns the memory figures are read after.
            with measure(span, sim_cpu, sim_gc), gc_clock, anyio.fail_after(600):
                counts = await asyncio.gather(*(drive(r, turns) for r in rooms))
            phase1_events = sum(counts)
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
            del types_before, types_joined, types_after
            # Phase 2: the rest of the events the CPU figures are measured over.
            total_turns = timed_turns(turns, events_target, n, phase1_events / (n * turns))
            if total_turns > turns:
                with measure(span, sim_cpu, sim_gc), gc_clock, anyio.fail_after(900):
                    counts = await asyncio.gather(*(drive(r, total_turns - turns) for r in rooms))
            else:
                counts = []
            events = phase1_events + sum(counts)
            received = sum(r.stats.received for r in rooms) - received0
            dropped = sum(r.stats.dropped for r in rooms)
        finally:
            with timed() as t_leave:
                await stack.aclose()
    return {
        "rooms": n,
        "turns": turns,
        "timed_turns": total_turns,
        "events": events,
        "phase1_events": phase1_events,
        "events_per_room_turn": events / (n * total_turns),
        "create_s": t_create.wall,
        "join_s": t_join.wall,
        "join_cpu_ms_per_room": t_join.cpu / n * 1000,
        "sim_join_cpu_ms_per_room": sim_join / n * 1000,
        "turns_s": span.wall,
        "events_per_s": events / span.wall,
        "client_cpu_us_per_event": span.cpu / events * 1e6,
        "client_user_us_per_event": span.user / events * 1e6,
        "client_sys_us_per_event": span.system / events * 1e6,
        "sim_cpu_us_per_event": span.sim_cpu / events * 1e6,
        "client_cpu_util": span.cpu / span.wall,
        "client_gc_share": gc_clock.seconds / span.cpu if span.cpu else 0.0,
        "gc_collections": gc_clock.collections,
        "gc_seconds_by_generation": gc_clock.by_generation,
        "gc_tracked_objects_per_room": tracked_per_room,
        "gc_tracked_types_per_room": tracked_types,
        "sim_cpu_util": span.sim_cpu / span.wall,
        "sim_gc_share": (
            span.sim_gc / span.sim_cpu if span.sim_gc is not None and span.sim_cpu else None
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


# --- the floor child -----------------------------------------------------------------------------

#: How a frame the floor reads is recognised, without decoding it (the simulator's encoding:
#: compact JSON, ``type`` first): an acknowledgement, the replica joining, the end of a turn.
ACK_PREFIX = '{"type":"ack"'
REPLICA_JOINED = '"event_type":"system.replica_joined"'
STOPPED_SPEAKING = '"event_type":"conversation.stopped_speaking"'
REPLICA_ROLE = '"role":"replica"'


async def floor_run(url: str, api_key: str, n: int, turns: int, sim_pid: int) -> dict[str, Any]:
    """Drive ``n`` rooms with bare aiohttp WebSocket clients for ``turns`` turns; measure them.

    The conversations are created with ``AsyncTavus`` (not timed); the rooms are joined and
    driven with one shared :class:`aiohttp.ClientSession` and nothing of the SDK. Each turn
    sends one pre-encoded ``conversation.respond`` app-message and reads frames (the ack and
    the events) until the replica's ``stopped_speaking``, matched by substring.

    Raises:
        RuntimeError: A room closed before the replica joined or before a turn ended.
    """
    import aiohttp
    import anyio

    from tavus_async import AsyncTavus

    fd_limit = raise_fd_limit()
    sim_cpu = _sim_probe(sim_pid)
    async with AsyncTavus(api_key=api_key, base_url=url) as tavus:
        convs = await create_conversations(tavus, n + 1)
    # The SDK's client's connector, without the SDK: a limit-free pool and no cookie jar.
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0), cookie_jar=aiohttp.DummyCookieJar()
    )
    async with session:

        async def join(conv: Any) -> tuple[aiohttp.ClientWebSocketResponse[bool], str]:
            params = {"name": DISPLAY_NAME}
            if conv.meeting_token:
                params["t"] = conv.meeting_token
            ws = await session.ws_connect(conv.conversation_url, params=params, heartbeat=None)
            async for msg in ws:
                if REPLICA_JOINED in msg.data:
                    break
            else:
                raise RuntimeError(f"room {conv.conversation_id} closed before the replica joined")
            frame = json.dumps(
                {
                    "type": "app-message",
                    "id": "1",
                    "recipient": "*",
                    "data": {
                        "message_type": "conversation",
                        "event_type": "conversation.respond",
                        "conversation_id": conv.conversation_id,
                        "properties": {"text": TEXT},
                    },
                },
                separators=(",", ":"),
            )
            return ws, frame

        async def drive(ws: aiohttp.ClientWebSocketResponse[bool], frame: str, k: int) -> list[int]:
            frames = acks = 0
            for _ in range(k):
                await ws.send_str(frame)
                async for msg in ws:
                    frames += 1
                    data = msg.data
                    if data.startswith(ACK_PREFIX):
                        acks += 1
                    elif STOPPED_SPEAKING in data and REPLICA_ROLE in data:
                        break
                else:
                    raise RuntimeError("a room closed in the middle of a turn")
            return [frames, acks]

        # One room first, as the SDK's client does: one-time costs are not charged to the rest.
        warm = await join(convs[0])
        await drive(*warm, 1)
        await warm[0].close()
        with anyio.fail_after(300):
            wss = await asyncio.gather(*(join(c) for c in convs[1:]))
        gc.collect()
        span = Span()
        gc_clock = _GcClock()
        with measure(span, sim_cpu, lambda: None), gc_clock, anyio.fail_after(900):
            counts = await asyncio.gather(*(drive(ws, frame, turns) for ws, frame in wss))
        await asyncio.gather(*(ws.close() for ws, _ in wss))
    frames = sum(c[0] for c in counts)
    acks = sum(c[1] for c in counts)
    events = frames - acks
    return {
        "rooms": n,
        "turns": turns,
        "frames": frames,
        "acks": acks,
        "events": events,
        "wall_s": span.wall,
        "frames_per_s": frames / span.wall,
        "us_per_frame": span.cpu / frames * 1e6,
        "us_per_event": span.cpu / events * 1e6,
        "user_us_per_event": span.user / events * 1e6,
        "sys_us_per_event": span.system / events * 1e6,
        "cpu_util": span.cpu / span.wall,
        "gc_share": gc_clock.seconds / span.cpu if span.cpu else 0.0,
        "gc_collections": gc_clock.collections,
        "sim_cpu_us_per_event": span.sim_cpu / events * 1e6,
        "fd_limit": fd_limit,
    }


# --- the orchestrating parent --------------------------------------------------------------------


def _child(script: Path, flag: str, spec: dict[str, Any], what: str) -> dict[str, Any]:
    """Run ``python SCRIPT FLAG SPEC`` and return the JSON object its last stdout line holds.

    Raises:
        RuntimeError: The child failed (with the tail of its stderr).
    """
    import subprocess

    proc = subprocess.run(
        [sys.executable, str(script), flag, json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"the {what} failed:\n{proc.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def one(
    n: int,
    turns: int,
    gc_threshold: int | None = None,
    breakdown: bool = False,
    events: int = 0,
) -> dict[str, Any]:
    """One measurement of ``n`` rooms: a fresh simulator, a fresh SDK client, then the floor.

    The floor child runs against the same simulator after the SDK's client has left, for as
    many turns as the SDK's timed phases.
    """
    import tempfile

    script = Path(__file__)
    gc_dir = tempfile.TemporaryDirectory(prefix="bench_scale_")
    gc_file = str(Path(gc_dir.name) / "sim_gc.json")
    with gc_dir, ServerProcess(script, "--serve-sim", "--sim-gc-file", gc_file) as sim:
        assert sim.proc is not None
        common = {"url": sim.info["url"], "api_key": sim.info["api_key"], "sim_pid": sim.proc.pid}
        result = _child(
            script,
            "--client",
            {
                **common,
                "rooms": n,
                "turns": turns,
                "gc_threshold": gc_threshold,
                "breakdown": breakdown,
                "sim_gc_file": gc_file,
                "events": events,
            },
            f"client for {n} rooms",
        )
        floor = _child(
            script,
            "--floor",
            {**common, "rooms": n, "turns": result["timed_turns"]},
            f"floor client for {n} rooms",
        )
    result["floor"] = floor
    result["floor_us_per_frame"] = floor["us_per_frame"]
    result["floor_us_per_event"] = floor["us_per_event"]
    result["floor_user_us_per_event"] = floor["user_us_per_event"]
    result["floor_sys_us_per_event"] = floor["sys_us_per_event"]
    result["sdk_over_floor_us_per_event"] = (
        result["client_cpu_us_per_event"] - floor["us_per_event"]
    )
    result["sdk_vs_floor"] = result["client_cpu_us_per_event"] / floor["us_per_event"]
    return result


MEDIAN_KEYS = (
    "events_per_s",
    "client_cpu_us_per_event",
    "client_user_us_per_event",
    "client_sys_us_per_event",
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
    "floor_us_per_frame",
    "floor_us_per_event",
    "floor_user_us_per_event",
    "floor_sys_us_per_event",
    "sdk_over_floor_us_per_event",
    "sdk_vs_floor",
)


def summarise(n: int, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One table row: the median of each figure over ``runs``, and the spreads."""
    row: dict[str, Any] = {"rooms": n, "runs": len(runs)}
    for key in MEDIAN_KEYS:
        values = [r[key] for r in runs if r.get(key) is not None]
        row[key] = median(values) if values else None
    row["turns"] = runs[0]["turns"]
    row["timed_turns"] = runs[0]["timed_turns"]
    row["events"] = runs[0]["events"]
    row["floor_events"] = runs[0]["floor"]["events"]
    row["dropped_events"] = max(r["dropped_events"] for r in runs)
    row["events_per_s_spread"] = spread([r["events_per_s"] for r in runs])
    # CPU per event is the figure the goals are about; other engineers' load moves it less.
    row["client_cpu_us_per_event_spread"] = spread([r["client_cpu_us_per_event"] for r in runs])
    row["floor_us_per_event_spread"] = spread([r["floor_us_per_event"] for r in runs])
    row["samples"] = runs
    return row


def _ratio(row: dict[str, Any], base: dict[str, Any], key: str) -> str:
    """``row[key] / base[key]`` as ``x1.23``, or ``-`` when either is missing."""
    if not row.get(key) or not base.get(key):
        return "-"
    return f"x{row[key] / base[key]:.2f}"


def print_result(result: dict[str, Any]) -> None:
    """Print the table, the ratios against the first row and any memory breakdown."""
    cols = [
        ("rooms", "rooms", ",d"),
        ("timed_turns", "turns", ",d"),
        ("events", "events", ",d"),
        ("events_per_s", "events/s", ",.0f"),
        ("events_per_s_spread", "spread", ".2f"),
        ("client_cpu_us_per_event", "client us/event", ",.1f"),
        ("client_cpu_us_per_event_spread", "spread", ".2f"),
        ("client_user_us_per_event", "user", ",.1f"),
        ("client_sys_us_per_event", "sys", ",.1f"),
        ("floor_us_per_frame", "floor us/frame", ",.1f"),
        ("floor_us_per_event", "floor us/event", ",.1f"),
        ("floor_us_per_event_spread", "spread", ".2f"),
        ("sdk_over_floor_us_per_event", "SDK-floor", ",.1f"),
        ("sim_cpu_us_per_event", "sim us/event", ",.1f"),
        ("client_cpu_util", "client CPU", ".2f"),
        ("sim_cpu_util", "sim CPU", ".2f"),
        ("client_gc_share", "GC share", ".2f"),
        ("sim_gc_share", "sim GC", ".2f"),
        ("join_s", "join all s", ".2f"),
        ("join_cpu_ms_per_room", "join ms CPU/room", ".2f"),
        ("rss_per_room_kb_joined", "KB/room joined", ",.0f"),
        ("rss_per_room_kb_after_turns", f"KB/room after {result['turns']} turns", ",.0f"),
    ]
    m = result["machine"]
    print(f"machine: {m['cpu_model']}, {m['cores']} cores, Python {m['python']}")
    title = (
        f"scale: rooms on the simulator (instant clock), median of {result['repeat']} run(s); "
        f"CPU figures over each row's turns x rooms (about {result['events_target']:,} events; "
        f"memory after {result['turns']} turns); client, floor and simulator in separate "
        "processes"
    )
    base = result["results"][0]
    notes = [
        f"  {base['rooms']} -> {row['rooms']} rooms: events/s "
        f"{_ratio(row, base, 'events_per_s')}, client CPU/event "
        f"{_ratio(row, base, 'client_cpu_us_per_event')}, floor CPU/event "
        f"{_ratio(row, base, 'floor_us_per_event')}, SDK-floor "
        f"{_ratio(row, base, 'sdk_over_floor_us_per_event')}, sim CPU/event "
        f"{_ratio(row, base, 'sim_cpu_us_per_event')}, memory/room "
        f"{_ratio(row, base, 'rss_per_room_kb_joined')}"
        for row in result["results"][1:]
    ]
    notes.append(
        "  floor: bare aiohttp WebSocket clients, same simulator, same turns; us/frame counts "
        "every frame (acks too), us/event the frames minus acks (the events the SDK counts); "
        "SDK-floor = client us/event - floor us/event"
    )
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
    p.add_argument(
        "--events",
        type=int,
        default=100_000,
        help="about this many events per size for the CPU figures (more turns at small sizes)",
    )
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
    p.add_argument("--floor", help=HIDDEN)
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
                spec.get("events", 0),
            )
        )
        print(json.dumps(out), flush=True)
        return 0
    if args.floor:
        spec = json.loads(args.floor)
        out = asyncio.run(
            floor_run(spec["url"], spec["api_key"], spec["rooms"], spec["turns"], spec["sim_pid"])
        )
        print(json.dumps(out), flush=True)
        return 0
    if args.quick:
        # Enough events for a second phase (4 turns in all), so that the smoke test runs both.
        sizes, turns, repeat, events = [10], 2, 1, 400
    else:
        sizes = [int(s) for s in args.rooms.split(",") if s.strip()]
        turns, repeat, events = args.turns, args.repeat, args.events
    started = time.perf_counter()
    rows = []
    for n in sizes:
        runs = [one(n, turns, args.gc_threshold, args.memory, events) for _ in range(repeat)]
        rows.append(summarise(n, runs))
        print(
            f"  {n} rooms: {rows[-1]['events_per_s']:,.0f} events/s, "
            f"{rows[-1]['client_cpu_us_per_event']:.1f} us/event, floor "
            f"{rows[-1]['floor_us_per_event']:.1f} "
            f"({time.perf_counter() - started:.0f} s so far)",
            flush=True,
        )
    result = {
        "benchmark": "scale",
        "turns": turns,
        "events_target": events,
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
