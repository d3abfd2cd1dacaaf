"""Smoke test: the event-decode benchmark runs end to end and writes its JSON results."""

from __future__ import annotations

from pathlib import Path

from _bench_kit import run_quick


def test_bench_event_decode_quick(tmp_path: Path) -> None:
    stdout, result = run_quick("bench_event_decode.py", tmp_path, timeout=120)
    assert "tavus_async decode()" in stdout
    assert "raw msgspec" in stdout
    assert result["benchmark"] == "event_decode"
    assert [row["input"] for row in result["results"]] == ["dict", "bytes"]
    for row in result["results"]:
        assert row["decode_events_per_s"] > 0
        assert row["raw_msgspec_events_per_s"] > 0
        assert row["decode_vs_raw"] > 0
    # The mix covers the traffic a room really carries, unknown event types included.
    assert "conversation.utterance.streaming" in result["mix"]
    assert "conversation.tool_call" in result["mix"]
    assert "conversation.something_new" in result["mix"]
