"""Echo mode: the replica speaks the audio of a WAV file, and we report how it went.

    python examples/echo_audio.py                 # a generated tone, on the local simulator
    python examples/echo_audio.py speech.wav      # your own 16-bit mono 16 or 24 kHz WAV
    python examples/echo_audio.py speech.wav --realtime --json

The file must be 16-bit PCM, mono, at 16000 or 24000 Hz (what Tavus echo takes); anything else
is refused with the command that converts it. With no path, a short tone is written to a
temporary directory and used.

It creates an echo-mode persona and a conversation (ended on the way out, whatever happens),
joins the room, lets the replica finish its greeting, streams the file with
``room.echo_audio(...)``, waits for the replica to start and stop speaking, and prints the
replica's spoken duration next to the file's. The SDK closes each utterance with 40 ms of
silence, so the replica speaks the file plus 0.040 s.

With ``TAVUS_API_KEY`` set it uses Tavus (``TAVUS_REPLICA_ID`` required, ``TAVUS_PERSONA_ID``
optionally an echo-mode persona of yours) and joins the Daily room
(``pip install 'tavus-async[daily]'``); otherwise it runs an embedded simulator on real time.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import contextlib
import json
import math
import os
import sys
import tempfile
import time
import uuid
import wave
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tavus_async import AsyncTavus, StartedSpeaking, StoppedSpeaking
from tavus_async.room import connect

SAMPLE_RATES = (16000, 24000)
CLOSING_SILENCE_S = 0.040  # what echo_audio appends to close the utterance


class WavFormatError(ValueError):
    """The file is not audio Tavus echo can play (16-bit PCM mono at 16 or 24 kHz)."""


@dataclass(frozen=True)
class WavAudio:
    """PCM16 mono audio read from a WAV file."""

    path: str
    sample_rate: int
    pcm: bytes

    @property
    def duration(self) -> float:
        """Seconds of audio."""
        return len(self.pcm) / 2 / self.sample_rate


def _convert_hint(path: str) -> str:
    out = str(Path(path).with_suffix("")) + "-24k.wav"
    return (
        "Convert it with one of:\n"
        f"  sox '{path}' -r 24000 -c 1 -b 16 '{out}'\n"
        f"  ffmpeg -i '{path}' -ac 1 -ar 24000 -c:a pcm_s16le '{out}'"
    )


def read_wav(path: str | os.PathLike[str]) -> WavAudio:
    """Read a 16-bit mono 16/24 kHz WAV file.

    Raises:
        FileNotFoundError: No such file.
        WavFormatError: Not a WAV file, empty, or in a format echo cannot play; the message
            says what is wrong and how to convert it.
    """
    name = os.fspath(path)
    try:
        with wave.open(name, "rb") as wav:
            channels = wav.getnchannels()
            width = wav.getsampwidth()
            rate = wav.getframerate()
            frames = wav.getnframes()
            pcm = wav.readframes(frames)
    except FileNotFoundError:
        raise
    except (wave.Error, EOFError) as exc:
        raise WavFormatError(
            f"{name} is not a PCM WAV file this reader understands ({exc}). "
            "Echo needs 16-bit PCM mono at 16000 or 24000 Hz. " + _convert_hint(name)
        ) from None
    problems = []
    if channels != 1:
        kind = "stereo" if channels == 2 else f"{channels}-channel"
        problems.append(f"it is {kind} ({channels} channels), echo needs mono")
    if width != 2:
        problems.append(f"it is {width * 8}-bit, echo needs 16-bit samples")
    if rate not in SAMPLE_RATES:
        problems.append(f"it is sampled at {rate} Hz, echo needs 16000 or 24000 Hz")
    if problems:
        raise WavFormatError(
            f"{name} cannot be echoed: {'; '.join(problems)}. " + _convert_hint(name)
        )
    if not pcm:
        raise WavFormatError(f"{name} holds no audio (0 frames)")
    return WavAudio(name, rate, pcm)


def write_tone_wav(path: Path, seconds: float = 1.5, sample_rate: int = 24000) -> Path:
    """Write a speech-like test signal: a 220 Hz tone swelling 4 times a second (PCM16 mono)."""
    n = int(seconds * sample_rate)
    samples = array.array(
        "h",
        (
            int(
                9000
                * (0.55 + 0.45 * math.sin(2 * math.pi * 4 * i / sample_rate))
                * math.sin(2 * math.pi * 220 * i / sample_rate)
            )
            for i in range(n)
        ),
    )
    if sys.byteorder == "big":
        samples.byteswap()  # WAV is little-endian
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(samples.tobytes())
    return path


@dataclass
class EchoReport:
    """What happened, for people (printed) and programs (``--json``)."""

    file: str
    sample_rate: int
    file_duration: float
    sent_audio_duration: float
    chunks: int
    send_seconds: float
    completed: bool
    started_after: float | None = None
    spoken_duration: float | None = None
    heard_seconds: float | None = None
    interrupted: bool | None = None
    inference_id_matched: bool | None = None


@contextlib.asynccontextmanager
async def tavus_client(say: Callable[[str], None]) -> AsyncIterator[tuple[AsyncTavus, str, bool]]:
    """Tavus with TAVUS_API_KEY, else an embedded simulator; yields (client, replica_id, real)."""
    if os.environ.get("TAVUS_API_KEY"):
        replica_id = os.environ.get("TAVUS_REPLICA_ID")
        if not replica_id:
            raise SystemExit("set TAVUS_REPLICA_ID to the replica that should speak the file")
        async with AsyncTavus() as tavus:
            say("using the Tavus API")
            yield tavus, replica_id, True
        return
    from tavus_async.testing import TavusSimulator

    # Real time, so the replica takes as long to speak the file as a real one would.
    async with TavusSimulator(time="real") as sim, sim.client() as tavus:
        say(f"using the embedded Tavus simulator at {sim.base_url}")
        replica = (await tavus.replicas.list(replica_type="system", limit=1)).data[0]
        yield tavus, replica.replica_id, False


async def echo_file(
    audio: WavAudio,
    *,
    realtime: bool = False,
    greeting_timeout: float = 15.0,
    speak_timeout: float = 60.0,
    say: Callable[[str], None] = print,
) -> EchoReport:
    """Create a conversation, join it, echo ``audio``, report, and end the conversation."""
    async with tavus_client(say) as (tavus, replica_id, real):
        persona_id = os.environ.get("TAVUS_PERSONA_ID") if real else None
        created_persona = persona_id is None
        if persona_id is None:
            persona = await tavus.personas.create(
                persona_name="tavus-async echo example",
                pipeline_mode="echo",  # we supply the speech; no LLM replies
                default_replica_id=replica_id,
            )
            persona_id = persona.persona_id
        try:
            async with tavus.conversations.session(
                persona_id=persona_id,
                replica_id=replica_id,
                conversation_name="tavus-async echo_audio example",
                custom_greeting="Here it comes.",
            ) as conv:
                say(f"conversation {conv.conversation_id} (echo-mode persona {persona_id})")
                report = await _echo_in_room(
                    conv, replica_id, audio, realtime, greeting_timeout, speak_timeout, say
                )
            say(f"ended conversation {conv.conversation_id}")
        finally:
            if created_persona and real:
                with contextlib.suppress(Exception):
                    await tavus.personas.delete(persona_id)  # leave the account as it was
        return report


async def _echo_in_room(
    conv: Any,
    replica_id: str,
    audio: WavAudio,
    realtime: bool,
    greeting_timeout: float,
    speak_timeout: float,
    say: Callable[[str], None],
) -> EchoReport:
    def replica_speaking(event: StartedSpeaking | StoppedSpeaking) -> bool:
        return event.role == "replica"

    async with connect(conv, replica_id=replica_id, join_timeout=120) as room:
        say(f"joined; the replica is {room.replica.name if room.replica else replica_id}")
        # Let the greeting finish first, so that the speech measured below is ours.
        try:
            await room.wait_for(StartedSpeaking, where=replica_speaking, timeout=greeting_timeout)
            greeting = await room.wait_for(
                StoppedSpeaking, where=replica_speaking, timeout=speak_timeout
            )
            say(f"greeting over ({greeting.duration or 0:.2f} s)")
        except TimeoutError:
            say(f"no greeting within {greeting_timeout:g} s; going ahead")

        iid = str(uuid.uuid4())
        begun = time.monotonic()
        # Sent in the background: the replica may start speaking before the last chunk is out
        # (always so with --realtime), and its events must be read as they come.
        sending = asyncio.ensure_future(
            room.echo_audio(
                audio.pcm, sample_rate=audio.sample_rate, realtime=realtime, inference_id=iid
            )
        )
        sent_at: list[float] = []
        sending.add_done_callback(lambda _: sent_at.append(time.monotonic()))
        try:
            started = await room.wait_for(
                StartedSpeaking, where=replica_speaking, timeout=speak_timeout
            )
            started_at = time.monotonic()
            stopped = await room.wait_for(
                StoppedSpeaking, where=replica_speaking, timeout=speak_timeout + audio.duration
            )
            stopped_at = time.monotonic()
            result = await sending
        finally:
            if not sending.done():
                sending.cancel()
                with contextlib.suppress(BaseException):
                    await sending
        report = EchoReport(
            file=audio.path,
            sample_rate=audio.sample_rate,
            file_duration=round(audio.duration, 3),
            sent_audio_duration=round(audio.duration + CLOSING_SILENCE_S, 3),
            chunks=result.chunks,
            send_seconds=round(sent_at[0] - begun, 3),
            completed=result.completed,
            started_after=round(started_at - begun, 3),
            spoken_duration=stopped.duration,
            heard_seconds=round(stopped_at - started_at, 3),
            interrupted=stopped.interrupted,
            inference_id_matched=started.inference_id == iid if started.inference_id else None,
        )
        say(
            f"sent {report.chunks} chunks ({report.sent_audio_duration:.3f} s of audio, "
            f"the closing silence included) in {report.send_seconds:.2f} s"
        )
        match = {True: "our inference_id", False: "another inference_id", None: "no id"}
        say(
            f"replica started speaking {report.started_after:.2f} s after sending began "
            f"({match[report.inference_id_matched]})"
        )
        spoken = "not reported" if stopped.duration is None else f"{stopped.duration:.3f} s"
        say(
            f"replica stopped speaking: spoke {spoken} (heard for {report.heard_seconds:.2f} s)"
            f"{', interrupted' if stopped.interrupted else ''}"
        )
        say(f"file {report.file_duration:.3f} s, spoken {spoken}")
        return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wav", nargs="?", help="16-bit mono 16/24 kHz WAV (default: a tone)")
    parser.add_argument("--realtime", action="store_true", help="send at playback speed")
    parser.add_argument("--json", action="store_true", help="end with the report as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.wav or str(write_tone_wav(Path(tmp) / "tone.wav"))
        try:
            audio = read_wav(path)
        except (OSError, WavFormatError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(
            f"file {audio.path}: {audio.sample_rate} Hz, 16-bit mono, {audio.duration:.3f} s",
            flush=True,
        )
        report = asyncio.run(echo_file(audio, realtime=args.realtime))
    if args.json:
        print(json.dumps(asdict(report)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
