"""``fleet status``: what a bot fleet (:mod:`tavus_async.fleet`) holds in Redis, at a glance."""

from __future__ import annotations

import argparse
import os
from typing import Any

from .common import CommandFailed
from .output import Output

__all__ = ["add_parser", "cmd_fleet_status"]

_DEFAULT_REDIS = "redis://localhost:6379/0"


async def cmd_fleet_status(args: argparse.Namespace, out: Output) -> int:
    """Print the queue, pending jobs, counters and live workers of fleet ``--name``."""
    try:
        from redis.asyncio import Redis
    except ImportError:
        raise CommandFailed(
            "fleet status needs redis-py: pip install 'tavus-async[redis]'"
        ) from None
    from ..fleet import Fleet

    url = args.redis or os.environ.get("REDIS_URL") or _DEFAULT_REDIS
    redis = Redis.from_url(url, socket_connect_timeout=5)
    try:
        stats = await Fleet(redis, name=args.name).stats()
    finally:
        await redis.aclose()
    if out.json_mode:
        out.json(stats.as_dict())
        return 0
    totals: dict[str, Any] = {
        "fleet": stats.name,
        "queued": stats.queued,
        "pending": stats.pending,
        "workers": len(stats.workers),
        "running": sum(w.running for w in stats.workers),
        **stats.counters,
    }
    out.record(totals)
    out.line()
    rows = [
        {
            "consumer": w.consumer,
            "host": w.host,
            "pid": w.pid,
            "running": f"{w.running}/{w.concurrency}",
            "conversations": " ".join(w.conversations),
        }
        for w in stats.workers
    ]
    out.table(rows, ["consumer", "host", "pid", "running", "conversations"])
    return 0


def add_parser(
    commands: argparse._SubParsersAction[Any],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``fleet status`` (``common``: the flags it takes, ``--json``)."""
    p = commands.add_parser(
        "fleet",
        help="inspect a bot fleet running on Redis (tavus_async.fleet)",
        parents=[common],
        description="Inspect a bot fleet: its queue, pending jobs, counters and live workers.",
    )
    sub = p.add_subparsers(
        dest="fleet_command", metavar="ACTION", required=True, help="what to do (ACTION --help)"
    )
    status = sub.add_parser(
        "status",
        help="show the fleet's queue, pending jobs, counters and workers",
        parents=[common],
    )
    status.add_argument(
        "--redis",
        metavar="URL",
        default=None,
        help=f"the Redis URL (default: $REDIS_URL or {_DEFAULT_REDIS}); never printed",
    )
    status.add_argument(
        "--name", default="tavus", help="the fleet's name, its key prefix (default: tavus)"
    )
    # Redis only: no API key or base URL to take.
    status.set_defaults(handler=cmd_fleet_status, flags=frozenset({"json"}))
