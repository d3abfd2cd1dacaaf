"""``Room``: join a Tavus conversation, send interactions, and read typed events.

::

    async with Room(conversation.conversation_url, conversation_id=cid) as room:
        await room.respond("What can you do?")
        async for event in room:
            match event:
                case Utterance(role="replica"):
                    print(event.speech)
                case ToolCall(name="get_weather"):
                    await room.send_tool_result(event, {"temp_c": 21})

The event path: a transport callback (Daily's own thread, or the simulator socket's reader) is
marshalled onto the loop, then on the loop: sender check -> ``interactions.events.decode`` ->
conversation check -> PAL/replica de-duplication -> transcript and tool dispatch -> a bounded
buffer -> ``async for``. Nothing on that path awaits, so a slow consumer can only fill the buffer,
which sheds the oldest droppable events first and says so in the stream (``EventsDropped``).

Stream semantics (one consumer at a time):

- ``async for event in room`` / ``await room.recv()`` read the stream in order. ``events(*types)``
  and ``wait_for(...)`` read the same stream and skip (consume) events that do not match.
- When the room is left, the stream ends after the events already buffered. When the room goes
  away on its own (conversation ended, connection lost), a :class:`Disconnected` event is the
  last thing the stream yields; the iterator then ends (it does not raise). ``recv()`` on an
  ended stream raises :class:`~tavus_async.errors.RoomClosedError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import deque
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Collection,
    Iterable,
    Mapping,
)
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, overload
from urllib.parse import urlsplit

import anyio
import msgspec
from typing_extensions import Unpack

from .._logging import logger, redact
from ..errors import (
    InvalidInputError,
    InvalidTypeError,
    JoinError,
    RoomClosedError,
    RoomError,
    SendError,
    WaitTimeoutError,
)
from ..interactions._ordering import DuplicateFilter, SeqReorderBuffer
from ..interactions.audio import echo_audio_messages, echo_audio_messages_async
from ..interactions.events import (
    Event,
    PerceptionToolCall,
    ReplicaPresent,
    ToolCall,
    decode,
    is_droppable,
)
from ..interactions.messages import (
    AppendContext,
    Echo,
    EchoAudio,
    Interrupt,
    Message,
    ObjectiveConfirm,
    OverwriteContext,
    Respond,
    Sensitivity,
    ToolResult,
    to_dict,
)
from ._buffer import BufferClosed, EventBuffer
from ._cancel import complete_then_reraise
from ._options import RoomOptions
from ._tools import ToolContext, ToolHandler, ToolRegistry, ToolSpec
from ._transcript import Transcript
from .events import (
    CallStateChanged,
    Disconnected,
    EventsDropped,
    ForeignMessage,
    ParticipantJoined,
    ParticipantLeft,
    ReplicaParticipantJoined,
    RoomEvent,
)
from .transport import (
    REPLICA_USER_ID_HINT,
    AppMessage,
    CallState,
    Participant,
    PeerJoined,
    PeerLeft,
    Transport,
    TransportDisconnected,
    TransportEvent,
    transport_for_url,
)

__all__ = ["EchoAudioResult", "Room", "RoomStats", "connect"]

E = TypeVar("E")
F = TypeVar("F", bound=ToolHandler)
RoomStreamEvent = Event | RoomEvent

_PCM = bytes | bytearray | memoryview

#: Audio chunks awaiting their delivery at once in :meth:`Room.echo_audio`: 8 x ~61 ms keeps
#: a room whose completions take up to ~480 ms at real time, and bounds what an interrupt can
#: no longer stop to ~0.5 s of audio (32 KB).
_AUDIO_IN_FLIGHT = 8
#: An Event that is set for good, shared by every joined Room (``wait`` returns at once without
#: binding it to a loop; ``set`` is a no-op).
_SET = asyncio.Event()
_SET.set()


@dataclass(slots=True)
class RoomStats:
    """Counters of what the room received, refused and sent (nothing is lost silently).

    Attributes:
        received: App messages received (any sender).
        foreign: App messages from a participant other than the replica.
        foreign_dropped: Foreign messages not surfaced (``foreign_messages="drop"``).
        other_conversation: Replica messages for another ``conversation_id``, ignored.
        duplicates: PAL/replica duplicate copies removed.
        heartbeats: ``system.*_present`` heartbeats suppressed.
        dropped: Events shed by the buffer because the consumer was slow.
        sent: Messages delivered.
        tool_calls: Tool calls answered by registered handlers.
        tool_errors: Of those, answered with an error result.
    """

    received: int = 0
    foreign: int = 0
    foreign_dropped: int = 0
    other_conversation: int = 0
    duplicates: int = 0
    heartbeats: int = 0
    dropped: int = 0
    sent: int = 0
    tool_calls: int = 0
    tool_errors: int = 0


@dataclass(frozen=True, slots=True)
class EchoAudioResult:
    """What :meth:`Room.echo_audio` sent.

    Attributes:
        inference_id: The utterance id all chunks shared.
        chunks: Audio messages sent (the closing ``done`` message included).
        completed: True when the closing ``done: true`` message went out; False when an
            ``interrupt()`` stopped the stream first.
    """

    inference_id: str
    chunks: int
    completed: bool


def _conversation_id_from_url(url: str) -> str | None:
    """The conversation id where the URL shape says it (simulator rooms, Tavus's Daily rooms)."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme in ("ws", "wss") and len(segments) >= 2 and segments[-2] == "rooms":
        return segments[-1]
    if host == "tavus.daily.co" or host.endswith(".tavus.daily.co"):
        return segments[-1]
    return None


def _transport_options(
    url: str, join_timeout: float, send_timeout: float | None, replica_names: Collection[str]
) -> dict[str, Any]:
    """The Room's deadlines (and replica rules) in the words of the transport it will make."""
    daily = urlsplit(url).scheme.lower() in ("http", "https")
    options: dict[str, Any] = {"join_timeout" if daily else "connect_timeout": join_timeout}
    if send_timeout is not None:
        options["send_timeout"] = send_timeout
    if daily and replica_names:
        options["replica_names"] = tuple(replica_names)
    if not daily:
        # The replica's messages as JSON text, decoded straight into typed events.
        options["replica_json"] = True
    return options


def _as_text(output: Any) -> str:
    if isinstance(output, str):
        return output
    try:
        return msgspec.json.encode(output).decode()
    except (TypeError, ValueError):
        return str(output)


class Room:
    """A connection to one conversation's room. Use it as ``async with``.

    Args:
        url: The conversation URL (``https://tavus.daily.co/<id>`` or a simulator ``ws://`` URL).
        meeting_token: The meeting token when the conversation requires auth. Never logged.
        transport: The transport to use; by default chosen from the URL.
        conversation_id: The conversation id (sent with every message, and the filter for
            inbound ones). Derived from Tavus and simulator URLs when omitted.
        replica_id: The conversation's replica id (informational: it does not identify the
            replica's participant; see ``replica_names``).
        replica_names: Daily rooms only, opt-in: user names that also identify the replica
            (for example the persona's name, as pipecat matches it). By default the replica is
            only the participant whose Daily ``userId`` contains ``tavus-replica``, which comes
            from Tavus's meeting token; user names are chosen by each client, so a name rule
            never overrides a ``userId`` match and never takes over a replica already present.
        display_name: Our name in the room.
        join_timeout: Seconds for the join and the replica's arrival together; then
            :class:`~tavus_async.errors.JoinError`. The transport the Room makes gets the same
            bound for its own join.
        send_timeout: Seconds each send may take before :class:`SendError`; given to the
            transport the Room makes, which owns it (default: the transport's, 10 s). With
            ``transport=``, set it on that transport instead.
        client: An ``AsyncTavus`` (anything with ``conversations.end(id)``), for
            ``end_conversation``.
        end_conversation: End the conversation through ``client`` when the room is left, once,
            also after an error or a cancellation.
        wait_for_replica: Let ``async with`` return only once the replica is in the room.
        replica_only: Decode only the replica's app messages as Tavus events (default). Turn
            off only for rooms whose participants you all trust.
        foreign_messages: ``"event"`` surfaces others' messages as :class:`ForeignMessage`;
            ``"drop"`` counts them in :attr:`stats` only.
        dedupe: Remove the PAL/replica duplicate copies of PAL turns.
        reorder: Hold events up to this many seconds to deliver them in ``seq`` order (Tavus
            warns they can arrive out of order). Off by default: it adds up to that much
            latency to an event that follows a gap.
        heartbeats: Yield ``system.replica_present``/``pal_present`` heartbeats.
        buffer_size: Events held for a slow consumer before droppable ones are shed.
        transcript_max_turns: Turns :attr:`transcript` keeps; older ones are dropped and
            counted in ``transcript.dropped`` (None keeps every turn).
        tools: A :class:`~tavus_async.tools.ToolRegistry` to answer tool calls from (the same
            one can serve the HTTP channel); default: a new, empty one. ``@room.tool``
            registers into it.
        tool_timeout: Default seconds a tool handler may run (a tool's own ``timeout`` wins).
        legacy_tool_reply: How to answer a tool call that has no ``tool_call_id``: ``"echo"``
            (the replica speaks the result), ``"append_context"``, or ``"none"``.

    Attributes:
        transcript: The conversation so far (:class:`Transcript`).
        tools: The tool registry calls are answered from (:class:`ToolRegistry`).
        stats: What was received, refused, dropped and sent (:class:`RoomStats`).
        conversation_id: The conversation this room belongs to.

    Raises:
        ValueError: A bad option; the message names it.
    """

    # Slots, not an instance dict: with more than 30 attributes CPython shares no keys between
    # instances, so the dict cost 1.6 KB a room (benchmarks/README.md, Scale).
    __slots__ = (
        "__weakref__",
        "_audio_generation",
        "_buffer",
        "_client",
        "_close_reason",
        "_closed_done",
        "_dedupe",
        "_display_name",
        "_end_conversation",
        "_ended",
        "_foreign",
        "_heartbeats",
        "_join_timeout",
        "_joined",
        "_legacy_tool_reply",
        "_local_id",
        "_reorder",
        "_reorder_timer",
        "_replica",
        "_replica_only",
        "_replica_present",
        "_replica_ready",
        "_runner",
        "_state",
        "_tg",
        "_token",
        "_tool_backlog",
        "_tool_timeout",
        "_transport",
        "_url",
        "_wait_for_replica",
        "conversation_id",
        "replica_id",
        "stats",
        "tools",
        "transcript",
    )

    def __init__(
        self,
        url: str,
        meeting_token: str | None = None,
        *,
        transport: Transport | None = None,
        conversation_id: str | None = None,
        replica_id: str | None = None,
        replica_names: Collection[str] = (),
        display_name: str = "tavus-async",
        join_timeout: float = 30.0,
        send_timeout: float | None = None,
        client: Any = None,
        end_conversation: bool = False,
        wait_for_replica: bool = True,
        replica_only: bool = True,
        foreign_messages: Literal["event", "drop"] = "event",
        dedupe: bool = True,
        reorder: float | None = None,
        heartbeats: bool = False,
        buffer_size: int = 1024,
        transcript_max_turns: int | None = 1000,
        tools: ToolRegistry | None = None,
        tool_timeout: float = 30.0,
        legacy_tool_reply: Literal["echo", "append_context", "none"] = "echo",
    ) -> None:
        if not isinstance(url, str) or not url:
            raise InvalidInputError(
                "url must be the conversation's conversation_url (a non-empty str)"
            )
        if foreign_messages not in ("event", "drop"):
            raise InvalidInputError(
                f"foreign_messages must be 'event' or 'drop', got {foreign_messages!r}"
            )
        if legacy_tool_reply not in ("echo", "append_context", "none"):
            raise InvalidInputError(
                "legacy_tool_reply must be 'echo', 'append_context' or 'none', "
                f"got {legacy_tool_reply!r}"
            )
        for name, value in (
            ("join_timeout", join_timeout),
            ("send_timeout", send_timeout),
            ("tool_timeout", tool_timeout),
        ):
            if value is not None and not value > 0:
                raise InvalidInputError(f"{name} must be positive, got {value}")
        if reorder is not None and not reorder > 0:
            raise InvalidInputError(
                f"reorder must be a positive number of seconds or None, got {reorder}"
            )
        if buffer_size < 1:
            raise InvalidInputError(f"buffer_size must be at least 1, got {buffer_size}")
        if end_conversation and client is None:
            raise InvalidInputError(
                "end_conversation=True needs client= (an AsyncTavus) to end it with"
            )
        if transport is None:
            transport = transport_for_url(
                url, **_transport_options(url, join_timeout, send_timeout, replica_names)
            )
        elif send_timeout is not None or replica_names:
            raise InvalidInputError(
                "send_timeout= and replica_names= configure the transport the Room makes; "
                "with transport=, pass them to that transport instead"
            )
        self._url = url
        self._token = meeting_token
        self._transport: Transport = transport
        self.conversation_id: str | None = conversation_id or _conversation_id_from_url(url)
        self.replica_id = replica_id
        self._display_name = display_name
        self._join_timeout = join_timeout
        self._client = client
        self._end_conversation = end_conversation
        self._wait_for_replica = wait_for_replica
        self._replica_only = replica_only
        self._foreign = foreign_messages
        # The two copies of a PAL event arrive back to back, so a short memory catches them:
        # 32 unpaired events (~3 KB a room; 128 cost ~13 KB, benchmarks/README.md, Scale).
        self._dedupe = DuplicateFilter(window=128, copy_window=32) if dedupe else None
        self._reorder = SeqReorderBuffer(max_delay=reorder) if reorder is not None else None
        self._reorder_timer: asyncio.TimerHandle | None = None
        self._heartbeats = heartbeats
        self._tool_timeout = tool_timeout
        self._legacy_tool_reply = legacy_tool_reply

        self.stats = RoomStats()
        self.transcript = Transcript(transcript_max_turns)
        self.tools = tools if tools is not None else ToolRegistry()
        self._buffer: EventBuffer[RoomStreamEvent] = EventBuffer(
            buffer_size,
            is_droppable=self._droppable,
            on_dropped=self._dropped_marker,
            on_shedding=self._shedding,
        )
        self._state = "new"  # new -> joining -> joined -> (disconnected) -> closed
        self._close_reason: str | None = None
        self._local_id: str | None = None
        self._replica: Participant | None = None
        self._replica_present = False
        self._joined = asyncio.Event()
        self._replica_ready = asyncio.Event()
        self._closed_done: asyncio.Event | None = None
        self._ended = False
        self._audio_generation = 0
        self._tg: anyio.abc.TaskGroup | None = None
        self._runner: asyncio.Task[None] | None = None
        self._tool_backlog: list[tuple[ToolSpec, ToolCall]] = []

    def __repr__(self) -> str:
        return (
            f"<Room conversation_id={self.conversation_id!r} state={self._state} "
            f"transport={type(self._transport).__name__}>"
        )

    # -- properties ----------------------------------------------------------------------------

    @property
    def state(self) -> str:
        """``new``, ``joining``, ``joined``, ``disconnected`` or ``closed``."""
        return self._state

    @property
    def closed(self) -> bool:
        """True once the room was left or went away."""
        return self._state in ("closed", "disconnected")

    @property
    def local_id(self) -> str | None:
        """Our participant id once joined."""
        return self._local_id

    @property
    def replica(self) -> Participant | None:
        """The replica's participant once it is in the room."""
        return self._replica

    @property
    def transport(self) -> Transport:
        """The transport in use."""
        return self._transport

    def participants(self) -> Mapping[str, Participant]:
        """The other participants currently in the room, by id."""
        return self._transport.participants()

    # -- lifecycle -----------------------------------------------------------------------------

    async def __aenter__(self) -> Room:
        await self.join()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.leave()

    async def join(self) -> None:
        """Join the room; return once joined and (by default) the replica is present.

        Raises:
            JoinError: The transport failed, or the join (and the replica's arrival) took longer
                than ``join_timeout``. The room is closed (and, with ``end_conversation``, the
                conversation ended) before this propagates.
            RoomError: The room was already joined or closed.
        """
        if self._state != "new":
            raise RoomError(f"this room was already joined (state {self._state}); make a new Room")
        self._state = "joining"
        step = "join the room"
        try:
            with anyio.fail_after(self._join_timeout):
                if len(self.tools):
                    self._start_tools()
                info = await self._transport.join(
                    self._url, self._token, self._display_name, self._on_transport_event
                )
                if self._state != "joining":
                    raise RoomClosedError(f"the room closed while joining ({self._close_reason})")
                self._local_id = info.local_id
                if self.conversation_id is None and info.conversation_id:
                    self.conversation_id = info.conversation_id
                self._state = "joined"
                self._joined.set()
                for participant in info.participants:
                    self._on_peer_joined(participant)
                if self._wait_for_replica and self._replica is None:
                    step = "wait for the replica to join"
                    await self._replica_ready.wait()
                    if self._replica is None:
                        raise RoomClosedError(
                            f"the room closed before the replica joined ({self._close_reason})"
                        )
                # Only the join waits on these two, and from now on they would stay set: trade
                # them for one shared set Event (each costs ~0.7 KB and 3 GC-tracked objects,
                # x thousands of rooms; benchmarks/README.md, Scale).
                self._joined = self._replica_ready = _SET
        except TimeoutError:
            # Described before the shutdown: leaving clears the transport's participants.
            seen = self._replica_hint() if step == "wait for the replica to join" else ""
            await self._shutdown("join timed out")
            raise JoinError(
                f"could not {step} within {self._join_timeout:g} s "
                f"(conversation {self.conversation_id or 'unknown'}){seen}"
            ) from None
        except RoomClosedError as exc:
            await self._shutdown("join failed")
            raise JoinError(str(exc)) from None
        except BaseException:
            await self._shutdown("join failed")
            raise

    def _replica_hint(self) -> str:
        """Who was in the room, and how to opt in to another replica rule (secrets masked)."""
        token = self._token

        def clean(text: str) -> str:
            if token:
                text = text.replace(token, "[REDACTED]")
            return redact(text)[:80]

        seen = [
            f"{clean(p.name) or '(no name)'} (id {clean(p.id)}, userId {clean(p.user_id or '-')})"
            for p in list(self._transport.participants().values())[:10]
        ]
        present = "; ".join(seen) if seen else "nobody else"
        return (
            f". Present: {present}. The replica is the participant whose Daily userId contains "
            f"{REPLICA_USER_ID_HINT!r}; if yours is named instead, opt in with "
            "Room(..., replica_names=[<its user name>]) (for example the persona's name), or "
            "pass wait_for_replica=False"
        )

    async def leave(self) -> None:
        """Leave the room: stop tool handlers, leave, release, end the conversation if asked.

        Idempotent; never raises; bounded in time; completes even when cancelled.
        """
        await self._shutdown("left")

    async def _shutdown(self, reason: str) -> None:
        if self._closed_done is not None:
            with anyio.CancelScope(shield=True), anyio.move_on_after(60):
                await self._closed_done.wait()
            return
        done = self._closed_done = asyncio.Event()
        if self._state != "disconnected":
            self._close_reason = reason
        self._state = "closed"
        self._joined.set()  # wake senders waiting on the join: they now raise RoomClosedError
        self._replica_ready.set()
        # The clean-up runs in a task of its own: it completes even if our caller is cancelled
        # meanwhile, and that cancellation is re-raised afterwards rather than swallowed.
        await complete_then_reraise(self._close(done))

    async def _close(self, done: asyncio.Event) -> None:
        try:
            await self._stop_tools()
            await self._transport.leave()
            self._flush_reorder()
            self._buffer.close()
            await self._end()
        finally:
            done.set()

    async def _end(self) -> None:
        if not self._end_conversation or self._ended:
            return
        self._ended = True
        cid = self.conversation_id
        if not cid:
            logger.warning("end_conversation: the conversation id is unknown; not ended")
            return
        try:
            with anyio.fail_after(15):
                await self._client.conversations.end(cid)
        except Exception as exc:
            logger.warning("could not end conversation %s: %s", cid, type(exc).__name__)

    async def _run_task_group(self) -> None:
        # Tool handlers live in this task group, in a task of their own, so that the user's
        # code inside `async with room` never runs inside our cancel scope. It starts with the
        # first tool (at the join, or when one is registered later, or with a call to a tool
        # registered elsewhere), so a room without tools holds no task, task group and timer
        # for it (benchmarks/README.md, Scale).
        try:
            async with anyio.create_task_group() as tg:
                self._tg = tg
                backlog, self._tool_backlog = self._tool_backlog, []
                if self._state not in ("closed", "disconnected"):
                    for spec, call in backlog:
                        tg.start_soon(self._run_tool, spec, call, name=f"tavus-tool-{call.name}")
                    await anyio.sleep_forever()
        except Exception:
            logger.exception("room task group failed")
        finally:
            self._tg = None

    async def _stop_tools(self) -> None:
        tg, runner = self._tg, self._runner
        if tg is not None:
            tg.cancel_scope.cancel()
        elif runner is not None:
            runner.cancel()  # it has not entered its task group yet
        if runner is not None:
            with anyio.move_on_after(10):
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await runner
            if not runner.done():
                runner.cancel()

    # -- inbound (runs on the loop thread, never awaits) ---------------------------------------

    @staticmethod
    def _droppable(item: RoomStreamEvent) -> bool:
        if isinstance(item, Event):
            return is_droppable(item)
        return isinstance(item, ForeignMessage)

    def _shedding(self) -> None:
        logger.warning(
            "room consumer is too slow (%d events buffered): dropping the oldest droppable ones",
            self._buffer.maxsize,
        )

    def _dropped_marker(self, count: int, by_type: Mapping[str, int]) -> RoomStreamEvent:
        self.stats.dropped += count
        logger.warning(
            "room consumer fell behind: %d event(s) were dropped (%s)",
            count,
            ", ".join(f"{k}={v}" for k, v in sorted(by_type.items())),
        )
        return EventsDropped(count, dict(by_type))

    def _on_transport_event(self, event: TransportEvent) -> None:
        if self._state in ("closed", "new"):
            return
        if isinstance(event, AppMessage):
            self._on_app_message(event.data, event.sender)
        elif isinstance(event, PeerJoined):
            self._on_peer_joined(event.participant)
        elif isinstance(event, PeerLeft):
            replica = self._replica
            if replica is not None and event.participant.id == replica.id:
                self._replica_present = False
            self._buffer.put(ParticipantLeft(event.participant, event.reason))
        elif isinstance(event, CallState):
            self._buffer.put(CallStateChanged(event.state))
        elif isinstance(event, TransportDisconnected):
            self._on_disconnected(event)

    def _on_peer_joined(self, participant: Participant) -> None:
        # A replica that rejoins comes back with a new participant id: trust the new one once
        # the old one has left (never two at once, so a second "replica" cannot take over).
        # The one exception: a userId match (set by Tavus's token) replaces a replica that only
        # an opt-in user-name rule found, since any client can choose its name.
        current = self._replica
        if participant.is_replica and (
            current is None
            or not self._replica_present
            or (participant.replica_rule == "user_id" and current.replica_rule == "user_name")
        ):
            self._replica = participant
            self._replica_present = True
            self._buffer.put(ReplicaParticipantJoined(participant))
            self._replica_ready.set()
        else:
            self._buffer.put(ParticipantJoined(participant))

    def _on_disconnected(self, event: TransportDisconnected) -> None:
        if self._state not in ("joining", "joined"):
            return
        self._state = "disconnected"
        self._close_reason = event.reason + (f": {event.detail}" if event.detail else "")
        logger.info("room disconnected: %s", self._close_reason)
        self._flush_reorder()
        self._buffer.put(Disconnected(event.reason, event.detail))
        self._buffer.close()
        self._joined.set()
        self._replica_ready.set()
        if self._tg is not None:
            self._tg.cancel_scope.cancel()

    def _on_app_message(self, data: Any, sender: str) -> None:
        self.stats.received += 1
        replica = self._replica
        if self._replica_only and (replica is None or sender != replica.id):
            self.stats.foreign += 1
            if self._foreign == "event":
                self._buffer.put(ForeignMessage(sender, data))
            else:
                self.stats.foreign_dropped += 1
            return
        event = decode(data)
        cid = event.conversation_id
        if cid is not None:
            if self.conversation_id is None:
                self.conversation_id = cid
            elif cid != self.conversation_id:
                self.stats.other_conversation += 1
                logger.debug("ignored %s for another conversation", event.event_type)
                return
        if self._dedupe is not None and not self._dedupe.accept(event):
            self.stats.duplicates += 1
            return
        if not self._heartbeats and isinstance(event, ReplicaPresent):
            self.stats.heartbeats += 1
            return
        reorder = self._reorder
        if reorder is None:
            self._deliver(event)
            return
        loop = asyncio.get_running_loop()
        for ready in reorder.push(event, loop.time()):
            self._deliver(ready)
        self._arm_reorder_timer()

    def _deliver(self, event: Event) -> None:
        self.transcript.add(event)
        if isinstance(event, ToolCall):
            self._dispatch_tool(event)
        self._buffer.put(event)

    def _arm_reorder_timer(self) -> None:
        reorder = self._reorder
        if reorder is None or self._reorder_timer is not None:
            return
        deadline = reorder.next_deadline()
        if deadline is not None:
            self._reorder_timer = asyncio.get_running_loop().call_at(deadline, self._reorder_due)

    def _reorder_due(self) -> None:
        self._reorder_timer = None
        reorder = self._reorder
        if reorder is None or self._state not in ("joining", "joined"):
            return
        for ready in reorder.release_due(asyncio.get_running_loop().time()):
            self._deliver(ready)
        self._arm_reorder_timer()

    def _flush_reorder(self) -> None:
        """Deliver whatever the reorder window still holds (the stream is about to end)."""
        if self._reorder_timer is not None:
            self._reorder_timer.cancel()
            self._reorder_timer = None
        if self._reorder is not None:
            for ready in self._reorder.flush():
                self._deliver(ready)

    # -- receiving -----------------------------------------------------------------------------

    def __aiter__(self) -> AsyncIterator[RoomStreamEvent]:
        return self

    def __anext__(self) -> Awaitable[RoomStreamEvent]:
        # The buffer's own coroutine: one object per event read instead of two.
        return self._buffer.anext()

    async def recv(self) -> RoomStreamEvent:
        """The next event; cancelling it never loses an event.

        Raises:
            RoomClosedError: The stream ended (the room was left or went away).
        """
        if self._state == "new":
            raise RoomClosedError("join the room first (async with Room(...))")
        try:
            return await self._buffer.get()
        except BufferClosed:
            raise RoomClosedError(
                f"the room's event stream has ended ({self._close_reason or 'closed'})"
            ) from None

    @overload
    def events(self) -> AsyncIterator[RoomStreamEvent]: ...
    @overload
    def events(self, __t: type[E]) -> AsyncIterator[E]: ...
    @overload
    def events(self, *types: type[Any]) -> AsyncIterator[Any]: ...

    def events(self, *types: type[Any]) -> AsyncIterator[Any]:
        """Iterate over events of the given classes only (all when none given).

        Events of other classes are consumed from the stream and skipped.
        """
        return self._filtered(types)

    async def _filtered(self, types: tuple[type[Any], ...]) -> AsyncIterator[Any]:
        async for event in self:
            if not types or isinstance(event, types):
                yield event

    @overload
    async def wait_for(
        self,
        event_type: type[E],
        *,
        where: Callable[[E], bool] | None = None,
        timeout: float | None = None,
    ) -> E: ...
    @overload
    async def wait_for(
        self,
        event_type: tuple[type[Any], ...],
        *,
        where: Callable[[Any], bool] | None = None,
        timeout: float | None = None,
    ) -> Any: ...

    async def wait_for(
        self,
        event_type: type[Any] | tuple[type[Any], ...],
        *,
        where: Callable[[Any], bool] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Read the stream until an event of ``event_type`` (matching ``where``) arrives.

        Events before it are consumed and skipped (they still update :attr:`transcript` and
        ran their tools).

        Raises:
            WaitTimeoutError: Nothing matched within ``timeout`` seconds (also a
                :class:`TimeoutError`); the message names the awaited type and the timeout.
            RoomClosedError: The stream ended first.
        """
        skipped = 0
        try:
            with anyio.fail_after(timeout):
                while True:
                    event = await self.recv()
                    if isinstance(event, event_type) and (where is None or where(event)):
                        return event
                    skipped += 1
        except TimeoutError:
            types = event_type if isinstance(event_type, tuple) else (event_type,)
            wanted = " or ".join(t.__name__ for t in types)
            matching = " matching where=" if where is not None else ""
            raise WaitTimeoutError(
                f"room.wait_for: no {wanted}{matching} arrived within {timeout:g}s "
                f"({skipped} other events skipped); raise timeout= or check the filter",
            ) from None

    # -- sending -------------------------------------------------------------------------------

    async def _ready_to_send(self) -> None:
        if self._state == "new":
            raise RoomClosedError("join the room first (async with Room(...))")
        if self._state == "joining":
            try:
                with anyio.fail_after(self._join_timeout):
                    await self._joined.wait()
            except TimeoutError:
                raise SendError(
                    f"the room did not finish joining within {self._join_timeout:g} s"
                ) from None
        if self._state != "joined":
            raise RoomClosedError(
                f"cannot send: the room is {self._state} ({self._close_reason or 'no reason'})"
            )

    def _require_conversation_id(self) -> str:
        if not self.conversation_id:
            raise RoomError(
                "the conversation id is unknown: pass conversation_id= to Room() or connect()"
            )
        return self.conversation_id

    async def _send_payload(self, payload: Any, recipient: str | None) -> None:
        await self._ready_to_send()
        # The transport owns the send deadline (it got the Room's send_timeout).
        await self._transport.send(payload, recipient)
        self.stats.sent += 1

    async def send(
        self, message: Message | Mapping[str, Any], *, recipient: str | None = None
    ) -> None:
        """Send an interactions message, or a raw dict exactly as given.

        Args:
            message: A message from :mod:`tavus_async.interactions.messages` (its envelope is
                filled in with this room's conversation id), or a dict sent as is.
            recipient: A participant id; everyone when None (how Tavus expects interactions).

        Raises:
            SendError: The transport refused it (too large, not JSON, timed out...).
            RoomClosedError: The room was left, went away, or was never joined.
            TypeError: ``message`` is neither a message nor a mapping.
        """
        if isinstance(message, Message):
            payload: Any = to_dict(message, self._require_conversation_id())
        elif isinstance(message, Mapping):
            payload = dict(message)
        else:
            raise InvalidTypeError(
                f"send() takes an interactions message or a dict, got {type(message).__name__}"
            )
        await self._send_payload(payload, recipient)

    async def echo(self, text: str, *, inference_id: str | None = None, done: bool = True) -> None:
        """Make the replica speak ``text`` verbatim (``conversation.echo``, text)."""
        await self.send(Echo(text, inference_id=inference_id, done=done))

    async def respond(self, text: str) -> None:
        """Have the replica answer ``text`` as if the user said it (``conversation.respond``)."""
        await self.send(Respond(text))

    async def interrupt(self) -> None:
        """Stop the replica now, and stop any :meth:`echo_audio` still streaming."""
        self._audio_generation += 1
        await self.send(Interrupt())

    async def append_context(self, text: str, job_status: str | None = None) -> None:
        """Append to the conversational context (``conversation.append_llm_context``)."""
        await self.send(AppendContext(text, job_status=job_status))

    async def overwrite_context(self, text: str) -> None:
        """Replace the conversational context (``conversation.overwrite_llm_context``)."""
        await self.send(OverwriteContext(text))

    async def set_sensitivity(
        self,
        pause: Literal["low", "medium", "high"] | None = None,
        interrupt: Literal["low", "medium", "high"] | None = None,
    ) -> None:
        """Change pause and/or interrupt sensitivity (one message per key, as Tavus requires).

        Raises:
            ValueError: Neither given, or a value other than low/medium/high.
        """
        if pause is None and interrupt is None:
            raise InvalidInputError("give pause= and/or interrupt= (low, medium or high)")
        messages = []
        if pause is not None:
            messages.append(Sensitivity(pause=pause))
        if interrupt is not None:
            messages.append(Sensitivity(interrupt=interrupt))
        for message in messages:
            await self.send(message)

    async def send_tool_result(
        self,
        call_or_id: ToolCall | str,
        output: Any,
        status: Literal["success", "error"] = "success",
    ) -> None:
        """Answer a tool call (``conversation.tool_result``).

        Args:
            call_or_id: The ``ToolCall`` event, or its ``tool_call_id``.
            output: A string, or a JSON-serialisable value.
            status: ``"success"`` or ``"error"``.

        Raises:
            ValueError: The call has no ``tool_call_id`` (answer it with :meth:`echo`).
        """
        if isinstance(call_or_id, ToolCall):
            message = ToolResult.for_call(call_or_id, output, status=status)
        else:
            message = ToolResult(call_or_id, output, status=status)
        await self.send(message)

    async def confirm_objective(
        self, objective_name: str, output_variables: Mapping[str, Any] | None = None
    ) -> None:
        """Confirm a manual-confirmation objective (``conversation.objective.confirm``)."""
        variables = dict(output_variables) if output_variables is not None else None
        await self.send(ObjectiveConfirm(objective_name, variables))

    async def echo_audio(
        self,
        audio: _PCM | Iterable[_PCM] | AsyncIterable[_PCM],
        sample_rate: int = 24000,
        realtime: bool = False,
        *,
        chunk_ms: float | None = None,
        inference_id: str | None = None,
    ) -> EchoAudioResult:
        """Stream PCM16 mono audio for the replica to speak, as one utterance.

        Chunks are sized to fit one app message and handed to the room in order, with up to 8
        awaiting their delivery at once (so a slow acknowledgement does not slow the stream
        below real time); a 40 ms silence with ``done: true`` closes the utterance. By default
        chunks go out as fast as the room accepts them (Tavus buffers); ``realtime=True`` paces
        them at playback speed. :meth:`interrupt` (or cancelling this call) stops it: nothing
        queued is sent after that, and chunks in flight are no longer awaited.

        Args:
            audio: The whole utterance as bytes, or an (async) iterable of PCM pieces (e.g. a
                streaming TTS), any lengths.
            sample_rate: 16000 or 24000 (recommended).
            realtime: Pace at playback speed.
            chunk_ms: Chunk length (default: the largest that fits 4096 bytes, ~61 ms at 24 kHz).
            inference_id: The utterance id (a fresh uuid4 by default).

        Raises:
            ValueError: An unsupported rate, odd byte count, or a chunk that cannot fit.
            SendError, RoomClosedError: As for :meth:`send`.
        """
        cid = self._require_conversation_id()
        iid = inference_id or str(uuid.uuid4())
        options: dict[str, Any] = {
            "conversation_id": cid,
            "sample_rate": sample_rate,
            "inference_id": iid,
            "chunk_ms": chunk_ms,
        }
        if isinstance(audio, (bytes, bytearray, memoryview)):
            messages: AsyncIterator[EchoAudio] = _aiter_sync(echo_audio_messages(audio, **options))
        elif isinstance(audio, AsyncIterable):
            messages = echo_audio_messages_async(audio, **options)
        elif isinstance(audio, Iterable):
            messages = echo_audio_messages_async(_aiter_sync(audio), **options)
        else:
            raise InvalidTypeError(
                "audio must be PCM bytes or an (async) iterable of bytes, "
                f"got {type(audio).__name__}"
            )
        generation = self._audio_generation
        # Pipelined, not serialised: up to _AUDIO_IN_FLIGHT chunks await their delivery at
        # once, so a room whose completions take longer than a chunk's playtime (~61 ms) still
        # gets audio at real time or faster. Each send reaches the transport in order (a task
        # runs up to its first await, where the transport has handed the message over, in the
        # order the tasks were created).
        window: deque[asyncio.Task[bool]] = deque()
        loop = asyncio.get_running_loop()
        delivered = 0
        started = time.monotonic()
        played = 0.0

        async def settle_oldest() -> None:
            nonlocal delivered
            # Raises the send's error (the task stays in the window, to be gathered below).
            sent = await window[0]
            window.popleft()
            delivered += sent

        try:
            async for message in messages:
                if self._audio_generation != generation:
                    return EchoAudioResult(iid, delivered, completed=False)
                while window and (window[0].done() or len(window) >= _AUDIO_IN_FLIGHT):
                    await settle_oldest()
                if realtime:
                    # Stay at most 200 ms ahead of playback.
                    ahead = played - (time.monotonic() - started) - 0.2
                    if ahead > 0:
                        await anyio.sleep(ahead)
                if self._audio_generation != generation:
                    return EchoAudioResult(iid, delivered, completed=False)
                window.append(loop.create_task(self._send_chunk(message, generation)))
                played += len(message.audio) / 2 / sample_rate
            while window:
                await settle_oldest()
            if self._audio_generation != generation:
                return EchoAudioResult(iid, delivered, completed=False)
        finally:
            # Interrupted, cancelled or failed: nothing still waiting is sent or awaited.
            for task in window:
                task.cancel()
            with anyio.CancelScope(shield=True):
                if window:
                    await asyncio.gather(*window, return_exceptions=True)
                aclose = getattr(messages, "aclose", None)
                if aclose is not None:
                    with contextlib.suppress(Exception):
                        await aclose()
        return EchoAudioResult(iid, delivered, completed=True)

    async def _send_chunk(self, message: EchoAudio, generation: int) -> bool:
        # An interrupt() may run before this task starts: then the chunk must not follow it.
        if self._audio_generation != generation:
            return False
        await self.send(message)
        return True

    # -- tools ---------------------------------------------------------------------------------

    def tool(self, name: str | None = None, *, timeout: float | None = None) -> Callable[[F], F]:
        """Decorator registering a tool handler: ``@room.tool("get_weather")``.

        Same as ``room.tools.tool(...)`` (see :meth:`tavus_async.tools.ToolRegistry.register`):
        the call's arguments are decoded into the handler's annotations and passed by keyword
        (the ``ToolCall`` too, as ``call=``, if it declares that parameter); its return value
        is sent as the result.
        """
        # The task group tool calls run in starts now, before the first call can arrive (as at
        # the join); the registry's own decorator is returned, so it sees the caller's frame.
        self._start_tools()
        return self.tools.tool(name, timeout=timeout)

    def _dispatch_tool(self, call: ToolCall) -> None:
        spec = self.tools.get(call.name)
        if spec is None or self._state not in ("joining", "joined"):
            return
        if self._tg is not None:
            self._tg.start_soon(self._run_tool, spec, call, name=f"tavus-tool-{call.name}")
            return
        # Calls until the task group is entered wait here (it may not have started yet).
        self._tool_backlog.append((spec, call))
        self._start_tools()

    def _start_tools(self) -> None:
        """Start the task group tool handlers run in, once, while joining or joined."""
        if self._runner is None and self._state in ("joining", "joined"):
            self._runner = asyncio.get_running_loop().create_task(
                self._run_task_group(), name="tavus-room-tools"
            )

    async def _run_tool(self, spec: ToolSpec, call: ToolCall) -> None:
        context = ToolContext(spec.name, "room", self.conversation_id, call.tool_call_id, call)
        timeout = spec.timeout or self._tool_timeout
        outcome = await self.tools.call(
            spec.name, call.properties.arguments, context=context, timeout=timeout
        )
        self.stats.tool_calls += 1
        if outcome.status == "error":
            self.stats.tool_errors += 1
        try:
            await self._answer_tool(call, outcome.output, outcome.status)
        except (RoomError, ValueError, TypeError) as exc:
            logger.warning("could not send the result of tool %s: %s", spec.name, exc)

    async def _answer_tool(
        self, call: ToolCall, output: Any, status: Literal["success", "error"]
    ) -> None:
        if call.tool_call_id:
            await self.send(ToolResult(call.tool_call_id, output, status=status))
            return
        if isinstance(call, PerceptionToolCall):
            return  # perception tools without an id are fire-and-forget
        if status == "error" or self._legacy_tool_reply == "none":
            return
        text = _as_text(output)
        if not text:
            return
        if self._legacy_tool_reply == "echo":
            await self.send(Echo(text))
        else:
            await self.send(AppendContext(f"Result of the tool {call.name}: {text}"))


async def _aiter_sync(items: Iterable[Any]) -> AsyncIterator[Any]:
    for item in items:
        yield item


def connect(
    conversation_or_url: Any,
    meeting_token: str | None = None,
    *,
    client: Any = None,
    **options: Unpack[RoomOptions],
) -> Room:
    """Make a :class:`Room` for a conversation (a model, a dict, or its URL); use ``async with``.

    Args:
        conversation_or_url: A conversation (anything with ``conversation_url`` and
            ``conversation_id``, a dict with those keys) or the conversation URL itself.
        meeting_token: Overrides the conversation's ``meeting_token``.
        client: The ``AsyncTavus`` that made it (needed for ``end_conversation=True``).
        **options: Passed to :class:`Room` (see :class:`RoomOptions`).

    Raises:
        ValueError: No conversation URL (the conversation may have ended already).
    """
    if isinstance(conversation_or_url, str):
        return Room(conversation_or_url, meeting_token, client=client, **options)

    def field(name: str) -> Any:
        if isinstance(conversation_or_url, Mapping):
            return conversation_or_url.get(name)
        return getattr(conversation_or_url, name, None)

    url = field("conversation_url")
    if not url:
        raise InvalidInputError(
            "the conversation has no conversation_url (it may have ended); "
            "pass a live conversation or its URL"
        )
    options.setdefault("conversation_id", field("conversation_id"))
    options.setdefault("replica_id", field("replica_id"))
    token = meeting_token if meeting_token is not None else field("meeting_token")
    return Room(url, token, client=client, **options)
