"""DailyTransport against the real daily-python where it can run offline, plus its bridge rules."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from typing import Any

import anyio
import psutil  # type: ignore[import-untyped]
import pytest
from fakes.fake_daily import FakeDailyRoom

from tavus_async.errors import JoinError, RoomClosedError, SendError
from tavus_async.room.daily import DailyTransport, _BridgeMixin, ensure_daily_initialized
from tavus_async.room.transport import TransportEvent

pytestmark = pytest.mark.anyio

daily = pytest.importorskip("daily")


def _sink(event: TransportEvent) -> None:
    pass


def test_missing_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "daily", None)
    with pytest.raises(ImportError, match=r"pip install 'tavus-async\[daily\]'"):
        DailyTransport()


def test_init_is_once_per_process() -> None:
    # A second Daily.init() would abort the process; the guard makes repeat calls harmless.
    assert ensure_daily_initialized() is ensure_daily_initialized()
    DailyTransport()
    DailyTransport()


async def test_send_before_join_is_dailys_channel_error_reported_once() -> None:
    t = DailyTransport()
    try:
        with pytest.raises(RoomClosedError, match="not joined"):
            await t.send({"a": 1})  # our own state machine refuses first
        with pytest.raises(SendError, match=r"AppMessage\(Signalling\(ChannelNotOpen\)\)"):
            await t._send_unchecked({"a": 1})  # ... and Daily itself, through the bridge
        with anyio.fail_after(5):
            while t.duplicate_errors == 0:  # noqa: ASYNC110 - set from Daily's thread via the loop
                await anyio.sleep(0.01)
        assert t.standalone_errors == 0  # the on_error copy was not reported as a second error
        with pytest.raises(SendError, match="participant not found"):
            await t._send_unchecked({"a": 1}, recipient="*")
    finally:
        await t.leave()
    assert t._client is None  # released


async def test_invalid_url_is_a_join_error_and_the_client_is_released() -> None:
    ensure_daily_initialized()
    threads_before = psutil.Process().num_threads()
    for _ in range(5):
        t = DailyTransport()
        with pytest.raises(JoinError, match=r"Failed to parse url: InvalidUrl"):
            await t.join("not a url", "secret-token-value", "bot", _sink)
        assert t._client is None
    # Each CallClient owns ~4 native threads; all of them were released.
    with anyio.fail_after(5):
        while psutil.Process().num_threads() > threads_before:  # noqa: ASYNC110
            await anyio.sleep(0.05)


async def test_invalid_client_settings_keep_dailys_text() -> None:
    t = DailyTransport(client_settings={"inputs": {"camera": "bogus"}})
    with pytest.raises(JoinError, match=r"Invalid client settings: JsonApiError"):
        await t.join("https://tavus.daily.co/c123", None, "bot", _sink)
    assert t._client is None


async def test_nul_in_the_url_is_refused_before_daily_panics() -> None:
    t = DailyTransport()
    with pytest.raises(JoinError, match="NUL"):
        await t.join("https://tavus.daily.co/c\x001", None, "bot", _sink)
    await t.leave()


async def test_meeting_token_never_reaches_the_error() -> None:
    t = DailyTransport()
    token = "eyJhbGciOiJIUzI1NiJ9.eyJyIjoiYyJ9.c2lnbmF0dXJlX3ZhbHVl"
    with pytest.raises(JoinError) as info:
        await t.join(f"not a url {token}", token, "bot", _sink)
    assert token not in str(info.value)


def test_the_bridge_tolerates_a_closed_loop() -> None:
    loop = asyncio.new_event_loop()
    loop.close()
    bridge = _BridgeMixin(loop, lambda item: None)
    bridge.on_app_message({"a": 1}, "p")  # must not raise on Daily's thread
    assert bridge.closed
    bridge.on_error("later")  # ignored once closed


async def test_the_bridge_wakes_the_loop_once_per_burst_and_keeps_order() -> None:
    loop = asyncio.get_running_loop()
    got: list[tuple[Any, ...]] = []
    bridge = _BridgeMixin(loop, got.append)
    wakeups = 0
    real = loop.call_soon_threadsafe

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal wakeups
        wakeups += 1
        return real(*args, **kwargs)

    def burst() -> None:
        for i in range(1000):
            bridge.on_app_message({"n": i}, "p")

    loop.call_soon_threadsafe = counting  # type: ignore[method-assign,assignment]
    try:
        thread = threading.Thread(target=burst)
        thread.start()
        thread.join()
    finally:
        loop.call_soon_threadsafe = real  # type: ignore[method-assign]
    with anyio.fail_after(5):
        while len(got) < 1000:  # noqa: ASYNC110 - drained by loop callbacks
            await anyio.sleep(0.001)
    assert [item[1]["n"] for item in got] == list(range(1000))
    assert wakeups == 1  # one wake-up for the whole burst (the loop was blocked meanwhile)
    assert threading.get_ident() == loop._thread_id  # type: ignore[attr-defined]


async def test_a_join_abandoned_mid_flight_fails_fast_and_releases_in_the_background() -> None:
    fake = FakeDailyRoom()
    fake.join_delay = 1.0  # Daily's join keeps running after our bound fires
    t = DailyTransport(client_factory=fake.factory, join_timeout=0.2)
    started = time.monotonic()
    with pytest.raises(JoinError, match=r"within 0\.2 s"):
        await t.join("https://tavus.daily.co/c1", None, "bot", _sink)
    assert time.monotonic() - started < 0.9  # not held up by the pending join
    assert fake.created[0].thread_alive  # Daily is still busy ...
    assert await t.wait_released(5)  # ... and is released once it is done
    assert not fake.created[0].thread_alive


@pytest.mark.slow
async def test_unreachable_room_times_out_and_still_releases_cleanly() -> None:
    # daily-python takes ~19 s to give up on room lookup; our bound fires first, the loop stays
    # responsive, and the client is released in the background once Daily gives up.
    ensure_daily_initialized()  # its own threads are not the client's
    threads_before = psutil.Process().num_threads()
    t = DailyTransport(join_timeout=2.0)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await anyio.sleep(0.1)
            ticks += 1

    async with anyio.create_task_group() as tg:
        tg.start_soon(ticker)
        started = time.monotonic()
        with pytest.raises(JoinError, match=r"within 2 s"):
            await t.join("https://nonexistent-domain-xyz.daily.co/room", None, "bot", _sink)
        took = time.monotonic() - started
        tg.cancel_scope.cancel()
    assert ticks >= 15  # ~20 ticks in 2 s: the loop was never blocked
    assert took < 4
    assert await t.wait_released(40)
    # One Daily-internal thread lingers ~10 s after release (measured), then exits.
    with anyio.fail_after(20):
        while psutil.Process().num_threads() > threads_before:  # noqa: ASYNC110
            await anyio.sleep(0.05)
