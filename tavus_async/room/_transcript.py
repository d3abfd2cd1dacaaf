"""The conversation so far, rebuilt from utterance and streaming events.

Tavus sends the replica's *intended* reply as ``conversation.utterance`` when it starts speaking,
and the words *actually spoken* as accumulated ``conversation.utterance.streaming`` messages.
A turn is keyed by (role, ``inference_id``): the spoken text wins over the intended text once
any streaming text arrived, and a turn the user cut off (``is_interrupted``, or a
stopped-speaking event with ``interrupted``) is truncated to what was spoken and flagged.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ..errors import InvalidInputError
from ..interactions.events import (
    Event,
    ReplicaStoppedSpeaking,
    StoppedSpeaking,
    Utterance,
    UtteranceStreaming,
)

__all__ = ["Transcript", "Turn"]


class Turn(msgspec.Struct, gc=False):
    """One turn of the conversation.

    Not tracked by the cyclic garbage collector (``gc=False``): a turn holds only strings,
    numbers and booleans, and a process holding 1,000 rooms' transcripts would otherwise have
    every turn walked by each full collection (issue 17).

    Attributes:
        role: ``"user"`` or ``"replica"``.
        inference_id: Tavus's id for the turn, when it had one.
        intended: The full text from ``conversation.utterance`` (the replica's LLM reply).
        spoken: The accumulated streaming text (what was actually said), when streamed.
        final: True once a final streaming message or a user utterance arrived.
        interrupted: True when the replica was cut off.
        seq: The ``seq`` of the first event of the turn (ordering), when present.
    """

    role: str
    inference_id: str | None = None
    intended: str | None = None
    spoken: str | None = None
    final: bool = False
    interrupted: bool = False
    seq: int | None = None

    @property
    def text(self) -> str:
        """What was said: the spoken text when streamed, else the intended text."""
        if self.spoken is not None:
            return self.spoken
        return self.intended or ""


class Transcript:
    """An ordered list of :class:`Turn` s; feed it events with :meth:`add`.

    It holds at most ``max_turns`` turns: a long (or flooded) conversation drops its oldest
    turns first, counted in :attr:`dropped`, so memory stays bounded like the event buffer.

    Args:
        max_turns: The most turns kept (default 1000; None keeps every turn).
    """

    def __init__(self, max_turns: int | None = 1000) -> None:
        if max_turns is not None and max_turns < 1:
            raise InvalidInputError(f"max_turns must be >= 1 or None, got {max_turns!r}")
        # A list, not a deque: an empty deque costs 760 bytes a room, and dropping the oldest of
        # at most ``max_turns`` pointers happens only once the transcript is full.
        self._turns: list[Turn] = []
        self._by_key: dict[tuple[str, str], Turn] = {}
        self.max_turns = max_turns
        #: Turns dropped from the front because the transcript was full.
        self.dropped = 0

    def _append(self, turn: Turn) -> None:
        if self.max_turns is not None and len(self._turns) >= self.max_turns:
            old = self._turns.pop(0)
            if old.inference_id is not None:
                self._by_key.pop((old.role, old.inference_id), None)
            self.dropped += 1
        self._turns.append(turn)

    def __len__(self) -> int:
        return len(self._turns)

    def __iter__(self) -> Any:
        return iter(list(self._turns))

    def __getitem__(self, index: int) -> Turn:
        return self._turns[index]

    def __repr__(self) -> str:
        return f"<Transcript turns={len(self._turns)} dropped={self.dropped}>"

    @property
    def turns(self) -> list[Turn]:
        """A copy of the turns, in order."""
        return list(self._turns)

    def text(self) -> str:
        """The transcript as ``role: text`` lines (interrupted turns end with ``…``)."""
        lines = []
        for turn in self._turns:
            suffix = " …" if turn.interrupted else ""
            lines.append(f"{turn.role}: {turn.text}{suffix}")
        return "\n".join(lines)

    def _turn(self, role: str, event: Event) -> Turn:
        inference_id = event.inference_id
        if inference_id is not None:
            key = (role, inference_id)
            turn = self._by_key.get(key)
            if turn is None:
                turn = Turn(role=role, inference_id=inference_id, seq=event.seq)
                self._by_key[key] = turn
                self._append(turn)
            return turn
        turn = Turn(role=role, seq=event.seq)
        self._append(turn)
        return turn

    def add(self, event: Event) -> None:
        """Update the transcript with ``event`` (other event types are ignored)."""
        if isinstance(event, Utterance):
            role = event.role or "unknown"
            turn = self._turn(role, event)
            turn.intended = event.speech
            if role == "user":
                turn.final = True
        elif isinstance(event, UtteranceStreaming):
            role = event.role or "unknown"
            turn = self._turn(role, event)
            speech = event.speech
            # The final spoken text usually equals the intended one: keep one string, not two.
            turn.spoken = turn.intended if speech == turn.intended else speech
            if event.final:
                turn.final = True
                if event.is_interrupted:
                    turn.interrupted = True
        elif (
            isinstance(event, (StoppedSpeaking, ReplicaStoppedSpeaking))
            and event.role == "replica"
            and event.interrupted
            and event.inference_id is not None
        ):
            stopped = self._by_key.get(("replica", event.inference_id))
            if stopped is not None:
                # Without streaming text we cannot know where it stopped: the intended text
                # stays, flagged as interrupted.
                stopped.interrupted = True
