"""PCM16 audio -> `conversation.echo` audio messages, sized to fit one app-message each.

    from tavus_async.interactions.audio import echo_audio_messages, echo_audio_messages_async

    for msg in echo_audio_messages(pcm, conversation_id=cid, sample_rate=24000):
        transport.send(to_dict(msg, cid))          # EchoAudio messages, in order

    async for msg in echo_audio_messages_async(tts_stream, conversation_id=cid):
        ...

The recipe is pipecat's (see the reference, section 4.4): one `inference_id` per utterance,
`done: false` on every audio chunk, then a short block of silence (40 ms) with `done: true` so
that Tavus knows the utterance ended and plays all of it. Audio must be 16-bit signed
little-endian mono PCM at 16000 or 24000 Hz (24000 recommended).

Chunk size: by default the largest whole number of samples whose encoded echo message fits
`max_size` (Daily's 4096-byte limit by default): about 61 ms at 24 kHz, 91 ms at 16 kHz with a
typical conversation id. Pass `chunk_ms` or `chunk_bytes` to choose; a chunk that would not fit
is a `ValueError` before anything is produced. `max_size=None` lifts the limit and defaults to
pipecat's 100 ms chunks.

Both functions validate their arguments when called (not on first iteration) and return an
iterator; the silence chunk counts against nothing the caller sent, so the audio chunks (all but
the last message) concatenate back to exactly the input.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from typing import Final

from tavus_async.interactions.messages import (
    DEFAULT_MAX_MESSAGE_BYTES,
    ECHO_SAMPLE_RATES,
    RESAMPLE_HINT,
    EchoAudio,
    encode,
)

from ..errors import InvalidInputError, InvalidTypeError

__all__ = [
    "DEFAULT_SILENCE_MS",
    "bytes_for_ms",
    "echo_audio_messages",
    "echo_audio_messages_async",
    "max_chunk_bytes",
]

DEFAULT_SILENCE_MS: Final = 40
"""Length of the closing silence (pipecat sends `sample_rate * 2 / 25` bytes, i.e. 40 ms)."""

_UNLIMITED_CHUNK_MS: Final = 100


def _check_rate(sample_rate: int) -> None:
    if sample_rate not in ECHO_SAMPLE_RATES:
        raise InvalidInputError(
            f"sample_rate {sample_rate} is not supported: Tavus echo takes PCM16 mono at 16000 "
            f"or 24000 Hz. {RESAMPLE_HINT}"
        )


def bytes_for_ms(ms: float, sample_rate: int) -> int:
    """The PCM16 mono byte count of `ms` milliseconds at `sample_rate` (whole samples)."""
    return int(sample_rate * ms / 1000) * 2


def max_chunk_bytes(
    conversation_id: str,
    *,
    sample_rate: int = 24000,
    inference_id: str | None = None,
    max_size: int = DEFAULT_MAX_MESSAGE_BYTES,
) -> int:
    """The largest PCM byte count (whole samples) whose echo message fits in `max_size`.

    Args:
        conversation_id: the conversation (its length counts against the limit).
        sample_rate: 16000 or 24000.
        inference_id: the utterance id to be used (a uuid4's length when None).
        max_size: the app-message limit in bytes.

    Raises:
        ValueError: an unsupported rate, or a limit too small for even one sample.
    """
    _check_rate(sample_rate)
    probe_id = inference_id if inference_id is not None else str(uuid.UUID(int=0))
    # "false" is longer than "true", so the done:false shape bounds both.
    probe = encode(
        EchoAudio(b"\x00\x00", sample_rate, probe_id, False), conversation_id, max_size=None
    )
    overhead = len(probe) - 4  # two PCM bytes are four base64 characters
    groups = (max_size - overhead) // 4  # each 4 base64 characters carry 3 bytes
    size = groups * 3
    size -= size % 2
    if size < 2:
        raise InvalidInputError(
            f"max_size {max_size} leaves no room for audio: an echo message for this "
            f"conversation needs {overhead + 4} bytes for one sample"
        )
    return size


def _plan(
    conversation_id: str,
    sample_rate: int,
    inference_id: str | None,
    chunk_ms: float | None,
    chunk_bytes: int | None,
    max_size: int | None,
    silence_ms: float,
) -> tuple[str, int, bytes]:
    """Validate the options; return (inference_id, chunk size, closing silence)."""
    _check_rate(sample_rate)
    if not isinstance(conversation_id, str) or not conversation_id:
        raise InvalidInputError("conversation_id must be a non-empty string")
    if inference_id is None:
        inference_id = str(uuid.uuid4())
    elif not isinstance(inference_id, str) or not inference_id:
        raise InvalidInputError("inference_id must be a non-empty string or None")
    if chunk_ms is not None and chunk_bytes is not None:
        raise InvalidInputError("give chunk_ms or chunk_bytes, not both")
    if chunk_ms is not None:
        if chunk_ms <= 0:
            raise InvalidInputError(f"chunk_ms must be positive, got {chunk_ms}")
        chunk_bytes = bytes_for_ms(chunk_ms, sample_rate)
        if chunk_bytes < 2:
            raise InvalidInputError(
                f"chunk_ms {chunk_ms} is shorter than one sample at {sample_rate} Hz"
            )
    if chunk_bytes is not None and (chunk_bytes < 2 or chunk_bytes % 2):
        raise InvalidInputError(
            f"chunk_bytes must be a positive even number (whole PCM16 samples), got {chunk_bytes}"
        )
    if max_size is None:
        limit = None
        if chunk_bytes is None:
            chunk_bytes = bytes_for_ms(_UNLIMITED_CHUNK_MS, sample_rate)
    else:
        limit = max_chunk_bytes(
            conversation_id, sample_rate=sample_rate, inference_id=inference_id, max_size=max_size
        )
        if chunk_bytes is None:
            chunk_bytes = limit
        elif chunk_bytes > limit:
            what = f"chunk_ms {chunk_ms}" if chunk_ms is not None else f"chunk_bytes {chunk_bytes}"
            raise InvalidInputError(
                f"{what} does not fit one app-message: at most {limit} bytes "
                f"({limit / 2 / sample_rate * 1000:.1f} ms) fit in max_size {max_size}; "
                "send shorter chunks or raise max_size"
            )
    if silence_ms <= 0:
        raise InvalidInputError(f"silence_ms must be positive, got {silence_ms}")
    silence = max(2, bytes_for_ms(silence_ms, sample_rate))
    if limit is not None:
        silence = min(silence, limit)
    return inference_id, chunk_bytes, bytes(silence)


def echo_audio_messages(
    pcm: bytes | bytearray | memoryview,
    *,
    conversation_id: str,
    sample_rate: int = 24000,
    inference_id: str | None = None,
    chunk_ms: float | None = None,
    chunk_bytes: int | None = None,
    max_size: int | None = DEFAULT_MAX_MESSAGE_BYTES,
    silence_ms: float = DEFAULT_SILENCE_MS,
) -> Iterator[EchoAudio]:
    """Split one utterance of PCM16 mono audio into echo messages.

    Args:
        pcm: the whole utterance (16-bit signed little-endian mono).
        conversation_id: the conversation (needed to size chunks against the limit).
        sample_rate: 16000 or 24000.
        inference_id: the utterance id (a fresh uuid4 when None).
        chunk_ms: chunk length in milliseconds (default: the largest that fits).
        chunk_bytes: chunk length in bytes, instead of `chunk_ms`.
        max_size: the app-message limit in bytes (None: no limit, 100 ms chunks by default).
        silence_ms: length of the closing silence sent with `done: true`.

    Returns:
        An iterator of `EchoAudio`: the audio chunks with `done=False`, then the silence with
        `done=True`, all with the same `inference_id`.

    Raises:
        ValueError: odd byte count, unsupported rate, or a chunk size that does not fit.
    """
    if not isinstance(pcm, (bytes, bytearray, memoryview)):
        raise InvalidTypeError(f"pcm must be bytes, got {type(pcm).__name__}")
    data = bytes(pcm)
    if len(data) % 2:
        raise InvalidInputError(
            f"pcm has an odd byte count ({len(data)}): PCM16 needs 2 bytes per sample; "
            "is it 8-bit, truncated, or a WAV file with a header?"
        )
    iid, size, silence = _plan(
        conversation_id, sample_rate, inference_id, chunk_ms, chunk_bytes, max_size, silence_ms
    )
    return _chunks(data, size, sample_rate, iid, silence)


def _chunks(data: bytes, size: int, rate: int, iid: str, silence: bytes) -> Iterator[EchoAudio]:
    view = memoryview(data)
    for start in range(0, len(data), size):
        yield EchoAudio(bytes(view[start : start + size]), rate, iid, False)
    yield EchoAudio(silence, rate, iid, True)


def echo_audio_messages_async(
    chunks: AsyncIterable[bytes | bytearray | memoryview],
    *,
    conversation_id: str,
    sample_rate: int = 24000,
    inference_id: str | None = None,
    chunk_ms: float | None = None,
    chunk_bytes: int | None = None,
    max_size: int | None = DEFAULT_MAX_MESSAGE_BYTES,
    silence_ms: float = DEFAULT_SILENCE_MS,
) -> AsyncIterator[EchoAudio]:
    """Turn a stream of PCM16 mono audio (e.g. from streaming TTS) into echo messages.

    Input pieces may have any length, odd ones included: bytes are buffered and re-cut into
    full chunks, sent as soon as each is complete. When the stream ends, the remainder and then
    the closing silence (`done=True`) follow. Arguments are as for `echo_audio_messages`.

    Raises:
        ValueError: (when called) an unsupported rate or chunk size; (when the stream ends)
            an odd total byte count, after the complete chunks before it have been produced.
        TypeError: (while iterating) an input piece that is not bytes.
    """
    iid, size, silence = _plan(
        conversation_id, sample_rate, inference_id, chunk_ms, chunk_bytes, max_size, silence_ms
    )
    return _achunks(chunks, size, sample_rate, iid, silence)


async def _achunks(
    chunks: AsyncIterable[bytes | bytearray | memoryview],
    size: int,
    rate: int,
    iid: str,
    silence: bytes,
) -> AsyncIterator[EchoAudio]:
    buffer = bytearray()
    total = 0
    async for piece in chunks:
        if not isinstance(piece, (bytes, bytearray, memoryview)):
            raise InvalidTypeError(f"audio stream yielded {type(piece).__name__}, expected bytes")
        buffer += piece
        total += len(piece)
        while len(buffer) >= size:
            out = bytes(buffer[:size])
            del buffer[:size]
            yield EchoAudio(out, rate, iid, False)
    if total % 2:
        raise InvalidInputError(
            f"audio stream ended with an odd byte count ({total}): PCM16 needs 2 bytes per "
            "sample; the last byte was not sent"
        )
    if buffer:
        yield EchoAudio(bytes(buffer), rate, iid, False)
    yield EchoAudio(silence, rate, iid, True)
