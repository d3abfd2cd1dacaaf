"""Waiters: poll long-running work (replica training, video generation, document processing,
conversation status) until it finishes, with progress reports and typed failures.

Polling starts fast and slows down (backoff's exponential generator, with jitter, capped
at ``max_interval``), so a short job is seen done quickly and a long one is not hammered. A
transient API failure while polling is already retried by the request path; what reaches the
waiter is final and propagates.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
import backoff

from ._logging import get_logger
from .errors import JobFailedError, WaitTimeoutError
from .models._common import parse_progress

__all__ = ["Progress", "ProgressCallback", "poll_until"]

M = TypeVar("M")

log: logging.Logger = get_logger("waiters")


@dataclass(frozen=True)
class Progress:
    """One observation of long-running work.

    Attributes:
        resource_id: The replica, video, document or conversation id.
        status: The status Tavus reported (``started``, ``generating``, ``processing``...).
        fraction: Progress from 0 to 1 when Tavus reported it, else None (the unit of the
            models' ``progress`` properties: the same parser reads both).
        raw: The progress value as Tavus sent it (``"45/100"``, ``45``...).
        elapsed: Seconds since the waiter started.
        model: The model the waiter just fetched.
    """

    resource_id: str
    status: str | None
    fraction: float | None
    raw: Any
    elapsed: float
    model: Any

    @property
    def percent(self) -> float | None:
        """:attr:`fraction` as a percentage (0-100), for display."""
        return None if self.fraction is None else 100.0 * self.fraction


ProgressCallback = Callable[[Progress], "Awaitable[None] | None"]


async def poll_until(
    fetch: Callable[[], Awaitable[M]],
    *,
    what: str,
    resource_id: str,
    done: Collection[str],
    failed: Collection[str],
    status_field: str = "status",
    progress_field: str | None = None,
    error_fields: tuple[str, ...] = ("error_message",),
    code_field: str | None = None,
    on_progress: ProgressCallback | None = None,
    timeout: float | None = 3600.0,
    interval: float = 1.0,
    max_interval: float = 30.0,
) -> M:
    """Fetch ``resource_id`` until its status is in ``done`` (return it) or ``failed`` (raise).

    Args:
        fetch: Fetches the current model.
        what: A noun for messages ("replica training").
        resource_id: The id, for messages and progress reports.
        done: Statuses that mean the work finished well.
        failed: Statuses that mean it failed.
        status_field: The model attribute holding the status.
        progress_field: The model attribute holding progress, if any.
        error_fields: Attributes holding Tavus's error text, tried in order.
        code_field: An attribute holding Tavus's error code, if any.
        on_progress: Called (sync or async) after every fetch.
        timeout: Give up after this many seconds (None waits for ever).
        interval: First delay between polls.
        max_interval: Longest delay between polls.

    Returns:
        The final model.

    Raises:
        JobFailedError: The work failed; carries Tavus's own message and code.
        WaitTimeoutError: ``timeout`` passed first; carries the last model seen.
    """
    started = time.monotonic()
    last: M | None = None
    delays = backoff.expo(base=1.5, factor=interval, max_value=max_interval)
    try:
        with anyio.fail_after(timeout):
            while True:
                last = model = await fetch()
                status = _str_or_none(getattr(model, status_field, None))
                raw = getattr(model, progress_field, None) if progress_field else None
                if on_progress is not None:
                    report = Progress(
                        resource_id=resource_id,
                        status=status,
                        fraction=1.0 if status in done else parse_progress(raw),
                        raw=raw,
                        elapsed=time.monotonic() - started,
                        model=model,
                    )
                    result = on_progress(report)
                    if inspect.isawaitable(result):
                        await result
                if status in done:
                    return model
                if status in failed:
                    message = next(
                        (str(v) for f in error_fields if (v := getattr(model, f, None))), None
                    )
                    code = _str_or_none(getattr(model, code_field, None)) if code_field else None
                    text = f"{what} of {resource_id} failed with status {status!r}"
                    if message:
                        text += f": {message}"
                    if code and code != message:
                        text += f" (code {code})"
                    raise JobFailedError(
                        text,
                        resource_id=resource_id,
                        status=status,
                        error_message=message,
                        error_code=code,
                        last=model,
                    )
                delay = next(delays) or interval
                log.debug("%s of %s is %s; next check in %.1fs", what, resource_id, status, delay)
                await anyio.sleep(delay)
    except TimeoutError as exc:
        seen = getattr(last, status_field, None) if last is not None else None
        raise WaitTimeoutError(
            f"gave up waiting for {what} of {resource_id} after {timeout:g}s "
            f"(last status: {seen!r}); raise timeout= to wait longer",
            last=last,
        ) from exc


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
