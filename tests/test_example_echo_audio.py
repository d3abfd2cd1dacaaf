"""examples/echo_audio.py speaks a WAV file on the simulator and refuses what it cannot play."""

from __future__ import annotations

import json
import math
import struct
import subprocess
import wave
from pathlib import Path

import pytest
from _example_kit import EXAMPLES, assert_refused_cleanly, example_env, run_example

EXAMPLE = EXAMPLES / "echo_audio.py"
SILENCE_S = 0.040  # the SDK closes every echoed utterance with 40 ms of silence


def write_wav(
    path: Path, *, seconds: float, rate: int = 24000, channels: int = 1, width: int = 2
) -> Path:
    """A sine WAV in any layout (the test's own writer, independent of the example's)."""
    frames = bytearray()
    for i in range(int(seconds * rate)):
        value = math.sin(2 * math.pi * 330 * i / rate)
        if width == 1:
            sample = struct.pack("<B", int(128 + 100 * value))  # 8-bit WAV is unsigned
        else:
            sample = struct.pack("<h", int(8000 * value))
        frames += sample * channels
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(bytes(frames))
    return path


def run(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return run_example(EXAMPLE, *args, env=example_env(), timeout=timeout)


@pytest.mark.parametrize(
    ("rate", "seconds", "flags"),
    [(24000, 1.25, ()), (16000, 0.7, ()), (24000, 0.6, ("--realtime",))],
)
def test_the_replica_speaks_the_whole_file(
    tmp_path: Path, rate: int, seconds: float, flags: tuple[str, ...]
) -> None:
    wav = write_wav(tmp_path / "speech.wav", seconds=seconds, rate=rate)
    proc = run(str(wav), "--json", *flags)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])

    assert report["file"] == str(wav)
    assert report["sample_rate"] == rate
    assert report["file_duration"] == pytest.approx(seconds, abs=0.001)
    assert report["completed"] is True
    assert report["chunks"] >= 2
    # The replica reports speaking exactly the file plus the closing silence, uninterrupted,
    # and the utterance it spoke is the one we sent.
    assert report["spoken_duration"] == pytest.approx(seconds + SILENCE_S, abs=0.002)
    assert report["interrupted"] is False
    assert report["inference_id_matched"] is True
    assert report["heard_seconds"] > 0
    if "--realtime" in flags:
        # Paced at playback speed: never more than ~200 ms (plus one chunk) ahead of it.
        assert report["send_seconds"] >= seconds - 0.3

    out = proc.stdout
    assert f"file {seconds:.3f} s, spoken {seconds + SILENCE_S:.3f} s" in out
    assert "greeting over" in out  # the greeting was not mistaken for our audio
    assert out.index("greeting over") < out.index("replica started speaking")
    assert "ended conversation c" in out


def test_with_no_path_it_generates_a_tone(tmp_path: Path) -> None:
    proc = run("--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["file"].endswith("tone.wav")
    assert not Path(report["file"]).exists()  # the temporary directory is gone
    assert report["spoken_duration"] == pytest.approx(
        report["file_duration"] + SILENCE_S, abs=0.002
    )


@pytest.mark.parametrize(
    ("layout", "problem"),
    [
        ({"channels": 2}, "stereo (2 channels), echo needs mono"),
        ({"width": 1}, "8-bit, echo needs 16-bit samples"),
        ({"rate": 44100}, "sampled at 44100 Hz, echo needs 16000 or 24000 Hz"),
    ],
)
def test_unplayable_wavs_get_a_clear_error_with_the_fix(
    tmp_path: Path, layout: dict[str, int], problem: str
) -> None:
    wav = write_wav(tmp_path / "input.wav", seconds=0.2, **layout)
    proc = run(str(wav), timeout=30)
    assert proc.returncode == 2
    assert proc.stdout == ""  # refused before any conversation was created
    assert "Traceback" not in proc.stderr
    assert f"{wav} cannot be echoed: it is {problem}" in proc.stderr
    assert f"sox '{wav}' -r 24000 -c 1 -b 16" in proc.stderr
    assert f"ffmpeg -i '{wav}' -ac 1 -ar 24000 -c:a pcm_s16le" in proc.stderr


def test_every_problem_is_named_at_once(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "input.wav", seconds=0.1, channels=2, width=1, rate=8000)
    proc = run(str(wav), timeout=30)
    assert proc.returncode == 2
    for problem in ("stereo", "8-bit", "8000 Hz"):
        assert problem in proc.stderr


def test_not_a_wav_missing_or_empty(tmp_path: Path) -> None:
    text = tmp_path / "notes.wav"
    text.write_text("not audio")
    proc = run(str(text), timeout=30)
    assert proc.returncode == 2
    assert "is not a PCM WAV file" in proc.stderr
    assert "Traceback" not in proc.stderr

    proc = run(str(tmp_path / "missing.wav"), timeout=30)
    assert proc.returncode == 2
    assert "No such file" in proc.stderr
    assert "Traceback" not in proc.stderr

    empty = write_wav(tmp_path / "empty.wav", seconds=0)
    proc = run(str(empty), timeout=30)
    assert proc.returncode == 2
    assert "holds no audio" in proc.stderr


def test_real_tavus_needs_a_replica_and_never_prints_the_key() -> None:
    key = "tvs_0123456789abcdef0123456789abcdef"
    proc = run_example(EXAMPLE, env=example_env(TAVUS_API_KEY=key), timeout=30)
    assert_refused_cleanly(proc, "set TAVUS_REPLICA_ID", key)
