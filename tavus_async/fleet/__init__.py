"""Past one machine: bots for Tavus conversations on a fleet of workers, through Redis Streams.

A backend submits each new conversation; every worker process runs the same bot::

    from redis.asyncio import Redis
    from tavus_async import AsyncTavus
    from tavus_async.fleet import Fleet

    redis = Redis.from_url("redis://localhost:6379/0")
    fleet = Fleet(redis, name="tavus")

    # backend, right after creating the conversation
    conversation = await tavus.conversations.create(persona_id=..., replica_id=...)
    await fleet.submit(conversation, customer="acme")

    # each worker process
    async def bot(room, job):
        await room.echo(f"Hello {job.data['customer']}!")
        async for event in room: ...

    async with AsyncTavus() as tavus:
        await fleet.run_worker(bot, client=tavus, concurrency=20)   # until SIGTERM

Delivery is at-least-once with one bot per conversation at a time: a lease per conversation
(``SET NX PX``, renewed while its bot runs) guards the room, and a worker that crashes has its
jobs claimed by another (``XAUTOCLAIM``) once its leases expire, which joins the still-running
conversation. A conversation that has ended is acknowledged without joining. The policy for a bot
that raises, and for shutdown, is on :class:`Worker`.
``await fleet.stats()`` (and ``tavus-async fleet status``) shows the queue, pending jobs, live
workers and counters. Needs ``pip install 'tavus-async[redis]'``.
"""

from __future__ import annotations

from ._fleet import COUNTERS, Bot, Fleet, FleetStats, WorkerInfo
from ._job import FleetError, Job, JobError
from ._worker import Worker, WorkerStats

__all__ = [
    "COUNTERS",
    "Bot",
    "Fleet",
    "FleetError",
    "FleetStats",
    "Job",
    "JobError",
    "Worker",
    "WorkerInfo",
    "WorkerStats",
]
