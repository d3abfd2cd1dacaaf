"""``/v2/tools`` and a PAL's attached tools (``/v2/pals/{pal_id}/tools``).

The rules (validation, secret masking, the system tool, cascades) live in
:class:`~tavus_async.testing._tools.ToolsState` with the HTTP sender they share; these handlers
only speak HTTP. A PAL's attached tools are ``rest/pal_tools.py``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .._tools import END_CALL, masked
from ._plumbing import Ctx, Handlers, bad

__all__ = ["HANDLERS"]

HANDLERS = Handlers()


async def _body(ctx: Ctx, request: web.Request) -> Any:
    # Not ctx.object(): PATCH {"delivery": null} is meaningful, and an empty body is refused
    # by the tool rules with Tavus's own message.
    return await ctx.body(request, required=False)


@HANDLERS.verb("create")
async def create(ctx: Ctx, request: web.Request) -> web.Response:
    return web.json_response(masked(ctx.sim.account_tools.create(await _body(ctx, request))))


@HANDLERS.verb("list")
async def list_(ctx: Ctx, request: web.Request) -> web.Response:
    query = dict(request.query)
    kind = query.get("type", "user")
    if kind not in ("user", "system", "all"):
        raise bad("Bad Request. type must be user, system or all")
    sort = query.get("sort", "asc")
    if sort not in ("asc", "desc"):
        raise bad("Bad Request. sort must be asc or desc")
    users = sorted(ctx.table.values(), key=lambda t: t["created_at"], reverse=sort == "desc")
    items = {"user": users, "system": [END_CALL], "all": [END_CALL, *users]}[kind]
    needle = query.get("name_or_uuid")
    if needle:
        low = needle.lower()
        items = [t for t in items if low in t["name"].lower() or t["tool_id"] == needle]
    page, _, _ = ctx.page(items, query)
    return web.json_response({"data": [masked(t) for t in page], "total_count": len(items)})


@HANDLERS.verb("get")
async def get(ctx: Ctx, request: web.Request) -> web.Response:
    return web.json_response(masked(ctx.sim.account_tools.get(request.match_info["tool_id"])))


@HANDLERS.verb("update")
async def update(ctx: Ctx, request: web.Request) -> web.Response:
    body = await _body(ctx, request)
    tool = ctx.sim.account_tools.update(request.match_info["tool_id"], body)
    return web.json_response(masked(tool))


@HANDLERS.verb("delete")
async def delete(ctx: Ctx, request: web.Request) -> web.Response:
    ctx.sim.account_tools.delete(request.match_info["tool_id"])
    return web.Response(status=204)
