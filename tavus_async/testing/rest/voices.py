"""``/v2/voices``: the stock voices and the 2026 voice object (api-2026-surface.md §5)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .._store import hex_id
from ._plumbing import ApiError, Ctx, Handlers, Record, bad, check_enum, is_url

__all__ = ["HANDLERS"]

HANDLERS = Handlers()

_AUDIO = (".mp3", ".wav", ".m4a", ".flac", ".ogg", ".oga", ".webm", ".mp4", ".mov")


def _stamp(ctx: Ctx) -> str:
    # Voices write microseconds and no zone: 2026-08-17T12:00:00.000000 (§1.3).
    return ctx.store.moment().strftime("%Y-%m-%dT%H:%M:%S.%f")


def _voice(ctx: Ctx, voice_id: str) -> Record:
    for voice in ctx.store.voices:
        if voice.get("voice_id") == voice_id:
            return voice
    raise ApiError(404, {"error": "Voice not found"})


def _text(body: dict[str, Any], field: str, top: int, *, required: bool = False) -> str | None:
    value = body.get(field)
    if value is None:
        if required:
            raise bad(f"{field} is required")
        return None
    if not isinstance(value, str) or (required and not value) or len(value) > top:
        raise bad(f"Invalid {field}: a string of at most {top} characters")
    return value


def _tags(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(t, str) and t for t in value):
        raise bad("Invalid tags: a list of strings")
    if len(value) > 50 or any(len(t) > 64 for t in value):
        raise bad("Invalid tags: at most 50 tags of at most 64 characters")
    return list(value)


@HANDLERS.verb("list")
async def list_(ctx: Ctx, request: web.Request) -> web.Response:
    query = ctx.query(request)
    sort = query.get("sort", "asc")
    check_enum(sort, ("asc", "desc"), "sort")
    search = query.get("search", "").lower()
    tag = query.get("tag")

    def names(voice: Record) -> list[str]:
        # Stock voices carry [{tag_name}], made ones plain strings.
        return [t if isinstance(t, str) else t.get("tag_name", "") for t in voice.get("tags", [])]

    items = sorted(
        (
            dict(v)
            for v in ctx.store.voices
            if search in v["voice_name"].lower() and (tag is None or tag in names(v))
        ),
        key=lambda v: v["voice_name"],
        reverse=sort == "desc",
    )
    page, number, limit = ctx.page(items, query, max_limit=100)
    out = {"data": page, "total_count": len(items), "page": number, "limit": limit}
    return ctx.json(request, out)


@HANDLERS.verb("get")
async def get(ctx: Ctx, request: web.Request) -> web.Response:
    return ctx.json(request, dict(_voice(ctx, request.match_info["voice_id"])))


@HANDLERS.verb("create")
async def create(ctx: Ctx, request: web.Request) -> web.Response:
    body = await ctx.object(request)
    name = _text(body, "voice_name", 255, required=True)
    url = _text(body, "audio_url", 2048, required=True)
    description = _text(body, "description", 1000) or ""
    callback_url = body.get("callback_url")
    if callback_url is not None and not is_url(callback_url):
        raise bad("Invalid callback_url")
    if not is_url(url) or not str(url).split("?", 1)[0].lower().endswith(_AUDIO):
        raise bad(f"Invalid audio_url: a URL of an audio or video file ({', '.join(_AUDIO)})")
    vid = ctx.store.fresh_id(hex_id("v", 12), {str(v.get("voice_id")) for v in ctx.store.voices})
    now = _stamp(ctx)
    voice: Record = {
        "voice_id": vid,
        "voice_name": name,
        "description": description,
        "voice_type": "user",
        "status": "started",
        "tags": [],
        "created_at": now,
        "updated_at": now,
    }
    ctx.store.voices.append(voice)
    out = dict(voice)

    def settle() -> None:
        # A voice named with "fail" fails, as a replica does; the callback is a state snapshot,
        # so a duplicate delivery is harmless (api-2026-surface.md §5).
        failed = "fail" in str(name).lower()
        voice.update(status="error" if failed else "completed", updated_at=_stamp(ctx))
        if failed:
            voice["error_message"] = "The audio could not be used to clone a voice"
        if callback_url:
            properties = {k: voice[k] for k in ("voice_id", "voice_name", "status")}
            if failed:
                properties["error_message"] = voice["error_message"]
            ctx.sim.callbacks.send(
                callback_url,
                {"event_type": "application.voice_status_changed", "properties": properties},
            )

    clock = ctx.sim.clock
    clock.call_later(clock.work_delay(ctx.sim.timings.voice), settle, name=f"voice {vid}")
    return ctx.json(request, out)


@HANDLERS.verb("update")
async def update(ctx: Ctx, request: web.Request) -> web.Response:
    voice = _voice(ctx, request.match_info["voice_id"])
    if voice.get("voice_type") == "system":
        raise bad("Stock voices cannot be changed")
    body = await ctx.object(request)
    unknown = set(body) - {"voice_name", "description", "tags"}
    if unknown or not body:
        raise bad(
            "Invalid request: only voice_name, description and tags can change, "
            f"not {sorted(unknown)}"
        )
    if "voice_name" in body:
        voice["voice_name"] = _text(body, "voice_name", 255, required=True)
    if "description" in body:
        voice["description"] = _text(body, "description", 1000) or ""
    if "tags" in body:
        voice["tags"] = _tags(body["tags"])
    voice["updated_at"] = _stamp(ctx)
    return ctx.json(request, dict(voice))
