"""``/v2/replicas`` and ``/v2/faces``: one store of trained likenesses, in both vocabularies.

On ``/v2/faces`` (see :mod:`.faces`) the same handlers answer with face names (``face_id``,
``face_type``), ``face_type`` only with ``verbose=true``, and the voice references as null.
"""

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
        raise bad(f"Invalid {ctx.row.id_field}")
    return replica


def _replica_view(ctx: Ctx, replica: Record, *, verbose: bool = True) -> Record:
    out = public(replica)
    out.pop("callback_url", None)
    if ctx.row.name == "faces":
        # Faces: the type only with verbose=true, the voices as explicit nulls (§4.2).
        if not verbose:
            out.pop("replica_type", None)
        out.setdefault("default_voice_id", None)
        out.setdefault("original_voice_id", None)
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
    voice = body.get("default_voice_id")
    if voice is not None and (not isinstance(voice, str) or not voice.strip()):
        raise bad("Invalid request: default_voice_id must be a non-empty string")
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
    if voice:
        replica["default_voice_id"] = voice
    ctx.store.replicas[rid] = replica
    out = {"replica_id": rid, "status": "started"}
    ctx.sim.start_training(replica)
    return ctx.json(request, out)


@HANDLERS.verb("list")
async def list_(ctx: Ctx, request: web.Request) -> web.Response:
    query = ctx.query(request)
    kind = query.get("replica_type")
    check_enum(kind, ("user", "system"), "replica_type")
    verbose = ctx.flag(query, "verbose")
    # The official CLI sends sort=recommended on faces; accepted, listed newest first.
    check_enum(query.get("sort"), ("asc", "desc", "recommended"), "sort")
    wanted = {i.strip() for i in query.get("replica_ids", "").split(",") if i.strip()}
    model = query.get("model_name")
    records = list(ctx.store.replicas.values())
    if query.get("sort") != "asc":
        records.reverse()
    items = [
        _replica_view(ctx, r, verbose=verbose)
        for r in records
        if (kind is None or r["replica_type"] == kind)
        and (not wanted or r["replica_id"] in wanted)
        and (model is None or r.get("model_name") == model)
    ]
    page, _, _ = ctx.page(items, query)
    return ctx.json(request, {"data": page, "total_count": len(items)})


@HANDLERS.verb("get")
async def get(ctx: Ctx, request: web.Request) -> web.Response:
    replica = _replica(ctx, request.match_info[ctx.row.id_field])
    verbose = ctx.flag(ctx.query(request), "verbose")
    return ctx.json(request, _replica_view(ctx, replica, verbose=verbose))


@HANDLERS.verb("delete")
async def delete(ctx: Ctx, request: web.Request) -> web.Response:
    rid = request.match_info[ctx.row.id_field]
    replica = _replica(ctx, rid)
    ctx.flag(ctx.query(request), "hard")
    if replica["replica_type"] == "system":
        raise bad(f"Invalid {ctx.row.id_field}: stock faces cannot be deleted")
    del ctx.store.replicas[rid]
    return web.Response(status=200)


@HANDLERS.verb("rename")
async def rename(ctx: Ctx, request: web.Request) -> web.Response:
    replica = _replica(ctx, request.match_info[ctx.row.id_field])
    body = await ctx.object(request)
    name = body.get("replica_name")
    if not isinstance(name, str) or not name.strip():
        raise bad("replica_name is required")
    replica["replica_name"] = name
    replica["updated_at"] = ctx.store.iso_ms()
    return web.Response(status=200)


def update_face(ctx: Ctx, replica: Record, body: Record) -> Record:
    """Apply a JSON Merge Patch of ``face_name``/``default_voice_id`` (neither null nor blank)."""
    unknown = set(body) - {"replica_name", "default_voice_id"}
    if unknown:
        names = sorted(unknown)
        raise bad(f"Invalid request: only face_name and default_voice_id can change, not {names}")
    if not body:
        raise bad("Invalid request: give face_name and/or default_voice_id")
    for key, value in body.items():
        if not isinstance(value, str) or not value.strip():
            name = "face_name" if key == "replica_name" else key
            raise bad(f"Invalid request: {name} must be a non-empty string")
    replica.update(body)
    replica["updated_at"] = ctx.store.iso_ms()
    return {
        "replica_id": replica["replica_id"],
        "replica_name": replica["replica_name"],
        "default_voice_id": replica.get("default_voice_id"),
        "original_voice_id": replica.get("original_voice_id"),
    }
