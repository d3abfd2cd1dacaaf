"""Smoke test: the event-decode benchmark runs end to end and writes its JSON results."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_event_decode.py"


def test_bench_event_decode_quick(tmp_path: Path) -> None:
    out = tmp_path / "decode.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "tavus_async decode()" in proc.stdout
    assert "raw msgspec" in proc.stdout
    result = json.loads(out.read_text())
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
