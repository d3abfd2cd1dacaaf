"""``/v2/tools`` and a PAL's attached tools (``/v2/pals/{pal_id}/tools``).

The rules (validation, secret masking, the system tool, cascades) live in
:class:`~tavus_async.testing._tools.ToolsState` with the HTTP sender they share; these handlers
only speak HTTP. The PAL attachment routes are nested under another resource's path, so they
are not catalog verbs: :data:`NESTED` lists them for the app (counted as ``pals.tools.<verb>``).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .._tools import END_CALL, MAX_PAL_TOOLS, masked
from ._plumbing import Ctx, Handler, Handlers, Record, bad

__all__ = ["HANDLERS", "NESTED"]

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


# -- a PAL's tools ----------------------------------------------------------------------------


def _pal(ctx: Ctx, request: web.Request) -> Record:
    persona = ctx.store.personas.get(request.match_info["pal_id"])
    if persona is None:
        raise bad("Invalid pal_id")
    return persona


async def attach(ctx: Ctx, request: web.Request) -> web.Response:
    """Idempotent, all or nothing, at most 50 (§7); answers the tools named in the request."""
    persona = _pal(ctx, request)
    body = await ctx.body(request)
    ids = body.get("tool_ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not ids or not all(isinstance(t, str) and t for t in ids):
        raise bad("Bad Request. tool_ids must be a non-empty list of tool ids")
    for tid in ids:
        if tid not in ctx.table:
            raise bad(f"Bad Request. Tool not found: {tid}")
    # A PAL's tool_ids *is* its attachment list: one list, as GET /v2/pals/{id} shows it.
    current = [t for t in persona.get("tool_ids") or [] if t in ctx.table]
    wanted = list(dict.fromkeys(ids))
    new = current + [t for t in wanted if t not in current]
    if len(new) > MAX_PAL_TOOLS:
        raise bad(f"Bad Request. A PAL can have at most {MAX_PAL_TOOLS} tools attached")
    persona["tool_ids"] = new
    return web.json_response({"data": [masked(ctx.table[t]) for t in wanted]})


async def pal_list(ctx: Ctx, request: web.Request) -> web.Response:
    """Registry tools only: no inline layers.llm.tools, no system tool (§7, the docs' reading)."""
    persona = _pal(ctx, request)
    tools = ctx.sim.account_tools.attached(persona)
    return web.json_response({"data": [masked(t) for t in tools]})


async def detach(ctx: Ctx, request: web.Request) -> web.Response:
    persona = _pal(ctx, request)
    tid = request.match_info["tool_id"]
    ctx.sim.account_tools.get(tid)
    ids = persona.get("tool_ids") or []
    if tid not in ids:
        raise bad("Bad Request. Tool not attached to this PAL")
    persona["tool_ids"] = [t for t in ids if t != tid]
    return web.Response(status=204)


#: (method, path template, operation, handler) of the routes nested under the PAL paths; the
#: CLI names the persona alias too.
NESTED: list[tuple[str, str, str, Handler]] = [
    route
    for base in ("/v2/pals", "/v2/personas")
    for route in (
        ("POST", f"{base}/{{pal_id}}/tools", "pals.tools.attach", attach),
        ("GET", f"{base}/{{pal_id}}/tools", "pals.tools.list", pal_list),
        ("DELETE", f"{base}/{{pal_id}}/tools/{{tool_id}}", "pals.tools.detach", detach),
    )
]
