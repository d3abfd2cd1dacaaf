"""A conversation that is always ended: ``async with tavus.conversations.session(...)``.

A running conversation is billed until it ends. The context manager creates one, yields it, and
ends it on every way out of the block (normal exit, an exception, cancellation), with the end
call shielded from the cancellation that may be tearing the block down and bounded in time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import anyio

from ._logging import get_logger
from .errors import APIError, NotFoundError

__all__ = ["ended_on_exit"]

log = get_logger("lifecycle")

C = TypeVar("C")


@asynccontextmanager
async def ended_on_exit(
    create: Callable[[], Awaitable[C]],
    end: Callable[[str], Awaitable[object]],
    conversation_id: Callable[[C], str],
    *,
    end_timeout: float = 30.0,
) -> AsyncIterator[C]:
    """Create with ``create()``, yield the result, and always ``end(id)`` it.

    If the block raised, an error while ending is logged (the block's own error is the one
    that matters); if the block succeeded, an error while ending is raised, because the
    conversation may still be running. A conversation that is already gone (404) counts as
    ended.
    """
    conv = await create()
    cid = conversation_id(conv)
    failed = True
    try:
        yield conv
        failed = False
    finally:
        # Shielded: a cancelled task must still end what it started; bounded so that an
        # unreachable API cannot hang the cancellation.
        with anyio.CancelScope(shield=True), anyio.move_on_after(end_timeout) as scope:
            try:
                await end(cid)
            except NotFoundError:
                log.info("conversation %s was already gone when ending it", cid)
            except APIError as exc:
                if not failed:
                    raise
                log.warning("could not end conversation %s: %s", cid, exc)
        if scope.cancelled_caught:
            log.warning("ending conversation %s timed out after %gs", cid, end_timeout)
            if not failed:
                raise TimeoutError(
                    f"ending conversation {cid} took longer than {end_timeout:g}s; "
                    "it may still be running: end it with conversations.end()"
                )
