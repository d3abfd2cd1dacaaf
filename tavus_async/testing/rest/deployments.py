"""``/v2/deployments``: a PAL as a landing page, embed or widget (api-2026-surface.md §11).

``init``, ``start`` and the conversation ``end`` are public (no ``x-api-key``; the catalog row
marks them). A GET answers with a weak ``ETag`` that changes with every write; a PATCH with an
``If-Match`` that is not the current one is refused with 412 (the docs do not name the code).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .._store import hex_id
from ._plumbing import ApiError, Ctx, Handlers, Record, bad, check_enum, public, str_list
from .conversations import open_conversation

__all__ = ["HANDLERS"]

HANDLERS = Handlers()
_NEW_ID = hex_id("d", 16)
_CHANNELS = ("widget", "embed", "landing-page")
_STATUSES = ("draft", "active", "inactive")
_LIMITS = (
    "daily_call_limit",
    "daily_call_limit_per_user",
    "concurrent_call_limit",
    "max_call_duration",
)
#: What PATCH may change (the rest is Tavus's bookkeeping).
_EDITABLE = ("name", "status", "customization", "limits", "allowed_origins", "password")


def _stamp(ctx: Ctx) -> str:
    # Deployments write whole seconds with a Z: 2023-11-07T05:31:56Z (§1.3).
    return ctx.store.moment().strftime("%Y-%m-%dT%H:%M:%SZ")


def _etag(record: Record) -> str:
    # Weak, from updated_at as documented, plus a revision: updated_at has whole seconds,
    # and two writes within one second must not share an ETag.
    return f'W/"{record["updated_at"]}-{record["_rev"]}"'


def _deployment(ctx: Ctx, request: web.Request) -> Record:
    record = ctx.table.get(request.match_info["deployment_id"])
    if record is None:
        raise ApiError(404, {"error": "Deployment not found"})
    return record


def _view(record: Record) -> Record:
    return public(record)


def _checked(ctx: Ctx, fields: dict[str, Any]) -> Record:
    """The editable fields, validated (400 on anything Tavus documents as invalid)."""
    out: Record = {}
    if "name" in fields:
        if not isinstance(fields["name"], str):
            raise bad("Invalid request: name must be a string")
        out["name"] = fields["name"]
    status = fields.get("status", "active")
    check_enum(status, _STATUSES, "status")
    out["status"] = status
    customization = fields.get("customization") or {}
    if not isinstance(customization, dict):
        raise bad("Invalid request: customization must be an object")
    out["customization"] = customization
    limits = fields.get("limits") or {}
    if not isinstance(limits, dict):
        raise bad("Invalid request: limits must be an object")
    for key, value in limits.items():
        if key not in _LIMITS:
            raise bad(f"Invalid request: unknown limit {key!r} (known: {', '.join(_LIMITS)})")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad(f"Invalid request: limits.{key} must be an integer of at least 1")
    out["limits"] = dict(limits)
    out["allowed_origins"] = str_list(fields.get("allowed_origins"), "allowed_origins")
    password = fields.get("password")
    if password is not None and not isinstance(password, str):
        raise bad("Invalid request: password must be a string or null")
    out["_password"] = password or None
    out["has_password"] = bool(password)
    return out


@HANDLERS.verb("create")
async def create(ctx: Ctx, request: web.Request) -> web.Response:
    body = await ctx.object(request)
    pal_id = body.get("pal_id")
    if not pal_id:
        raise bad("pal_id is required")
    pal = ctx.store.personas.get(str(pal_id))
    if pal is None:
        raise bad("Invalid pal_id")
    channel = body.get("channel")
    if channel is None:
        raise bad("channel is required")
    check_enum(channel, _CHANNELS, "channel")
    unknown = set(body) - {"pal_id", "channel", *_EDITABLE}
    if unknown:
        raise bad(f"Invalid request: unknown field(s) {sorted(unknown)}")
    fields = _checked(ctx, body)
    fields.setdefault("name", f"{pal.get('persona_name') or 'Untitled'} {channel}")
    did = ctx.store.new_id("deployments", _NEW_ID)
    now = _stamp(ctx)
    record: Record = {
        "deployment_id": did,
        "pal_id": pal_id,
        "channel": channel,
        **fields,
        "thumbnail_video_url": f"https://cdn.replica.tavus.io/deployments/{did}.mp4",
        "thumbnail_image_url": f"https://cdn.replica.tavus.io/deployments/{did}.jpg",
        "usage_total": 0,
        "usage_today": 0,
        "created_at": now,
        "updated_at": now,
        "_rev": 1,
        "_calls": [],  # conversation ids started through it
    }
    ctx.table[did] = record
    response = ctx.json(request, _view(record))
    response.headers["ETag"] = _etag(record)
    return response


@HANDLERS.verb("list")
async def list_(ctx: Ctx, request: web.Request) -> web.Response:
    query = ctx.query(request)
    sort = query.get("sort", "desc")  # newest first unless asked
    check_enum(sort, ("asc", "desc", "ascending", "descending"), "sort")
    statuses = {s for s in query.get("status", "").split(",") if s}
    channels = {c for c in query.get("channel", "").split(",") if c}
    for value in statuses:
        check_enum(value, _STATUSES, "status")
    for value in channels:
        check_enum(value, _CHANNELS, "channel")
    pal_id = query.get("pal_id")
    search = query.get("search", "").lower()
    items = [
        _view(r)
        for r in ctx.table.values()
        if (pal_id is None or r["pal_id"] == pal_id)
        and (not statuses or r["status"] in statuses)
        and (not channels or r["channel"] in channels)
        and search in str(r.get("name", "")).lower()
    ]
    if sort in ("desc", "descending"):
        items.reverse()
    if "limit" not in query:
        query = {**query, "limit": "20"}
    page, number, limit = ctx.page(items, query)
    return ctx.json(
        request, {"deployments": page, "total": len(items), "page": number, "limit": limit}
    )


@HANDLERS.verb("get")
async def get(ctx: Ctx, request: web.Request) -> web.Response:
    record = _deployment(ctx, request)
    response = ctx.json(request, _view(record))
    response.headers["ETag"] = _etag(record)
    return response


@HANDLERS.verb("patch")
async def patch(ctx: Ctx, request: web.Request) -> web.StreamResponse:
    record = _deployment(ctx, request)
    wanted = request.headers.get("If-Match")
    if wanted is not None and wanted.strip() not in (_etag(record), "*"):
        raise ApiError(
            412,
            {"error": "Precondition Failed: the deployment changed since it was read (ETag)"},
        )
    ops = await ctx.patch_ops(request, malformed_status=400)
    doc = {k: record[k] for k in _EDITABLE if k in record and k != "password"}
    new = ctx.apply_patch(doc, ops, malformed_status=400)
    if set(new) - set(_EDITABLE):
        raise ctx.malformed(400, f"only {', '.join(_EDITABLE)} can be patched")
    if new == doc:
        return web.Response(status=304, headers={"ETag": _etag(record)})
    if "password" not in new:
        new["password"] = record["_password"]
    record.update(_checked(ctx, new))
    record["updated_at"] = _stamp(ctx)
    record["_rev"] += 1
    response = ctx.json(request, _view(record))
    response.headers["ETag"] = _etag(record)
    return response


@HANDLERS.verb("delete")
async def delete(ctx: Ctx, request: web.Request) -> web.Response:
    record = _deployment(ctx, request)
    del ctx.table[record["deployment_id"]]
    return web.Response(status=204)


def _check_origin(record: Record, request: web.Request) -> None:
    allowed = record["allowed_origins"]
    if record["channel"] == "landing-page" or not allowed:
        return  # a hosted page, or "any origin"
    origin = request.headers.get("Origin")
    if origin not in allowed:
        raise ApiError(403, {"error": f"Origin {origin or '(none)'} is not allowed"})


def _live_calls(ctx: Ctx, record: Record) -> int:
    convs = ctx.store.conversations
    return sum(1 for cid in record["_calls"] if convs.get(cid, {}).get("status") == "active")


def _unavailable(ctx: Ctx, record: Record) -> str | None:
    """Why a call cannot start now (None when it can)."""
    if record["status"] != "active":
        return "inactive"
    limits = record["limits"]
    if "daily_call_limit" in limits and record["usage_today"] >= limits["daily_call_limit"]:
        return "daily_limit"
    if (
        "daily_call_limit_per_user" in limits
        and record["usage_today"] >= limits["daily_call_limit_per_user"]
    ):
        # The simulator has one visitor (whoever calls it), so "per user" is "per day".
        return "daily_limit_per_user"
    if (
        "concurrent_call_limit" in limits
        and _live_calls(ctx, record) >= limits["concurrent_call_limit"]
    ):
        return "concurrent_limit"
    return None


@HANDLERS.verb("init")
async def init(ctx: Ctx, request: web.Request) -> web.Response:
    record = _deployment(ctx, request)
    _check_origin(record, request)
    reason = _unavailable(ctx, record)
    limits = {
        k: record["limits"][k]
        for k in ("max_call_duration", "daily_call_limit_per_user")
        if k in record["limits"]
    }
    out: Record = {
        # Deliberately without the PAL id (the docs say so).
        "deployment_id": record["deployment_id"],
        "channel": record["channel"],
        "customization": record["customization"],
        "has_password": record["has_password"],
        "thumbnail_video_url": record["thumbnail_video_url"],
        "thumbnail_image_url": record["thumbnail_image_url"],
        "show_tavus_branding": True,
        "limits": limits,
        "is_available": reason is None,
    }
    if reason is not None:
        out["unavailable_reason"] = reason
    return ctx.json(request, out)


@HANDLERS.verb("start")
async def start(ctx: Ctx, request: web.Request) -> web.Response:
    record = _deployment(ctx, request)
    _check_origin(record, request)
    body = await ctx.object(request, required=False)
    unknown = set(body) - {
        "password",
        "conversational_context",
        "custom_greeting",
        "pal_id",
        "memory_stores",
        "captcha_token",
    }
    if unknown:
        raise bad(f"Invalid request: unknown field(s) {sorted(unknown)}")
    if record["_password"] is not None and body.get("password") != record["_password"]:
        raise ApiError(403, {"error": "Invalid password"})
    reason = _unavailable(ctx, record)
    if reason == "inactive":
        raise ApiError(409, {"error": f"Deployment is {record['status']}, not active"})
    if reason is not None:
        raise ApiError(429, {"error": f"Deployment unavailable: {reason}", "reason": reason})
    conversation: Record = {"pal_id": body.get("pal_id") or record["pal_id"]}
    for key in ("conversational_context", "custom_greeting", "memory_stores"):
        if body.get(key) is not None:
            conversation[key] = body[key]
    context = (record["customization"].get("conversation") or {}).get("context")
    if context and "conversational_context" not in conversation:
        conversation["conversational_context"] = context
    if "max_call_duration" in record["limits"]:
        conversation["properties"] = {"max_call_duration": record["limits"]["max_call_duration"]}
    out = open_conversation(ctx, conversation)
    record["_calls"].append(out["conversation_id"])
    record["usage_total"] += 1
    record["usage_today"] += 1
    return ctx.json(request, out)


@HANDLERS.verb("end_conversation")
async def end_conversation(ctx: Ctx, request: web.Request) -> web.Response:
    record = _deployment(ctx, request)
    cid = request.match_info["conversation_id"]
    if cid not in record["_calls"]:
        raise ApiError(404, {"error": "Conversation not found for this deployment"})
    await ctx.sim.end_conversation(cid, "end_conversation_endpoint_hit")
    return ctx.json(request, {"conversation_id": cid, "status": "ended"})
