"""``/v2/replicas`` (and ``/v2/faces``): training replicas, stock replicas, rename."""

from __future__ import annotations

from aiohttp import web

from .._store import hex_id
from ._plumbing import Ctx, Handlers, Record, bad, check_enum, is_url, public

__all__ = ["HANDLERS"]

HANDLERS = Handlers()
# Tavus's observed id shape (rest-api-notes §1).
_NEW_ID = hex_id("r", 11)


def _replica(ctx: Ctx, rid: str) -> Record:
    replica = ctx.store.replicas.get(rid)
    if replica is None:
        raise bad("Invalid replica_id")
    return replica


def _replica_view(ctx: Ctx, replica: Record) -> Record:
    out = public(replica)
    out.pop("callback_url", None)
    return out


@HANDLERS.verb("create")
async def create(ctx: Ctx, request: web.Request) -> web.Response:
    body = await ctx.object(request)
    video, image = body.get("train_video_url"), body.get("train_image_url")
    if not video and not image:
        raise bad("Either train_video_url or train_image_url must be provided.")
    if video and image:
        raise bad("Provide either train_video_url or train_image_url, not both.")
    if video and not is_url(video):
        raise bad("Invalid train_video_url")
    if image and not is_url(image):
        raise bad("Invalid train_image_url")
    if image and not body.get("voice_name"):
        raise bad("voice_name is required when train_image_url is provided.")
    if body.get("consent_video_url") and not is_url(body["consent_video_url"]):
        raise bad("Invalid consent_video_url")
    if body.get("voice_name") and not any(
        v["voice_name"].lower() == str(body["voice_name"]).lower() for v in ctx.store.voices
    ):
        raise bad("Invalid voice_name")
    model = body.get("model_name") or "phoenix-4"
    check_enum(model, ("phoenix-2", "phoenix-3", "phoenix-4", "phoenix-4.5"), "model_name")
    callback_url = body.get("callback_url") or ""
    if callback_url and not is_url(callback_url):
        raise bad("Invalid callback_url")
    rid = ctx.store.new_id("replicas", _NEW_ID)
    now = ctx.store.iso_ms()
    replica: Record = {
        "replica_id": rid,
        "replica_name": body.get("replica_name") or f"Replica {rid}",
        "thumbnail_video_url": "",
        "training_progress": "0/100",
        "status": "started",
        "created_at": now,
        "updated_at": now,
        "error_message": None,
        "replica_type": "user",
        "model_name": model,
        "callback_url": callback_url,
    }
    ctx.store.replicas[rid] = replica
    out = {"replica_id": rid, "status": "started"}
    ctx.sim.start_training(replica)
    return ctx.json(request, out)


@HANDLERS.verb("list")
async def list_(ctx: Ctx, request: web.Request) -> web.Response:
    query = ctx.query(request)
    kind = query.get("replica_type")
    check_enum(kind, ("user", "system"), "replica_type")
    ctx.flag(query, "verbose")
    wanted = {i.strip() for i in query.get("replica_ids", "").split(",") if i.strip()}
    model = query.get("model_name")
    items = [
        _replica_view(ctx, r)
        for r in reversed(ctx.store.replicas.values())
        if (kind is None or r["replica_type"] == kind)
        and (not wanted or r["replica_id"] in wanted)
        and (model is None or r.get("model_name") == model)
    ]
    page, _, _ = ctx.page(items, query)
    return ctx.json(request, {"data": page, "total_count": len(items)})


@HANDLERS.verb("get")
async def get(ctx: Ctx, request: web.Request) -> web.Response:
    replica = _replica(ctx, request.match_info["replica_id"])
    ctx.flag(ctx.query(request), "verbose")
    return ctx.json(request, _replica_view(ctx, replica))


@HANDLERS.verb("delete")
async def delete(ctx: Ctx, request: web.Request) -> web.Response:
    rid = request.match_info["replica_id"]
    replica = _replica(ctx, rid)
    ctx.flag(ctx.query(request), "hard")
    if replica["replica_type"] == "system":
        raise bad("Invalid replica_id: stock replicas cannot be deleted")
    del ctx.store.replicas[rid]
    return web.Response(status=200)


@HANDLERS.verb("rename")
async def rename(ctx: Ctx, request: web.Request) -> web.Response:
    replica = _replica(ctx, request.match_info["replica_id"])
    body = await ctx.object(request)
    name = body.get("replica_name")
    if not isinstance(name, str) or not name.strip():
        raise bad("replica_name is required")
    replica["replica_name"] = name
    replica["updated_at"] = ctx.store.iso_ms()
    return web.Response(status=200)
