"""The hub's flush sends frames for idle writers; order and the slow-consumer bound still hold."""

from __future__ import annotations

import asyncio
from collections import Counter

import anyio
import pytest
from _sim_rooms_kit import room_server

from tavus_async.testing import _rooms

pytestmark = pytest.mark.anyio

CID = "c123"


async def test_frames_arrive_in_order_whether_the_flush_or_the_writer_sends_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths: Counter[bool] = Counter()
    at_once = _rooms._sends_at_once

    def counted(p: _rooms._Participant, frame: str | _rooms._Close) -> bool:
        sent = at_once(p, frame)
        paths[sent] += 1
        return sent

    monkeypatch.setattr(_rooms, "_sends_at_once", counted)
    async with room_server() as kit:
        kit.open(CID, greeting="")
        client = await kit.join(CID)
        room = kit.hub.room(CID)
        assert room is not None
        p = room.humans[client.pid]
        # Every fifth frame is too big to send from the flush (the writer takes it and what
        # follows); the rest are small. Bursts of three, a loop turn apart, mix both paths.
        n = 60
        for i in range(n):
            big = "x" * 20_000 if i % 5 == 0 else ""
            room._queue(p, {"type": "app-message", "from": "x", "data": {"i": i, "pad": big}})
            if i % 3 == 2:
                await asyncio.sleep(0)
        got = []
        for _ in range(n):
            frame = await client.wait(lambda f: f.get("from") == "x")
            got.append(frame["data"]["i"])
        assert got == list(range(n))
        assert paths[True] > 0
        assert paths[False] > 0
        assert not p.held
        assert not p.inline
        assert not p.outbox


async def test_a_client_that_stops_reading_its_socket_is_still_cut_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_rooms, "MAX_OUTBOX", 20)
    async with room_server() as kit:
        kit.open(CID, greeting="")
        client = await kit.join(CID)  # and never reads again
        room = kit.hub.room(CID)
        assert room is not None
        p = room.humans[client.pid]
        pad = "y" * 8000
        with anyio.fail_after(20):
            # Until the socket's buffers fill, the flush (then the writer) sends; after that
            # the writer waits on the socket, the outbox grows and the bound cuts it off.
            while not room.stats["slow_consumers"]:
                room._queue(p, {"type": "app-message", "from": "x", "data": pad})
                await asyncio.sleep(0)
        assert p.closing
        assert room.stats["slow_consumers"] == 1
