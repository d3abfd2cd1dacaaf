"""``Fleet``: the Redis keys one fleet uses, submitting jobs, and reading its state."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .._logging import get_logger
from ..errors import ConfigurationError
from ._job import FleetError, Job, encode_job, job_from

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from ..room import Room
    from ._worker import Worker

__all__ = ["COUNTERS", "Bot", "Fleet", "FleetStats", "WorkerInfo"]

_log = get_logger("fleet")

#: ``async def bot(room, job)``: runs while the worker holds the conversation's lease.
Bot = Callable[["Room", Job], Awaitable[None]]

#: The fleet-wide counters kept in Redis (``HINCRBY``), by name.
COUNTERS = (
    "submitted",  # jobs appended by submit()
    "joined",  # rooms a bot was started in
    "completed",  # bots that returned; conversation ended and job acknowledged
    "claimed",  # jobs taken over from a worker that stopped renewing (XAUTOCLAIM)
    "failed",  # bots that raised, rooms that could not be joined, jobs that could not be read
    "skipped_ended",  # jobs acknowledged without joining: the conversation had already ended
    "released",  # jobs handed back for another worker (shutdown, or the "release" policy)
    "lease_busy",  # jobs not started because another bot held the conversation's lease
    "lease_lost",  # bots stopped because their lease was taken (they stopped renewing)
)


def text(value: Any) -> str:
    """A Redis reply as str, whether the client decodes responses or not."""
    return value.decode() if isinstance(value, bytes | bytearray) else str(value)


@dataclass
class WorkerInfo:
    """One live worker, from its heartbeat (a key that expires when it stops renewing)."""

    consumer: str
    host: str
    pid: int
    running: int
    concurrency: int
    conversations: list[str] = field(default_factory=list)


@dataclass
class FleetStats:
    """What a fleet holds and has done, read from Redis by :meth:`Fleet.stats`.

    Attributes:
        queued: Jobs submitted and not yet taken by any worker.
        pending: Jobs taken and not yet acknowledged (running, or waiting to be claimed).
        workers: The live workers and what each is running.
        counters: Fleet-wide totals since the fleet's keys were created (see ``COUNTERS``).
    """

    name: str
    queued: int
    pending: int
    workers: list[WorkerInfo]
    counters: dict[str, int]

    @property
    def running(self) -> dict[str, int]:
        """Rooms held per live worker."""
        return {w.consumer: w.running for w in self.workers}

    @property
    def claimed(self) -> int:
        """Jobs taken over from workers that crashed or hung."""
        return self.counters.get("claimed", 0)

    @property
    def failed(self) -> int:
        """Bots that raised, rooms that could not be joined, unreadable jobs."""
        return self.counters.get("failed", 0)

    def as_dict(self) -> dict[str, Any]:
        """Plain values (for ``--json``, metrics, logs)."""
        out = asdict(self)
        out["running"] = self.running
        return out


class Fleet:
    """Bots for Tavus conversations, spread over worker processes through Redis Streams.

    A backend calls :meth:`submit` after creating a conversation; every worker process calls
    :meth:`run_worker`. Jobs go through one stream and one consumer group (at-least-once); a
    lease per conversation (``SET NX PX``, renewed while the bot runs) keeps it to one bot per
    room at a time; a worker that stops renewing has its jobs claimed by another
    (``XAUTOCLAIM``), which joins the still-running conversation.

    Args:
        redis: A ``redis.asyncio.Redis`` client (``pip install 'tavus-async[redis]'``). You own
            it: close it after the fleet is done.
        name: Prefix of every key the fleet uses, so several fleets can share a Redis.

    Raises:
        ConfigurationError: ``name`` is empty or has spaces.

    Keys (all under ``name``): ``{name}:jobs`` (the stream; group ``bots``),
    ``{name}:lease:{conversation_id}``, ``{name}:counters``, ``{name}:workers`` and
    ``{name}:worker:{consumer}`` (heartbeats that expire).
    """

    GROUP = "bots"

    def __init__(self, redis: Redis, *, name: str = "tavus") -> None:
        if not isinstance(name, str) or not name or any(c.isspace() for c in name):
            raise ConfigurationError(
                f"the fleet name must be a non-empty string without spaces, got {name!r}"
            )
        self.redis = redis
        self.name = name
        self.stream = f"{name}:jobs"
        self.counters_key = f"{name}:counters"
        self.workers_key = f"{name}:workers"
        self._group_ready = False

    def __repr__(self) -> str:
        return f"Fleet(name={self.name!r})"

    def lease_key(self, conversation_id: str) -> str:
        """The key whose holder is the one bot allowed in ``conversation_id``'s room."""
        return f"{self.name}:lease:{conversation_id}"

    def worker_key(self, consumer: str) -> str:
        """A worker's heartbeat key."""
        return f"{self.name}:worker:{consumer}"

    async def ensure_group(self) -> None:
        """Create the stream and its consumer group if they do not exist (idempotent)."""
        if self._group_ready:
            return
        try:
            await self.redis.xgroup_create(self.stream, self.GROUP, id="0", mkstream=True)
        except Exception as exc:
            if "BUSYGROUP" not in str(exc):
                raise FleetError(f"could not create the fleet's consumer group: {exc}") from exc
        self._group_ready = True

    async def submit(
        self, conversation_or_id: Any, *, meeting_token: str | None = None, **data: Any
    ) -> str:
        """Ask the fleet for a bot in a conversation; returns the job's stream entry id.

        Args:
            conversation_or_id: The conversation ``conversations.create`` returned (its URL,
                replica and token travel with the job), a dict with the same keys, or an id
                (the worker then looks the conversation up).
            meeting_token: Overrides the conversation's token (``require_auth`` rooms).
            **data: JSON values the bot reads as ``job.data`` (a user id, a script name...).

        Raises:
            JobError: No conversation id, or ``data`` is not JSON.
            FleetError: Redis could not be reached.

        Example::

            conversation = await tavus.conversations.create(persona_id=..., replica_id=...)
            await fleet.submit(conversation, customer="acme")
        """
        job = job_from(conversation_or_id, meeting_token=meeting_token, data=data)
        payload = encode_job(job)
        await self.ensure_group()
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.xadd(self.stream, {"job": payload, "cid": job.conversation_id})
                pipe.hincrby(self.counters_key, "submitted", 1)
                entry_id, _ = await pipe.execute()
        except Exception as exc:
            raise FleetError(f"could not submit {job.conversation_id} to the fleet: {exc}") from exc
        _log.debug("submitted %s as %s", job.conversation_id, text(entry_id))
        return text(entry_id)

    async def stats(self) -> FleetStats:
        """Read the fleet's state: queue, pending jobs, live workers, counters.

        Raises:
            FleetError: Redis could not be reached.
        """
        try:
            return await self._stats()
        except FleetError:
            raise
        except Exception as exc:
            raise FleetError(f"could not read the fleet's state from Redis: {exc}") from exc

    async def _stats(self) -> FleetStats:
        redis = self.redis
        queued = pending = 0
        if await redis.exists(self.stream):
            length = int(await redis.xlen(self.stream))
            for group in await redis.xinfo_groups(self.stream):
                info = {text(k): v for k, v in group.items()}
                if text(info.get("name")) == self.GROUP:
                    pending = int(info.get("pending") or 0)
                    # Acknowledged entries are deleted, so the stream holds pending entries and
                    # undelivered ones only; Redis's own "lag" is null after deletions anyway.
                    queued = max(0, length - pending)
        raw_counters = await redis.hgetall(self.counters_key)
        counters = dict.fromkeys(COUNTERS, 0)
        counters.update({text(k): int(v) for k, v in raw_counters.items()})
        workers: list[WorkerInfo] = []
        members = sorted(text(m) for m in await redis.smembers(self.workers_key))
        if members:
            beats = await redis.mget([self.worker_key(m) for m in members])
            gone = []
            for consumer, beat in zip(members, beats, strict=True):
                if beat is None:
                    gone.append(consumer)  # its heartbeat expired: the worker is gone
                    continue
                workers.append(WorkerInfo(**json.loads(text(beat))))
            if gone:
                await redis.srem(self.workers_key, *gone)
        return FleetStats(self.name, queued, pending, workers, counters)

    def worker(
        self,
        bot: Bot,
        *,
        client: Any,
        concurrency: int = 10,
        consumer: str | None = None,
        lease_ttl: float = 15.0,
        shutdown_timeout: float = 30.0,
        on_bot_error: Literal["end", "release"] = "end",
        max_attempts: int = 3,
        end_on_return: bool = True,
        block: float = 1.0,
        connect_options: Mapping[str, Any] | None = None,
    ) -> Worker:
        """Make a :class:`Worker` (what :meth:`run_worker` runs); see there for the arguments."""
        from ._worker import Worker

        return Worker(
            self,
            bot,
            client=client,
            concurrency=concurrency,
            consumer=consumer,
            lease_ttl=lease_ttl,
            shutdown_timeout=shutdown_timeout,
            on_bot_error=on_bot_error,
            max_attempts=max_attempts,
            end_on_return=end_on_return,
            block=block,
            connect_options=connect_options,
        )

    async def run_worker(
        self,
        bot: Bot,
        *,
        client: Any,
        concurrency: int = 10,
        handle_signals: bool = True,
        **options: Any,
    ) -> None:
        """Take jobs and run ``bot`` in each conversation's room, at most ``concurrency`` at once.

        Returns after a graceful shutdown (SIGTERM or SIGINT with ``handle_signals``, or
        :meth:`Worker.stop`): no new jobs are taken, running bots get ``shutdown_timeout``
        seconds to finish, and the rest are stopped and released for other workers.

        Args:
            bot: ``async def bot(room, job)``. The room is joined (the replica is in it) and
                left when the bot returns; by default the conversation is then ended and the
                job acknowledged.
            client: The ``AsyncTavus`` the worker uses to check whether a conversation has
                ended before joining, and to end it afterwards.
            concurrency: Most rooms this worker holds at once.
            handle_signals: Turn SIGTERM/SIGINT into a graceful shutdown (main thread only).
            **options: ``lease_ttl`` (seconds a silent worker keeps its conversations; also
                how long before another worker claims them), ``shutdown_timeout``,
                ``on_bot_error`` (``"end"``: end the conversation and acknowledge, the default;
                ``"release"``: leave it running and let another worker retry, up to
                ``max_attempts`` deliveries, then end it), ``end_on_return``, ``consumer`` (the
                worker's name in the group), ``block`` (seconds one read waits for new jobs),
                ``connect_options`` (passed to :func:`~tavus_async.room.connect`).

        Raises:
            FleetError: Redis could not be reached when starting.
        """
        worker = self.worker(bot, client=client, concurrency=concurrency, **options)
        await worker.run(handle_signals=handle_signals)
