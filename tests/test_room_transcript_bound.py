"""Room.transcript keeps at most max_turns turns, dropping (and counting) the oldest."""

from __future__ import annotations

import pytest

from tavus_async.interactions import decode
from tavus_async.room import Transcript


def _utterance(n: int, *, inference_id: str | None = None) -> dict[str, object]:
    props: dict[str, object] = {"role": "user", "speech": f"line {n}"}
    if inference_id is not None:
        props["inference_id"] = inference_id
    return {
        "message_type": "conversation",
        "event_type": "conversation.utterance",
        "conversation_id": "c1",
        "seq": n,
        "properties": props,
    }


def test_oldest_turns_are_dropped_and_counted() -> None:
    transcript = Transcript(max_turns=3)
    for n in range(5):
        transcript.add(decode(_utterance(n, inference_id=f"i{n}")))
    assert [t.text for t in transcript] == ["line 2", "line 3", "line 4"]
    assert transcript.dropped == 2
    # A dropped turn's inference_id no longer maps to a turn: a late event starts a new one.
    transcript.add(decode(_utterance(9, inference_id="i0")))
    assert transcript.turns[-1].text == "line 9"
    assert len(transcript) == 3


def test_unbounded_when_asked_and_bad_bound_refused() -> None:
    transcript = Transcript(max_turns=None)
    for n in range(2000):
        transcript.add(decode(_utterance(n)))
    assert len(transcript) == 2000
    assert transcript.dropped == 0
    with pytest.raises(ValueError, match="max_turns"):
        Transcript(max_turns=0)
