"""PAL/replica de-duplication and the seq reorder buffer."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from _hypothesis_profiles import property_test
from hypothesis import given
from hypothesis import strategies as st

from tavus_async.interactions import DuplicateFilter, SeqReorderBuffer, decode
from tavus_async.interactions.events import Event

FIXTURES = Path(__file__).parent / "fixtures" / "interactions"


def _fixture(stem: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{stem}.json").read_text())
    return loaded


def _speaking(role: str, seq: int | None, **props: Any) -> Event:
    message: dict[str, Any] = {
        "event_type": "conversation.stopped_speaking",
        "conversation_id": "c1",
        "inference_id": "inf-1",
        "turn_idx": 3,
        "properties": {"role": role, **props},
    }
    if seq is not None:
        message["seq"] = seq
    return decode(message)


def test_pal_and_replica_copies_with_distinct_seq_are_merged() -> None:
    f = DuplicateFilter()
    pal = decode(_fixture("extra_streaming_pal_copy"))
    legacy = decode(_fixture("extra_streaming_replica_copy"))
    assert pal.seq != legacy.seq
    assert f.accept(pal) is True
    assert f.accept(legacy) is False
    assert f.dropped == 1


def test_copies_sharing_seq_are_merged_whichever_comes_first() -> None:
    f = DuplicateFilter()
    assert f.accept(_speaking("replica", 61, duration=3.42)) is True
    assert f.accept(_speaking("pal", 61, duration=3.42)) is False
    assert f.dropped == 1


def test_copies_without_seq_are_merged() -> None:
    f = DuplicateFilter()
    assert f.accept(_speaking("pal", None, duration=1.0)) is True
    assert f.accept(_speaking("replica", None, duration=1.0)) is False


def test_different_content_or_same_role_is_not_a_duplicate() -> None:
    f = DuplicateFilter()
    assert f.accept(_speaking("pal", None, duration=1.0)) is True
    assert f.accept(_speaking("replica", None, duration=2.0)) is True  # different payload
    assert f.accept(_speaking("pal", None, duration=3.0)) is True
    assert f.accept(_speaking("pal", None, duration=3.0)) is True  # same role: a real repeat
    assert f.accept(_speaking("user", None, duration=3.0)) is True
    assert f.dropped == 0


def test_after_a_pair_completes_a_later_genuine_repeat_is_delivered() -> None:
    f = DuplicateFilter()
    assert f.accept(_speaking("pal", None)) is True
    assert f.accept(_speaking("replica", None)) is False
    assert f.accept(_speaking("pal", None)) is True


def test_repeated_seq_is_dropped_for_any_event() -> None:
    f = DuplicateFilter()
    call = _fixture("ref_13_tool_call")
    assert f.accept(decode(call)) is True
    assert f.accept(decode(call)) is False
    assert f.accept(decode({**call, "seq": 45})) is True


def test_unhashable_properties_are_compared_by_value() -> None:
    f = DuplicateFilter()
    base = {
        "event_type": "conversation.utterance",
        "properties": {"role": "pal", "speech": "hi"},
    }
    first = decode(base)
    copy = decode({**base, "properties": {"role": "replica", "speech": "hi"}})
    assert f.accept(first) is True
    assert f.accept(copy) is False


def test_memory_is_bounded() -> None:
    f = DuplicateFilter(window=4)
    for seq in range(100):
        assert f.accept(_speaking("pal", seq, duration=float(seq)))
    # The oldest keys were forgotten: a copy of an early event is no longer recognised.
    assert f.accept(_speaking("replica", 1000, duration=0.0)) is True
    # Recent ones still are.
    assert f.accept(_speaking("replica", 1001, duration=99.0)) is False
    with pytest.raises(ValueError, match="window"):
        DuplicateFilter(window=0)


def _ev(seq: int | None) -> Event:
    message: dict[str, Any] = {"event_type": "system.replica_present"}
    if seq is not None:
        message["seq"] = seq
    return decode(message)


def _seqs(events: list[Event]) -> list[int | None]:
    return [e.seq for e in events]


def test_reorder_releases_in_seq_order() -> None:
    buf = SeqReorderBuffer(capacity=8, max_delay=None)
    assert _seqs(buf.push(_ev(10))) == [10]  # the first one starts the sequence
    assert _seqs(buf.push(_ev(12))) == []
    assert _seqs(buf.push(_ev(13))) == []
    assert len(buf) == 2
    assert _seqs(buf.push(_ev(11))) == [11, 12, 13]
    assert _seqs(buf.push(_ev(None))) == [None]  # no seq: straight through
    assert _seqs(buf.push(_ev(9))) == [9]  # too late to reorder
    assert buf.late == 1
    assert buf.skipped == 0


def test_reorder_gives_up_on_a_gap_when_full() -> None:
    buf = SeqReorderBuffer(capacity=2, max_delay=None)
    buf.push(_ev(1))
    assert _seqs(buf.push(_ev(3))) == []
    assert _seqs(buf.push(_ev(4))) == []
    assert _seqs(buf.push(_ev(5))) == [3, 4, 5]  # over capacity: 2 is given up
    assert buf.skipped == 1
    assert _seqs(buf.push(_ev(2))) == [2]
    assert buf.late == 1


def test_reorder_gives_up_on_a_gap_after_max_delay() -> None:
    buf = SeqReorderBuffer(capacity=100, max_delay=0.2)
    buf.push(_ev(1), now=0.0)
    assert _seqs(buf.push(_ev(3), now=0.05)) == []
    assert buf.next_deadline() == pytest.approx(0.25)
    assert _seqs(buf.push(_ev(5), now=0.1)) == []
    assert _seqs(buf.release_due(now=0.2)) == []
    assert _seqs(buf.release_due(now=0.26)) == [3]  # gap 2 abandoned; 4 still awaited
    assert buf.next_deadline() == pytest.approx(0.3)
    assert _seqs(buf.push(_ev(4), now=0.27)) == [4, 5]
    assert buf.next_deadline() is None
    assert buf.skipped == 1


def test_flush_releases_everything_in_order() -> None:
    buf = SeqReorderBuffer(capacity=10, max_delay=None)
    buf.push(_ev(1))
    for seq in (7, 4, 9):
        buf.push(_ev(seq))
    assert _seqs(buf.flush()) == [4, 7, 9]
    assert len(buf) == 0
    with pytest.raises(ValueError, match="capacity"):
        SeqReorderBuffer(capacity=0)
    with pytest.raises(ValueError, match="max_delay"):
        SeqReorderBuffer(max_delay=-1)


@property_test()
@given(
    n=st.integers(1, 60),
    window=st.integers(0, 6),
    seed=st.integers(0, 2**32 - 1),
    capacity=st.integers(1, 10),
)
def test_property_reorder_never_loses_or_duplicates_and_sorts_local_shuffles(
    n: int, window: int, seed: int, capacity: int
) -> None:
    seqs = list(range(100, 100 + n))
    rng = random.Random(seed)
    arrival = seqs[:1]
    rest = seqs[1:]
    # Shuffle within small windows: each event arrives at most `window` places late.
    for i in range(0, len(rest), window + 1):
        block = rest[i : i + window + 1]
        rng.shuffle(block)
        arrival.extend(block)
    buf = SeqReorderBuffer(capacity=max(capacity, window + 1), max_delay=None)
    out: list[Event] = []
    for seq in arrival:
        out.extend(buf.push(_ev(seq)))
    out.extend(buf.flush())
    released = [seq for seq in _seqs(out) if seq is not None]
    assert len(released) == len(out)
    assert sorted(released) == seqs
    assert _seqs(out) == seqs
    assert buf.late == 0


def test_seq_window_counts_numbers_below_the_highest_per_event_type() -> None:
    f = DuplicateFilter(window=8)
    assert f.accept(_speaking("user", 10)) is True
    assert f.accept(_speaking("user", 5)) is True  # late, but within the window: new
    assert f.accept(_speaking("user", 5)) is False  # and now a repeat
    assert f.accept(_speaking("user", 10)) is False
    started = decode({"event_type": "conversation.started_speaking", "seq": 10})
    assert f.accept(started) is True  # the same seq for another event type is not a repeat
    assert f.accept(_speaking("user", 100)) is True  # a jump forgets what is 8 or more below
    assert f.accept(_speaking("user", 10)) is True  # too old to tell: delivered
    assert f.accept(_speaking("user", 93)) is True
    assert f.accept(_speaking("user", 93)) is False
    assert f.dropped == 3


def test_seq_windows_are_kept_for_a_bounded_number_of_event_types() -> None:
    f = DuplicateFilter(window=4)
    for i in range(DuplicateFilter.MAX_SEQ_TYPES + 10):
        assert f.accept(decode({"event_type": f"x.custom_{i}", "seq": 1})) is True
    assert len(f._tops) == len(f._bits) == DuplicateFilter.MAX_SEQ_TYPES
    # The most recent types are still remembered.
    last = f"x.custom_{DuplicateFilter.MAX_SEQ_TYPES + 9}"
    assert f.accept(decode({"event_type": last, "seq": 1})) is False


def test_copy_window_bounds_the_unpaired_copies_separately() -> None:
    f = DuplicateFilter(window=128, copy_window=2)
    for i in range(3):
        assert f.accept(_speaking("pal", None, duration=float(i))) is True
    assert len(f._copies) == 2
    assert f.accept(_speaking("replica", None, duration=0.0)) is True  # forgotten
    assert f.accept(_speaking("replica", None, duration=2.0)) is False  # still remembered
    with pytest.raises(ValueError, match="copy_window"):
        DuplicateFilter(copy_window=0)


def test_the_filter_holds_nothing_the_garbage_collector_walks() -> None:
    """A bot holds one filter per room: its state is ints in dicts, which the GC never tracks."""
    import gc

    f = DuplicateFilter(window=64)
    for seq in range(1, 200):
        f.accept(_speaking("replica", seq, duration=float(seq)))
    assert f.accept(_speaking("replica", 150)) is False  # the seq window still works
    assert f.dropped == 1
    state = [getattr(f, name) for name in type(f).__slots__ if name != "dropped"]
    containers = [s for s in state if isinstance(s, dict)]
    assert len(containers) == 3
    assert all(len(c) > 0 for c in containers)
    assert not any(gc.is_tracked(c) for c in containers)
