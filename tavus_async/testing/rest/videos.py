"""``/v2/videos``: generated videos (queued, generating, ready), rename, soft delete."""

from __future__ import annotations

from aiohttp import web

from .._simulator import VIDEO_QUEUED
from .._store import hex_id
from ._plumbing import Ctx, Handlers, Record, bad, is_url, public

__all__ = ["HANDLERS"]

HANDLERS = Handlers()
# Tavus's observed id shape (rest-api-notes §1).
_NEW_ID = hex_id("", 10)


def _video(ctx: Ctx, vid: str) -> Record:
    video = ctx.store.videos.get(vid)
    if video is None:
        raise bad("Invalid video_id")
    return video


def _video_view(video: Record, verbose: bool) -> Record:
    out = public(video)
    out.pop("callback_url", None)
    if not verbose:
        out.pop("still_image_thumbnail_url", None)
        out.pop("gif_thumbnail_url", None)
    return out


@HANDLERS.verb("create")
async def create(ctx: Ctx, request: web.Request) -> web.Response:
    body = await ctx.object(request)
    replica_id = body.get("replica_id")
    if not replica_id:
        raise bad("replica_id is required")
    replica = ctx.store.replicas.get(str(replica_id))
    if replica is None:
        raise bad("Invalid replica_id")
    if replica["status"] == "error":
        raise bad(
            f"Request Failed: The replica {replica_id} is currently in an 'error' state and "
            "cannot process requests."
        )
    script, audio = body.get("script"), body.get("audio_url")
    if not script and not audio:
        raise bad("Either script or audio_url must be provided")
    if script and audio:
        raise bad("Provide either script or audio_url, not both")
    if audio and not is_url(audio):
        raise bad("Invalid audio_url")
    if body.get("transparent_background") and not body.get("fast"):
        raise bad("transparent_background requires fast to be true")
    for key in (
        "background_url",
        "background_source_url",
        "callback_url",
        "watermark_image_url",
    ):
        if body.get(key) and not is_url(body[key]):
            raise bad(f"Invalid {key}")
    vid = ctx.store.new_id("videos", _NEW_ID)
    now = ctx.store.iso()
    video: Record = {
        "video_id": vid,
        "video_name": body.get("video_name") or f"Video {vid}",
        "status": "queued",
        "data": {"script": script or ""},
        "download_url": None,
        "stream_url": None,
        "hosted_url": f"https://videos.tavus.io/video/{vid}",
        "status_details": VIDEO_QUEUED,
        "replica_id": replica_id,
        "generation_progress": "0/100",
        "background_url": body.get("background_url") or "",
        "background_source_url": body.get("background_source_url") or "",
        "still_image_thumbnail_url": None,
        "gif_thumbnail_url": None,
        "error_details": None,
        "created_at": now,
        "updated_at": now,
        "callback_url": body.get("callback_url") or "",
        "_created_plain": ctx.store.plain(),
    }
    ctx.store.videos[vid] = video
    out = {
        "video_id": vid,
        "video_name": video["video_name"],
        "status": "queued",
        "hosted_url": video["hosted_url"],
        "created_at": ctx.store.rfc1123(),
    }
    ctx.sim.start_video(video)
    return ctx.json(request, out)


@HANDLERS.verb("list")
async def list_(ctx: Ctx, request: web.Request) -> web.Response:
    query = ctx.query(request)
    items = [_video_view(v, True) for v in reversed(ctx.store.videos.values())]
    # 0-based as OAS26 says and Airbyte's live-tested connector does (SEED said 1).
    page, _, _ = ctx.page(items, query)
    return ctx.json(request, {"data": page, "total_count": len(items)})


@HANDLERS.verb("get")
async def get(ctx: Ctx, request: web.Request) -> web.Response:
    video = _video(ctx, request.match_info["video_id"])
    verbose = ctx.flag(ctx.query(request), "verbose")
    return ctx.json(request, _video_view(video, verbose))


@HANDLERS.verb("delete")
async def delete(ctx: Ctx, request: web.Request) -> web.Response:
    vid = request.match_info["video_id"]
    video = _video(ctx, vid)
    if ctx.flag(ctx.query(request), "hard"):
        del ctx.store.videos[vid]
    else:
        video["status"] = "deleted"
        video["updated_at"] = ctx.store.iso()
    return web.Response(status=200)


@HANDLERS.verb("rename")
async def rename(ctx: Ctx, request: web.Request) -> web.Response:
    video = _video(ctx, request.match_info["video_id"])
    body = await ctx.object(request)
    name = body.get("video_name")
    if not isinstance(name, str) or not name.strip():
        raise bad("video_name is required")
    video["video_name"] = name
    video["updated_at"] = ctx.store.iso()
    return web.Response(status=200)
