"""What objectives and guardrails share: named sets of items, edited with JSON Patch."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .._store import hex_id
from ._plumbing import NAME_RE, ApiError, Ctx, Record, bad_message, check_enum, is_url

__all__ = ["create", "delete", "get", "list_", "patch"]


def _set_items(ctx: Ctx, body: dict[str, Any], kind: str) -> list[Record]:
    """Validate an objectives/guardrails ``data`` list; errors use ``{"message": ...}``."""
    field = "objective" if kind == "objectives" else "guardrail"
    data = body.get("data")
    if data is None and kind == "guardrails" and "guardrail_name" in body:
        # The newer flat guardrail form (tavus-cli, 2026 docs) is stored as a one-item set.
        data = [{k: v for k, v in body.items() if k != "name"}]
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
        items.append(out)
    return items


def _set_record(ctx: Ctx, kind: str, rid: str) -> Record:
    record = getattr(ctx.store, kind).get(rid)
    if record is None:
        text = "Objective not found" if kind == "objectives" else "Guardrails not found"
        raise ApiError(404, {"error": text})
    return record  # type: ignore[no-any-return]


def _set_view(kind: str, record: Record, *, flat: bool) -> Record:
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


async def create(ctx: Ctx, request: web.Request, kind: str) -> web.Response:
    body = await ctx.object(request)
    items = _set_items(ctx, body, kind)
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
    }
    getattr(ctx.store, kind)[rid] = record
    name_key = "objective_name" if kind == "objectives" else "guardrails_name"
    out = {f"{kind}_id": rid, name_key: name, "status": "active", "created_at": now}
    return ctx.json(request, out)


async def list_(ctx: Ctx, request: web.Request, kind: str) -> web.Response:
    query = ctx.query(request)
    items = [_set_view(kind, r, flat=True) for r in reversed(getattr(ctx.store, kind).values())]
    page, _, _ = ctx.page(items, query)
    return ctx.json(request, {"data": page, "total_count": len(items)})


async def get(ctx: Ctx, request: web.Request, kind: str) -> web.Response:
    record = _set_record(ctx, kind, request.match_info[f"{kind}_id"])
    # `data` is the set's list (PATCH paths are /data/0/...; the CLI reads a list), not the
    # single object the OAS26 schema shows (rest-api-notes §3.5.2).
    return ctx.json(request, _set_view(kind, record, flat=False))


async def patch(ctx: Ctx, request: web.Request, kind: str) -> web.StreamResponse:
    record = _set_record(ctx, kind, request.match_info[f"{kind}_id"])
    ops = await ctx.patch_ops(request, malformed_status=400)
    doc = {"name": record["name"], "data": record["data"]}
    new = ctx.apply_patch(doc, ops, malformed_status=400)
    if new == doc:
        return web.Response(status=304)
    if set(new) - {"name", "data"}:
        raise ctx.malformed(400, "only /name and /data/... can be patched")
    items = _set_items(ctx, {"data": new.get("data")}, kind)
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
