"""``listen``, ``say`` and ``ask``: join a conversation's room from the command line.

``listen`` prints every event as one JSON line (``event_type`` first), so its output can be piped
into ``jq`` or a file. It stops when the room ends or on Ctrl-C, leaving the room either way.
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import os
from collections.abc import AsyncIterator, Awaitable, Sequence
from typing import Any, TypeVar

import anyio

from ..errors import JoinError, RoomError
from .common import CLIUsageError, make_client
from .output import Output, to_plain
from .resources import positive_float, positive_int

T = TypeVar("T")

__all__ = ["add_parsers", "event_to_json", "matches"]

_DEFAULT_ASK_TIMEOUT = 60.0


def event_to_json(event: Any) -> dict[str, Any]:
    """One event as a JSON object whose first key is ``event_type``.

    Protocol events print what the room sent (their ``raw`` message), so nothing the SDK does
    not model is lost; the room's own events (``room.*``) print their fields.
    """
    event_type = getattr(event, "event_type", None) or type(event).__name__
    raw = getattr(event, "raw", None)
    if isinstance(raw, dict) and raw:
        body = dict(raw)
    else:
        plain = to_plain(event)
        body = dict(plain) if isinstance(plain, dict) else {"value": plain}
        body.pop("raw", None)
    body.pop("event_type", None)
    reason = getattr(event, "reason", None)
    if reason is not None and "reason" not in body:
        body["reason"] = reason  # a MalformedEvent's explanation; its raw may be empty
    return {"event_type": event_type, **body}


def matches(event_type: str, patterns: Sequence[str] | None) -> bool:
    """Whether ``event_type`` passes the ``--type`` filters (shell patterns: ``conversation.*``)."""
    if not patterns:
        return True
    return any(fnmatch.fnmatchcase(event_type, pattern) for pattern in patterns)


def _is_url(target: str) -> bool:
    return "://" in target


@contextlib.asynccontextmanager
async def _joined(args: argparse.Namespace, *, wait_for_replica: bool) -> AsyncIterator[Any]:
    """Join the room of ``args.target``: a conversation URL, or an id looked up through REST.

    A URL needs no API key (joining a room is not a REST call); an id does.
    """
    from ..room import connect

    options: dict[str, Any] = {
        "wait_for_replica": wait_for_replica,
        "join_timeout": args.join_timeout,
        "display_name": args.name,
    }
    if args.replica_id:
        options["replica_id"] = args.replica_id
    if args.replica_name:
        options["replica_names"] = tuple(args.replica_name)
    target: Any = args.target
    if not _is_url(args.target):
        async with make_client(args) as tavus:
            target = await tavus.conversations.get(args.target)
    try:
        room = connect(target, args.token, **options)
    except ValueError as exc:
        raise CLIUsageError(f"{args.command}: {exc}") from None
    async with contextlib.AsyncExitStack() as stack:
        try:
            await stack.enter_async_context(room)
        except JoinError as exc:
            raise JoinError(in_cli_words(str(exc))) from None
        yield room


#: The SDK's advice names Python arguments; on the command line the same knobs are flags.
_CLI_WORDS = (
    ("Room(..., replica_names=[<its user name>])", "--replica-name USER_NAME"),
    (", or pass wait_for_replica=False", ""),
)


def in_cli_words(message: str) -> str:
    """A join error's message with the flags that change the outcome (``--join-timeout``...)."""
    for python, flag in _CLI_WORDS:
        message = message.replace(python, flag)
    if "within" in message and "--join-timeout" not in message:
        message += " (raise --join-timeout to wait longer)"
    return message


async def cmd_listen(args: argparse.Namespace, out: Output) -> int:
    """Print every event of the room as a JSON line until the room ends."""
    printed = 0
    async with _joined(args, wait_for_replica=False) as room:
        async for event in room:
            record = event_to_json(event)
            if matches(str(record["event_type"]), args.type):
                out.json(record, compact=True)
                printed += 1
                if args.count is not None and printed >= args.count:
                    break
    return 0


async def cmd_say(args: argparse.Namespace, out: Output) -> int:
    """Make the replica say ``TEXT`` word for word (``conversation.echo``)."""
    spoken: float | None = None
    async with _joined(args, wait_for_replica=True) as room:
        await room.echo(args.text)
        if args.wait:
            spoken = await _within(args.timeout, "finish saying it", _spoken(room, args.text))
    if out.json_mode:
        record: dict[str, Any] = {"sent": "conversation.echo", "text": args.text}
        if args.wait:
            record["spoken_seconds"] = spoken
        out.json(record)
    elif args.wait:
        out.line(f"said: {args.text}")
    else:
        out.line(f"sent: {args.text}")
    return 0


async def _within(timeout: float, what: str, waiting: Awaitable[T]) -> T:
    """Await ``waiting`` for up to ``timeout`` seconds.

    Raises:
        RoomError: Time ran out; the message says what the replica did not do.
    """
    try:
        with anyio.fail_after(timeout):
            return await waiting
    except TimeoutError:
        raise RoomError(
            f"the replica did not {what} within {timeout:g}s (raise --timeout to wait longer)"
        ) from None


async def _spoken(room: Any, text: str) -> float | None:
    """Wait until the replica finished speaking ``text``; returns how long it spoke, if said.

    Raises:
        RoomError: The room ended first.
    """
    inference_id: str | None = None
    async for event in room:
        event_type = getattr(event, "event_type", None)
        if event_type == "conversation.utterance" and getattr(event, "role", None) == "replica":
            if (event.speech or "").strip() == text.strip():
                inference_id = event.inference_id
        elif (
            event_type == "conversation.stopped_speaking"
            and getattr(event, "role", None) == "replica"
            and inference_id is not None
            and event.inference_id == inference_id
        ):
            duration = event.properties.duration
            return float(duration) if isinstance(duration, (int, float)) else None
    raise RoomError("the room ended before the replica finished speaking")


async def cmd_ask(args: argparse.Namespace, out: Output) -> int:
    """Send ``TEXT`` as the user (``conversation.respond``) and print the replica's answer."""
    async with _joined(args, wait_for_replica=True) as room:
        await room.respond(args.text)
        reply = await _within(args.timeout, "answer", _next_reply(room, args.text))
    if reply is None:
        raise RoomError("the room ended before the replica answered")
    if out.json_mode:
        out.json(event_to_json(reply))
    else:
        out.line(str(getattr(reply, "speech", "")))
    return 0


async def _next_reply(room: Any, text: str) -> Any:
    """The replica's answer to our respond: its first utterance of our turn.

    Tavus echoes a respond back as a user utterance carrying the turn's ``turn_idx``; the answer
    is the replica utterance of that turn. Until the echo is seen, a replica utterance of turn 0
    (the greeting, which may still be arriving) is not taken for the answer.
    """
    our_turn: int | None = None
    async for event in room:
        if getattr(event, "event_type", None) != "conversation.utterance":
            continue
        role, turn = getattr(event, "role", None), getattr(event, "turn_idx", None)
        if role == "user" and our_turn is None and (event.speech or "").strip() == text.strip():
            our_turn = turn
        elif role == "replica":
            if our_turn is not None and turn is not None and turn < our_turn:
                continue
            if our_turn is None and turn == 0:
                continue
            return event
    return None


def add_parsers(
    commands: argparse._SubParsersAction[Any],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``listen``, ``say`` and ``ask``."""
    p = commands.add_parser(
        "listen",
        help="print a room's events as JSON lines",
        parents=[common],
        description="Join the room and print every event as one JSON line until it ends or "
        "Ctrl-C. Only the replica's messages are read as Tavus events.",
    )
    _room_args(p)
    p.add_argument(
        "--type",
        action="append",
        metavar="EVENT_TYPE",
        help="print only these event types (repeatable; shell patterns like 'conversation.*')",
    )
    p.add_argument("--count", type=positive_int, help="stop after printing this many events")
    p.set_defaults(handler=cmd_listen)

    p = commands.add_parser("say", help="make the replica say TEXT (echo)", parents=[common])
    _room_args(p)
    p.add_argument("text", metavar="TEXT", help="the words the replica speaks, as given")
    p.add_argument(
        "--wait",
        action="store_true",
        help="stay until the replica has finished saying it (a room whose last participant "
        "leaves may end)",
    )
    p.add_argument(
        "--timeout",
        type=positive_float,
        default=_DEFAULT_ASK_TIMEOUT,
        help=f"seconds to wait with --wait (default {_DEFAULT_ASK_TIMEOUT:g})",
    )
    p.set_defaults(handler=cmd_say)

    p = commands.add_parser(
        "ask", help="say TEXT as the user and print the reply (respond)", parents=[common]
    )
    _room_args(p)
    p.add_argument("text", metavar="TEXT", help="what the user says to the replica")
    p.add_argument(
        "--timeout",
        type=positive_float,
        default=_DEFAULT_ASK_TIMEOUT,
        help=f"seconds to wait for the reply (default {_DEFAULT_ASK_TIMEOUT:g})",
    )
    p.set_defaults(handler=cmd_ask)


def _room_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "target",
        metavar="URL",
        help="the conversation_url (no API key needed), or a conversation id (looked up)",
    )
    p.add_argument(
        "--token",
        metavar="MEETING_TOKEN",
        default=os.environ.get("TAVUS_MEETING_TOKEN"),
        help="the meeting token of a private room (default: $TAVUS_MEETING_TOKEN; never printed)",
    )
    p.add_argument("--replica-id", help="the conversation's replica id (informational)")
    p.add_argument(
        "--replica-name",
        action="append",
        metavar="USER_NAME",
        help="opt in: a Daily user name that also identifies the replica (repeatable); by "
        "default only a participant whose userId contains 'tavus-replica' is",
    )
    p.add_argument("--name", default="tavus-async-cli", help="our display name in the room")
    p.add_argument(
        "--join-timeout",
        type=positive_float,
        default=30.0,
        help="seconds to join (and, for say/ask, for the replica to arrive)",
    )
