"""``Worker``: one consumer of a fleet's stream, holding at most ``concurrency`` rooms."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .._logging import get_logger
from ..errors import APIStatusError, ConfigurationError, JoinError, NotFoundError
from ._fleet import Bot, Fleet, text
from ._job import FleetError, Job, JobError, decode_job

if TYPE_CHECKING:
    from ..room import Room

__all__ = ["Worker", "WorkerStats"]

_log = get_logger("fleet")

# Renew our lease and reset our entry's idle time, only while the lease still holds our token.
# KEYS: lease, stream. ARGV: token, ttl ms, group, consumer, entry id.
_RENEW = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then
    return 0
end
redis.call('pexpire', KEYS[1], ARGV[2])
redis.call('xclaim', KEYS[2], ARGV[3], ARGV[4], 0, ARGV[5], 'JUSTID')
return 1
"""

# Delete the lease only while it holds our token (the compare-and-delete of Redis's SET docs).
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""

#: Idle time given to a released entry so that the next XAUTOCLAIM anywhere takes it.
_RELEASED_IDLE_MS = 10 * 365 * 24 * 3600 * 1000


@dataclass
class WorkerStats:
    """What this worker has done (the fleet-wide totals are in :meth:`Fleet.stats`)."""

    taken: int = 0
    joined: int = 0
    completed: int = 0
    claimed: int = 0
    failed: int = 0
    skipped_ended: int = 0
    released: int = 0
    lease_busy: int = 0
    lease_lost: int = 0
    errors: list[str] = field(default_factory=list, repr=False)


@dataclass
class _Active:
    job: Job
    token: str
    task: asyncio.Task[None]
    stopping: Literal["", "shutdown", "lease_lost"] = ""


class Worker:
    """A fleet consumer holding at most ``concurrency`` rooms; made by :meth:`Fleet.worker`.

    The rules, in the order a job meets them:

    1. **Take** a job: first ``XAUTOCLAIM`` entries idle for longer than ``lease_ttl`` (their worker
       stopped renewing: it crashed or hung), then ``XREADGROUP`` new ones. Never more than there
       are free slots.
    2. **Lease** the conversation: ``SET {name}:lease:{cid} token NX PX lease_ttl``. Taken by
       someone else: another bot is in that room, so this job is left pending (it is looked at
       again after ``lease_ttl``, when it ends or its holder is gone). One bot per room at a time
       rests on this key alone.
    3. **Check** the conversation (``GET /v2/conversations/{id}``): ended (or gone) means
       acknowledged without joining.
    4. **Run** the bot in the joined room. Every ``lease_ttl / 3`` the worker renews each lease it
       holds and resets its entry's idle time (one script per job: compare the token, ``PEXPIRE``,
       ``XCLAIM ... JUSTID``), so a long conversation is never mistaken for a crashed one. A lease
       found taken stops that bot at once (it leaves the room without ending the conversation).
    5. **Finish**: the bot returned -> end the conversation (``end_on_return``), ``XACK`` + ``XDEL``
       the entry, delete the lease. The bot raised -> logged and counted (``failed``), then by
       ``on_bot_error``: ``"end"`` (default: a bot that failed once will likely fail again, and a
       user left with a silent replica is worse than an ended call) ends and acknowledges;
       ``"release"`` leaves the conversation running and hands the job to any worker now, until it
       has been delivered ``max_attempts`` times, after which it is ended.

    Graceful shutdown (SIGTERM, SIGINT, :meth:`Worker.stop`): stop taking jobs, give running bots
    ``shutdown_timeout`` seconds, then cancel the rest, leave their rooms without ending the
    conversations, delete their leases and mark their entries claimable at once, so another worker
    joins within one read.

    Raises:
        ConfigurationError: A bad option (the message names it).
    """

    def __init__(
        self,
        fleet: Fleet,
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
    ) -> None:
        if not callable(bot):
            raise ConfigurationError("bot must be an async function taking (room, job)")
        if client is None or not hasattr(client, "conversations"):
            raise ConfigurationError(
                "client must be an AsyncTavus (the worker checks and ends calls)"
            )
        if concurrency < 1:
            raise ConfigurationError(f"concurrency must be at least 1, got {concurrency}")
        if lease_ttl < 0.3:
            raise ConfigurationError(f"lease_ttl must be at least 0.3 seconds, got {lease_ttl}")
        if on_bot_error not in ("end", "release"):
            raise ConfigurationError(
                f"on_bot_error must be 'end' or 'release', got {on_bot_error!r}"
            )
        if max_attempts < 1:
            raise ConfigurationError(f"max_attempts must be at least 1, got {max_attempts}")
        if shutdown_timeout < 0 or block <= 0:
            raise ConfigurationError("shutdown_timeout must be >= 0 and block > 0")
        self.fleet = fleet
        self._bot = bot
        self._client = client
        self.concurrency = concurrency
        self.consumer = consumer or (f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}")
        self._lease_ms = max(1, int(lease_ttl * 1000))
        # Claim only entries idle a little longer than a lease lives: renewals set both at the
        # same moment, so by then the silent holder's lease has surely expired.
        self._claim_idle_ms = self._lease_ms + max(50, self._lease_ms // 10)
        self._lease_ttl = lease_ttl
        self._shutdown_timeout = shutdown_timeout
        self._on_bot_error = on_bot_error
        self._max_attempts = max_attempts
        self._end_on_return = end_on_return
        self._block_ms = max(1, int(block * 1000))
        self._connect_options = dict(connect_options or {})
        self._renew = fleet.redis.register_script(_RENEW)
        self._release = fleet.redis.register_script(_RELEASE)
        self._active: dict[str, _Active] = {}
        self._slot_free = asyncio.Event()
        self._stop = asyncio.Event()
        self._claim_cursor = "0-0"
        self._started_at = 0.0
        self.stats = WorkerStats()

    def __repr__(self) -> str:
        return (
            f"Worker(consumer={self.consumer!r}, running={self.running}, "
            f"concurrency={self.concurrency})"
        )

    @property
    def running(self) -> int:
        """Rooms held now."""
        return len(self._active)

    def stop(self) -> None:
        """Begin a graceful shutdown (what SIGTERM does); :meth:`run` returns when it is done."""
        self._stop.set()
        self._slot_free.set()

    # -- the main loop -----------------------------------------------------------------------

    async def run(self, *, handle_signals: bool = True) -> None:
        """Take and run jobs until :meth:`stop` (or SIGTERM/SIGINT with ``handle_signals``).

        Raises:
            FleetError: Redis could not be reached when starting.
        """
        loop = asyncio.get_running_loop()
        installed: list[signal.Signals] = []
        if handle_signals and threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(sig, self.stop)
                    installed.append(sig)
        self._started_at = time.time()
        await self.fleet.ensure_group()
        heartbeat = loop.create_task(self._heartbeat(), name=f"tavus-fleet-heartbeat-{self}")
        try:
            try:
                await self._beat()
            except Exception as exc:
                raise FleetError(f"fleet worker could not register in Redis: {exc}") from exc
            await self._take_loop()
        finally:
            await self._drain()
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
            with contextlib.suppress(Exception):
                await self.fleet.redis.delete(self.fleet.worker_key(self.consumer))
                await self.fleet.redis.srem(self.fleet.workers_key, self.consumer)
            for sig in installed:
                loop.remove_signal_handler(sig)

    async def _take_loop(self) -> None:
        while not self._stop.is_set():
            free = self.concurrency - len(self._active)
            if free <= 0:
                self._slot_free.clear()
                await self._slot_free.wait()
                continue
            try:
                entries = await self._claim_stale(free)
                if not entries:
                    entries = await self._read_new(free)
            except Exception as exc:
                # Redis went away for a moment: say so, wait, try again (jobs are safe there).
                _log.warning("fleet worker %s could not read jobs: %s", self.consumer, exc)
                await self._sleep(1.0)
                continue
            for entry_id, fields, deliveries in entries:
                self._start(entry_id, fields, deliveries)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    async def _claim_stale(self, count: int) -> list[tuple[str, dict[str, Any], int]]:
        """Entries whose worker stopped renewing for ``lease_ttl`` (XAUTOCLAIM)."""
        fleet = self.fleet
        reply: Any = await fleet.redis.xautoclaim(
            fleet.stream,
            fleet.GROUP,
            self.consumer,
            min_idle_time=self._claim_idle_ms,
            start_id=self._claim_cursor,
            count=count,
        )
        self._claim_cursor = text(reply[0])
        entries = []
        for entry_id, fields in reply[1]:
            if fields is None:  # deleted meanwhile
                continue
            eid = text(entry_id)
            # XAUTOCLAIM does not say how often an entry was delivered; XPENDING does.
            info = await fleet.redis.xpending_range(fleet.stream, fleet.GROUP, eid, eid, 1)
            deliveries = int(info[0]["times_delivered"]) if info else 2
            entries.append((eid, fields, deliveries))
        if entries:
            self.stats.claimed += len(entries)
            await fleet.redis.hincrby(fleet.counters_key, "claimed", len(entries))
        return entries

    async def _read_new(self, count: int) -> list[tuple[str, dict[str, Any], int]]:
        fleet = self.fleet
        reply: Any = await fleet.redis.xreadgroup(
            fleet.GROUP, self.consumer, {fleet.stream: ">"}, count=count, block=self._block_ms
        )
        entries: list[tuple[str, dict[str, Any], int]] = []
        for _stream, items in reply or []:
            for entry_id, fields in items:
                entries.append((text(entry_id), fields, 1))
        return entries

    def _start(self, entry_id: str, fields: dict[Any, Any], deliveries: int) -> None:
        self.stats.taken += 1
        task = asyncio.get_running_loop().create_task(
            self._handle(entry_id, fields, deliveries), name=f"tavus-fleet-job-{entry_id}"
        )
        # Reserve the slot now; _handle fills in the job once it has read it.
        self._active[entry_id] = _Active(Job(conversation_id=""), "", task)
        task.add_done_callback(lambda _t: self._finished(entry_id))

    def _finished(self, entry_id: str) -> None:
        self._active.pop(entry_id, None)
        self._slot_free.set()

    # -- one job -----------------------------------------------------------------------------

    async def _handle(self, entry_id: str, fields: dict[Any, Any], deliveries: int) -> None:
        fleet = self.fleet
        raw = next((v for k, v in fields.items() if text(k) == "job"), None)
        try:
            if raw is None:
                raise JobError(f"stream entry {entry_id} has no job field")
            job = decode_job(raw, message_id=entry_id, deliveries=deliveries)
        except JobError as exc:
            _log.error("dropping unreadable fleet job: %s", exc)
            await self._ack(entry_id, "failed")
            return
        token = f"{self.consumer}:{entry_id}"
        lease = fleet.lease_key(job.conversation_id)
        try:
            taken = await fleet.redis.set(lease, token, nx=True, px=self._lease_ms)
        except Exception as exc:
            _log.warning("could not lease %s: %s", job.conversation_id, exc)
            return  # stays pending; claimed again after lease_ttl
        if not taken:
            # Another bot is in that room. Leave the entry pending: it comes back after
            # lease_ttl, by when that bot has finished (ack) or stopped renewing (claim).
            self.stats.lease_busy += 1
            await self._count("lease_busy")
            return
        active = self._active[entry_id]
        active.job, active.token = job, token
        try:
            await self._serve(job, active)
        except asyncio.CancelledError:
            if not active.stopping:
                raise
            if active.stopping == "lease_lost":
                self.stats.lease_lost += 1
                await self._count("lease_lost")
                _log.warning("lease on %s lost: its bot was stopped", job.conversation_id)
            else:
                await self._hand_back(job, token)
        except Exception:  # our own bookkeeping failed (Redis down): the lease will lapse
            _log.exception("fleet job %s failed outside the bot", entry_id)
            self.stats.errors.append(f"{entry_id}: bookkeeping failed")

    async def _serve(self, job: Job, active: _Active) -> None:
        cid = job.conversation_id
        try:
            conversation = await self._client.conversations.get(cid)
        except NotFoundError:
            _log.warning("conversation %s does not exist; dropping its job", cid)
            await self._finish(job, active.token, "failed")
            return
        except Exception as exc:  # the API is unreachable: try again later, elsewhere maybe
            _log.warning("could not look up conversation %s (%s); will retry", cid, exc)
            await self._hand_back(job, active.token, count=False)
            return
        if getattr(conversation, "status", None) == "ended":
            await self._finish(job, active.token, "skipped_ended")
            self.stats.skipped_ended += 1
            return
        url = job.conversation_url or getattr(conversation, "conversation_url", None)
        if not url:
            await self._finish(job, active.token, "failed")
            return
        from ..room import connect

        options = {
            "conversation_id": cid,
            "replica_id": job.replica_id or getattr(conversation, "replica_id", None),
            **self._connect_options,
            "client": self._client,
            "end_conversation": False,  # ended below, only when the policy says so
        }
        try:
            room: Room = connect(url, job.meeting_token, **options)
            async with room:
                self.stats.joined += 1
                await self._count("joined")
                await self._bot(room, job)
        except asyncio.CancelledError:
            raise
        except JoinError as exc:
            if await self._has_ended(cid):
                await self._finish(job, active.token, "skipped_ended")
                self.stats.skipped_ended += 1
                return
            await self._bot_failed(job, active.token, exc)
            return
        except Exception as exc:
            await self._bot_failed(job, active.token, exc)
            return
        if self._end_on_return:
            await self._end(cid)
        await self._finish(job, active.token, "completed")
        self.stats.completed += 1

    async def _bot_failed(self, job: Job, token: str, exc: BaseException) -> None:
        cid = job.conversation_id
        self.stats.failed += 1
        self.stats.errors.append(f"{cid}: {type(exc).__name__}: {exc}")
        del self.stats.errors[:-100]  # the last 100 are enough to see what goes wrong
        _log.error(
            "bot failed in conversation %s (delivery %d)",
            cid,
            job.deliveries,
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        if self._on_bot_error == "release" and job.deliveries < self._max_attempts:
            await self._count("failed")
            await self._hand_back(job, token)
            return
        await self._end(cid)
        await self._finish(job, token, "failed")

    async def _has_ended(self, cid: str) -> bool:
        try:
            conversation = await self._client.conversations.get(cid)
        except NotFoundError:
            return True
        except Exception:
            return False
        return getattr(conversation, "status", None) == "ended"

    async def _end(self, cid: str) -> None:
        try:
            await self._client.conversations.end(cid)
        except APIStatusError as exc:  # already ended, or gone: that is what we wanted
            _log.debug("ending %s: %s", cid, exc)
        except Exception as exc:
            _log.warning("could not end conversation %s: %s", cid, exc)

    # -- bookkeeping -------------------------------------------------------------------------

    async def _count(self, name: str, n: int = 1) -> None:
        with contextlib.suppress(Exception):
            await self.fleet.redis.hincrby(self.fleet.counters_key, name, n)

    async def _ack(self, entry_id: str, counter: str) -> None:
        fleet = self.fleet
        async with fleet.redis.pipeline(transaction=True) as pipe:
            pipe.xack(fleet.stream, fleet.GROUP, entry_id)
            pipe.xdel(fleet.stream, entry_id)  # the stream holds unfinished work only
            pipe.hincrby(fleet.counters_key, counter, 1)
            await pipe.execute()

    async def _finish(self, job: Job, token: str, counter: str) -> None:
        """Acknowledge the job and give up its lease (in that order: never an unleased job)."""
        await self._ack(job.message_id, counter)
        await self._release(keys=[self.fleet.lease_key(job.conversation_id)], args=[token])

    async def _hand_back(self, job: Job, token: str, *, count: bool = True) -> None:
        """Give the job to whichever worker reads next: delete the lease, make the entry idle."""
        fleet = self.fleet
        await self._release(keys=[fleet.lease_key(job.conversation_id)], args=[token])
        await fleet.redis.xclaim(
            fleet.stream,
            fleet.GROUP,
            self.consumer,
            0,
            [job.message_id],
            idle=_RELEASED_IDLE_MS,
            justid=True,
        )
        if count:
            self.stats.released += 1
            await self._count("released")

    async def _heartbeat(self) -> None:
        interval = self._lease_ttl / 3
        while True:
            await asyncio.sleep(interval)
            try:
                await self._renew_all()
                await self._beat()
            except Exception as exc:  # keep beating; leases lapse only if this goes on
                _log.warning("fleet worker %s could not renew: %s", self.consumer, exc)

    async def _renew_all(self) -> None:
        fleet = self.fleet
        held = [a for a in self._active.values() if a.token and not a.stopping]
        if not held:
            return
        async with fleet.redis.pipeline(transaction=False) as pipe:
            for a in held:
                await self._renew(
                    keys=[fleet.lease_key(a.job.conversation_id), fleet.stream],
                    args=[a.token, self._lease_ms, fleet.GROUP, self.consumer, a.job.message_id],
                    client=pipe,
                )
            results = await pipe.execute()
        for a, ok in zip(held, results, strict=True):
            if not int(ok) and not a.task.done():
                a.stopping = "lease_lost"
                a.task.cancel()

    async def _beat(self) -> None:
        fleet = self.fleet
        info = {
            "consumer": self.consumer,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "running": len(self._active),
            "concurrency": self.concurrency,
            "conversations": sorted(
                a.job.conversation_id for a in self._active.values() if a.job.conversation_id
            ),
        }
        async with fleet.redis.pipeline(transaction=True) as pipe:
            pipe.set(fleet.worker_key(self.consumer), json.dumps(info), px=self._lease_ms * 3)
            pipe.sadd(fleet.workers_key, self.consumer)
            await pipe.execute()

    async def _drain(self) -> None:
        """Let running bots finish up to ``shutdown_timeout``; stop and hand back the rest."""
        tasks = [a.task for a in self._active.values()]
        if not tasks:
            return
        _log.info(
            "fleet worker %s stopping: waiting up to %gs for %d bots",
            self.consumer,
            self._shutdown_timeout,
            len(tasks),
        )
        if self._shutdown_timeout > 0:
            await asyncio.wait(tasks, timeout=self._shutdown_timeout)
        still = {t for t in tasks if not t.done()}
        for a in list(self._active.values()):
            if a.task in still:
                a.stopping = a.stopping or "shutdown"
                a.task.cancel()
        if still:
            await asyncio.wait(still, timeout=30)
