"""``/v2/pals/{pal_id}/tools``: the registry tools attached to each PAL (api-2026-surface §7).

A PAL's ``tool_ids`` *is* its attachment list (one list, as ``GET /v2/pals/{id}`` shows it), so
deleting a tool (``ToolsState.delete``) detaches it everywhere. Attach is idempotent, all or
nothing, at most 50, and answers the tools named in the request; detach answers 204, and 400
for a tool that is not attached.
"""

from __future__ import annotations

from aiohttp import web

from .._tools import MAX_PAL_TOOLS, masked
from ._plumbing import Ctx, Handlers, Record, bad

__all__ = ["HANDLERS"]

HANDLERS = Handlers()


def _pal(ctx: Ctx, request: web.Request) -> Record:
    persona = ctx.store.personas.get(request.match_info["pal_id"])
    if persona is None:
        raise bad("Invalid pal_id")
    return persona


@HANDLERS.verb("attach")
async def attach(ctx: Ctx, request: web.Request) -> web.Response:
    persona = _pal(ctx, request)
    body = await ctx.body(request)
    ids = body.get("tool_ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not ids or not all(isinstance(t, str) and t for t in ids):
        raise bad("Bad Request. tool_ids must be a non-empty list of tool ids")
    tools = ctx.store.tools
    for tid in ids:
        if tid not in tools:
            raise bad(f"Bad Request. Tool not found: {tid}")
    current = [t for t in persona.get("tool_ids") or [] if t in tools]
    wanted = list(dict.fromkeys(ids))
    new = current + [t for t in wanted if t not in current]
    if len(new) > MAX_PAL_TOOLS:
        raise bad(f"Bad Request. A PAL can have at most {MAX_PAL_TOOLS} tools attached")
    persona["tool_ids"] = new
    return web.json_response({"data": [masked(tools[t]) for t in wanted]})


@HANDLERS.verb("list")
async def list_(ctx: Ctx, request: web.Request) -> web.Response:
    # Registry tools only: no inline layers.llm.tools and no system tool (the docs' reading).
    tools = ctx.sim.account_tools.attached(_pal(ctx, request))
    return web.json_response({"data": [masked(t) for t in tools]})


@HANDLERS.verb("detach")
async def detach(ctx: Ctx, request: web.Request) -> web.Response:
    persona = _pal(ctx, request)
    tid = request.match_info["tool_id"]
    ctx.sim.account_tools.get(tid)
    ids = persona.get("tool_ids") or []
    if tid not in ids:
        raise bad("Bad Request. Tool not attached to this PAL")
    persona["tool_ids"] = [t for t in ids if t != tid]
    return web.Response(status=204)
