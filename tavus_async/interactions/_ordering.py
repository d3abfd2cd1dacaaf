"""De-duplication of PAL/replica copies and an optional bounded reorder by `seq`.

Both are pure, synchronous and bounded; the room connector owns the timing (for example it
calls `SeqReorderBuffer.flush()` when no event has arrived for a while).
"""

from __future__ import annotations

import heapq
import itertools
import operator
from collections.abc import Callable
from typing import Any, Final

import msgspec

from tavus_async.interactions.events import (
    Event,
    StartedSpeaking,
    StoppedSpeaking,
    Utterance,
    UtteranceStreaming,
)

from ..errors import InvalidInputError

__all__ = ["DuplicateFilter", "SeqReorderBuffer"]

# The reference (section 4.3) documents copies for streaming and the unified speaking events;
# whether plain utterances are duplicated too is unconfirmed, so they are covered as well.
_DUPLICATED: Final[frozenset[type[Event]]] = frozenset(
    {UtteranceStreaming, StartedSpeaking, StoppedSpeaking, Utterance}
)
_AGENT_ROLES: Final = frozenset({"pal", "replica"})


_CONTENT_FIELDS: dict[type, Callable[[Any], Any]] = {}


def _content_fields(props_type: type) -> Callable[[Any], Any]:
    """A getter for every field of a properties Struct but ``role`` (a tuple, or one value)."""
    getter = _CONTENT_FIELDS.get(props_type)
    if getter is None:
        fields: tuple[str, ...] = getattr(props_type, "__struct_fields__", ())
        names = [name for name in fields if name != "role"]
        getter = operator.attrgetter(*names) if names else (lambda props: ())
        _CONTENT_FIELDS[props_type] = getter
    return getter


def _signature(event: Event) -> int:
    """A 64-bit hash of what a PAL copy and its legacy replica copy share (all but role, seq).

    A hash, not the tuple itself: the filter remembers up to ``window`` of these per room, and
    ints hold no references, so the garbage collector never walks them and the speech strings
    they were computed from are freed with their events (``benchmarks/README.md``, Scale).
    """
    props = event.properties  # type: ignore[attr-defined]
    head = (event.event_type, event.conversation_id, event.inference_id, event.turn_idx)
    try:
        return hash((head, _content_fields(type(props))(props)))
    except TypeError:  # unhashable values (dicts): hash their JSON instead
        body = msgspec.json.encode(
            {k: v for k, v in msgspec.structs.asdict(props).items() if k != "role"},
            order="sorted",
        )
        return hash((head, body))


class DuplicateFilter:
    """Drops the duplicate copies Tavus sends for PAL turns, and repeated `seq` numbers.

    For PAL turns Tavus sends streaming and started/stopped speaking events twice: once with
    `role: "pal"` and once with the legacy `role: "replica"`, otherwise identical. Whether the
    two copies share `seq` is undocumented, so an event is a duplicate when either:

    - an event with the same `event_type` and `seq` was already seen, or
    - its counterpart with the other agent role (pal vs replica) and the same content was seen.

    Two genuinely repeated messages with the same role are not merged by the second rule.

    Memory is bounded by `window`, and kept small because a process may hold thousands of
    rooms (`benchmarks/README.md`, Scale): for `seq`, one bit per number in the `window`
    numbers below the highest seen (per `event_type`; a `seq` older than that is delivered);
    for copies, the `copy_window` (default: `window`) most recent content hashes. The hashes
    are 64-bit (Python's keyed SipHash of the strings), so two different events match by
    accident with a probability of about `copy_window` / 2**64 per event; such a drop would
    still be counted in `dropped`.

    Args:
        window: How far back `seq` numbers are remembered.
        copy_window: How many unpaired agent events are remembered for their counterpart.

    Attributes:
        dropped: how many events `accept` has rejected.
    """

    __slots__ = ("_bits", "_copies", "_copy_window", "_mask", "_tops", "_window", "dropped")

    #: Event types whose `seq` window is kept (a room sends about ten; the rest is bounded).
    MAX_SEQ_TYPES: Final = 64

    def __init__(self, window: int = 512, *, copy_window: int | None = None) -> None:
        if window < 1:
            raise InvalidInputError(f"window must be at least 1, got {window}")
        if copy_window is not None and copy_window < 1:
            raise InvalidInputError(f"copy_window must be at least 1, got {copy_window}")
        self._window = window
        self._copy_window = window if copy_window is None else copy_window
        self._mask = (1 << window) - 1
        # Two dicts of ints, not a [top, bits] list per type: a dict holding only strings and
        # ints is not tracked by the garbage collector, a list always is (x thousands of rooms).
        self._tops: dict[str, int] = {}  # event_type -> the highest seq seen
        self._bits: dict[str, int] = {}  # event_type -> bit i set: seq (highest - i) was seen
        # A plain dict (insertion-ordered): half an OrderedDict's memory, and the oldest is
        # still the first key.
        self._copies: dict[int, str] = {}
        self.dropped = 0

    def _seen_seq(self, event_type: str, seq: int) -> bool:
        """Whether `seq` was seen for `event_type` (and remember it)."""
        top = self._tops.get(event_type)
        if top is None:
            if len(self._tops) >= self.MAX_SEQ_TYPES:
                oldest = next(iter(self._tops))
                del self._tops[oldest], self._bits[oldest]
            self._tops[event_type] = seq
            self._bits[event_type] = 1
            return False
        bits = self._bits[event_type]
        if seq > top:
            shift = seq - top
            self._tops[event_type] = seq
            kept = ((bits << shift) | 1) & self._mask if shift < self._window else 1
            self._bits[event_type] = kept
            return False
        back = top - seq
        if back >= self._window:
            return False  # older than the window: cannot tell, so deliver it
        if bits >> back & 1:
            return True
        self._bits[event_type] = bits | (1 << back)
        return False

    def accept(self, event: Event) -> bool:
        """Whether to deliver `event` (False: it duplicates one already delivered)."""
        if event.seq is not None and self._seen_seq(event.event_type, event.seq):
            self.dropped += 1
            return False
        if type(event) not in _DUPLICATED:
            return True
        role = event.role_raw  # type: ignore[attr-defined]
        if role not in _AGENT_ROLES:
            return True
        sig = _signature(event)
        copies = self._copies
        seen = copies.get(sig)
        if seen is not None and seen != role:
            # The pair is complete: forget it, so a later genuine repeat is delivered.
            del copies[sig]
            self.dropped += 1
            return False
        copies[sig] = role
        if len(copies) > self._copy_window:
            del copies[next(iter(copies))]
        return True


class SeqReorderBuffer:
    """Holds a few events and releases them in `seq` order.

    `push(event, now)` returns the events now ready, in order. The first event with a `seq`
    starts the sequence and is released at once. After that a held event is released when:

    - it is the next `seq` after the last one released (`seq` is documented as monotonic; it
      is assumed to count up by one),
    - the buffer holds more than `capacity` events (the lowest `seq` goes; its gap is given up),
    - `max_delay` seconds have passed since the oldest held event arrived (same).

    Events without a `seq` pass straight through. An event whose `seq` is at or below one
    already released came too late to reorder: it is released at once and counted in `late`.
    Times are whatever clock the caller passes (e.g. `loop.time()`); without `now`, only the
    order and capacity rules apply. Call `release_due(now)` from a timer (see `next_deadline`)
    and `flush()` at the end.

    Attributes:
        late: events released behind a later `seq`.
        skipped: gaps given up on (capacity or delay).
    """

    def __init__(self, capacity: int = 32, *, max_delay: float | None = 0.2) -> None:
        if capacity < 1:
            raise InvalidInputError(f"capacity must be at least 1, got {capacity}")
        if max_delay is not None and max_delay < 0:
            raise InvalidInputError(f"max_delay must be >= 0 or None, got {max_delay}")
        self._capacity = capacity
        self._max_delay = max_delay
        self._heap: list[tuple[int, int, float | None, Event]] = []
        self._counter = itertools.count()
        self._last: int | None = None
        self.late = 0
        self.skipped = 0

    def __len__(self) -> int:
        """How many events are held."""
        return len(self._heap)

    def push(self, event: Event, now: float | None = None) -> list[Event]:
        """Add `event` (arriving at time `now`); return the events ready to deliver, in order."""
        seq = event.seq
        if seq is None:
            return [event]
        if self._last is None and not self._heap:
            self._last = seq
            return [event]
        if self._last is not None and seq <= self._last:
            self.late += 1
            return [event]
        heapq.heappush(self._heap, (seq, next(self._counter), now, event))
        return self.release_due(now)

    def next_deadline(self) -> float | None:
        """When the oldest held event's delay runs out (None: nothing held, or no delay)."""
        if self._max_delay is None:
            return None
        arrivals = [entry[2] for entry in self._heap if entry[2] is not None]
        return min(arrivals) + self._max_delay if arrivals else None

    def release_due(self, now: float | None = None) -> list[Event]:
        """Release what is ready at time `now`: contiguous events and overdue gaps."""
        ready: list[Event] = []
        while self._heap:
            head = self._heap[0][0]
            if self._last is not None and head == self._last + 1:
                ready.append(self._pop())
                continue
            deadline = self.next_deadline()
            overdue = now is not None and deadline is not None and now >= deadline
            if len(self._heap) > self._capacity or overdue:
                self.skipped += 1
                ready.append(self._pop())
                continue
            break
        return ready

    def flush(self) -> list[Event]:
        """Release every held event, in `seq` order."""
        ready: list[Event] = []
        while self._heap:
            ready.append(self._pop())
        return ready

    def _pop(self) -> Event:
        seq, _, _, event = heapq.heappop(self._heap)
        self._last = seq if self._last is None else max(self._last, seq)
        return event
