"""``/v2/pals``: the personas' records in the 2026 vocabulary, plus publish and usernames.

The verbs personas have are the personas' own handlers (the PAL names are translated by the
request plumbing: ``pal_id`` <-> ``persona_id``, ``default_face_id`` <-> ``default_replica_id``).
"""

from __future__ import annotations

from aiohttp import web

from . import personas
from ._plumbing import Ctx, Handlers, bad

__all__ = ["HANDLERS"]

HANDLERS = Handlers()
for _verb, _handler in personas.HANDLERS.by_verb.items():
    HANDLERS.verb(_verb)(_handler)


@HANDLERS.verb("publish")
async def publish(ctx: Ctx, request: web.Request) -> web.Response:
    """Copy PAL Maker's draft to live (idempotent without one); the documented answer."""
    persona = personas._persona(ctx, request.match_info[ctx.row.id_field])
    draft = persona.pop("_maker_draft", None)
    if draft:
        layers = dict(persona.get("layers") or {})
        draft_layers = dict(draft.pop("layers", None) or {})
        # The live conferencing identity is kept (api-2026-surface §3.6).
        draft_layers.pop("conferencing", None)
        persona.update(draft)
        persona["layers"] = {**layers, **draft_layers}
        # Publish answers a microsecond timestamp without a zone (the documented example).
        persona["updated_at"] = ctx.store.moment().strftime("%Y-%m-%dT%H:%M:%S.%f")
    out = {
        "status": "success",
        "persona_id": persona["persona_id"],
        "persona_name": persona.get("persona_name"),
        "system_prompt": persona.get("system_prompt"),
        "updated_at": persona.get("updated_at"),
    }
    return ctx.json(request, out)


@HANDLERS.verb("check_username")
async def check_username(ctx: Ctx, request: web.Request) -> web.Response:
    """Whether a conferencing username is free (case-insensitive)."""
    username = ctx.query(request).get("username", "").strip().lower()
    if not username:
        raise bad("username is required")
    taken = any(personas.conferencing_username(p) == username for p in ctx.table.values())
    if taken:
        return ctx.json(request, {"available": False, "reason": "Username is already taken."})
    return ctx.json(request, {"available": True})
