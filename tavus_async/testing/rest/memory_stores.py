"""``/v2/memory-stores``: a PAL's memory of one participant (api-2026-surface.md §12).

Only create, list and get are documented; ``update`` (a plain PATCH of ``pinned_memories``),
``delete``, the 409 on a second active store for one (PAL, tag) and the list envelope are the
simulator's reading. Every store belongs to the simulated account, so the documented 403 (a
store of another owner) comes from ``_owner`` set by a test.
"""

from __future__ import annotations

from aiohttp import web

from .._store import hex_id
from ._plumbing import ApiError, Ctx, Handlers, Record, bad, public, str_list

__all__ = ["HANDLERS", "ensure_store"]

HANDLERS = Handlers()
_NEW_ID = hex_id("ms", 12)


def _store_of(ctx: Ctx, request: web.Request) -> Record:
    record = ctx.table.get(request.match_info["memory_store_id"])
    if record is None:
        raise ApiError(404, {"error": "Memory store not found"})
    if record.get("_owner") not in (None, ctx.sim.api_key):
        raise ApiError(403, {"error": "You do not have access to this memory store"})
    return record


def _active(ctx: Ctx, pal_id: str, tag: str) -> Record | None:
    for record in ctx.store.memory_stores.values():
        if (
            record["pal_id"] == pal_id
            and record["participant_tag"] == tag
            and record["status"] == "active"
        ):
            return record
    return None


def ensure_store(ctx: Ctx, pal_id: str, tag: str) -> Record:
    """The active store of (PAL, tag), made if there is none (a conversation's
    ``participant_tags`` does this on Tavus)."""
    found = _active(ctx, pal_id, tag)
    if found is not None:
        return found
    sid = ctx.store.new_id("memory_stores", _NEW_ID)
    now = ctx.store.iso()
    record: Record = {
        "memory_store_id": sid,
        "pal_id": pal_id,
        "participant_tag": tag,
        "pinned_memories": [],
        "learned_memories": [],
        "status": "active",
        "created_at": now,
        "updated_at": now,
    }
    ctx.store.memory_stores[sid] = record
    return record


@HANDLERS.verb("create")
async def create(ctx: Ctx, request: web.Request) -> web.Response:
    body = await ctx.object(request)
    pal_id, tag = body.get("pal_id"), body.get("participant_tag")
    if not isinstance(pal_id, str) or not pal_id:
        raise bad("pal_id is required")
    if not isinstance(tag, str) or not tag:
        raise bad("participant_tag is required")
    if pal_id not in ctx.store.personas:
        raise bad("Invalid pal_id")
    pinned = str_list(body.get("pinned_memories"), "pinned_memories")
    if _active(ctx, pal_id, tag) is not None:
        raise ApiError(
            409, {"error": f"An active memory store already exists for {pal_id} and {tag!r}"}
        )
    record = ensure_store(ctx, pal_id, tag)
    record["pinned_memories"] = pinned
    return ctx.json(request, public(record))


@HANDLERS.verb("list")
async def list_(ctx: Ctx, request: web.Request) -> web.Response:
    query = ctx.query(request)
    pal_id, tag = query.get("pal_id"), query.get("participant_tag")
    items = [
        public(r)
        for r in ctx.table.values()
        if (pal_id is None or r["pal_id"] == pal_id)
        and (tag is None or r["participant_tag"] == tag)
        and r.get("_owner") in (None, ctx.sim.api_key)
    ]
    page, _, _ = ctx.page(items, query)
    return ctx.json(request, {"data": page, "total_count": len(items)})


@HANDLERS.verb("get")
async def get(ctx: Ctx, request: web.Request) -> web.Response:
    return ctx.json(request, public(_store_of(ctx, request)))


@HANDLERS.verb("update")
async def update(ctx: Ctx, request: web.Request) -> web.Response:
    record = _store_of(ctx, request)
    body = await ctx.object(request)
    unknown = set(body) - {"pinned_memories"}
    if unknown or not body:
        raise bad(f"Invalid request: only pinned_memories can change, not {sorted(unknown)}")
    record["pinned_memories"] = str_list(body["pinned_memories"], "pinned_memories")
    record["updated_at"] = ctx.store.iso()
    return ctx.json(request, public(record))


@HANDLERS.verb("delete")
async def delete(ctx: Ctx, request: web.Request) -> web.Response:
    record = _store_of(ctx, request)
    del ctx.table[record["memory_store_id"]]
    return web.Response(status=204)
