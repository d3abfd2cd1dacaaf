"""Audio echo chunking: every message fits the limit, chunks reassemble, the utterance ends."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import anyio
import anyio.lowlevel
import pytest
from _hypothesis_profiles import property_test
from hypothesis import given
from hypothesis import strategies as st

from tavus_async.interactions import events as ev
from tavus_async.interactions.audio import (
    bytes_for_ms,
    echo_audio_messages,
    echo_audio_messages_async,
    max_chunk_bytes,
)
from tavus_async.interactions.messages import EchoAudio, encode, to_dict

CID = "c123456"


def _pcm(n_samples: int) -> bytes:
    # A ramp, so that misordered or duplicated chunks would not reassemble to the input.
    return b"".join((i % 65536).to_bytes(2, "little") for i in range(n_samples))


def _check_utterance(msgs: list[EchoAudio], pcm: bytes, limit: int | None, rate: int) -> None:
    assert msgs, "an utterance always has at least its closing message"
    assert len({m.inference_id for m in msgs}) == 1
    assert msgs[0].inference_id
    assert [m.done for m in msgs] == [False] * (len(msgs) - 1) + [True]
    assert b"".join(m.audio for m in msgs[:-1]) == pcm
    assert set(msgs[-1].audio) == {0}  # the closing block is silence
    assert len(msgs[-1].audio) == bytes_for_ms(40, rate)
    for m in msgs:
        assert m.sample_rate == rate
        assert len(m.audio) % 2 == 0
        if limit is not None:
            assert len(encode(m, CID, max_size=None)) <= limit


def test_default_chunk_is_the_largest_that_fits() -> None:
    size = max_chunk_bytes(CID, sample_rate=24000)
    msgs = list(echo_audio_messages(_pcm(10_000), conversation_id=CID))
    assert len(msgs[0].audio) == size
    assert len(encode(msgs[0], CID, max_size=None)) <= 4096
    # One more sample would not fit.
    bigger = EchoAudio(bytes(size + 2), 24000, msgs[0].inference_id)
    assert len(encode(bigger, CID, max_size=None)) > 4096
    _check_utterance(msgs, _pcm(10_000), 4096, 24000)


def test_pipecat_recipe_100ms_chunks_without_limit() -> None:
    pcm = _pcm(24000)  # one second
    msgs = list(echo_audio_messages(pcm, conversation_id=CID, max_size=None))
    assert [len(m.audio) for m in msgs[:-1]] == [4800] * 10
    assert len(msgs[-1].audio) == 1920  # 40 ms at 24 kHz, as pipecat sends
    _check_utterance(msgs, pcm, None, 24000)


def test_chunk_ms_and_inference_id_are_honoured() -> None:
    pcm = _pcm(1600 * 3 + 5)
    msgs = list(
        echo_audio_messages(
            pcm, conversation_id=CID, sample_rate=16000, chunk_ms=50, inference_id="utt-1"
        )
    )
    assert [len(m.audio) for m in msgs[:-1]] == [1600] * 6 + [10]
    assert {m.inference_id for m in msgs} == {"utt-1"}
    _check_utterance(msgs, pcm, 4096, 16000)


def test_each_utterance_gets_a_fresh_inference_id() -> None:
    a = list(echo_audio_messages(_pcm(10), conversation_id=CID))
    b = list(echo_audio_messages(_pcm(10), conversation_id=CID))
    assert a[0].inference_id != b[0].inference_id


def test_empty_audio_still_closes_the_utterance() -> None:
    msgs = list(echo_audio_messages(b"", conversation_id=CID))
    assert len(msgs) == 1
    assert msgs[0].done


def test_messages_decode_as_echo_events() -> None:
    pcm = _pcm(3000)
    msgs = list(echo_audio_messages(pcm, conversation_id=CID, sample_rate=16000))
    decoded = [ev.decode(to_dict(m, CID)) for m in msgs]
    assert all(isinstance(e, ev.EchoEvent) for e in decoded)
    echoes = [e for e in decoded if isinstance(e, ev.EchoEvent)]
    assert b"".join(e.audio for e in echoes[:-1]) == pcm
    assert [e.done for e in echoes][-2:] == [False, True]
    assert {e.sample_rate for e in echoes} == {16000}


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"sample_rate": 44100}, "sample_rate 44100 is not supported.*[Rr]esample"),
        ({"sample_rate": 8000}, "16000 or 24000"),
        ({"chunk_bytes": 3}, "positive even number"),
        ({"chunk_bytes": 0}, "positive even number"),
        ({"chunk_ms": 0}, "chunk_ms must be positive"),
        ({"chunk_ms": 100}, "chunk_ms 100 does not fit one app-message"),
        ({"chunk_bytes": 4000}, "chunk_bytes 4000 does not fit"),
        ({"chunk_ms": 20, "chunk_bytes": 640}, "not both"),
        ({"max_size": 200}, "leaves no room for audio"),
        ({"silence_ms": 0}, "silence_ms"),
        ({"conversation_id": ""}, "conversation_id"),
        ({"inference_id": ""}, "inference_id"),
    ],
)
def test_bad_options_fail_when_called(kwargs: dict[str, object], pattern: str) -> None:
    options: dict[str, object] = {"conversation_id": CID, **kwargs}

    async def nothing() -> AsyncIterator[bytes]:
        empty: tuple[bytes, ...] = ()
        for piece in empty:
            yield piece  # pragma: no cover

    with pytest.raises(ValueError, match=pattern):
        echo_audio_messages(b"\x00\x00", **options)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=pattern):
        echo_audio_messages_async(nothing(), **options)  # type: ignore[arg-type]


def test_odd_byte_count_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=re.escape("odd byte count (3)")):
        echo_audio_messages(b"\x00\x01\x02", conversation_id=CID)
    with pytest.raises(TypeError, match="pcm must be bytes"):
        echo_audio_messages("abc", conversation_id=CID)  # type: ignore[arg-type]


async def _stream(pieces: list[bytes]) -> AsyncIterator[bytes]:
    for piece in pieces:
        await anyio.lowlevel.checkpoint()
        yield piece


async def _collect(pieces: list[bytes], **kwargs: object) -> list[EchoAudio]:
    with anyio.fail_after(10):
        return [
            m
            async for m in echo_audio_messages_async(
                _stream(pieces),
                conversation_id=CID,
                **kwargs,  # type: ignore[arg-type]
            )
        ]


@pytest.mark.anyio
async def test_async_stream_rechunks_odd_pieces() -> None:
    pcm = _pcm(5000)
    pieces = [pcm[:1], pcm[1:777], pcm[777:778], pcm[778:4001], pcm[4001:]]
    msgs = await _collect(pieces, sample_rate=16000)
    size = max_chunk_bytes(CID, sample_rate=16000, inference_id=msgs[0].inference_id)
    assert all(len(m.audio) == size for m in msgs[:-2])
    _check_utterance(msgs, pcm, 4096, 16000)


@pytest.mark.anyio
async def test_async_stream_produces_chunks_before_the_stream_ends() -> None:
    produced: list[EchoAudio] = []
    send, receive = anyio.create_memory_object_stream[bytes](10)

    async def source() -> AsyncIterator[bytes]:
        async with receive:
            async for piece in receive:
                yield piece

    with anyio.fail_after(10):
        messages = echo_audio_messages_async(source(), conversation_id=CID, chunk_ms=20)
        async with send:
            await send.send(bytes(960 * 2 + 10))
            produced.append(await messages.__anext__())
            produced.append(await messages.__anext__())
            # Two full 20 ms chunks came out while the stream is still open.
            assert [len(m.audio) for m in produced] == [960, 960]
        produced.extend([m async for m in messages])
    assert [len(m.audio) for m in produced] == [960, 960, 10, 1920]  # then 40 ms of silence
    assert produced[-1].done


@pytest.mark.anyio
async def test_async_stream_odd_total_raises_at_the_end() -> None:
    with pytest.raises(ValueError, match=r"odd byte count \(3\)"):
        await _collect([b"\x00\x01", b"\x02"])


@pytest.mark.anyio
async def test_async_stream_rejects_non_bytes() -> None:
    async def bad() -> AsyncIterator[bytes]:
        yield "text"  # type: ignore[misc]

    with pytest.raises(TypeError, match="expected bytes"):
        async for _ in echo_audio_messages_async(bad(), conversation_id=CID):
            pass


@property_test()
@given(
    n_samples=st.integers(0, 8000),
    rate=st.sampled_from([16000, 24000]),
    limit=st.integers(600, 16_000) | st.none(),
    cid=st.text(alphabet="abcdef0123456789", min_size=1, max_size=64),
)
def test_property_every_chunk_fits_and_reassembles(
    n_samples: int, rate: int, limit: int | None, cid: str
) -> None:
    pcm = _pcm(n_samples)
    msgs = list(echo_audio_messages(pcm, conversation_id=cid, sample_rate=rate, max_size=limit))
    assert msgs[-1].done
    assert not any(m.done for m in msgs[:-1])
    assert b"".join(m.audio for m in msgs[:-1]) == pcm
    for m in msgs:
        size = len(encode(m, cid, max_size=None))
        assert limit is None or size <= limit
    if limit is not None and n_samples:
        # Largest that fits: a chunk one sample longer would not.
        first = msgs[0]
        if len(first.audio) < len(pcm):
            grown = EchoAudio(bytes(len(first.audio) + 2), rate, first.inference_id)
            assert len(encode(grown, cid, max_size=None)) > limit
