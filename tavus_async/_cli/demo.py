"""``demo``: a walk through the whole SDK, against an embedded simulator by default.

It creates a PAL with a ``get_weather`` tool, starts a conversation, joins its room, asks a
question (``respond``), answers the replica's tool call, makes the replica say a line verbatim
(``echo``), interrupts a long answer, ends the conversation, and prints a timed transcript.

Against the embedded simulator nothing is needed: no account, no network. With ``--real`` it runs
the same steps against the Tavus API (a real conversation: it uses credits, and needs the
``daily`` extra to join the room).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio

from ..errors import RoomError, TavusError, WaitTimeoutError
from .common import CLIUsageError, env_has_key, make_client
from .output import Output
from .resources import positive_float

if TYPE_CHECKING:
    from .._client import AsyncTavus
    from ..models._params import ConversationPropertiesParams, ToolParams
    from ..room import Room

__all__ = ["DEMO_SPEED", "Timeline", "add_parser", "cmd_demo"]

#: Simulated seconds per real second: speech stays paced (so an interrupt cuts a sentence
#: short) while the whole walk-through takes a second or two.
DEMO_SPEED = 12.0
#: The longest the demo waits for any one thing in the room.
STEP_TIMEOUT = 20.0

WEATHER_TOOL: ToolParams = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string", "description": "The city"}},
            "required": ["location"],
        },
    },
}
QUESTION = "What's the weather like in Paris today?"
ECHO_LINE = "This sentence is spoken word for word: that is echo mode."
LONG_ASK = "Tell me a long story about the sea."
LONG_STORY = (
    "Once upon a time, far out on the grey northern sea, an old lighthouse keeper kept a "
    "lamp burning for sailors who never came, and every night he wrote their names in a "
    "book, one by one, until the book was full and the sea, at last, answered him back."
)


@dataclass
class Timeline:
    """Prints what happens with the milliseconds since the start, and keeps it for the end.

    Args:
        out: Where lines go (silent in ``--json`` mode, which prints one summary instead).
    """

    out: Output
    started: float = field(default_factory=time.monotonic)
    seq_ms: dict[int, int] = field(default_factory=dict)
    events: int = 0

    def ms(self) -> int:
        """Milliseconds since the demo started."""
        return round((time.monotonic() - self.started) * 1000)

    def step(self, who: str, text: str) -> None:
        """Something the demo did (``▸``)."""
        self._line("▸", who, text)

    def saw(self, who: str, text: str) -> None:
        """Something the room or the API did (``◂``)."""
        self._line("◂", who, text)

    def _line(self, arrow: str, who: str, text: str) -> None:
        if not self.out.json_mode:
            self.out.line(f"{self.ms():>6} ms  {arrow} {who:<13} {text}")


def _describe(event: Any) -> tuple[str, str] | None:
    """How the timeline shows an event; None for the noisy ones (streaming fragments...)."""
    from ..interactions.events import (
        ReplicaJoined,
        StartedSpeaking,
        StoppedSpeaking,
        ToolCall,
        Utterance,
    )
    from ..room.events import Disconnected

    if isinstance(event, Utterance):
        return (event.role or "?", _quote(event.speech or ""))
    if isinstance(event, ToolCall):
        return None  # shown by the tool handler, which runs as soon as the call arrives
    if isinstance(event, StartedSpeaking) and event.role == "replica":
        return ("replica", "started speaking")
    if isinstance(event, StoppedSpeaking) and event.role == "replica":
        duration = event.properties.duration
        how = ", interrupted" if event.properties.interrupted else ""
        spoke = f" after {duration:.1f} s of speech" if isinstance(duration, float) else ""
        return ("replica", f"stopped speaking{spoke}{how}")
    if isinstance(event, ReplicaJoined):
        return ("room", "the replica joined")
    if isinstance(event, Disconnected):
        return ("room", f"ended ({event.detail or event.reason})")
    return None


async def _until(room: Any, timeline: Timeline, what: str, done: Callable[[Any], bool]) -> Any:
    """Read the room's events (showing each) until ``done(event)``; bounded by STEP_TIMEOUT.

    Raises:
        RoomError: The room ended first, or nothing matched in time.
    """
    try:
        with anyio.fail_after(STEP_TIMEOUT):
            async for event in room:
                timeline.events += 1
                seq = getattr(event, "seq", None)
                if isinstance(seq, int):
                    timeline.seq_ms.setdefault(seq, timeline.ms())
                shown = _describe(event)
                if shown is not None:
                    timeline.saw(*shown)
                if done(event):
                    return event
    except TimeoutError:
        raise RoomError(f"the demo waited {STEP_TIMEOUT:g}s for {what}; giving up") from None
    raise RoomError(f"the room ended while waiting for {what}")


def _quote(text: str, limit: int = 72) -> str:
    return f'"{text}"' if len(text) <= limit else f'"{text[: limit - 1]}…"'


def _is(event: Any, event_type: str, **attrs: Any) -> bool:
    if getattr(event, "event_type", None) != event_type:
        return False
    return all(getattr(event, name, None) == value for name, value in attrs.items())


async def _pick_face(tavus: AsyncTavus, wanted: str | None, timeline: Timeline) -> str:
    if wanted:
        return wanted
    page = await tavus.faces.list(limit=50)
    for face in page.data:
        if face.status in face.DONE_STATUSES:
            timeline.saw("REST", f"faces.list → using {face.face_id} ({face.face_name})")
            return face.face_id
    raise CLIUsageError("no ready face found: pass --face-id")


async def _walkthrough(
    tavus: AsyncTavus, timeline: Timeline, *, real: bool, face_id: str | None
) -> Room:
    """The SDK tour itself; returns the room (for its transcript) once the conversation ended."""
    from ..interactions.events import ToolCall
    from ..room.events import Disconnected

    face = await _pick_face(tavus, face_id, timeline)
    pal = await tavus.pals.create(
        pal_name="Weather Guide (tavus-async demo)",
        system_prompt="You are a friendly guide. For weather questions, call get_weather.",
        default_face_id=face,
        layers={"llm": {"tools": [WEATHER_TOOL]}},
    )
    timeline.step("REST", f"pals.create → {pal.pal_id} with tool get_weather")
    try:
        properties: ConversationPropertiesParams = {"participant_left_timeout": 0}
        if real:
            properties["max_call_duration"] = 180  # a bound on what a stuck demo can cost
        conv = await tavus.conversations.create(
            pal_id=pal.pal_id,
            face_id=face,
            conversation_name="tavus-async demo",
            custom_greeting="Hi! Ask me about the weather.",
            properties=properties,
        )
        timeline.step("REST", f"conversations.create → {conv.conversation_id}")
        ended = False
        try:
            async with tavus.conversations.connect(conv) as room:

                @room.tool("get_weather")
                async def get_weather(location: str) -> str:
                    args = json.dumps({"location": location})
                    timeline.saw("tool call", f"get_weather {args}")
                    answer = f"It is sunny and 21 degrees in {location}."
                    timeline.step("tool result", f'get_weather → "{answer}"')
                    return answer

                timeline.step("room", "joined; the replica is here")
                greeting = await _until(
                    room,
                    timeline,
                    "the greeting",
                    lambda e: _is(e, "conversation.utterance", role="replica"),
                )
                await _until(room, timeline, "the greeting to end", _stopped(greeting))

                timeline.step("respond", f'"{QUESTION}"')
                await room.respond(QUESTION)
                first = await _until(
                    room,
                    timeline,
                    "the tool call",
                    lambda e: isinstance(e, ToolCall) or _replica_utterance(e, after=greeting),
                )
                if isinstance(first, ToolCall):
                    answer = await _until(
                        room,
                        timeline,
                        "the spoken tool result",
                        lambda e: _replica_utterance(e, after=greeting),
                    )
                else:  # a real LLM decides for itself whether a question needs the tool
                    answer = first
                    timeline.saw("note", "the LLM answered without calling get_weather")
                await _until(room, timeline, "the answer to end", _stopped(answer))

                timeline.step("echo", f'"{ECHO_LINE}"')
                await room.echo(ECHO_LINE)
                echoed = await _until(
                    room,
                    timeline,
                    "the echo",
                    lambda e: _replica_utterance(e, after=answer),
                )
                await _until(room, timeline, "the echo to end", _stopped(echoed))

                timeline.step("respond", f'"{LONG_ASK}"')
                await room.respond(LONG_ASK)
                story = await _until(
                    room,
                    timeline,
                    "the story to start",
                    lambda e: _replica_utterance(e, after=echoed),
                )
                await _until(
                    room,
                    timeline,
                    "the first words of the story",
                    lambda e: (
                        _is(e, "conversation.utterance.streaming", role="replica")
                        or _stopped(story)(e)
                    ),
                )
                timeline.step("interrupt", "cut the replica off mid-sentence")
                await room.interrupt()
                stopped = await _until(room, timeline, "the replica to stop", _stopped(story))
                if not stopped.properties.interrupted:
                    timeline.saw("note", "the answer ended before the interrupt reached it")

                timeline.step("REST", f"conversations.end({conv.conversation_id})")
                await tavus.conversations.end(conv.conversation_id)
                ended = True
                await _until(
                    room, timeline, "the room to close", lambda e: isinstance(e, Disconnected)
                )
                return room
        finally:
            if not ended:
                await _cleanup(
                    timeline,
                    f"conversations.end({conv.conversation_id})",
                    tavus.conversations.end(conv.conversation_id),
                )
    finally:
        await _cleanup(
            timeline,
            f"pals.delete({pal.pal_id})",
            tavus.pals.delete(pal.pal_id),
        )


async def _cleanup(timeline: Timeline, what: str, call: Awaitable[None]) -> None:
    """Run a clean-up call even while cancelled, bounded; a failure is shown, not raised, so it
    cannot hide the error that led here."""
    with anyio.CancelScope(shield=True), anyio.move_on_after(10) as scope:
        try:
            await call
        except TavusError as exc:
            timeline.saw("note", f"{what} failed: {exc}")
            return
    if scope.cancelled_caught:
        timeline.saw("note", f"{what} did not finish within 10 s")
    else:
        timeline.step("REST", what)


def _replica_utterance(event: Any, *, after: Any) -> bool:
    """A replica utterance later than ``after`` (a previous one, skipped by its inference id)."""
    if not _is(event, "conversation.utterance", role="replica"):
        return False
    previous = getattr(after, "inference_id", None)
    return previous is None or event.inference_id != previous


def _stopped(utterance: Any) -> Callable[[Any], bool]:
    """A predicate: the replica stopped speaking the turn ``utterance`` started."""
    inference_id = getattr(utterance, "inference_id", None)

    def done(event: Any) -> bool:
        if not _is(event, "conversation.stopped_speaking", role="replica"):
            return False
        return inference_id is None or event.inference_id == inference_id

    return done


def _print_transcript(room: Any, timeline: Timeline, out: Output, *, real: bool) -> None:
    turns = []
    for turn in room.transcript:
        ms = timeline.seq_ms.get(turn.seq) if turn.seq is not None else None
        turns.append(
            {"ms": ms, "role": turn.role, "text": turn.text, "interrupted": turn.interrupted}
        )
    if out.json_mode:
        out.json(
            {
                "simulator": not real,
                "elapsed_ms": timeline.ms(),
                "events": timeline.events,
                "transcript": turns,
            }
        )
        return
    out.line()
    out.line("Transcript")
    for turn in turns:
        when = f"{turn['ms']:>6} ms" if turn["ms"] is not None else "     ? ms"
        cut = " …(interrupted)" if turn["interrupted"] else ""
        out.line(f"{when}  {turn['role']:<8} {turn['text']}{cut}")
    out.line()
    if not real:
        out.line("Next: `tavus-async simulate` serves this simulator for your own code, and")
        out.line("      `tavus-async listen URL` prints any room's events as JSON lines.")
    where = "the Tavus API" if real else "the embedded simulator"
    out.line(f"Done in {timeline.ms()} ms against {where}: {timeline.events} room events.")


async def cmd_demo(args: argparse.Namespace, out: Output) -> int:
    """Run the walk-through; exit 0 once the conversation ended and the transcript printed."""
    timeline = Timeline(out)
    if args.real and not (args.api_key or env_has_key()):
        raise CLIUsageError("--real needs a Tavus API key: set TAVUS_API_KEY or pass --api-key")
    if not args.real and (args.api_key or env_has_key()) and not out.json_mode:
        out.line(
            "note: a Tavus API key is set. The demo would use the real Tavus API (a real "
            "conversation, which uses credits) only with --real; running on the embedded "
            "simulator instead."
        )
    try:
        with anyio.fail_after(args.timeout):
            if args.real:
                async with make_client(args) as tavus:
                    timeline.step("setup", f"using the Tavus API at {tavus.base_url}")
                    room = await _walkthrough(tavus, timeline, real=True, face_id=args.face_id)
            else:
                room = await _simulated(timeline, args.face_id)
    except TimeoutError:
        raise WaitTimeoutError(
            f"the demo did not finish within {args.timeout:g}s (raise --timeout to wait longer)"
        ) from None
    _print_transcript(room, timeline, out, real=args.real)
    return 0


async def _simulated(timeline: Timeline, face_id: str | None) -> Any:
    from ..testing import TavusSimulator

    async with TavusSimulator(time=DEMO_SPEED) as sim:
        if sim.replica is None:
            raise RoomError("the simulator was built without rooms; the demo needs them")
        # Script the simulated replica the way an LLM with this PAL would behave.
        sim.replica.when("weather", tool="get_weather", arguments={"location": "Paris"})
        sim.replica.when("story", say=LONG_STORY)
        timeline.step("setup", f"embedded Tavus simulator on {sim.base_url}")
        async with sim.client() as tavus:
            return await _walkthrough(tavus, timeline, real=False, face_id=face_id)


def add_parser(
    commands: argparse._SubParsersAction[Any],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``demo``."""
    p = commands.add_parser(
        "demo",
        help="walk through the SDK on an embedded simulator (no account needed)",
        parents=[common],
        description="Persona with a tool, conversation, room, respond, tool call, echo, "
        "interrupt, end, transcript. Runs on an embedded simulator unless --real.",
    )
    p.add_argument(
        "--real",
        action="store_true",
        help="run against the real Tavus API (TAVUS_API_KEY; uses credits; needs the daily extra)",
    )
    p.add_argument(
        "--face-id",
        "--replica-id",
        dest="face_id",
        help="the face (replica) to use (default: the first ready one)",
    )
    p.add_argument(
        "--timeout",
        type=positive_float,
        default=60.0,
        help="give up after this many seconds (default 60)",
    )
    p.set_defaults(handler=cmd_demo)
