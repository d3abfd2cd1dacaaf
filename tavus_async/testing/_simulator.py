"""TavusSimulator: a stateful local Tavus (REST, callbacks, faults, clock, rooms) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from aiohttp import web
from typing_extensions import Unpack

from ..errors import InvalidInputError, StateError
from ._callbacks import CallbackDispatcher
from ._clock import SimClock, TimeMode
from ._faults import FaultPlan
from ._journal import RequestJournal
from ._seed import seed_store
from ._store import Record, Store, public
from ._tools import ToolDeliveryRecord, ToolsState

if TYPE_CHECKING:
    from tavus_async import AsyncTavus
    from tavus_async._client_options import ClientOptions

    from ._brain import ScriptedReplica
    from ._options import SimulatorOptions

__all__ = ["SimHooks", "TavusSimulator", "Timings", "serve"]

_log = logging.getLogger("tavus_async.testing")

#: Documented replica training error messages (Errors and Status Details page).
TRAINING_ERRORS = {
    "download_link": (
        "There was an issue downloading your video file. Please ensure that the link you "
        "provided is correct and try again"
    ),
    "video_duration": (
        "There was an issue processing your training video. The video provided does not meet "
        "the minimum duration requirement for training"
    ),
    "consent_phrase_mismatch": (
        "There was an issue processing your training file: Your consent phrase does not match "
        "our requirements. Please follow our specified format closely"
    ),
}
VIDEO_ERROR = (
    "An error occurred while generating this request. Please check your inputs or try your "
    "request again"
)
VIDEO_QUEUED = "This request is currently queued. It should begin processing in a few minutes."
VIDEO_READY = "Your request has processed successfully!"
#: Ended conversations a simulator keeps by default (each holds its record, transcript,
#: events and room counters: 20-35 KB). Past it the oldest is forgotten.
KEEP_ENDED = 1000
DOCUMENT_ERRORS = ("file_download_failed", "website_processing_failed", "embedding_failed")


@dataclass
class Timings:
    """How long simulated work takes, in simulated seconds (see :class:`SimClock` modes)."""

    training: float = 600.0
    video_queue: float = 5.0
    video: float = 60.0
    document_start: float = 5.0
    document: float = 60.0
    recrawl_cooldown: float = 3600.0
    voice: float = 30.0
    #: Progress updates per lifecycle (``training_progress``, ``generation_progress``, ...).
    steps: int = 4


class SimHooks:
    """What the room side (``RoomHub``) may call back into; the only seam between the halves."""

    def __init__(self, sim: TavusSimulator) -> None:
        self._sim = sim

    @property
    def clock(self) -> SimClock:
        """The simulator's clock (rooms schedule ``participant_left_timeout`` on it)."""
        return self._sim.clock

    @property
    def store(self) -> Store:
        """The simulator's store (read-only use, please)."""
        return self._sim.store

    def conversation(self, conversation_id: str) -> Record | None:
        """The stored conversation record, or None."""
        return self._sim.store.conversations.get(conversation_id)

    def on_replica_joined(self, conversation_id: str) -> None:
        """The replica joined the room: record ``system.replica_joined`` and call back."""
        self._sim._replica_joined(conversation_id)

    def on_transcript(self, conversation_id: str, role: str, content: str) -> None:
        """A finished utterance (``user`` or ``assistant``) to keep for the transcript."""
        self._sim._add_transcript(conversation_id, role, content)

    async def end_conversation(self, conversation_id: str, reason: str) -> None:
        """End a conversation from the room side (e.g. ``participant_left_timeout reached``)."""
        await self._sim.end_conversation(conversation_id, reason)

    def attached_tools(self, persona: Record) -> list[Record]:
        """The registry tools attached to a PAL (``tool_ids``)."""
        return self._sim.account_tools.attached(persona)

    async def deliver_tool(
        self, tool: Record, arguments: dict[str, Any], conversation_id: str
    ) -> tuple[Any, str]:
        """Send a ``delivery.api`` tool call as Tavus does (see ``_tools.ToolsState.deliver``)."""
        return await self._sim.account_tools.deliver(tool, arguments, conversation_id)


def _load_room_hub() -> Any:
    """The room side's ``RoomHub`` class, or None while tavus_async.testing._rooms is absent."""
    try:
        from . import _rooms  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    return getattr(_rooms, "RoomHub", None)


class TavusSimulator:
    """A faithful, stateful fake of the Tavus API on a real aiohttp server (127.0.0.1).

    Use it as ``async with TavusSimulator() as sim:``, or call :meth:`start` and :meth:`stop`.

    Args:
        api_key: the key clients must send as ``x-api-key`` (random when omitted).
        time: ``"instant"`` (default), ``"real"``, ``"manual"`` or a float scale; see
            :mod:`tavus_async.testing._clock`.
        concurrency_limit: most non-test conversations active at once (None = no limit); over
            it, create answers 400 "User has reached maximum concurrent conversations".
        host: interface to bind (loopback only by design).
        port: TCP port, 0 for a free one.
        seed: seeds id generation for reproducible ids.
        timings: how long simulated work takes.
        rooms: serve conversation rooms (needs tavus_async.testing._rooms).
        seed_stock: add Tavus's stock replicas, personas and voices.
        callbacks: ``"loopback"`` (default) POSTs callbacks only to loopback URLs and records
            the rest as failed deliveries; ``"any"`` delivers to every ``callback_url``.
        allow_private_tool_urls: Accept (and deliver to) tool URLs on loopback, private and
            link-local hosts, and plain http, which Tavus refuses: for tests whose tool
            receiver runs on 127.0.0.1.
        keep_ended: most ended conversations kept (default :data:`KEEP_ENDED`; None keeps
            all). Past it the oldest ended conversation is forgotten with its room, transcript
            and events (``GET`` then answers 404), so a long-running simulator stays bounded.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        time: TimeMode = "instant",
        concurrency_limit: int | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int | None = None,
        timings: Timings | None = None,
        rooms: bool = True,
        seed_stock: bool = True,
        callbacks: Literal["loopback", "any"] = "loopback",
        allow_private_tool_urls: bool = False,
        keep_ended: int | None = KEEP_ENDED,
    ) -> None:
        if keep_ended is not None and keep_ended < 0:
            raise InvalidInputError(f"keep_ended must be >= 0 or None, got {keep_ended!r}")
        if concurrency_limit is not None and concurrency_limit < 0:
            raise InvalidInputError(
                f"concurrency_limit must be >= 0 or None, got {concurrency_limit!r}"
            )
        self.api_key = api_key if api_key is not None else "sim_" + secrets.token_hex(16)
        self.host = host
        self.port = port
        self.concurrency_limit = concurrency_limit
        #: What GET /v2/guardrails lists without ``legacy``: sets (True, the docs) or flat
        #: guardrails (False, what Tavus's CLI says the server does).
        self.guardrails_legacy_default = True
        self.timings = timings or Timings()
        self.clock = SimClock(time)
        self.store = Store(now=self.clock.now, seed=seed)
        if seed_stock:
            seed_store(self.store)
        self.faults = FaultPlan()
        #: Operations the simulator really executed, e.g. ``counts["conversations.create"]``.
        self.counts: Counter[str] = Counter()
        #: Every API request received, by ``"METHOD /route/template"`` (faulted ones included).
        self.received: Counter[str] = Counter()
        #: The last 1,000 API requests as received (method, path, query, headers, body).
        self.requests = RequestJournal()
        self.callbacks = CallbackDispatcher(allow=callbacks)
        #: The account's tools registry (``/v2/tools``) and the HTTP tool sender.
        self.account_tools = ToolsState(self, allow_private_urls=allow_private_tool_urls)
        self.hooks = SimHooks(self)
        self._want_rooms = rooms
        self.rooms: Any = None
        self._failures: dict[str, deque[str | None]] = {
            "training": deque(),
            "video": deque(),
            "document": deque(),
        }
        self._runner: web.AppRunner | None = None
        self._timers: dict[str, list[Any]] = {}
        self._started = False
        self.keep_ended = keep_ended
        #: Ended conversations, oldest first (see ``keep_ended``).
        self._ended: deque[str] = deque()

    # -- lifecycle of the server -----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (the REST base; paths are under ``/v2``)."""
        if not self._started:
            raise StateError("the simulator is not running: use `async with` or await start()")
        return f"http://{self.host}:{self.port}"

    @property
    def ws_base_url(self) -> str:
        """``ws://127.0.0.1:PORT`` (conversation rooms are under ``/rooms``)."""
        return self.base_url.replace("http://", "ws://", 1)

    @property
    def replica(self) -> ScriptedReplica:
        """The simulated replica's scripting hook: ``sim.replica.when("price", say="$9")``.

        Raises:
            StateError: The simulator is not running, or runs without rooms (``rooms=False``).
        """
        replica: ScriptedReplica | None = getattr(self.rooms, "replica", None)
        if replica is None:
            why = "is not running (use `async with` or await start())"
            if not self._want_rooms:
                why = "was made with rooms=False"
            raise StateError(f"sim.replica needs the simulator's rooms, but the simulator {why}")
        return replica

    async def start(self) -> TavusSimulator:
        """Bind the server and start the clock; returns self."""
        if self._started:
            return self
        from ._app import build_app

        hub_cls = _load_room_hub() if self._want_rooms else None
        if hub_cls is not None:
            self.rooms = hub_cls(self.hooks)
        await self.clock.start()
        app = build_app(self)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1]
        self._started = True
        return self

    async def stop(self) -> None:
        """Close rooms, stop the clock, finish or cancel callbacks, and unbind the server."""
        if not self._started:
            return
        self._started = False
        if self.rooms is not None:
            with contextlib.suppress(Exception):
                await self.rooms.aclose()
        await self.clock.stop()
        await self.callbacks.aclose()
        await self.account_tools.aclose()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def tool_deliveries(self) -> list[ToolDeliveryRecord]:
        """Every tool call sent over HTTP (``delivery.api``), with its attempts and result."""
        return self.account_tools.deliveries

    async def __aenter__(self) -> TavusSimulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def client(self, **options: Unpack[ClientOptions]) -> AsyncTavus:
        """An ``AsyncTavus`` pointed at this simulator (extra options go to its constructor).

        Args:
            **options: :class:`~tavus_async.ClientOptions` (``timeout``, ``max_retries``...).
        """
        from tavus_async import AsyncTavus

        return AsyncTavus(api_key=self.api_key, base_url=self.base_url, **options)

    async def advance(self, seconds: float) -> None:
        """Move simulated time forward and run everything that fell due (in order).

        Async because due work may end rooms and queue callbacks; ``await sim.advance(60)``.
        """
        await self.clock.advance(seconds)

    def fail_next_training(self, error: str | None = None) -> None:
        """Make the next replica training end in ``error``.

        Args:
            error: an error type from :data:`TRAINING_ERRORS` (e.g. ``"video_duration"``) or a
                message of your own; default the ``download_link`` message. A replica whose
                ``replica_name`` contains ``"fail"`` also fails.
        """
        self._failures["training"].append(error)

    def set_maker_draft(self, pal_id: str, changes: dict[str, Any]) -> None:
        """Give a PAL a PAL Maker draft holding ``changes`` (persona field names), as editing it
        in PAL Maker would: API patches then answer 409 ``maker_changes`` unless forced, and
        ``POST /v2/pals/{id}/publish`` copies the draft to live.

        Raises:
            KeyError: No such PAL.
        """
        self.store.personas[pal_id]["_maker_draft"] = dict(changes)

    def fail_next_video(self, error: str | None = None) -> None:
        """Make the next video generation end in status ``error`` with ``status_details``."""
        self._failures["video"].append(error)

    def fail_next_document(self, error: str | None = None) -> None:
        """Make the next document processing end in status ``error`` (an OAS26 error code)."""
        self._failures["document"].append(error)

    # -- conversations ---------------------------------------------------------------------------

    def _open_room(self, conversation: Record, persona: Record | None) -> None:
        if self.rooms is None:
            return
        request = conversation.get("_request") or {}
        # The room needs the create request's room settings, which the public record omits.
        room_fields = (
            "custom_greeting",
            "conversational_context",
            "require_auth",
            "max_participants",
            "audio_only",
            "memory_stores",
            "document_ids",
        )
        view = {k: request[k] for k in room_fields if k in request}
        view.update(public(conversation), properties=dict(conversation.get("_properties") or {}))
        self.rooms.open(view, None if persona is None else public(persona))

    def schedule_conversation(self, conversation: Record) -> None:
        """Arm ``max_call_duration`` and ``participant_absent_timeout`` for a live conversation."""
        cid = conversation["conversation_id"]
        props = conversation.get("_properties") or {}
        max_call = float(props.get("max_call_duration") or 3600)
        absent = float(props.get("participant_absent_timeout") or 300)
        self._timers[cid] = [
            self.clock.call_later(
                max_call,
                lambda: self.end_conversation(cid, "max_call_duration reached"),
                name=f"max_call_duration {cid}",
            ),
            self.clock.call_later(
                absent,
                lambda: self.end_conversation(cid, "participant_absent_timeout reached"),
                name=f"participant_absent_timeout {cid}",
            ),
        ]

    def _event(self, conversation: Record, event_type: str, props: dict[str, Any]) -> None:
        """Record a conversation event (for ``verbose=true``) and deliver it as a callback."""
        event = {
            "event_type": event_type,
            "message_type": event_type.split(".", 1)[0],
            "conversation_id": conversation["conversation_id"],
            "timestamp": self.store.iso(),
            "properties": {"replica_id": conversation.get("replica_id"), **props},
        }
        conversation.setdefault("_events", []).append(event)
        url = conversation.get("callback_url")
        if url:
            self.callbacks.send(url, {**event, "webhook_url": url})

    def _replica_joined(self, conversation_id: str) -> None:
        conv = self.store.conversations.get(conversation_id)
        if conv is None or conv.get("_replica_joined"):
            return
        conv["_replica_joined"] = True
        # Someone is in the room now, so the absent timeout no longer applies.
        timers = self._timers.get(conversation_id, [])
        if len(timers) > 1:
            timers[1].cancel()
        self._event(conv, "system.replica_joined", {})
        if conv.get("_pal"):
            # PAL conversations also record the 2026 event, with the face's id.
            self._event(conv, "system.pal_joined", {"face_id": conv.get("replica_id")})

    def _add_transcript(self, conversation_id: str, role: str, content: str) -> None:
        conv = self.store.conversations.get(conversation_id)
        if conv is None:
            return
        started = conv.get("_started_at", 0.0)
        conv.setdefault("_transcript", []).append(
            {
                "role": role,
                "content": content,
                "timestamp": round(self.store.epoch(), 3),
                "seconds_from_start": round(self.clock.now() - started, 3),
            }
        )

    async def end_conversation(self, conversation_id: str, reason: str) -> bool:
        """End a conversation (idempotent): shut the room, record events, send callbacks.

        Returns:
            True if it was active and is now ended, False if it was already ended or unknown.
        """
        conv = self.store.conversations.get(conversation_id)
        if conv is None or conv["status"] != "active":
            return False
        conv["status"] = "ended"
        conv["updated_at"] = self.store.iso()
        conv["_shutdown_reason"] = reason
        for timer in self._timers.pop(conversation_id, []):
            timer.cancel()
        if self.rooms is not None:
            try:
                await self.rooms.close(conversation_id, reason)
            except Exception:
                _log.exception("closing room %s failed", conversation_id)
                self.counts["rooms.close_failed"] += 1
        self.counts["conversations.ended"] += 1
        # `reason` is what the 2026 verbose example shows; `shutdown_reason` is the callback's.
        self._event(conv, "system.shutdown", {"shutdown_reason": reason, "reason": reason})
        transcript = [{"role": "system", "content": conv.get("_system_prompt", "")}]
        transcript += conv.get("_transcript", [])
        self._event(conv, "application.transcription_ready", {"transcript": transcript})
        # The PAL's post-call actions run once, here, before the end call answers (on Tavus they
        # run shortly after): their outcome is in the events when end_conversation returns.
        for action in await self.account_tools.post_call_actions(conv):
            self._event(conv, "application.post_call_action_executed", action)
        if conv.get("_perception", True):
            n_user = sum(1 for t in transcript if t["role"] == "user")
            self._event(
                conv,
                "application.perception_analysis",
                {
                    "analysis": (
                        "Simulated visual summary: the participant sat facing the camera in a "
                        f"well-lit room and spoke {n_user} time(s)."
                    )
                },
            )
        self._retire_ended(conversation_id)
        return True

    def _retire_ended(self, conversation_id: str) -> None:
        """Remember an ended conversation; forget the oldest ones past ``keep_ended``."""
        if self.keep_ended is None:
            return
        self._ended.append(conversation_id)
        while len(self._ended) > self.keep_ended:
            old = self._ended.popleft()
            conv = self.store.conversations.get(old)
            if conv is None or conv["status"] != "ended":
                continue  # deleted meanwhile
            del self.store.conversations[old]
            if self.rooms is not None:
                self.rooms.forget(old)
            self.counts["conversations.forgotten"] += 1

    # -- long-running work -----------------------------------------------------------------------

    def _steps(
        self,
        total: float,
        step: Callable[[int, int], None],
        done: Callable[[], None],
        name: str,
        start: float = 0.0,
    ) -> None:
        """Schedule ``step(i, n)`` at even intervals over ``total`` seconds, then ``done()``."""
        n = max(1, self.timings.steps)
        for i in range(1, n):
            self.clock.call_later(
                self.clock.work_delay(start + total * i / n),
                functools.partial(step, i, n),
                name=f"{name} step {i}",
            )
        self.clock.call_later(self.clock.work_delay(start + total), done, name=f"{name} done")

    def _take_failure(self, kind: str, trigger: bool) -> tuple[bool, str | None]:
        queue = self._failures[kind]
        if queue:
            return True, queue.popleft()
        return trigger, None

    def start_training(self, replica: Record) -> None:
        """Run a replica's training: ``started`` -> ``completed`` (or ``error``), with callback."""
        rid = replica["replica_id"]
        fail, error = self._take_failure(
            "training", "fail" in str(replica.get("replica_name") or "").lower()
        )
        message = TRAINING_ERRORS.get(error or "download_link", error) if fail else None

        def step(i: int, n: int) -> None:
            rec = self.store.replicas.get(rid)
            if rec is None or rec["status"] != "started":
                return
            if fail and i * 2 >= n:
                finish()
                return
            rec["training_progress"] = f"{100 * i // n}/100"
            rec["updated_at"] = self.store.iso_ms()

        def finish() -> None:
            rec = self.store.replicas.get(rid)
            if rec is None or rec["status"] != "started":
                return
            rec["updated_at"] = self.store.iso_ms()
            payload: dict[str, Any]
            if fail:
                rec["status"] = "error"
                rec["error_message"] = message
                payload = {"replica_id": rid, "status": "error", "error_message": message}
                self.counts["replicas.training_failed"] += 1
            else:
                rec["status"] = "completed"
                rec["training_progress"] = "100/100"
                rec["thumbnail_video_url"] = f"https://cdn.replica.tavus.io/{rid}/thumb.mp4"
                # The callback says "ready" where GET says "completed" (rest-api-notes §6.3).
                payload = {"replica_id": rid, "status": "ready"}
                self.counts["replicas.trained"] += 1
            self.callbacks.send(rec.get("callback_url"), payload)

        self._steps(self.timings.training, step, finish, f"training {rid}")

    def start_video(self, video: Record) -> None:
        """Render a video: ``queued`` -> ``generating`` -> ``ready`` (or ``error``); callback."""
        vid = video["video_id"]
        fail, error = self._take_failure("video", False)

        def generating(i: int, n: int) -> None:
            rec = self.store.videos.get(vid)
            if rec is None or rec["status"] not in ("queued", "generating"):
                return
            rec["status"] = "generating"
            rec["status_details"] = None
            rec["generation_progress"] = f"{100 * i // n}/100"
            rec["updated_at"] = self.store.iso()

        def finish() -> None:
            rec = self.store.videos.get(vid)
            if rec is None or rec["status"] not in ("queued", "generating"):
                return
            rec["updated_at"] = self.store.iso()
            if fail:
                rec["status"] = "error"
                rec["status_details"] = error or VIDEO_ERROR
                rec["generation_progress"] = "0/100"
                self.counts["videos.failed"] += 1
            else:
                base = f"https://stream.tavus.io/v/{vid}"
                rec.update(
                    status="ready",
                    status_details=VIDEO_READY,
                    generation_progress="100/100",
                    download_url=f"{base}/download.mp4",
                    stream_url=f"{base}/stream.m3u8",
                    still_image_thumbnail_url=f"{base}/thumb.jpg",
                    gif_thumbnail_url=f"{base}/thumb.gif",
                )
                self.counts["videos.generated"] += 1
            # The video callback is the video object itself, flat (rest-api-notes §6.4).
            payload = {**public(rec), "created_at": rec["_created_plain"]}
            payload.pop("callback_url", None)
            payload["error_details"] = None
            self.callbacks.send(rec.get("callback_url"), payload)

        def begin() -> None:
            generating(0, 1)

        self.clock.call_later(
            self.clock.work_delay(self.timings.video_queue), begin, name=f"video {vid} queued"
        )
        self._steps(
            self.timings.video, generating, finish, f"video {vid}", start=self.timings.video_queue
        )

    def start_document(self, document: Record, initial_status: str = "started") -> None:
        """Process a document: ``started``/``recrawling`` -> ``processing`` -> ``ready``."""
        did = document["document_id"]
        fail, error = self._take_failure(
            "document", "fail" in str(document.get("document_url") or "").lower()
        )
        live = (initial_status, "processing")

        def notify(rec: Record) -> None:
            self.callbacks.send(rec.get("callback_url") or None, public(rec))

        def step(i: int, n: int) -> None:
            rec = self.store.documents.get(did)
            if rec is None or rec["status"] not in live:
                return
            rec["status"] = "processing"
            rec["progress"] = 100 * i // n
            rec["updated_at"] = self.store.iso()
            notify(rec)

        def finish() -> None:
            rec = self.store.documents.get(did)
            if rec is None or rec["status"] not in live:
                return
            rec["updated_at"] = self.store.iso()
            if fail:
                rec["status"] = "error"
                rec["error_message"] = error or DOCUMENT_ERRORS[0]
                self.counts["documents.failed"] += 1
            else:
                rec["status"] = "ready"
                rec["progress"] = 100
                rec["error_message"] = None
                if rec.get("crawl_config"):
                    url = rec["document_url"].rstrip("/")
                    pages = int(rec["crawl_config"].get("max_pages") or 1)
                    rec["crawled_urls"] = [url] + [f"{url}/page-{k}" for k in range(1, pages)]
                    rec["crawl_count"] = int(rec.get("crawl_count") or 0) + 1
                    rec["last_crawled_at"] = self.store.iso()
                    rec["_last_crawled"] = self.clock.now()
                self.counts["documents.processed"] += 1
            notify(rec)

        self.clock.call_later(
            self.clock.work_delay(self.timings.document_start),
            lambda: step(0, 1),
            name=f"document {did} processing",
        )
        self._steps(
            self.timings.document,
            step,
            finish,
            f"document {did}",
            start=self.timings.document_start,
        )


async def serve(
    port: int = 8787,
    host: str = "127.0.0.1",
    *,
    on_ready: Callable[[TavusSimulator], object] | None = None,
    announce: bool = True,
    **options: Unpack[SimulatorOptions],
) -> None:
    """Run a simulator until cancelled (``python -m tavus_async simulate``), printing its address.

    Args:
        port: TCP port to bind (0 for a free one).
        host: interface to bind; loopback by default.
        on_ready: called with the running simulator once it listens (for embedding and tests).
        announce: print the address and key (off when ``on_ready`` reports them its own way).
        options: more :class:`TavusSimulator` arguments (:class:`SimulatorOptions`:
            ``api_key``, ``time``, ...); time defaults to ``"real"`` here, since a person is
            watching.
    """
    options.setdefault("time", "real")
    async with TavusSimulator(host=host, port=port, **options) as sim:
        if announce:
            # The key is the simulator's own, not a Tavus secret: printing it is the point.
            print(f"Tavus simulator listening on {sim.base_url}", flush=True)
            print(f"  TAVUS_BASE_URL={sim.base_url}", flush=True)
            print(f"  TAVUS_API_KEY={sim.api_key}", flush=True)
            print("Press Ctrl+C to stop.", flush=True)
        if on_ready is not None:
            on_ready(sim)
        await asyncio.Event().wait()
