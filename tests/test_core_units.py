"""Unit tests of the pure parts of the core: redaction, Retry-After, retry policy, waiters,
the always-ended lifecycle."""

from __future__ import annotations

import email.utils
import itertools
import logging
from dataclasses import dataclass

import anyio
import pytest

from tavus_async import JobFailedError, WaitTimeoutError
from tavus_async._lifecycle import ended_on_exit
from tavus_async._logging import REDACTED, redact, register_secret
from tavus_async._retry import RetryPolicy, parse_retry_after
from tavus_async._waiters import Progress, poll_until
from tavus_async.errors import InternalServerError, NotFoundError
from tavus_async.models import parse_progress


def test_redact_masks_headers_tokens_and_registered_secrets() -> None:
    register_secret("sk_live_registered_123456")
    text = (
        "headers={'x-api-key': 'abc123secret', 'Authorization': 'Bearer tok_9'} "
        "url=https://tavus.daily.co/c1?t=eyJhbGciOiJIUzI1NiJ9.eyJyb29tIjoiYyJ9.c2lnbmF0dXJlX3g "
        "meeting_token=eyJhbGciOiJIUzI1NiJ9.eyJyb29tIjoiYyJ9.c2lnbmF0dXJlX3g "
        "key sk_live_registered_123456 cookie: session=1"
    )
    out = redact(text)
    for secret in ("abc123secret", "tok_9", "eyJhbGci", "sk_live_registered_123456", "session=1"):
        assert secret not in out
    assert out.count(REDACTED) >= 5
    assert "https://tavus.daily.co/c1?t=" in out


def test_logger_filter_redacts_formatted_arguments(caplog: pytest.LogCaptureFixture) -> None:
    register_secret("sk_filter_test_987654")
    with caplog.at_level(logging.DEBUG, logger="tavus_async"):
        logging.getLogger("tavus_async").debug("calling with key %s", "sk_filter_test_987654")
    assert "sk_filter_test_987654" not in caplog.text
    assert REDACTED in caplog.text


def test_parse_retry_after_seconds_dates_and_garbage() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(date, now=now) == pytest.approx(30.0, abs=1.0)
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after(past, now=now) == 0.0


def test_retry_policy_never_retries_a_create_that_may_have_reached_the_server() -> None:
    policy = RetryPolicy()
    for status in (408, 429, 500, 502, 503, 504):
        assert policy.should_retry_status(status, idempotent=True)
    assert policy.should_retry_status(429, idempotent=False)
    assert policy.should_retry_status(503, idempotent=False)
    for status in (408, 500, 502, 504):
        assert not policy.should_retry_status(status, idempotent=False)
    for status in (400, 401, 404, 409, 422):
        assert not policy.should_retry_status(status, idempotent=True)
    assert policy.should_retry_connection(request_sent=False, idempotent=False)
    assert not policy.should_retry_connection(request_sent=True, idempotent=False)
    assert policy.should_retry_connection(request_sent=True, idempotent=True)


def test_retry_delays_are_jittered_within_the_exponential_envelope() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=8.0)
    for _ in range(50):
        delays = list(itertools.islice(policy.delays(), 8))
        assert len(delays) == 8
        caps = [min(8.0, 0.5 * 2**i) for i in range(8)]
        assert all(0 <= d <= cap + 1e-9 for d, cap in zip(delays, caps, strict=True))


@pytest.mark.parametrize(
    ("raw", "fraction"),
    [
        ("45/100", 0.45),
        ("100/100", 1.0),
        ("3/4", 0.75),
        ("12%", 0.12),
        (60, 0.6),
        ("0/0", None),
        ("soon", None),
        (None, None),
        (True, None),
        (150, 1.0),
        ({"odd": 1}, None),
        (float("nan"), None),
    ],
)
def test_parse_progress(raw: object, fraction: float | None) -> None:
    # One parser, one unit (a fraction), for the models and the waiters alike (issue 12).
    assert parse_progress(raw) == fraction


@dataclass
class _Job:
    status: str
    progress: str | None = None
    error_message: str | None = None


@pytest.mark.anyio
async def test_poll_until_reports_progress_and_returns_the_final_model() -> None:
    states = iter([_Job("started", "10/100"), _Job("started", "60/100"), _Job("completed")])
    seen: list[Progress] = []

    async def fetch() -> _Job:
        return next(states)

    final = await poll_until(
        fetch,
        what="replica training",
        resource_id="r1",
        done={"completed"},
        failed={"error"},
        progress_field="progress",
        on_progress=seen.append,
        interval=0.001,
        max_interval=0.002,
    )
    assert final.status == "completed"
    assert [p.percent for p in seen] == [10.0, 60.0, 100.0]
    assert all(p.resource_id == "r1" for p in seen)


@pytest.mark.anyio
async def test_poll_until_raises_tavus_error_text_on_failure() -> None:
    async def fetch() -> _Job:
        return _Job("error", error_message="The consent phrase did not match")

    with pytest.raises(JobFailedError) as info:
        await poll_until(
            fetch,
            what="replica training",
            resource_id="r9",
            done={"completed"},
            failed={"error"},
            interval=0.001,
        )
    assert info.value.error_message == "The consent phrase did not match"
    assert "r9" in str(info.value)
    assert "consent phrase" in str(info.value)


@pytest.mark.anyio
async def test_poll_until_times_out_with_the_last_model() -> None:
    async def fetch() -> _Job:
        return _Job("processing")

    with pytest.raises(WaitTimeoutError) as info:
        await poll_until(
            fetch,
            what="document processing",
            resource_id="d1",
            done={"ready"},
            failed={"error"},
            timeout=0.05,
            interval=0.005,
            max_interval=0.01,
        )
    assert isinstance(info.value.last, _Job)
    assert "processing" in str(info.value)


class _Ledger:
    def __init__(self, end_error: Exception | None = None) -> None:
        self.created = 0
        self.ended: list[str] = []
        self.end_error = end_error

    async def create(self) -> str:
        self.created += 1
        return f"c{self.created}"

    async def end(self, cid: str) -> None:
        self.ended.append(cid)
        if self.end_error is not None:
            raise self.end_error


@pytest.mark.anyio
async def test_lifecycle_ends_on_normal_exit_and_error() -> None:
    ledger = _Ledger()
    async with ended_on_exit(ledger.create, ledger.end, str) as cid:
        assert cid == "c1"
    assert ledger.ended == ["c1"]
    with pytest.raises(RuntimeError, match="boom"):
        async with ended_on_exit(ledger.create, ledger.end, str):
            raise RuntimeError("boom")
    assert ledger.ended == ["c1", "c2"]


@pytest.mark.anyio
async def test_lifecycle_ends_on_cancellation() -> None:
    ledger = _Ledger()
    entered = anyio.Event()

    async def body() -> None:
        async with ended_on_exit(ledger.create, ledger.end, str):
            entered.set()
            await anyio.sleep_forever()

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(body)
            await entered.wait()
            tg.cancel_scope.cancel()
    assert ledger.ended == ["c1"]


def _status_error(cls: type[InternalServerError] | type[NotFoundError], code: int) -> Exception:
    return cls(
        "POST /v2/conversations/c1/end failed", status_code=code, body=None, server_message=None
    )


@pytest.mark.anyio
async def test_lifecycle_end_errors_raise_only_when_the_block_succeeded() -> None:
    gone = _Ledger(end_error=_status_error(NotFoundError, 404))
    async with ended_on_exit(gone.create, gone.end, str):
        pass  # an already-gone conversation counts as ended
    failing = _Ledger(end_error=_status_error(InternalServerError, 500))
    with pytest.raises(InternalServerError):
        async with ended_on_exit(failing.create, failing.end, str):
            pass
    with pytest.raises(KeyError):  # the block's own error wins over the end failure
        async with ended_on_exit(failing.create, failing.end, str):
            raise KeyError("mine")


@pytest.mark.anyio
async def test_lifecycle_cancelled_mid_create_still_ends_what_was_created() -> None:
    import asyncio

    ledger = _Ledger()
    creating = anyio.Event()

    async def slow_create() -> str:
        creating.set()  # the request has gone out; the answer is slow
        await anyio.sleep(0.05)
        return await ledger.create()

    async def body() -> None:
        async with ended_on_exit(slow_create, ledger.end, str):
            raise AssertionError("the block must not run after a cancellation")

    task = asyncio.ensure_future(body())
    with anyio.fail_after(5):
        await creating.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert ledger.created == 1
    assert ledger.ended == ["c1"]
