"""What objectives and guardrails share: named sets of items, edited with JSON Patch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from .._store import hex_id
from ._plumbing import NAME_RE, ApiError, Ctx, Record, bad_message, check_enum, is_url

__all__ = [
    "Check",
    "create",
    "delete",
    "get",
    "list_",
    "patch",
    "patch_set",
    "respond_created",
    "set_items",
    "set_view",
]

#: A resource's own check of a whole set (the body, its validated items); raises ApiError.
Check = Callable[[dict[str, Any], list[Record]], None]

#: Flat guardrails and the mirrors of set items share this id shape (api-2026-surface §1.2).
new_guardrail_uuid = hex_id("g", 12)


def set_items(ctx: Ctx, body: dict[str, Any], kind: str) -> list[Record]:
    """Validate an objectives/guardrails ``data`` list; errors use ``{"message": ...}``.

    Guardrail items get the ``uuid`` of their flat mirror when they have none yet (a field
    edit keeps it; an item replaced whole gets a new one, as documented).
    """
    field = "objective" if kind == "objectives" else "guardrail"
    data = body.get("data")
    if not isinstance(data, list) or not data:
        raise bad_message("data is required")
    items: list[Record] = []
    for item in data:
        if not isinstance(item, dict):
            raise bad_message("data must be a list of objects")
        name = item.get(f"{field}_name")
        if not name:
            raise bad_message(f"{field}_name is required")
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise bad_message(f"{field}_name may only contain letters, numbers and underscores")
        if not item.get(f"{field}_prompt"):
            raise bad_message(f"{field}_prompt is required")
        modalities = ("verbal", "visual", "audio")
        check_enum(item.get("modality"), modalities, "modality", message=True)
        out = dict(item)
        out.setdefault("modality", "verbal")
        if kind == "objectives":
            check_enum(
                item.get("confirmation_mode"),
                ("auto", "manual"),
                "confirmation_mode",
                message=True,
            )
            out.setdefault("confirmation_mode", "auto")
            if "output_variables" in item and not isinstance(item["output_variables"], list):
                raise bad_message("output_variables must be a list of strings")
        if item.get("callback_url") and not is_url(item["callback_url"]):
            raise bad_message("Invalid callback_url")
        if kind == "guardrails" and not out.get("uuid"):
            out["uuid"] = ctx.store.new_id("guardrails", new_guardrail_uuid)
        items.append(out)
    return items


def _set_record(ctx: Ctx, kind: str, rid: str) -> Record:
    record = getattr(ctx.store, kind).get(rid)
    if record is None:
        text = "Objective not found" if kind == "objectives" else "Guardrails not found"
        raise ApiError(404, {"error": text})
    return record  # type: ignore[no-any-return]


def set_view(kind: str, record: Record, *, flat: bool) -> Record:
    """A set's document; list items also get the first item's fields at the top level."""
    id_key = f"{kind}_id"
    out: Record = {id_key: record[id_key], "name": record["name"]}
    if flat and record["data"]:
        out.update(record["data"][0])
    out.update(
        data=record["data"],
        created_at=record["created_at"],
        updated_at=record["updated_at"],
    )
    return out


async def create(
    ctx: Ctx, request: web.Request, kind: str, *, check: Check | None = None
) -> web.Response:
    body = await ctx.object(request)
    return respond_created(ctx, request, kind, body, check=check)


def respond_created(
    ctx: Ctx, request: web.Request, kind: str, body: dict[str, Any], *, check: Check | None = None
) -> web.Response:
    """Store a new set from ``body`` (already read) and answer as Tavus does."""
    items = set_items(ctx, body, kind)
    if check is not None:
        check(body, items)
    field = "objective" if kind == "objectives" else "guardrail"
    rid = ctx.store.new_id(kind, hex_id("o" if kind == "objectives" else "g", 11))
    now = ctx.store.iso()
    name = body.get("name") or items[0][f"{field}_name"]
    record: Record = {
        f"{kind}_id": rid,
        "name": name,
        "data": items,
        "status": "active",
        "created_at": now,
        "updated_at": now,
        "_allow_loops": bool(body.get("allow_loops")),
    }
    getattr(ctx.store, kind)[rid] = record
    name_key = "objective_name" if kind == "objectives" else "guardrails_name"
    out = {f"{kind}_id": rid, name_key: name, "status": "active", "created_at": now}
    return ctx.json(request, out)


async def list_(ctx: Ctx, request: web.Request, kind: str) -> web.Response:
    query = ctx.query(request)
    # Newest first unless asked; the CLI sends sort=ascending (oldest first), type=user and
    # name_or_uuid (rest-api-notes §3.5.3).
    sort = query.get("sort")
    check_enum(sort, ("ascending", "descending", "asc", "desc"), "sort")
    check_enum(query.get("type"), ("user", "system", "all"), "type")
    records = list(getattr(ctx.store, kind).values())
    if sort not in ("ascending", "asc"):
        records.reverse()
    needle = query.get("name_or_uuid", "").lower()
    if needle:
        records = [
            r for r in records if needle in str(r["name"]).lower() or needle == r[f"{kind}_id"]
        ]
    if query.get("type") == "system":
        records = []  # the simulated account has no system sets
    items = [set_view(kind, r, flat=True) for r in records]
    page, _, _ = ctx.page(items, query)
    return ctx.json(request, {"data": page, "total_count": len(items)})


async def get(ctx: Ctx, request: web.Request, kind: str) -> web.Response:
    record = _set_record(ctx, kind, request.match_info[f"{kind}_id"])
    # `data` is the set's list (PATCH paths are /data/0/...; the CLI reads a list), not the
    # single object the OAS26 schema shows (rest-api-notes §3.5.2).
    return ctx.json(request, set_view(kind, record, flat=False))


async def patch(
    ctx: Ctx, request: web.Request, kind: str, *, check: Check | None = None
) -> web.StreamResponse:
    record = _set_record(ctx, kind, request.match_info[f"{kind}_id"])
    return await patch_set(ctx, request, kind, record, check=check)


async def patch_set(
    ctx: Ctx, request: web.Request, kind: str, record: Record, *, check: Check | None = None
) -> web.StreamResponse:
    """Apply the request's JSON Patch to the set ``record``."""
    ops = await ctx.patch_ops(request, malformed_status=400)
    doc = {"name": record["name"], "data": record["data"]}
    new = ctx.apply_patch(doc, ops, malformed_status=400)
    if new == doc:
        return web.Response(status=304)
    if set(new) - {"name", "data"}:
        raise ctx.malformed(400, "only /name and /data/... can be patched")
    items = set_items(ctx, {"data": new.get("data")}, kind)
    if check is not None:
        check({"allow_loops": record.get("_allow_loops", False)}, items)
    record.update(name=new.get("name") or record["name"], data=items)
    record["updated_at"] = ctx.store.iso()
    text = (
        "Objective updated successfully"
        if kind == "objectives"
        else ("Guardrails updated successfully")
    )
    return ctx.json(request, {"message": text})


async def delete(ctx: Ctx, request: web.Request, kind: str) -> web.Response:
    rid = request.match_info[f"{kind}_id"]
    _set_record(ctx, kind, rid)
    del getattr(ctx.store, kind)[rid]
    for persona in ctx.store.personas.values():
        if persona.get(f"{kind}_id") == rid:
            del persona[f"{kind}_id"]
    return web.Response(status=204)
