"""The simulator's rooms: the replica side of a conversation, over WebSockets.

A conversation the simulator creates gets a room at ``GET /rooms/{conversation_id}`` (the wire
protocol is in ``notes/wire.md``: JSON text frames ``joined``, ``participant-joined``,
``participant-left``, ``app-message``, ``ack``, ``error``, ``room-ended``). :class:`RoomHub`
holds every room; the REST half of the simulator calls :meth:`RoomHub.open` when it creates a
conversation and :meth:`RoomHub.close` when it ends one.

What a room does, following the Tavus Interactions Protocol (``interactions-protocol.md``):

- The replica joins when the first participant does (``participant-joined`` with
  ``is_replica: true`` and ``user_name`` = the replica id, a ``system.replica_joined``
  app-message, ``sim_hooks.on_replica_joined``), then speaks the ``custom_greeting``.
- Replica speech is ``conversation.started_speaking`` (role ``replica``), the full
  ``conversation.utterance``, accumulated ``conversation.utterance.streaming`` chunks (``final``
  on the last), then ``conversation.stopped_speaking`` with ``duration`` and ``interrupted``.
  Every replica event carries ``seq`` (monotonic per room), ``turn_idx``, ``inference_id`` and a
  Unix ``timestamp``. Speech is paced on the simulator clock (instant in ``"instant"`` mode).
- ``conversation.respond``: a user ``conversation.utterance`` (``turn_idx`` + 1) right away,
  then the brain's reply (see ``_brain.py``). A respond while the replica speaks interrupts it,
  as a user talking over it would, except during the greeting, which users cannot interrupt
  (the reply then waits for the greeting to end).
- ``conversation.echo``: text is spoken verbatim; audio chunks are assembled per
  ``inference_id`` until ``done`` (bool or "true"), then spoken for ``bytes / 2 / sample_rate``
  seconds. An echo without ``inference_id`` interrupts current speech, as Tavus documents; one
  with an id queues behind it. An echo without ``modality`` is read as text or audio by which
  field it carries (older Tavus examples omit it).
- ``conversation.interrupt`` cancels current speech (final streaming chunk with
  ``is_interrupted``, ``stopped_speaking`` with ``interrupted: true``) and drops queued speech.
- ``append_llm_context`` / ``overwrite_llm_context`` change what later replies know;
  ``sensitivity`` accepts only ``low``/``medium``/``high`` for the two documented keys;
  ``objective.confirm`` with ``properties.objective_name`` (Tavus publishes no payload) is
  answered with ``conversation.objective.completed``.
- Invalid interactions are ignored, as Tavus does (the ``ack`` reports delivery, not meaning),
  but never silently: each is counted (``stats()["rejected"]``) and kept with its reason in
  ``sim.replica.rejected(conversation_id)``.
- App messages: a broadcast reaches every *other* participant, a directed one only its
  recipient; one whose encoded ``data`` exceeds 4096 bytes is refused (``ack`` error "message
  too large"), as is one to an unknown participant ("participant not found").
- A room ends on :meth:`RoomHub.close` (REST end), on ``max_call_duration``, when nobody joined
  within ``participant_absent_timeout``, and ``participant_left_timeout`` seconds after the last
  participant left; the last three call ``sim_hooks.end_conversation(cid, reason)`` with the
  documented ``shutdown_reason``. With ``require_auth`` the ``t`` query parameter must equal the
  meeting token (close 4401 otherwise); tokens never reach a log or a frame.
- Each spoken text is reported through ``sim_hooks.on_transcript(cid, role, content)`` with
  role ``user`` or ``assistant`` (the words actually spoken, when interrupted).

Scripting: ``hub.replica`` (``sim.replica``) is a :class:`~tavus_async.testing.ScriptedReplica`.

Time: speech is paced on the simulator clock (instant in ``"instant"`` mode). In ``"manual"``
mode a room holds the clock while its speech starts and between chunks, so
``await sim.advance(30)`` right after a ``respond`` plays 30 simulated seconds of the reply.

Counters (``hub.stats(cid)``): ``app_messages``, ``refused_too_large``,
``refused_unknown_recipient``, ``interactions``, ``rejected``, ``unhandled``, ``events``,
``tool_calls``, ``tool_results``, ``tool_results_unmatched``, ``tool_timeouts``, ``interrupts``,
``echo_text``, ``echo_audio_chunks``, ``echo_audio_utterances``, ``audio_pending``,
``audio_unfinished``, ``bad_frames``, ``slow_consumers``, ``frames_undelivered``,
``send_failures``, ``speech_dropped``, ``hook_errors``, ``internal_errors``,
``settle_timeouts``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import logging
import time
import types
import uuid
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Coroutine, Generator
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec
from aiohttp import WSMsgType, web

from ..errors import InvalidTypeError, NotAvailableError, StateError
from ..interactions.messages import DEFAULT_MAX_MESSAGE_BYTES
from ._brain import Action, CallTool, Emit, Say, ScriptedReplica, ScriptedTurn

__all__ = [
    "REASON_ABSENT",
    "REASON_LEFT",
    "REASON_MAX_DURATION",
    "RoomClock",
    "RoomHub",
    "SimHooks",
]

_log = logging.getLogger("tavus_async.testing.rooms")

#: ``shutdown_reason`` values Tavus documents for the ends a room decides on its own.
REASON_MAX_DURATION = "max_call_duration reached"
REASON_LEFT = "participant_left_timeout reached"
REASON_ABSENT = "participant_absent_timeout reached"

CLOSE_ENDED = 4000
CLOSE_BAD_FRAME = 4400
CLOSE_UNAUTHORIZED = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_SLOW_CONSUMER = 4408

#: Real seconds a clock callback waits for the room's speech to block again (a safety net).
SETTLE_TIMEOUT = 5.0
#: Real seconds to wait for a room's final frames to be written, and for a client's close reply.
CLOSE_TIMEOUT = 5.0
#: Utterances and turns waiting behind the current one before new ones are dropped (counted).
MAX_QUEUED_SPEECH = 1000
#: Frames queued for one participant before the room gives up on it as too slow.
MAX_OUTBOX = 10_000
_SENSITIVITY_KEYS = ("participant_pause_sensitivity", "participant_interrupt_sensitivity")
_SENSITIVITY_VALUES = ("low", "medium", "high")
_STREAM_WORDS = 3  # words per utterance.streaming chunk

_encode = msgspec.json.encode
_FUNCTION_KEYS = ("name", "description", "parameters")
# on_resolve values whose result the PAL does not speak (api-2026-surface.md §6.1).
_SILENT_RESOLVE = ("fire_and_forget", "add_to_context")


class SimHooks(Protocol):
    """What the REST half of the simulator gives the rooms."""

    def on_replica_joined(self, conversation_id: str) -> None:
        """The replica joined the conversation's room."""

    def on_transcript(self, conversation_id: str, role: str, content: str) -> None:
        """One transcript entry (role ``user`` or ``assistant``)."""

    async def end_conversation(self, conversation_id: str, reason: str) -> None:
        """End the conversation (the room decided to: a timeout or the maximum duration)."""

    def attached_tools(self, persona: dict[str, Any]) -> list[dict[str, Any]]:
        """The registry tools (``/v2/tools`` records) attached to the PAL."""
        ...

    async def deliver_tool(
        self, tool: dict[str, Any], arguments: dict[str, Any], conversation_id: str
    ) -> tuple[Any, str]:
        """Send a ``delivery.api`` tool call over HTTP; the (output, status) to speak."""
        ...


class _TimerHandle(Protocol):
    def cancel(self) -> None: ...


class RoomClock(Protocol):
    """The part of the simulator clock the rooms use (``_clock.SimClock`` fits)."""

    def now(self) -> float:
        """Simulated seconds."""
        ...

    def call_later(
        self, delay: float, callback: Callable[[], Awaitable[None] | None], name: str = ""
    ) -> _TimerHandle:
        """Run ``callback`` after ``delay`` simulated seconds."""
        ...

    def work_delay(self, seconds: float) -> float:
        """How long simulated work really takes (0 in instant mode)."""
        ...


def _parse_bool(value: Any) -> bool:
    # Tavus's own examples send "done": "true" as a string; accept both forms.
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value is True


def _number(value: Any, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return float(value)


@types.coroutine
def _next_loop_turn() -> Generator[None, None, None]:
    """Let the event loop run everything else once (``asyncio.sleep(0)``, in one object)."""
    yield


def _new_future() -> asyncio.Future[None]:
    return asyncio.get_running_loop().create_future()


def _wake(p: _Participant) -> None:
    """Wake the participant's writer if it waits for frames."""
    waiter = p.waiter
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


def _sends_at_once(p: _Participant, frame: str | _Close) -> bool:
    """Whether ``ws.send_str(frame)`` returns without waiting for the socket."""
    transport = p.transport
    if transport is None or isinstance(frame, _Close) or len(frame) > p.inline_limit:
        return False
    return not transport.get_write_buffer_size() and not transport.is_closing()


def _inline_limit(ws: web.WebSocketResponse, transport: asyncio.BaseTransport | None) -> int:
    """The longest frame (in characters) the hub may send for the writer; -1 for none.

    aiohttp waits only once the transport paused writing, past its high water mark: an empty
    buffer stays under it with a frame of at most a quarter of it (UTF-8 is at most 4 bytes a
    character, a frame header at most 14). Compressed frames may wait for the compressor.
    """
    if ws.compress or not isinstance(transport, asyncio.WriteTransport):
        return -1
    return (transport.get_write_buffer_limits()[1] - 14) // 4


async def _send(p: _Participant, ws: web.WebSocketResponse, frame: str) -> None:
    """Send one frame, counting the ones the socket no longer takes."""
    if ws.closed:
        p.stats["frames_undelivered"] += 1
        return
    try:
        await ws.send_str(frame)
    except ConnectionError:
        p.stats["send_failures"] += 1


@dataclass(eq=False)
class _Participant:
    # Futures rather than asyncio.Events, and no task to wait on them: an Event is three
    # objects for the garbage collector (and 0.8 KB), a task waiting on one about ten, x
    # thousands of rooms in a load test (benchmarks/README.md, Scale).
    pid: str
    user_name: str
    is_replica: bool
    ws: web.WebSocketResponse | None = None
    #: Frames encoded when queued: a string waiting for the writer is nothing the garbage
    #: collector walks, a dict of dicts is several objects (x rooms x frames in flight).
    outbox: deque[str | _Close] = field(default_factory=deque)
    #: The writer's wake-up while it waits for a frame (None while it is sending).
    waiter: asyncio.Future[None] | None = None
    writer: asyncio.Task[None] | None = None
    closing: bool = False
    #: The room's counters (send failures are counted where the frame is sent).
    stats: Counter[str] = field(default_factory=Counter)
    #: The socket's transport, once the hub may send to it for the writer (see
    #: :meth:`RoomHub._flush_held`).
    transport: asyncio.WriteTransport | None = None
    #: The longest frame the hub may send for the writer (see :func:`_inline_limit`).
    inline_limit: int = -1
    #: Frames wait for the hub's flush (the writer was not woken for them).
    held: bool = False
    #: The hub's flush is sending this participant's frames right now.
    inline: bool = False
    #: Done once the writer sent every frame before the close; the handler then closes.
    close_requested: asyncio.Future[None] = field(default_factory=_new_future)
    close_code: int = 1000
    close_message: str = ""

    def info(self) -> dict[str, Any]:
        return {
            "participant_id": self.pid,
            "user_name": self.user_name,
            "is_replica": self.is_replica,
        }


@dataclass(frozen=True)
class _Close:
    code: int
    message: str = ""


@dataclass(eq=False)
class _Job:
    run: Callable[[_Job], Coroutine[Any, Any, None]]
    user_interruptible: bool = True
    interrupted: bool = False
    task: asyncio.Task[None] | None = None
    # A user turn's own arguments, read by Room._reply: fields, not a closure's cells (one
    # turn in flight per room, x every room).
    text: str = ""
    inference_id: str = ""
    turn_idx: int = 0


@dataclass
class _AudioBuffer:
    sample_rate: int
    data: bytearray = field(default_factory=bytearray)
    chunks: int = 0


class _Interrupted(Exception):
    """Raised inside a speech job when ``conversation.interrupt`` cut it short."""


class Room:
    """One conversation's room: participants, the replica, its speech queue and timers."""

    def __init__(
        self,
        hub: RoomHub,
        conversation: dict[str, Any],
        persona: dict[str, Any] | None,
    ) -> None:
        self.hub = hub
        # The create request's fields (``_request`` in the REST half's record) fill in what
        # the conversation object itself does not carry.
        request = conversation.get("_request")
        request = request if isinstance(request, dict) else {}

        def get(key: str) -> Any:
            value = conversation.get(key)
            return request.get(key) if value is None else value

        self.conversation_id: str = str(conversation["conversation_id"])
        self.replica_id: str = str(get("replica_id") or "replica")
        # Created with pal_id/face_id: the room also announces ``system.pal_joined``.
        self.is_pal = bool(request.get("pal_id") or request.get("face_id"))
        props = get("properties") or conversation.get("_properties")
        self.properties: dict[str, Any] = props if isinstance(props, dict) else {}
        require_auth = get("require_auth") or self.properties.get("require_auth")
        token = conversation.get("meeting_token")
        self._token: str | None = str(token) if require_auth and token else None
        self.require_auth = bool(require_auth)
        greeting = get("custom_greeting")
        self.custom_greeting: str | None = greeting if isinstance(greeting, str) else None
        persona = persona or {}
        self.persona_context = str(persona.get("context") or "")
        prompt = persona.get("system_prompt")
        self.system_prompt: str | None = prompt if isinstance(prompt, str) else None
        layers = persona.get("layers")
        llm = layers.get("llm") if isinstance(layers, dict) else None
        tools = llm.get("tools") if isinstance(llm, dict) else None
        self.tools: tuple[dict[str, Any], ...] = tuple(
            t for t in (tools if isinstance(tools, list) else []) if isinstance(t, dict)
        )
        # Registry tools attached to the PAL are offered like inline ones; Tavus delivers each
        # on one channel: an app message, or (delivery.api) an HTTP request from the REST half.
        # Post-call actions are never offered to the live model (api-2026-surface §6.6).
        self._registry_tools = {
            t["name"]: t
            for t in hub.hooks.attached_tools(persona)
            if t.get("trigger_type") != "post_call"
        }
        self.tools += tuple(
            {"type": "function", "function": {k: t.get(k) for k in _FUNCTION_KEYS}}
            for t in self._registry_tools.values()
        )
        self.conversational_context = str(get("conversational_context") or "")
        self.job_status: str | None = None
        self.sensitivity: dict[str, str] = {}

        self.humans: dict[str, _Participant] = {}
        self.replica: _Participant | None = None
        self.ever_joined = False
        self.closed = False
        self.close_reason: str | None = None
        self.seq = 0
        self.turn_idx = 0
        self.history: list[tuple[str, str]] = []
        self.stats: Counter[str] = Counter()

        self._jobs: deque[_Job] = deque()
        # The speaker's wake-up while it waits for a job, and for the current job to end.
        self._job_waiter: asyncio.Future[None] | None = None
        self._job_finished: asyncio.Future[None] | None = None
        self._current: _Job | None = None
        # Set whenever the speaker is blocked (on the clock, on new jobs, on a tool result).
        self._settled = asyncio.Event()
        self._settle_pending = False
        self._speaker_idle = False
        self._audio: dict[str | None, _AudioBuffer] = {}
        self._pending_tools: dict[str, asyncio.Future[tuple[Any, str]]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._timers: list[_TimerHandle] = []
        self._shutdown: asyncio.Task[None] | None = None
        self._left_timer: _TimerHandle | None = None
        self._absent_timer: _TimerHandle | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Start the speaker and arm the room's own deadlines."""
        self._spawn(self._speaker(), "speaker")
        max_duration = _number(self.properties.get("max_call_duration"), 3600.0)
        self._timers.append(self._arm(max_duration, REASON_MAX_DURATION))
        absent = _number(self.properties.get("participant_absent_timeout"), 300.0)
        self._absent_timer = self._arm(absent, REASON_ABSENT)
        self._timers.append(self._absent_timer)

    def _arm(self, seconds: float, reason: str) -> _TimerHandle:
        """End the room after ``seconds`` of simulator time.

        The ending runs inside the clock's own callback, so ``await sim.advance(...)`` returns
        with the room already ended.
        """

        async def fire() -> None:
            if not self.closed:
                _log.info("room %s: %s", self.conversation_id, reason)
                await self.hub._end_from_room(self, reason)

        return self.hub.clock.call_later(
            max(seconds, 0.0), fire, name=f"room {self.conversation_id}: {reason}"
        )

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(
            coro, name=f"tavus-sim-room-{self.conversation_id}-{name}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.stats["internal_errors"] += 1
            _log.error(
                "room %s task %s failed",
                self.conversation_id,
                task.get_name(),
                exc_info=task.exception(),
            )

    async def _sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` on the simulator clock (holding it while the speech moves on)."""
        clock = self.hub.clock
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def fire() -> None:
            if fut.done():
                return
            fut.set_result(None)
            # Hold the clock until the woken speech blocks again, so the timers it schedules
            # next fall inside the same ``advance()``: advancing 60 s plays 60 s of speech.
            self._settled.clear()
            await self._wait_settled()

        handle = clock.call_later(max(seconds, 0.0), fire, f"room-{self.conversation_id}")
        self._settled.set()
        try:
            await fut
        finally:
            handle.cancel()

    async def shutdown(self, reason: str) -> None:
        """Tell everyone the room ended, close their sockets, stop every task.

        The work runs in its own task, shielded: a caller that is cancelled (an HTTP client
        that hung up on ``end``, or a replica turn that ended its own room) cannot leave the
        room half shut. Every caller waits for the same shutdown.
        """
        if self._shutdown is None:
            self.closed = True
            self._shutdown = asyncio.get_running_loop().create_task(
                self._do_shutdown(reason), name=f"tavus-sim-room-{self.conversation_id}-shutdown"
            )
        await asyncio.shield(self._shutdown)

    async def _do_shutdown(self, reason: str) -> None:
        self.close_reason = reason
        self._settled.set()
        if self._audio:
            # Echo audio never finished with done: true is not spoken; say so in the stats.
            self.stats["audio_unfinished"] += len(self._audio)
            self._audio.clear()
        for timer in self._timers:
            timer.cancel()
        for fut in self._pending_tools.values():
            fut.cancel()
        me = asyncio.current_task()
        tasks = [t for t in self._tasks if t is not me]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        for p in list(self.humans.values()):
            self._queue(p, {"type": "room-ended", "reason": reason})
            self._queue(p, _Close(CLOSE_ENDED, "room ended"))
        # Wait (boundedly) until each writer has flushed room-ended; the close handshake itself
        # finishes in the socket handlers, which do not hold the REST `end` up.
        flushed = [p.close_requested for p in self.humans.values() if p.ws is not None]
        if flushed:
            await asyncio.wait(flushed, timeout=CLOSE_TIMEOUT)

    # -- participants -----------------------------------------------------------------------

    def check_token(self, given: str | None) -> bool:
        """Whether ``given`` opens this room (always true without ``require_auth``)."""
        if not self.require_auth:
            return True
        if self._token is None or given is None:
            return False
        return hmac.compare_digest(given.encode(), self._token.encode())

    def join(self, name: str, ws: web.WebSocketResponse) -> _Participant:
        """Add a participant; the replica joins with the first one."""
        p = _Participant(str(uuid.uuid4()), name, False, ws, stats=self.stats)
        # Writers are not in _tasks: shutdown must let them deliver room-ended first.
        p.writer = asyncio.get_running_loop().create_task(
            self._writer(p), name=f"tavus-sim-room-{self.conversation_id}-writer"
        )
        others = [o.info() for o in self.humans.values()]
        if self.replica is not None:
            others.append(self.replica.info())
        self._queue(
            p,
            {
                "type": "joined",
                "participant_id": p.pid,
                "participants": others,
                "conversation_id": self.conversation_id,
            },
        )
        for other in self.humans.values():
            self._queue(other, {"type": "participant-joined", "participant": p.info()})
        self.humans[p.pid] = p
        self.stats["joins"] += 1
        if self._left_timer is not None:
            self._left_timer.cancel()
            self._left_timer = None
        if not self.ever_joined:
            self.ever_joined = True
            if self._absent_timer is not None:
                self._absent_timer.cancel()
                self._absent_timer = None
            if self.hub.replica.joins:
                self._replica_joins()
        return p

    def _replica_joins(self) -> None:
        replica = _Participant(str(uuid.uuid4()), self.replica_id, True)
        self.replica = replica
        for p in self.humans.values():
            self._queue(p, {"type": "participant-joined", "participant": replica.info()})
        self._emit(
            "system.replica_joined",
            {"replica_id": self.replica_id},
            message_type="system",
            turn_idx=None,
        )
        if self.is_pal:
            # The 2026 name, sent beside the legacy one with the face's id (§13.2).
            self._emit(
                "system.pal_joined",
                {"replica_id": self.replica_id, "face_id": self.replica_id},
                message_type="system",
                turn_idx=None,
            )
        try:
            self.hub.hooks.on_replica_joined(self.conversation_id)
        except Exception:
            self.stats["hook_errors"] += 1
            _log.exception("on_replica_joined hook failed for %s", self.conversation_id)
        brain = self.hub.replica
        greeting = brain.greeting if brain.greeting is not None else self.custom_greeting
        if greeting is None:
            greeting = brain.default_greeting
        if greeting:
            text = greeting

            async def speak_greeting(job: _Job) -> None:
                await self._speak(job, text, str(uuid.uuid4()), 0)

            self._enqueue(_Job(speak_greeting, user_interruptible=False))

    def leave(self, p: _Participant, reason: str = "left", close: _Close | None = None) -> None:
        """Remove a participant; start the left timeout when the last one goes."""
        if self.humans.pop(p.pid, None) is None:
            return
        self._queue(p, close or _Close(1000))
        if self.closed:
            return
        for other in self.humans.values():
            self._queue(
                other, {"type": "participant-left", "participant": p.info(), "reason": reason}
            )
        if not self.humans:
            timeout = _number(self.properties.get("participant_left_timeout"), 0.0)
            self._left_timer = self._arm(timeout, REASON_LEFT)
            self._timers.append(self._left_timer)

    def _queue(self, p: _Participant, frame: dict[str, Any] | _Close) -> None:
        if p.closing:
            return
        if isinstance(frame, _Close):
            p.closing = True
        elif len(p.outbox) >= MAX_OUTBOX:
            # A client that stopped reading would otherwise grow memory without bound.
            self.stats["slow_consumers"] += 1
            p.outbox.clear()
            p.closing = True
            frame = _Close(CLOSE_SLOW_CONSUMER, "too slow: frames were not read")
        p.outbox.append(frame if isinstance(frame, _Close) else _encode(frame).decode())
        if p.inline:
            return  # the hub's flush is sending for the writer: it takes this frame too
        if p.closing:
            _wake(p)  # the writer handles the close (the hub's flush never sends it)
        elif p.waiter is not None and not p.waiter.done():
            self.hub._hold(p)

    async def _writer(self, p: _Participant) -> None:
        ws = p.ws
        assert ws is not None
        loop = asyncio.get_running_loop()
        while True:
            while not p.outbox:
                p.waiter = loop.create_future()
                try:
                    await p.waiter
                finally:
                    p.waiter = None
            frame = p.outbox.popleft()
            if isinstance(frame, _Close):
                # The socket handler closes: closing here, while it waits in receive(), would
                # drop the connection before the client's close reply (aiohttp reports 1006).
                p.close_code, p.close_message = frame.code, frame.message
                if not p.close_requested.done():
                    p.close_requested.set_result(None)
                return
            await _send(p, ws, frame)

    # -- app messages -----------------------------------------------------------------------

    def on_frame(self, sender: _Participant, raw: str) -> bool:
        """Handle one client frame; returns False when the client is done (leave or bad frame)."""
        try:
            frame = json.loads(raw)
        except ValueError:
            frame = None
        kind = frame.get("type") if isinstance(frame, dict) else None
        if kind == "leave":
            self.leave(sender, "left")
            return False
        if kind != "app-message" or not isinstance(frame, dict):
            self.stats["bad_frames"] += 1
            self._queue(
                sender,
                {
                    "type": "error",
                    "code": "bad_frame",
                    "message": "expected a JSON object with type 'app-message' or 'leave'",
                },
            )
            self.leave(sender, "left", close=_Close(CLOSE_BAD_FRAME, "bad frame"))
            return False
        self._app_message(sender, frame)
        return True

    def _app_message(self, sender: _Participant, frame: dict[str, Any]) -> None:
        msg_id = frame.get("id")
        recipient = frame.get("recipient", "*")
        self.stats["app_messages"] += 1
        if "data" not in frame:
            self._ack(sender, msg_id, "bad message: no 'data'")
            self.stats["refused"] += 1
            return
        data = frame["data"]
        size = len(_encode(data))
        if size > DEFAULT_MAX_MESSAGE_BYTES:  # Daily's limit, on the encoded ``data``
            self.stats["refused_too_large"] += 1
            self._ack(sender, msg_id, "message too large")
            return
        to_replica = self.replica is not None and recipient == self.replica.pid
        if recipient != "*" and not to_replica and recipient not in self.humans:
            self.stats["refused_unknown_recipient"] += 1
            self._ack(sender, msg_id, "participant not found")
            return
        self._ack(sender, msg_id, None)
        out = {"type": "app-message", "from": sender.pid, "data": data}
        if recipient == "*":
            for other in self.humans.values():
                if other is not sender:
                    self._queue(other, out)
        elif not to_replica:
            self._queue(self.humans[str(recipient)], out)
        if (recipient == "*" or to_replica) and self.replica is not None:
            self._interaction(data)

    def _ack(self, p: _Participant, msg_id: Any, error: str | None) -> None:
        self._queue(p, {"type": "ack", "id": msg_id, "error": error})

    # -- the replica's ears -----------------------------------------------------------------

    def _reject(self, reason: str, message: Any) -> None:
        self.stats["rejected"] += 1
        self.hub.replica._reject(self.conversation_id, reason, message)
        _log.debug("room %s ignored an interaction: %s", self.conversation_id, reason)

    def _interaction(self, data: Any) -> None:
        """Act on a Tavus interaction (anything else on the channel is not the replica's)."""
        if not isinstance(data, dict):
            return
        event_type = data.get("event_type")
        if not isinstance(event_type, str) or not event_type.startswith("conversation."):
            return
        if data.get("message_type", "conversation") != "conversation":
            return
        self.stats["interactions"] += 1
        self.hub.replica._record(self.conversation_id, data)
        cid = data.get("conversation_id")
        if cid is not None and cid != self.conversation_id:
            self._reject(f"conversation_id {cid!r} is not this room's", data)
            return
        props = data.get("properties", {})
        if props is None:
            props = {}
        if not isinstance(props, dict):
            self._reject("properties must be an object", data)
            return
        handler = _HANDLERS.get(event_type)
        if handler is None:
            self.stats["unhandled"] += 1
            return
        handler(self, props, data)

    def _on_respond(self, props: dict[str, Any], data: dict[str, Any]) -> None:
        text = props.get("text")
        if not isinstance(text, str) or not text.strip():
            self._reject("conversation.respond needs a non-empty properties.text", data)
            return
        self.turn_idx += 1
        turn_idx = self.turn_idx
        user_iid = str(uuid.uuid4())
        self._emit(
            "conversation.utterance", {"role": "user", "speech": text}, inference_id=user_iid
        )
        self._transcript("user", text)
        self._barge_in()
        self._enqueue(_Job(self._reply, text=text, inference_id=user_iid, turn_idx=turn_idx))

    async def _reply(self, job: _Job) -> None:
        await self._turn(job, job.text, job.inference_id, job.turn_idx)

    def _on_echo(self, props: dict[str, Any], data: dict[str, Any]) -> None:
        modality = props.get("modality")
        if modality is None:
            modality = "audio" if props.get("audio") else "text"
        iid = props.get("inference_id")
        iid = iid if isinstance(iid, str) and iid else None
        if modality == "text":
            text = props.get("text")
            if not isinstance(text, str) or not text.strip():
                self._reject("a text conversation.echo needs a non-empty properties.text", data)
                return
            self.stats["echo_text"] += 1
            speak_iid = iid or str(uuid.uuid4())
            turn_idx = self.turn_idx

            async def speak(job: _Job) -> None:
                await self._speak(job, text, speak_iid, turn_idx)

            if iid is None:
                self._interrupt()
            self._enqueue(_Job(speak))
            return
        if modality != "audio":
            self._reject(f"unknown echo modality {modality!r}: use 'text' or 'audio'", data)
            return
        audio = props.get("audio")
        try:
            pcm = base64.b64decode(audio, validate=True) if isinstance(audio, str) else None
        except (binascii.Error, ValueError):
            pcm = None
        if pcm is None:
            self._reject("an audio conversation.echo needs base64 properties.audio", data)
            return
        rate = props.get("sample_rate", 16000)
        if isinstance(rate, bool) or not isinstance(rate, int) or rate <= 0:
            self._reject("properties.sample_rate must be a positive integer", data)
            return
        buf = self._audio.get(iid)
        if buf is None:
            buf = self._audio[iid] = _AudioBuffer(rate)
        buf.data.extend(pcm)
        buf.chunks += 1
        self.stats["echo_audio_chunks"] += 1
        if not _parse_bool(props.get("done")):
            return
        del self._audio[iid]
        self.stats["echo_audio_utterances"] += 1
        duration = len(buf.data) / 2 / buf.sample_rate
        speak_iid = iid or str(uuid.uuid4())
        turn_idx = self.turn_idx

        async def speak_audio(job: _Job) -> None:
            await self._speak(job, "", speak_iid, turn_idx, duration=duration)

        if iid is None:
            self._interrupt()
        self._enqueue(_Job(speak_audio))

    def _on_interrupt(self, props: dict[str, Any], data: dict[str, Any]) -> None:
        self.stats["interrupts"] += 1
        self._interrupt()

    def _on_overwrite(self, props: dict[str, Any], data: dict[str, Any]) -> None:
        context = props.get("context")
        if not isinstance(context, str):
            self._reject("conversation.overwrite_llm_context needs properties.context", data)
            return
        self.conversational_context = context

    def _on_append(self, props: dict[str, Any], data: dict[str, Any]) -> None:
        context = props.get("context")
        if not isinstance(context, str):
            self._reject("conversation.append_llm_context needs properties.context", data)
            return
        parts = [self.conversational_context, context]
        self.conversational_context = "\n".join(p for p in parts if p)
        status = props.get("job_status")
        if isinstance(status, str):
            self.job_status = status

    def _on_sensitivity(self, props: dict[str, Any], data: dict[str, Any]) -> None:
        unknown = sorted(k for k in props if k not in _SENSITIVITY_KEYS)
        if unknown or not props:
            self._reject(
                f"conversation.sensitivity takes one of {', '.join(_SENSITIVITY_KEYS)}; "
                f"got {unknown or 'nothing'}",
                data,
            )
            return
        bad = {k: v for k, v in props.items() if v not in _SENSITIVITY_VALUES}
        if bad:
            self._reject(
                f"sensitivity values must be one of {', '.join(_SENSITIVITY_VALUES)}; got {bad}",
                data,
            )
            return
        self.sensitivity.update({k: str(v) for k, v in props.items()})

    def _on_tool_result(self, props: dict[str, Any], data: dict[str, Any]) -> None:
        call_id = props.get("tool_call_id")
        fut = self._pending_tools.get(call_id) if isinstance(call_id, str) else None
        if fut is None or fut.done():
            self.stats["tool_results_unmatched"] += 1
            self._reject(f"no pending tool call with tool_call_id {call_id!r}", data)
            return
        status = props.get("status", "success")
        status = status if status in ("success", "error") else "success"
        self.stats["tool_results"] += 1
        fut.set_result((props.get("output", ""), str(status)))
        self._mark_busy()

    def _on_objective_confirm(self, props: dict[str, Any], data: dict[str, Any]) -> None:
        # Tavus publishes no payload for confirm; ``objective_name`` (and optional edited
        # ``output_variables``) is the reasonable reading, answered by the completion event.
        name = props.get("objective_name")
        if not isinstance(name, str) or not name:
            self._reject("conversation.objective.confirm needs properties.objective_name", data)
            return
        completed: dict[str, Any] = {"objective_name": name}
        variables = props.get("output_variables")
        if isinstance(variables, dict):
            completed["output_variables"] = variables
        self._emit("conversation.objective.completed", completed)

    # -- the replica's mouth ----------------------------------------------------------------

    def _emit(
        self,
        event_type: str,
        properties: dict[str, Any],
        *,
        inference_id: str | None = None,
        turn_idx: int | bool | None = True,
        message_type: str = "conversation",
        pal_copy: bool = False,
    ) -> None:
        """Broadcast one replica event to every participant, with the next ``seq``."""
        self.seq += 1
        envelope: dict[str, Any] = {
            "message_type": message_type,
            "event_type": event_type,
            "conversation_id": self.conversation_id,
            "seq": self.seq,
            "timestamp": round(self.hub.epoch + self.hub.clock.now(), 3),
        }
        if turn_idx is True:
            envelope["turn_idx"] = self.turn_idx
        elif isinstance(turn_idx, int) and not isinstance(turn_idx, bool):
            envelope["turn_idx"] = turn_idx
        if inference_id is not None:
            envelope["inference_id"] = inference_id
        envelope["properties"] = properties
        self.stats["events"] += 1
        if pal_copy and self.hub.replica.pal_duplicates:
            pal = dict(envelope, properties=dict(properties, role="pal"))
            self._broadcast_from_replica(pal)
        self._broadcast_from_replica(envelope)

    def _broadcast_from_replica(self, data: dict[str, Any]) -> None:
        if self.replica is None:
            return
        frame = {"type": "app-message", "from": self.replica.pid, "data": data}
        for p in self.humans.values():
            self._queue(p, frame)

    def _transcript(self, role: str, content: str) -> None:
        self.history.append((role, content))
        try:
            self.hub.hooks.on_transcript(self.conversation_id, role, content)
        except Exception:
            self.stats["hook_errors"] += 1
            _log.exception("on_transcript hook failed for %s", self.conversation_id)

    def _duration(self, text: str) -> float:
        rate = self.hub.replica.chars_per_second
        return round(0.2 + len(text) / (rate if rate > 0 else 15.0), 3)

    async def _speak(
        self,
        job: _Job,
        text: str,
        inference_id: str,
        turn_idx: int,
        *,
        duration: float | None = None,
    ) -> None:
        """Speak ``text`` (or audio of ``duration`` seconds), paced on the clock."""
        legacy = self.hub.replica.legacy_speaking_events
        total = self._duration(text) if duration is None else round(duration, 3)
        started = self.hub.clock.now()
        common: dict[str, Any] = {"inference_id": inference_id, "turn_idx": turn_idx}
        self._emit("conversation.started_speaking", {"role": "replica"}, pal_copy=True, **common)
        if legacy:
            self._emit("conversation.replica.started_speaking", {}, **common)
        if text:
            self._emit("conversation.utterance", {"role": "replica", "speech": text}, **common)
        words = text.split()
        # Chunk i streams words[: (i + 1) * _STREAM_WORDS]: counted, not sliced into lists
        # up front (a list per chunk, alive for the whole speech, x every room speaking).
        n_chunks = -(-len(words) // _STREAM_WORDS)
        step = total / n_chunks if n_chunks else total
        # Instant-mode pacing is a bare yield, so other rooms' speech interleaves with this one;
        # a clock sleep is a future, a timer and two closures per chunk.
        instant = self.hub.clock.work_delay(max(step, 0.0)) <= 0
        said = 0  # words spoken so far
        index = 0
        try:
            if not n_chunks:
                await (_next_loop_turn() if instant else self._sleep(step))
            for index in range(n_chunks):
                await (_next_loop_turn() if instant else self._sleep(step))
                said = min(said + _STREAM_WORDS, len(words))
                self._emit(
                    "conversation.utterance.streaming",
                    {
                        "role": "replica",
                        "speech": " ".join(words[:said]),
                        "content_index": index,
                        "final": index == n_chunks - 1,
                        "is_interrupted": False,
                    },
                    pal_copy=True,
                    **common,
                )
        except asyncio.CancelledError:
            if not job.interrupted or self.closed:
                raise
            elapsed = round(min(max(self.hub.clock.now() - started, 0.0), total), 3)
            spoken = " ".join(words[:said])
            if n_chunks:
                self._emit(
                    "conversation.utterance.streaming",
                    {
                        "role": "replica",
                        "speech": spoken,
                        "content_index": index + (1 if said else 0),
                        "final": True,
                        "is_interrupted": True,
                    },
                    pal_copy=True,
                    **common,
                )
            stopped = {"role": "replica", "duration": elapsed, "interrupted": True}
            self._emit("conversation.stopped_speaking", stopped, pal_copy=True, **common)
            if legacy:
                props = {"duration": elapsed, "interrupted": True}
                self._emit("conversation.replica.stopped_speaking", props, **common)
                self._emit("conversation.replica_interrupted", {}, **common)
            if spoken:
                self._transcript("assistant", spoken)
            raise
        stopped = {"role": "replica", "duration": total, "interrupted": False}
        self._emit("conversation.stopped_speaking", stopped, pal_copy=True, **common)
        if legacy:
            props = {"duration": total, "interrupted": False}
            self._emit("conversation.replica.stopped_speaking", props, **common)
        if text:
            self._transcript("assistant", text)

    async def _turn(self, job: _Job, text: str, user_iid: str, turn_idx: int) -> None:
        context = "\n".join(c for c in (self.persona_context, self.conversational_context) if c)
        turn = ScriptedTurn(
            conversation_id=self.conversation_id,
            text=text,
            turn_idx=turn_idx,
            context=context,
            system_prompt=self.system_prompt,
            tools=self.tools,
            history=tuple(self.history),
        )
        # A brain that awaits (I/O, even a REST call to this simulator) must not hold the clock:
        # count the room as settled while it thinks. A sync brain never yields here.
        self._settled.set()
        actions = await self.hub.replica.decide(turn)
        await self._perform(job, actions, turn_idx, user_iid)

    async def _perform(
        self, job: _Job, actions: list[Action], turn_idx: int, user_iid: str | None
    ) -> None:
        for action in actions:
            if isinstance(action, Say):
                await self._speak(job, action.text, str(uuid.uuid4()), turn_idx)
            elif isinstance(action, Emit):
                self._emit_action(action)
            elif isinstance(action, CallTool):
                output, status = await self._call_tool(action, turn_idx, user_iid)
                speech = action.say_result(action.name, output, status)
                if speech and self._speaks_result(action.name, status):
                    await self._speak(job, speech, str(uuid.uuid4()), turn_idx)

    def _emit_action(self, action: Emit) -> None:
        self._emit(
            action.event_type,
            dict(action.properties),
            inference_id=action.inference_id,
            message_type=action.message_type,
        )

    def _speaks_result(self, name: str, status: str) -> bool:
        """Apply a registry tool's ``on_resolve``: silent ones are not spoken (failures are)."""
        tool = self._registry_tools.get(name)
        silent = tool is not None and tool.get("on_resolve") in _SILENT_RESOLVE
        return status == "error" or not silent

    async def _call_tool(
        self, call: CallTool, turn_idx: int, user_iid: str | None
    ) -> tuple[Any, str]:
        tool = self._registry_tools.get(call.name)
        if tool is not None and (tool.get("delivery") or {}).get("api"):
            self.stats["tool_deliveries"] += 1
            self._settled.set()  # real I/O: do not hold the simulated clock meanwhile
            return await self.hub.hooks.deliver_tool(tool, call.arguments, self.conversation_id)
        call_id = f"tc_{uuid.uuid4().hex[:12]}"
        fut: asyncio.Future[tuple[Any, str]] = asyncio.get_running_loop().create_future()
        self._pending_tools[call_id] = fut
        self.stats["tool_calls"] += 1
        self._emit(
            "conversation.tool_call",
            {"name": call.name, "arguments": json.dumps(call.arguments), "tool_call_id": call_id},
            inference_id=user_iid,
            turn_idx=turn_idx,
        )
        timer = asyncio.ensure_future(self._sleep(self.hub.replica.tool_result_timeout))
        waiters: set[asyncio.Future[Any]] = {fut, timer}
        self._settled.set()
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
            await asyncio.wait({timer})
            self._pending_tools.pop(call_id, None)
        if fut.done() and not fut.cancelled():
            return fut.result()
        fut.cancel()
        self.stats["tool_timeouts"] += 1
        return "no result arrived in time", "error"

    # -- the speech queue -------------------------------------------------------------------

    async def _wait_settled(self) -> None:
        try:
            await asyncio.wait_for(self._settled.wait(), SETTLE_TIMEOUT)
        except asyncio.TimeoutError:
            self.stats["settle_timeouts"] += 1

    def _mark_busy(self) -> None:
        """The speaker has work to start: hold the clock until it blocks again.

        A zero-delay clock timer does the holding, so ``await sim.advance(30)`` right after a
        ``respond`` first lets the reply begin (and schedule its own timers) and then plays it.
        """
        if self.closed:
            return
        self._settled.clear()
        if not self._settle_pending:
            self._settle_pending = True
            self.hub.clock.call_later(
                0.0, self._hold_until_settled, f"room-{self.conversation_id}-settle"
            )

    async def _hold_until_settled(self) -> None:
        self._settle_pending = False
        await self._wait_settled()

    def _enqueue(self, job: _Job) -> None:
        if len(self._jobs) >= MAX_QUEUED_SPEECH:
            # Bounded: a client flooding queued echoes in manual time would grow it forever.
            self.stats["speech_dropped"] += 1
            _log.warning("room %s: speech queue full, dropped one", self.conversation_id)
            return
        self._jobs.append(job)
        waiter = self._job_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        if self._speaker_idle:
            self._mark_busy()

    def _interrupt(self) -> None:
        """Cut current speech short and drop what was queued."""
        self._jobs.clear()
        job = self._current
        if job is not None and job.task is not None and not job.task.done():
            job.interrupted = True
            job.task.cancel()
            self._mark_busy()

    def _barge_in(self) -> None:
        """A user turn interrupts the replica, except its greeting (Tavus: not interruptible)."""
        job = self._current
        if job is not None and not job.user_interruptible:
            return
        self._interrupt()

    def _job_done(self, task: asyncio.Task[None]) -> None:
        finished = self._job_finished
        if finished is not None and not finished.done():
            finished.set_result(None)

    async def _speaker(self) -> None:
        # Plain futures, not an asyncio.Event and asyncio.wait(): a turn in flight in each
        # room holds these until it ends, and each of those is several objects more for the
        # garbage collector's older generations at a thousand rooms.
        loop = asyncio.get_running_loop()
        while True:
            while not self._jobs:
                self._speaker_idle = True
                self._settled.set()
                self._job_waiter = loop.create_future()
                try:
                    await self._job_waiter
                finally:
                    self._job_waiter = None
                    self._speaker_idle = False
            job = self._jobs.popleft()
            self._current = job
            job.task = loop.create_task(
                job.run(job), name=f"tavus-sim-room-{self.conversation_id}-speech"
            )
            self._job_finished = loop.create_future()
            job.task.add_done_callback(self._job_done)
            try:
                await self._job_finished
            except asyncio.CancelledError:
                job.task.cancel()
                await asyncio.wait({job.task})
                raise
            finally:
                self._current = None
                self._job_finished = None
            if not job.task.cancelled() and job.task.exception() is not None:
                self.stats["internal_errors"] += 1
                _log.error(
                    "room %s: a replica turn failed",
                    self.conversation_id,
                    exc_info=job.task.exception(),
                )

    async def push(self, actions: list[Action]) -> None:
        """Run scripted actions now: events at once, speech and tool calls after current speech."""
        if all(isinstance(a, Emit) for a in actions):
            for action in actions:
                assert isinstance(action, Emit)
                self._emit_action(action)
            return
        turn_idx = self.turn_idx

        async def run(job: _Job) -> None:
            await self._perform(job, actions, turn_idx, None)

        self._enqueue(_Job(run))


_Handler = Callable[[Room, dict[str, Any], dict[str, Any]], None]
_HANDLERS: dict[str, _Handler] = {
    "conversation.respond": Room._on_respond,
    "conversation.echo": Room._on_echo,
    "conversation.interrupt": Room._on_interrupt,
    "conversation.overwrite_llm_context": Room._on_overwrite,
    "conversation.append_llm_context": Room._on_append,
    "conversation.sensitivity": Room._on_sensitivity,
    "conversation.tool_result": Room._on_tool_result,
    "conversation.objective.confirm": Room._on_objective_confirm,
}


class RoomHub:
    """Every room of one simulator, and the WebSocket endpoint that serves them.

    Args:
        sim_hooks: The REST half's callbacks (see :class:`SimHooks`).
        clock: The simulator clock (see :class:`RoomClock`).
        replica: The scripting hook; a fresh :class:`ScriptedReplica` by default.
    """

    def __init__(
        self,
        sim_hooks: SimHooks,
        clock: RoomClock | None = None,
        replica: ScriptedReplica | None = None,
    ) -> None:
        self.hooks = sim_hooks
        if clock is None:
            clock = getattr(sim_hooks, "clock", None)
            if clock is None:
                raise InvalidTypeError(
                    "RoomHub needs a clock: pass clock= or give sim_hooks a .clock"
                )
        self.clock: RoomClock = clock
        self.replica = replica if replica is not None else ScriptedReplica()
        self.replica._push = self._push
        # Events carry Unix timestamps; simulated seconds are counted from this moment.
        self.epoch = time.time() - clock.now()
        self._rooms: dict[str, Room] = {}
        self._closed = False
        # Participants whose idle writers were not woken for new frames: one flush sends them.
        self._held: list[_Participant] = []
        self._flusher: asyncio.Task[None] | None = None

    def _hold(self, p: _Participant) -> None:
        """Leave ``p``'s new frames to one flush of every room, instead of waking its writer."""
        if p.held:
            return
        p.held = True
        self._held.append(p)
        if self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(
                self._flush_held(), name="tavus-sim-rooms-flush"
            )

    async def _flush_held(self) -> None:
        """Send the held frames of every room, for their idle writers.

        In instant time each room speaking queues one event per chunk, a chunk per turn of the
        event loop; waking each participant's writer for each is a future, a handle and a task
        step per event, alive until the loop has gone round every other room (at a thousand
        rooms, long enough to reach the garbage collector's older generations). One flush per
        turn of the loop sends them all instead, but only while a socket takes its frames
        without waiting (buffer empty, no compression): the rest go to the writer, so a
        client that stops reading backs up its own writer only, and the slow-consumer bound
        still applies.
        """
        held: list[_Participant] = []
        done = 0  # participants of ``held`` flushed
        try:
            while self._held:
                held, self._held, done = self._held, [], 0
                for p in held:
                    done += 1
                    p.held = False
                    if p.inline or p.waiter is None or p.waiter.done():
                        continue  # the writer is awake: it sends these frames itself
                    ws = p.ws
                    assert ws is not None
                    p.inline = True
                    try:
                        while p.outbox and _sends_at_once(p, p.outbox[0]):
                            frame = p.outbox.popleft()
                            assert isinstance(frame, str)
                            await _send(p, ws, frame)
                    finally:
                        p.inline = False
                        if p.outbox:
                            _wake(p)
        finally:
            self._flusher = None
            # Only when this flush failed (or was cancelled): the writers send the rest.
            for p in held[done:] + self._held:
                p.held = False
                _wake(p)
            self._held.clear()

    def script(self) -> ScriptedReplica:
        """The replica scripting hook (the same object as :attr:`replica`)."""
        return self.replica

    def room(self, conversation_id: str) -> Room | None:
        """The conversation's room (open or ended), if it ever had one."""
        return self._rooms.get(conversation_id)

    def is_open(self, conversation_id: str) -> bool:
        """Whether the conversation has a live room."""
        room = self._rooms.get(conversation_id)
        return room is not None and not room.closed

    def open(self, conversation: dict[str, Any], persona: dict[str, Any] | None) -> None:
        """Open the conversation's room (idempotent while it is open).

        Raises:
            RuntimeError: after :meth:`aclose`.
            KeyError: when ``conversation`` has no ``conversation_id``.
        """
        if self._closed:
            raise StateError("the room hub is closed")
        cid = str(conversation["conversation_id"])
        if self.is_open(cid):
            return
        # The REST half hands over the public record; room settings may only be in the
        # private one (``_properties``), so read that too when the hooks can give it.
        lookup = getattr(self.hooks, "conversation", None)
        raw = lookup(cid) if callable(lookup) else None
        if isinstance(raw, dict):
            conversation = {**raw, **conversation}
        room = Room(self, conversation, persona)
        self._rooms[cid] = room
        room.start()

    async def close(self, conversation_id: str, reason: str) -> None:
        """End the room: ``room-ended`` to every participant, sockets closed, tasks stopped."""
        room = self._rooms.get(conversation_id)
        if room is not None:
            await room.shutdown(reason)

    def forget(self, conversation_id: str) -> None:
        """Drop an ended room and the replica's logs of it (a live room is kept).

        The simulator calls this for ended conversations past its retention bound, so that
        a long-running simulator does not grow with every conversation it ever hosted.
        """
        room = self._rooms.get(conversation_id)
        if room is not None and not room.closed:
            return
        self._rooms.pop(conversation_id, None)
        self.replica.forget(conversation_id)

    async def _end_from_room(self, room: Room, reason: str) -> None:
        try:
            await self.hooks.end_conversation(room.conversation_id, reason)
        except Exception:
            room.stats["hook_errors"] += 1
            _log.exception("end_conversation hook failed for %s", room.conversation_id)
        # The REST half normally closes the room from end_conversation; make sure it is.
        await room.shutdown(reason)

    async def _push(self, conversation_id: str, actions: list[Action]) -> None:
        room = self._rooms.get(conversation_id)
        if room is None or room.closed:
            raise NotAvailableError(f"no open room for conversation {conversation_id!r}")
        await room.push(actions)

    def stats(self, conversation_id: str | None = None) -> dict[str, int]:
        """Counters for one room, or summed over every room (messages, refusals, tool calls...)."""
        rooms = [self._rooms[conversation_id]] if conversation_id in self._rooms else []
        if conversation_id is None:
            rooms = list(self._rooms.values())
        total: Counter[str] = Counter()
        for room in rooms:
            total.update(room.stats)
            total["audio_pending"] += len(room._audio)
        return dict(total)

    async def handle_ws(self, request: web.Request) -> web.WebSocketResponse:
        """``GET /rooms/{conversation_id}``: join a room over a WebSocket."""
        ws = web.WebSocketResponse(timeout=CLOSE_TIMEOUT)
        await ws.prepare(request)
        cid = request.match_info.get("conversation_id", "")
        room = self._rooms.get(cid)
        if room is None or room.closed or self._closed:
            what = "has ended" if room is not None else "does not exist"
            await self._refuse(ws, CLOSE_NOT_FOUND, "not_found", f"room {cid!r} {what}")
            return ws
        if not room.check_token(request.query.get("t")):
            # Never echo the token: say only that it was missing or wrong.
            await self._refuse(
                ws,
                CLOSE_UNAUTHORIZED,
                "unauthorized",
                "this room requires the conversation's meeting_token as the 't' query parameter",
            )
            return ws
        name = request.query.get("name", "participant")[:200]
        participant = room.join(name, ws)
        # With its transport the hub may send the participant's frames for its writer.
        transport = request.transport
        participant.inline_limit = _inline_limit(ws, transport)
        if isinstance(transport, asyncio.WriteTransport):
            participant.transport = transport
        reader = asyncio.ensure_future(self._read(room, participant, ws))
        try:
            await asyncio.wait(
                {reader, participant.close_requested}, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            reader.cancel()
            await asyncio.wait({reader})
            room.leave(participant, "left")
            if participant.writer is not None:
                _, pending = await asyncio.wait({participant.writer}, timeout=CLOSE_TIMEOUT)
                for task in pending:
                    task.cancel()
            await ws.close(code=participant.close_code, message=participant.close_message.encode())
        return ws

    @staticmethod
    async def _read(room: Room, participant: _Participant, ws: web.WebSocketResponse) -> None:
        """Feed the client's frames to the room until it leaves, closes or misbehaves."""
        async for msg in ws:
            if msg.type is WSMsgType.TEXT:
                if not room.on_frame(participant, msg.data):
                    return
            elif msg.type is WSMsgType.BINARY:
                if not room.on_frame(participant, ""):
                    return
            else:
                return

    @staticmethod
    async def _refuse(ws: web.WebSocketResponse, code: int, short: str, message: str) -> None:
        await ws.send_str(json.dumps({"type": "error", "code": short, "message": message}))
        await ws.close(code=code, message=short.encode())

    async def aclose(self) -> None:
        """End every open room and stop every task the hub started."""
        self._closed = True
        # Rooms already ending keep their reason; shutdown() waits for them either way.
        await asyncio.gather(*(r.shutdown("simulator_shutdown") for r in self._rooms.values()))
        if self._flusher is not None:
            await asyncio.wait({self._flusher})
