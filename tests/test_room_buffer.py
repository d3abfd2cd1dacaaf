"""The bounded event buffer and the transcript, in isolation."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import pytest
from _hypothesis_profiles import property_test
from hypothesis import given
from hypothesis import strategies as st

from tavus_async.interactions.events import decode
from tavus_async.room._buffer import BufferClosed, EventBuffer
from tavus_async.room._transcript import Transcript


@dataclass(frozen=True)
class Item:
    n: int
    droppable: bool


@dataclass(frozen=True)
class Marker:
    count: int
    by_type: Mapping[str, int]


def make(maxsize: int, hard: int | None = None) -> EventBuffer[Any]:
    return EventBuffer(
        maxsize,
        is_droppable=lambda x: isinstance(x, Item) and x.droppable,
        on_dropped=lambda c, t: Marker(c, dict(t)),
        hard_limit=hard,
    )


def drain(buf: EventBuffer[Any]) -> list[Any]:
    out = []
    while True:
        try:
            out.append(buf.get_nowait())
        except (asyncio.QueueEmpty, BufferClosed):
            return out


def test_the_oldest_droppable_goes_first() -> None:
    buf = make(3)
    buf.put(Item(1, True))
    buf.put(Item(2, False))
    buf.put(Item(3, True))
    assert buf.put(Item(4, False))
    out = drain(buf)
    assert out == [Marker(1, {"Item": 1}), Item(2, False), Item(3, True), Item(4, False)]


def test_protected_items_exceed_the_soft_bound_up_to_the_hard_limit() -> None:
    buf = make(2, hard=4)
    for n in range(6):
        buf.put(Item(n, False))
    assert len(buf) == 4
    assert buf.protected_dropped_total == 2
    out = drain(buf)
    assert out[0] == Marker(2, {"Item": 2})
    assert [i.n for i in out[1:]] == [2, 3, 4, 5]


def test_an_incoming_droppable_is_refused_when_nothing_older_can_go() -> None:
    buf = make(1)
    buf.put(Item(1, False))
    assert not buf.put(Item(2, True))
    assert drain(buf) == [Marker(1, {"Item": 1}), Item(1, False)]


def test_bad_size_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="maxsize must be at least 1"):
        make(0)


@property_test()
@given(
    st.integers(1, 8),
    st.lists(st.tuples(st.booleans(), st.booleans()), max_size=60),
)
def test_property_nothing_is_lost_uncounted(maxsize: int, ops: list[tuple[bool, bool]]) -> None:
    """Every item put is either read or counted in a marker; the hard limit always holds."""
    buf = make(maxsize)
    put = read = marked = 0
    for n, (droppable, consume) in enumerate(ops):
        buf.put(Item(n, droppable))
        put += 1
        assert len(buf) <= buf.hard_limit
        if consume:
            x = buf.get_nowait()
            if isinstance(x, Marker):
                marked += x.count
            else:
                read += 1
    for x in drain(buf):
        if isinstance(x, Marker):
            marked += x.count
        else:
            read += 1
    assert read + marked == put
    assert marked == buf.dropped_total


@pytest.mark.anyio
async def test_get_waits_and_a_cancelled_get_loses_nothing() -> None:
    buf = make(4)
    with anyio.move_on_after(0.02):
        await buf.get()
    buf.put(Item(1, False))
    assert await buf.get() == Item(1, False)

    async def later() -> None:
        await anyio.sleep(0.02)
        buf.put(Item(2, False))

    async with anyio.create_task_group() as tg:
        tg.start_soon(later)
        with anyio.fail_after(2):
            assert await buf.get() == Item(2, False)


@pytest.mark.anyio
async def test_close_drains_then_ends_every_waiter() -> None:
    buf = make(4)
    buf.put(Item(1, False))
    buf.close()
    assert not buf.put(Item(2, False))
    assert await buf.get() == Item(1, False)
    with pytest.raises(BufferClosed):
        await buf.get()

    other = make(4)
    results: list[str] = []

    async def waiter() -> None:
        try:
            await other.get()
        except BufferClosed:
            results.append("closed")

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiter)
        tg.start_soon(waiter)
        await anyio.sleep(0.01)
        other.close()
    assert results == ["closed", "closed"]


def _ev(event_type: str, props: dict[str, Any], iid: str | None = None) -> Any:
    msg: dict[str, Any] = {"event_type": event_type, "properties": props}
    if iid is not None:
        msg["inference_id"] = iid
    return decode(msg)


def test_transcript_prefers_spoken_text_and_truncates_interruptions() -> None:
    t = Transcript()
    t.add(_ev("conversation.utterance", {"role": "user", "speech": "hi"}, "u1"))
    t.add(
        _ev("conversation.utterance", {"role": "replica", "speech": "Hello, how can I help?"}, "r1")
    )
    assert t[-1].text == "Hello, how can I help?"
    t.add(_ev("conversation.utterance.streaming", {"role": "pal", "speech": "Hello, how"}, "r1"))
    t.add(
        _ev(
            "conversation.utterance.streaming",
            {"role": "replica", "speech": "Hello, how can", "final": True, "is_interrupted": True},
            "r1",
        )
    )
    assert len(t) == 2
    assert t[-1].text == "Hello, how can"
    assert t[-1].intended == "Hello, how can I help?"
    assert t[-1].interrupted
    assert t.text() == "user: hi\nreplica: Hello, how can …"


def test_transcript_flags_an_interruption_reported_by_stopped_speaking() -> None:
    t = Transcript()
    t.add(_ev("conversation.utterance", {"role": "replica", "speech": "A long answer"}, "r1"))
    t.add(_ev("conversation.stopped_speaking", {"role": "pal", "interrupted": True}, "r1"))
    assert t[0].interrupted
    assert t[0].text == "A long answer"  # nothing streamed: the intended text, flagged


def test_transcript_turns_without_inference_id_are_kept_apart() -> None:
    t = Transcript()
    t.add(_ev("conversation.utterance", {"role": "user", "speech": "one"}))
    t.add(_ev("conversation.utterance", {"role": "user", "speech": "two"}))
    assert [turn.text for turn in t] == ["one", "two"]
