"""``/v2/faces``: the replicas' records in the 2026 vocabulary, plus the Merge Patch update."""

from __future__ import annotations

from aiohttp import web

from . import replicas
from ._plumbing import Ctx, Handlers

__all__ = ["HANDLERS"]

HANDLERS = Handlers()
for _verb, _handler in replicas.HANDLERS.by_verb.items():
    HANDLERS.verb(_verb)(_handler)


@HANDLERS.verb("update")
async def update(ctx: Ctx, request: web.Request) -> web.Response:
    """``PATCH /v2/faces/{id}``: a JSON Merge Patch of the name and the default voice."""
    replica = replicas._replica(ctx, request.match_info[ctx.row.id_field])
    body = await ctx.object(request)
    return ctx.json(request, replicas.update_face(ctx, replica, body))
