"""Finish clean-up even when the caller is cancelled, without swallowing the cancellation.

anyio's ``CancelScope(shield=True)`` protects against anyio cancel scopes, but a native
``asyncio.Task.cancel()`` still raises ``CancelledError`` at the next await inside it; catching
that to keep cleaning up would lose the caller's cancellation. Running the clean-up in a task of
its own and waiting for it gives both: the clean-up always completes (it is bounded inside), and
a cancellation that arrived meanwhile is re-raised afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["complete_then_reraise"]

T = TypeVar("T")


async def complete_then_reraise(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion in its own task; re-raise any cancellation received meanwhile.

    ``coro`` must bound its own duration: this waits for it however often it is cancelled.
    """
    task = asyncio.ensure_future(coro)
    cancelled: asyncio.CancelledError | None = None
    while not task.done():
        try:
            await asyncio.wait((task,))
        except asyncio.CancelledError as exc:
            cancelled = exc  # remember it; the clean-up goes on
    if cancelled is not None:
        raise cancelled
    return task.result()
