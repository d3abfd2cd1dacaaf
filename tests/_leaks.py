"""A leak detector for tests: tasks, threads, sockets and other fds, unclosed aiohttp sessions.

Take a :func:`snapshot` before the code under test runs and call :func:`assert_no_leaks` after.
Anything the code started and left behind is reported by name:

- asyncio tasks still pending that were not there before (the caller's own task aside);
- threads alive that were not there before;
- file descriptors (sockets included, with their addresses) open now that were not before;
- ``aiohttp.ClientSession`` objects alive and not closed that were not there before.

Closing is asynchronous (a peer notices a closed socket on a later loop iteration), so the check
polls until the difference is gone or ``settle`` seconds pass; only then does it fail.

Some things are legitimately long-lived and are ignored by default: tasks of the simulator's
rooms (``tavus-sim-*``: a conversation's room runs until the conversation ends) and the inner
task of the simulator clock's ``wait_for``, and the worker
threads of the loop's default executor (``asyncio_*``: idle workers are reused, not leaked;
aiohttp resolves host names on them).

    before = snapshot()
    ...  # the code under test
    await assert_no_leaks(before)
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import psutil  # type: ignore[import-untyped,unused-ignore]

__all__ = ["Leaks", "Snapshot", "assert_no_leaks", "find_leaks", "snapshot"]

IGNORED_TASK_PREFIXES = ("tavus-sim-",)
IGNORED_THREAD_PREFIXES = ("asyncio_",)


def _is_sim_clock_wait(task: asyncio.Task[Any]) -> bool:
    """The inner task of the simulator clock's ``asyncio.wait_for(wake.wait(), timeout)``.

    The clock re-creates it whenever a timer is scheduled; it belongs to the clock task (the
    SDK itself bounds waits with anyio, never with ``asyncio.wait_for`` over an event).
    """
    coro = task.get_coro()
    if getattr(coro, "__qualname__", "") != "Event.wait":
        return False
    callbacks = getattr(task, "_callbacks", None) or ()
    return any("_release_waiter" in repr(cb) for cb in callbacks)


def _fds() -> dict[int, str]:
    """Open fds of this process: fd number -> a description (socket addresses where known)."""
    proc = psutil.Process()
    out: dict[int, str] = {}
    try:
        names = os.listdir(f"/proc/{os.getpid()}/fd")
    except OSError:
        names = []
    for name in names:
        try:
            fd = int(name)
            out[fd] = os.readlink(f"/proc/{os.getpid()}/fd/{name}")
        except (OSError, ValueError):
            continue
    for conn in proc.net_connections(kind="all"):
        if conn.fd in out:
            out[conn.fd] = f"socket {conn.laddr} -> {conn.raddr or '-'} {conn.status}"
    return out


def _sessions() -> list[aiohttp.ClientSession]:
    gc.collect()
    return [
        obj for obj in gc.get_objects() if isinstance(obj, aiohttp.ClientSession) and not obj.closed
    ]


@dataclass
class Snapshot:
    """What was alive when :func:`snapshot` ran."""

    tasks: set[asyncio.Task[Any]]
    threads: set[threading.Thread]
    fds: dict[int, str]
    sessions: set[int]


@dataclass
class Leaks:
    """What is alive now and was not in the snapshot (empty lists: no leak)."""

    tasks: list[str] = field(default_factory=list)
    threads: list[str] = field(default_factory=list)
    fds: list[str] = field(default_factory=list)
    sessions: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.tasks or self.threads or self.fds or self.sessions)

    def __str__(self) -> str:
        parts = []
        for kind in ("tasks", "threads", "fds", "sessions"):
            items = getattr(self, kind)
            if items:
                parts.append(f"{len(items)} {kind}: {items}")
        return "; ".join(parts) or "no leaks"


def snapshot() -> Snapshot:
    """Record the tasks, threads, fds and open aiohttp sessions alive now."""
    try:
        tasks = set(asyncio.all_tasks())
    except RuntimeError:  # no running loop
        tasks = set()
    return Snapshot(
        tasks=tasks,
        threads=set(threading.enumerate()),
        fds=_fds(),
        sessions={id(s) for s in _sessions()},
    )


def find_leaks(
    before: Snapshot,
    *,
    ignore_task: Callable[[asyncio.Task[Any]], bool] | None = None,
) -> Leaks:
    """What is alive now that was not in ``before`` (one look, no waiting)."""
    leaks = Leaks()
    try:
        current = asyncio.current_task()
        tasks = asyncio.all_tasks()
    except RuntimeError:
        current, tasks = None, set()
    for task in tasks:
        if task is current or task in before.tasks or task.done():
            continue
        name = task.get_name()
        if name.startswith(IGNORED_TASK_PREFIXES) or _is_sim_clock_wait(task):
            continue
        if ignore_task and ignore_task(task):
            continue
        leaks.tasks.append(f"{name} ({task.get_coro()!r})")
    for thread in threading.enumerate():
        if thread in before.threads or not thread.is_alive():
            continue
        if thread.name.startswith(IGNORED_THREAD_PREFIXES):
            continue
        leaks.threads.append(thread.name)
    now = _fds()
    for fd, what in sorted(now.items()):
        if fd not in before.fds or (before.fds[fd] != what and what.startswith("socket")):
            leaks.fds.append(f"{fd}: {what}")
    for session in _sessions():
        if id(session) not in before.sessions:
            leaks.sessions.append(repr(session))
    return leaks


async def assert_no_leaks(
    before: Snapshot,
    *,
    settle: float = 3.0,
    ignore_task: Callable[[asyncio.Task[Any]], bool] | None = None,
) -> None:
    """Fail unless everything started since ``before`` is gone within ``settle`` seconds.

    Raises:
        AssertionError: Names every task, thread, fd and session still alive.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settle
    while True:
        leaks = find_leaks(before, ignore_task=ignore_task)
        if not leaks or loop.time() >= deadline:
            break
        await asyncio.sleep(0.02)
    assert not leaks, f"left behind: {leaks}"
