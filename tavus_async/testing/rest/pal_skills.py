"""``/v2/pals/{pal_id}/skills``: the skills attached to each PAL (an unpaginated dict).

Attachments live in the PAL's record (``_skills``), so deleting the PAL drops them. PUT attaches
or overwrites, PATCH merges into an attached skill (``null`` deletes a key; the body may be the
bare partial config, as the docs show, or ``{"config": ...}``, as the official CLI sends).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import skills
from ._plumbing import ApiError, Ctx, Handlers, Record, bad

__all__ = ["HANDLERS"]

HANDLERS = Handlers()


def _now(ctx: Ctx) -> str:
    # Attachments stamp microseconds with an explicit UTC offset (api-2026-surface §1.3).
    return ctx.store.moment().strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def _attachments(ctx: Ctx, request: web.Request) -> dict[str, Record]:
    pal = ctx.store.personas.get(request.match_info["pal_id"])
    if pal is None:
        raise bad("Invalid pal_id")
    found: dict[str, Record] = pal.setdefault("_skills", {})
    return found


def _view(attachments: dict[str, Record]) -> dict[str, Any]:
    return {"data": {sid: dict(item) for sid, item in attachments.items()}}


def _attach(ctx: Ctx, attachments: dict[str, Record], skill_id: str, config: Any) -> Record:
    skills.known_skill(skill_id)
    now = _now(ctx)
    current = attachments.get(skill_id)
    item = {
        "config": skills.check_config(skill_id, config),
        "attached_at": current["attached_at"] if current else now,
        "updated_at": now,
    }
    attachments[skill_id] = item
    return item


def _config_of(body: Any) -> Any:
    if isinstance(body, dict) and set(body) <= {"config"}:
        return body.get("config")
    return body


@HANDLERS.verb("list")
async def list_(ctx: Ctx, request: web.Request) -> web.Response:
    return ctx.json(request, _view(_attachments(ctx, request)))


@HANDLERS.verb("get")
async def get(ctx: Ctx, request: web.Request) -> web.Response:
    attachments = _attachments(ctx, request)
    skill_id = request.match_info["skill_id"]
    skills.known_skill(skill_id)
    if skill_id not in attachments:
        raise ApiError(404, {"error": f"Skill '{skill_id}' is not attached to this PAL"})
    return ctx.json(request, {"skill_id": skill_id, **attachments[skill_id]})


@HANDLERS.verb("attach")
async def attach(ctx: Ctx, request: web.Request) -> web.Response:
    attachments = _attachments(ctx, request)
    skill_id = request.match_info["skill_id"]
    body = await ctx.body(request, required=False)
    item = _attach(ctx, attachments, skill_id, _config_of(body))
    return ctx.json(request, {"skill_id": skill_id, **item})


@HANDLERS.verb("update")
async def update(ctx: Ctx, request: web.Request) -> web.Response:
    attachments = _attachments(ctx, request)
    skill_id = request.match_info["skill_id"]
    skills.known_skill(skill_id)
    if skill_id not in attachments:
        # The code for "known but not attached" is not documented; 404 like an unknown one.
        raise ApiError(404, {"error": f"Skill '{skill_id}' is not attached to this PAL"})
    patch = _config_of(await ctx.body(request))
    if not isinstance(patch, dict):
        raise bad("Invalid request: the body must be a config object")
    merged = dict(attachments[skill_id]["config"] or {})
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    item = _attach(ctx, attachments, skill_id, merged)
    return ctx.json(request, {"skill_id": skill_id, **item})


@HANDLERS.verb("detach")
async def detach(ctx: Ctx, request: web.Request) -> web.Response:
    attachments = _attachments(ctx, request)
    skill_id = request.match_info["skill_id"]
    skills.known_skill(skill_id)
    if attachments.pop(skill_id, None) is None:
        raise ApiError(404, {"error": f"Skill '{skill_id}' is not attached to this PAL"})
    return web.Response(status=204)


@HANDLERS.verb("replace")
async def replace(ctx: Ctx, request: web.Request) -> web.Response:
    attachments = _attachments(ctx, request)
    body = await ctx.object(request)
    wanted = body.get("skills")
    if not isinstance(wanted, dict):
        raise bad('Invalid request: send {"skills": {"<skill_id>": {"config": {...}} | {}}}')
    for skill_id, entry in wanted.items():
        skills.known_skill(skill_id)
        if not isinstance(entry, dict):
            raise bad(f"Invalid request: skills.{skill_id} must be an object")
        skills.check_config(skill_id, entry.get("config"))
    # Validated first, so a bad entry changes nothing.
    kept = {sid: attachments[sid] for sid in wanted if sid in attachments}
    attachments.clear()
    attachments.update(kept)
    for skill_id, entry in wanted.items():
        _attach(ctx, attachments, skill_id, entry.get("config"))
    return ctx.json(request, _view(attachments))
