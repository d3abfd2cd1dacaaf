"""``/v2/voices``: the stock voices (read only)."""

from __future__ import annotations

from aiohttp import web

from ._plumbing import Ctx, Handlers, check_enum

__all__ = ["HANDLERS"]

HANDLERS = Handlers()


@HANDLERS.verb("list")
async def list_(ctx: Ctx, request: web.Request) -> web.Response:
    query = ctx.query(request)
    sort = query.get("sort", "asc")
    check_enum(sort, ("asc", "desc"), "sort")
    search = query.get("search", "").lower()
    tag = query.get("tag")
    items = sorted(
        (
            dict(v)
            for v in ctx.store.voices
            if search in v["voice_name"].lower()
            and (tag is None or any(t["tag_name"] == tag for t in v["tags"]))
        ),
        key=lambda v: v["voice_name"],
        reverse=sort == "desc",
    )
    page, number, limit = ctx.page(items, query, max_limit=100)
    out = {"data": page, "total_count": len(items), "page": number, "limit": limit}
    return ctx.json(request, out)
