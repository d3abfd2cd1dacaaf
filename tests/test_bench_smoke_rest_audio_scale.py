"""Smoke tests: the REST, audio-echo and scale benchmarks run end to end at tiny sizes.

They check that each script still runs against the current SDK and writes JSON of the expected
shape with sane values (counts that add up, positive rates, ratios that are ratios). Timings are
never asserted: the benchmarks themselves report those.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from _bench_kit import run_quick


def _positive(x: Any) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


def _machine_ok(m: dict[str, Any]) -> None:
    assert m["cores"] >= 1
    assert m["python"].count(".") == 2
    assert m["cpu_model"]


@pytest.mark.timeout(200)
def test_bench_rest_quick(tmp_path: Path) -> None:
    stdout, result = run_quick("bench_rest.py", tmp_path)
    assert result["benchmark"] == "rest"
    _machine_ok(result["machine"])
    rows = result["results"]
    # Every client x call x concurrency was measured, once each.
    combos = {(r["op"], r["concurrency"], r["client"]) for r in rows}
    assert len(combos) == len(rows) == 2 * len(result["concurrency"]) * 4
    assert {r["client"] for r in rows} == {
        "tavus_async",
        "tavus_async+options",
        "raw_aiohttp",
        "httpx",
    }
    assert {r["op"] for r in rows} == {"personas.get", "conversations.list"}
    for r in rows:
        assert _positive(r["requests_per_s"])
        assert _positive(r["requests_per_cpu_s"])
        assert len(r["samples_requests_per_s"]) == result["repeat"]
        if r["client"] == "raw_aiohttp":
            assert r["vs_raw_aiohttp"] == pytest.approx(1.0)  # the baseline is its own unit
        assert _positive(r["vs_raw_aiohttp"])
    worst = min(r["vs_raw_aiohttp"] for r in rows if r["client"] == "tavus_async")
    assert result["goal"]["worst_ratio"] == pytest.approx(worst)
    assert result["goal"]["met"] == (worst >= result["goal"]["min_ratio"])
    assert "tavus_async" in stdout
    assert "raw_aiohttp" in stdout
    assert "goal:" in stdout


@pytest.mark.timeout(200)
def test_bench_audio_echo_quick(tmp_path: Path) -> None:
    stdout, result = run_quick("bench_audio_echo.py", tmp_path)
    assert result["benchmark"] == "audio_echo"
    _machine_ok(result["machine"])
    rows = {r["path"]: r for r in result["results"]}
    assert set(rows) == {"naive", "sdk_dicts", "sdk_bytes", "room_echo_audio"}
    # Every chunk fits Daily's 4 KB limit once base64-encoded with its envelope.
    assert 0 < result["chunk_bytes"] * 4 / 3 < 4096
    expected_chunks = math.ceil(result["audio_seconds"] * 24000 * 2 / result["chunk_bytes"])
    assert rows["naive"]["messages"] == expected_chunks
    for key in ("sdk_dicts", "sdk_bytes", "room_echo_audio"):
        # The SDK adds one closing silence message with done=true.
        assert rows[key]["messages"] == expected_chunks + 1
    for r in rows.values():
        assert _positive(r["x_realtime"])
        assert _positive(r["messages_per_cpu_s"])
        assert r["x_realtime"] == pytest.approx(result["audio_seconds"] / r["cpu_s"])
    assert rows["naive"]["vs_naive"] == pytest.approx(1.0)
    assert "x real time" in stdout


@pytest.mark.timeout(200)
def test_bench_scale_quick(tmp_path: Path) -> None:
    stdout, result = run_quick("bench_scale.py", tmp_path)
    assert result["benchmark"] == "scale"
    _machine_ok(result["machine"])
    [row] = result["results"]
    assert row["rooms"] == 10
    [sample] = row["samples"]
    turns = result["turns"]
    # Phase 1 (the turns the memory is read after) measured the events per turn; phase 2 ran
    # the rest of the turns that bring the timed events up to --events.
    per_turn = sample["phase1_events"] / (10 * turns)
    expected_turns = max(turns, math.ceil(result["events_target"] / (10 * per_turn)))
    assert row["timed_turns"] == sample["timed_turns"] == expected_turns
    assert row["timed_turns"] > turns  # --quick asks for enough events to need phase 2
    assert sample["events"] > sample["phase1_events"]
    # Each turn reads at least: the user's utterance, the replica's started_speaking,
    # utterance, one streaming chunk and stopped_speaking.
    assert sample["phase1_events"] >= 10 * turns * 5
    assert row["events_per_room_turn"] == pytest.approx(row["events"] / (10 * row["timed_turns"]))
    assert sample["events"] == row["events"]
    # Only turn events are counted (the join's are read before), all of them app messages.
    assert sample["messages_received"] >= row["events"]
    assert row["dropped_events"] == 0
    assert _positive(row["events_per_s"])
    assert _positive(row["client_cpu_us_per_event"])
    # os.times' user and system parts add up to the process CPU time (to its 10 ms ticks).
    cpu_s = sample["client_cpu_us_per_event"] * sample["events"] / 1e6
    split_s = (
        (sample["client_user_us_per_event"] + sample["client_sys_us_per_event"])
        * sample["events"]
        / 1e6
    )
    assert split_s == pytest.approx(cpu_s, abs=0.03)
    assert row["rss_before_mb"] > 0
    # The floor ran the same turns in the same rooms: one ack per respond, and the same events
    # as the SDK read (frames minus acks).
    floor = sample["floor"]
    assert floor["rooms"] == 10
    assert floor["turns"] == row["timed_turns"]
    assert floor["acks"] == 10 * row["timed_turns"]
    assert floor["events"] == floor["frames"] - floor["acks"] == row["events"]
    assert _positive(row["floor_us_per_frame"])
    assert row["floor_us_per_event"] == pytest.approx(
        row["floor_us_per_frame"] * floor["frames"] / floor["events"]
    )
    assert row["sdk_over_floor_us_per_event"] == pytest.approx(
        row["client_cpu_us_per_event"] - row["floor_us_per_event"]
    )
    assert "rooms" in stdout
    assert "events/s" in stdout
    assert "floor us/event" in stdout
    assert "machine:" in stdout
