"""``/v2/guardrails``: flat guardrails and legacy sets on one path (api-2026-surface.md §9).

One table holds both: a set record has ``guardrails_id`` (its items in ``data``, each with the
``uuid`` of its flat mirror), a flat record has ``uuid``. POST routes by body shape (a top-level
``guardrail_name`` is flat); GET, PATCH and DELETE take a set id, a flat id or an item's mirror
id. ``legacy`` on the list picks the shape; its default is ``sim.guardrails_legacy_default``
(True, as the docs say; Tavus's CLI says False and always sends it).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import _sets
from ._plumbing import NAME_RE, ApiError, Ctx, Handlers, Record, bad_message, check_enum, public

__all__ = ["HANDLERS"]

HANDLERS = Handlers()
_KIND = "guardrails"
_FIELDS = (
    "guardrail_name",
    "guardrail_prompt",
    "modality",
    "callback_url",
    "tags",
    "app_message",
    "tool_call",
)
_SORTS = ("ascending", "descending", "asc", "desc")


def _stamp(ctx: Ctx) -> str:
    # Flat guardrails write whole seconds with a Z: 2024-01-15T10:30:00Z (§1.3).
    return ctx.store.moment().strftime("%Y-%m-%dT%H:%M:%SZ")


def _flat_fields(body: dict[str, Any]) -> Record:
    """The checked fields of a flat guardrail (create body or patched document)."""
    unknown = set(body) - set(_FIELDS)
    if unknown:
        raise bad_message(f"Unknown guardrail field(s): {', '.join(sorted(unknown))}")
    name = body.get("guardrail_name")
    if not isinstance(name, str) or not name:
        raise bad_message("guardrail_name is required")
    if not NAME_RE.match(name) or len(name) > 100:
        raise bad_message(
            "guardrail_name may only contain letters, numbers and underscores (at most 100)"
        )
    prompt = body.get("guardrail_prompt")
    if not isinstance(prompt, str) or not prompt:
        raise bad_message("guardrail_prompt is required")
    if len(prompt) > 1000:
        raise bad_message("guardrail_prompt must be at most 1000 characters")
    modality = body.get("modality", "verbal")
    check_enum(modality, ("verbal", "visual", "audio"), "modality", message=True)
    callback_url = body.get("callback_url") or ""
    if not isinstance(callback_url, str) or len(callback_url) > 2048:
        raise bad_message("callback_url must be a URL of at most 2048 characters")
    if callback_url and not callback_url.startswith(("http://", "https://")):
        raise bad_message("Invalid callback_url")
    tags = body.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        raise bad_message("tags must be a list of strings")
    if len(tags) > 32 or any(len(t) > 64 for t in tags):
        raise bad_message("at most 32 tags of at most 64 characters")
    app_message = body.get("app_message", True)
    if not isinstance(app_message, bool):
        raise bad_message("app_message must be true or false")
    out: Record = {
        "guardrail_name": name,
        "guardrail_prompt": prompt,
        "modality": modality,
        "callback_url": callback_url,
        "tags": list(tags),
        "app_message": app_message,
    }
    tool_call = body.get("tool_call")
    if tool_call is not None and not isinstance(tool_call, dict):
        raise bad_message("tool_call must be an object")
    if tool_call:  # omitted on the stored record when empty (so `replace` on it fails)
        out["tool_call"] = tool_call
    return out


def _is_set(record: Record) -> bool:
    return "guardrails_id" in record


def _mirror(set_record: Record, item: Record) -> Record:
    """A set item as the flat guardrail Tavus mirrors it as."""
    out: Record = {"uuid": item["uuid"]}
    out.update({k: item[k] for k in _FIELDS if k in item})
    out.setdefault("tags", [])
    out.setdefault("app_message", True)
    out.setdefault("callback_url", "")
    out.update(created_at=set_record["created_at"], updated_at=set_record["updated_at"])
    return out


def _flats(ctx: Ctx) -> list[Record]:
    """Every flat guardrail (records and set items' mirrors), oldest first."""
    out: list[Record] = []
    for record in ctx.table.values():
        if _is_set(record):
            out.extend(_mirror(record, item) for item in record["data"])
        else:
            out.append(public(record))
    return out


def _find(ctx: Ctx, gid: str) -> tuple[str, Record, int]:
    """("set" | "flat" | "item", record, item index) for an id, else 404."""
    record = ctx.table.get(gid)
    if record is not None:
        return ("set" if _is_set(record) else "flat"), record, -1
    for rec in ctx.table.values():
        if _is_set(rec):
            for i, item in enumerate(rec["data"]):
                if item.get("uuid") == gid:
                    return "item", rec, i
    raise ApiError(404, {"error": "Guardrails not found"})


def _pal_refs(ctx: Ctx, ids: set[str]) -> list[str]:
    return [
        pid
        for pid, persona in ctx.store.personas.items()
        if ids & set(persona.get("guardrail_ids") or [])
    ]


def _verbose(ctx: Ctx, flat: Record) -> Record:
    return {**flat, "guardrail_type": "user", "persona_refs": _pal_refs(ctx, {flat["uuid"]})}


def _scrub(ctx: Ctx, ids: set[str]) -> None:
    # Deleting a guardrail takes it out of every PAL that lists it (rest-api-notes §3.6.5).
    for persona in ctx.store.personas.values():
        listed = persona.get("guardrail_ids")
        if isinstance(listed, list) and ids & set(listed):
            persona["guardrail_ids"] = [g for g in listed if g not in ids]


@HANDLERS.verb("create")
async def create(ctx: Ctx, request: web.Request) -> web.Response:
    body = await ctx.object(request)
    if "guardrail_name" not in body or "data" in body:
        return _sets.respond_created(ctx, request, _KIND, body)
    fields = _flat_fields(body)
    gid = ctx.store.new_id(_KIND, _sets.new_guardrail_uuid)
    now = _stamp(ctx)
    record: Record = {"uuid": gid, **fields, "created_at": now, "updated_at": now}
    ctx.table[gid] = record
    return ctx.json(request, public(record))


@HANDLERS.verb("list")
async def list_(ctx: Ctx, request: web.Request) -> web.Response:
    query = ctx.query(request)
    legacy = ctx.flag(query, "legacy") if "legacy" in query else ctx.sim.guardrails_legacy_default
    kind = query.get("type", "user")
    check_enum(kind, ("user", "system", "all"), "type")
    sort = query.get("sort", "ascending")
    check_enum(sort, _SORTS, "sort")
    needle = query.get("name_or_uuid", "").lower()
    wanted = {t.strip() for t in query.get("tags", "").split(",") if t.strip()}
    verbose = ctx.flag(query, "verbose")
    items: list[Record]
    if legacy:
        items = [_sets.set_view(_KIND, r, flat=True) for r in ctx.table.values() if _is_set(r)]
        name_key, id_key = "name", "guardrails_id"
    else:
        items = _flats(ctx)
        if wanted:
            items = [f for f in items if wanted & set(f["tags"])]
        if verbose:
            items = [_verbose(ctx, f) for f in items]
        name_key, id_key = "guardrail_name", "uuid"
    if kind == "system":
        items = []  # the simulated account has no system guardrails
    if needle:
        items = [
            i for i in items if needle in str(i.get(name_key, "")).lower() or needle == i[id_key]
        ]
    if sort in ("descending", "desc"):
        items.reverse()
    page, _, _ = ctx.page(items, query)
    return ctx.json(request, {"data": page, "total_count": len(items)})


@HANDLERS.verb("get")
async def get(ctx: Ctx, request: web.Request) -> web.Response:
    what, record, index = _find(ctx, request.match_info["guardrails_id"])
    if what == "set":
        return ctx.json(request, _sets.set_view(_KIND, record, flat=False))
    flat = public(record) if what == "flat" else _mirror(record, record["data"][index])
    if ctx.flag(ctx.query(request), "verbose"):
        flat = _verbose(ctx, flat)
    return ctx.json(request, flat)


@HANDLERS.verb("patch")
async def patch(ctx: Ctx, request: web.Request) -> web.StreamResponse:
    what, record, index = _find(ctx, request.match_info["guardrails_id"])
    if what == "set":
        return await _sets.patch_set(ctx, request, _KIND, record)
    ops = await ctx.patch_ops(request, malformed_status=400)
    current = record if what == "flat" else record["data"][index]
    doc = {k: current[k] for k in _FIELDS if k in current}
    new = ctx.apply_patch(doc, ops, malformed_status=400)
    if new == doc:
        return web.Response(status=304)
    fields = _flat_fields(new)
    if what == "flat":
        record.pop("tool_call", None)  # absent from `fields` when the patch emptied it
        record.update(fields, updated_at=_stamp(ctx))
        return ctx.json(request, public(record))
    # A set item edited through its mirror id: the set changes, the uuid stays.
    record["data"][index] = {**fields, "uuid": current["uuid"]}
    record["updated_at"] = ctx.store.iso()
    return ctx.json(request, _mirror(record, record["data"][index]))


@HANDLERS.verb("delete")
async def delete(ctx: Ctx, request: web.Request) -> web.Response:
    gid = request.match_info["guardrails_id"]
    what, record, index = _find(ctx, gid)
    if what == "set":
        mirrors = {item["uuid"] for item in record["data"]}
        response = await _sets.delete(ctx, request, _KIND)
        _scrub(ctx, mirrors)
        return response
    if what == "flat":
        del ctx.table[gid]
    else:
        del record["data"][index]
        if not record["data"]:
            del ctx.table[record["guardrails_id"]]
    _scrub(ctx, {gid})
    return web.Response(status=204)


@HANDLERS.verb("tags")
async def tags(ctx: Ctx, request: web.Request) -> web.Response:
    # tavus-cli only: {tags, total_count} ("KB-shaped"), with search/page/limit.
    query = ctx.query(request)
    search = query.get("search", "").lower()
    found = sorted({t for flat in _flats(ctx) for t in flat["tags"] if search in t.lower()})
    page, _, _ = ctx.page(found, query)
    return ctx.json(request, {"tags": page, "total_count": len(found)})
