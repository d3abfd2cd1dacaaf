"""``/v2/personas`` and ``/v2/pals``: one store of personas, served in both vocabularies.

On ``/v2/pals`` (see :mod:`.pals`) the same handlers answer with PAL names (``pal_id``,
``default_face_id``); the records always keep the persona names.
"""

from __future__ import annotations

from aiohttp import web

from .._store import hex_id
from ._plumbing import (
    ApiError,
    Ctx,
    Handlers,
    Record,
    bad,
    check_enum,
    inverse,
    public,
    rename,
    str_list,
)

__all__ = ["HANDLERS"]

HANDLERS = Handlers()
# Tavus's observed id shape (rest-api-notes §1).
_NEW_ID = hex_id("p", 11)


#: Every documented pipeline mode (docs: full, echo; the official CLI: speech-to-speech).
PIPELINE_MODES = ("full", "echo", "speech-to-speech")
# PAL fields kept as given: lists of strings, a string and a flag (api-2026-surface §3.1).
_PAL_LISTS = ("guardrail_ids", "guardrail_tags", "tool_ids", "memories")
_CONFERENCING_DOMAIN = "tavusinvite.com"


def _persona(ctx: Ctx, pid: str) -> Record:
    persona = ctx.store.personas.get(pid)
    if persona is None:
        # The error names the id the way the route does ("Invalid pal_id" on /v2/pals).
        raise bad(f"Invalid {ctx.row.id_field}")
    return persona


def conferencing_username(persona: Record) -> str | None:
    """The PAL's conferencing username, lower-cased (usernames are case-insensitive)."""
    conferencing = (persona.get("layers") or {}).get("conferencing")
    if isinstance(conferencing, dict) and isinstance(conferencing.get("username"), str):
        return str(conferencing["username"]).lower()
    return None


def _view(persona: Record) -> Record:
    out = public(persona)
    username = conferencing_username(persona)
    if username:
        out["conferencing_email"] = f"{username}@{_CONFERENCING_DOMAIN}"
    return out


def _validate_persona(ctx: Ctx, p: Record) -> None:
    if not isinstance(p.get("persona_name", ""), str):
        raise bad("Invalid request: persona_name must be a string")
    check_enum(p.get("pipeline_mode"), PIPELINE_MODES, "pipeline_mode")
    if p.get("pipeline_mode", "full") == "full" and not p.get("system_prompt"):
        raise bad("system_prompt is required when pipeline_mode is full")
    for key in _PAL_LISTS:
        str_list(p.get(key), key)
    if len(p.get("tool_ids") or []) > 50:
        raise bad("Invalid request: a PAL has at most 50 tool_ids")
    if p.get("greeting") is not None and not isinstance(p.get("greeting"), str):
        raise bad("Invalid request: greeting must be a string")
    if p.get("is_template") is not None and not isinstance(p.get("is_template"), bool):
        raise bad("Invalid request: is_template must be a boolean")
    replica_id = p.get("default_replica_id")
    if replica_id and replica_id not in ctx.store.replicas:
        # On /v2/pals the field is the face's (api-2026-surface §3.9: PAL routes never say
        # persona or replica).
        raise bad("Invalid default_face_id" if ctx.row.name == "pals" else "Invalid replica_uuid")
    layers = p.get("layers") or {}
    if not isinstance(layers, dict):
        raise bad("Invalid request: layers must be an object")
    for name in ("llm", "tts", "stt", "perception", "conversational_flow", "transport"):
        if name in layers and not isinstance(layers[name], dict):
            raise bad(f"Invalid request: layers.{name} must be an object")
    check_enum(
        (layers.get("tts") or {}).get("tts_engine"),
        ("cartesia", "elevenlabs", "playht"),
        "layers.tts.tts_engine",
    )
    # The union of the SEED and OAS26 vocabularies, since both are documented.
    check_enum(
        (layers.get("perception") or {}).get("perception_model"),
        ("raven-1", "raven-0", "basic", "off"),
        "layers.perception.perception_model",
    )
    check_enum(
        (layers.get("stt") or {}).get("stt_engine"),
        (
            "tavus-auto",
            "tavus-parakeet",
            "tavus-soniox",
            "tavus-whisper",
            "tavus-deepgram-medical",
            "tavus-advanced",
            "tavus-turbo",
        ),
        "layers.stt.stt_engine",
    )
    tools = (layers.get("llm") or {}).get("tools")
    if tools is not None and not isinstance(tools, list):
        raise bad("Invalid request: layers.llm.tools must be a list")
    str_list(p.get("document_ids"), "document_ids")
    str_list(p.get("document_tags"), "document_tags")
    conferencing = layers.get("conferencing")
    if conferencing is not None:
        if not isinstance(conferencing, dict):
            raise bad("Invalid request: layers.conferencing must be an object")
        if not p.get("default_replica_id"):
            raise bad("layers.conferencing needs a default_face_id")
        username = conferencing_username(p)
        taken = [
            other
            for other in ctx.store.personas.values()
            if other.get("persona_id") != p.get("persona_id")
            and username
            and conferencing_username(other) == username
        ]
        if taken:
            raise bad("Username is already taken.")
    dictionary = (layers.get("tts") or {}).get("pronunciation_dictionary_id")
    if dictionary and dictionary not in ctx.store.pronunciation_dictionaries:
        raise bad("Invalid pronunciation_dictionary_id")


@HANDLERS.verb("create")
async def create(ctx: Ctx, request: web.Request) -> web.Response:
    body = await ctx.object(request)
    if ctx.alias(request) and not body.get("default_replica_id"):
        # Required on /v2/pals (as default_face_id), optional on /v2/personas.
        raise bad("default_face_id is required")
    _validate_persona(ctx, body)
    pid = ctx.store.new_id("personas", _NEW_ID)
    now = ctx.store.iso()
    persona: Record = {
        "persona_id": pid,
        "persona_name": body.get("persona_name") or "",
        "system_prompt": body.get("system_prompt") or "",
        "pipeline_mode": body.get("pipeline_mode") or "full",
        "context": body.get("context") or "",
        "default_replica_id": body.get("default_replica_id") or "",
        "document_ids": body.get("document_ids") or [],
        "document_tags": body.get("document_tags") or [],
        "layers": body.get("layers") or {},
    }
    for key in ("objectives_id", "guardrails_id", "greeting", "is_template", *_PAL_LISTS):
        if body.get(key) is not None:
            persona[key] = body[key]
    persona.update(persona_type="user", created_at=now, updated_at=now)
    ctx.store.personas[pid] = persona
    out = {"persona_id": pid, "persona_name": persona["persona_name"], "created_at": now}
    if "conferencing_email" in (view := _view(persona)):
        out["conferencing_email"] = view["conferencing_email"]
    return ctx.json(request, out)


@HANDLERS.verb("list")
async def list_(ctx: Ctx, request: web.Request) -> web.Response:
    query = ctx.query(request)
    kind = query.get("persona_type")
    check_enum(kind, ("user", "system"), "persona_type")
    # Newest first by default; the official CLI sends sort=asc|desc.
    sort = query.get("sort", "desc")
    check_enum(sort, ("asc", "desc"), "sort")
    records = list(ctx.store.personas.values())
    if sort == "desc":
        records.reverse()
    items = [_view(p) for p in records if kind is None or p["persona_type"] == kind]
    page, _, _ = ctx.page(items, query)
    return ctx.json(request, {"data": page, "total_count": len(items)})


@HANDLERS.verb("get")
async def get(ctx: Ctx, request: web.Request) -> web.Response:
    persona = _persona(ctx, request.match_info[ctx.row.id_field])
    # Flat, as pipecat and the CLI read it; the docs' {"data": [...]} wrapper is taken for an
    # artefact of the docs (rest-api-notes §3.2.4).
    return ctx.json(request, _view(persona))


@HANDLERS.verb("patch")
async def patch(ctx: Ctx, request: web.Request) -> web.StreamResponse:
    persona = _persona(ctx, request.match_info[ctx.row.id_field])
    alias = ctx.alias(request)
    doc = public(persona)
    if alias:
        doc = rename(doc, alias)
    ops = await ctx.patch_ops(request, malformed_status=422)
    new = ctx.apply_patch(doc, ops, malformed_status=422)
    if alias:
        new = rename(new, inverse(alias))
    for key in ("persona_id", "persona_type", "created_at"):
        if new.get(key) != persona.get(key):
            shown = alias.get(key, key) if alias else key
            raise ApiError(422, {"message": f"Invalid JSON patch format: {shown} is read-only"})
    if new == public(persona):
        return web.Response(status=304)
    discarded = _maker_draft_guard(ctx, request, persona, public(persona), new)
    _validate_persona(ctx, new)
    new["updated_at"] = ctx.store.iso()
    private = {k: v for k, v in persona.items() if k.startswith("_")}
    persona.clear()
    persona.update(new, **private)
    out = _view(persona)
    if discarded:
        persona.pop("_maker_draft", None)
        out["discarded_maker_changes"] = True
    return ctx.json(request, out)


def _maker_draft_guard(
    ctx: Ctx, request: web.Request, persona: Record, old: Record, new: Record
) -> bool:
    """The PAL Editing Lifecycle (api-2026-surface §3.6, model B, the newer reading).

    A PATCH writes live. While PAL Maker holds a draft (``sim.hooks.pal_maker_draft``) it is
    refused with 409 ``maker_changes`` unless ``?force=true`` (which discards the draft); a patch
    of ``layers.conferencing`` alone is never refused. Returns whether a draft was discarded.
    """
    if "_maker_draft" not in persona:
        return False
    old_layers = dict(old.get("layers") or {})
    new_layers = dict(new.get("layers") or {})
    old_layers.pop("conferencing", None)
    new_layers.pop("conferencing", None)
    rest_same = {**old, "layers": old_layers} == {**new, "layers": new_layers}
    if rest_same:
        return False
    if ctx.flag(ctx.query(request), "force"):
        return True
    raise ApiError(
        409,
        {
            "error": "PAL Maker holds unpublished changes to this PAL; retry with ?force=true "
            "to discard them",
            "conflict": "maker_changes",
        },
    )


@HANDLERS.verb("delete")
async def delete(ctx: Ctx, request: web.Request) -> web.Response:
    pid = request.match_info[ctx.row.id_field]
    persona = _persona(ctx, pid)
    if persona["persona_type"] == "system":
        raise bad(f"Invalid {ctx.row.id_field}: stock PALs cannot be deleted")
    del ctx.store.personas[pid]
    return web.Response(status=204)
