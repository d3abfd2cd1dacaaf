"""A conversation that is always ended: ``async with tavus.conversations.session(...)``.

A running conversation is billed until it ends. The context manager creates one, yields it, and
ends it on every way out of the block (normal exit, an exception, cancellation), with the end
call shielded from the cancellation that may be tearing the block down and bounded in time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import anyio

from ._logging import get_logger
from .errors import APIError, NotFoundError, WaitTimeoutError

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
    conv = await _create_or_clean_up(create, end, conversation_id, end_timeout)
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
                raise WaitTimeoutError(
                    f"ending conversation {cid} took longer than {end_timeout:g}s; "
                    "it may still be running: end it with conversations.end()"
                )


async def _create_or_clean_up(
    create: Callable[[], Awaitable[C]],
    end: Callable[[str], Awaitable[object]],
    conversation_id: Callable[[C], str],
    end_timeout: float,
) -> C:
    """Run ``create()``; if we are cancelled meanwhile, let it finish and end what it made.

    Once the POST may have reached Tavus, a conversation may exist (and be billed) whether or not
    we see the answer. A cancellation therefore does not abandon the create: it runs on in its
    own task (``asyncio.shield`` also holds against a bare ``task.cancel()``, which anyio's
    shield does not), and whatever it made is ended before the cancellation goes on.
    """
    task: asyncio.Future[C] = asyncio.ensure_future(create())
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        with (
            anyio.CancelScope(shield=True),
            anyio.move_on_after(end_timeout),
            contextlib.suppress(Exception),
        ):
            made = await task
            cid = conversation_id(made)
            log.info("cancelled while creating conversation %s; ending it", cid)
            try:
                await end(cid)
            except APIError as exc:
                log.warning("could not end conversation %s: %s", cid, exc)
        if not task.done():
            task.cancel()
            log.warning(
                "cancelled while creating a conversation that did not answer within %gs; "
                "if Tavus made it, end it with conversations.end()",
                end_timeout,
            )
        raise
