"""``/v2/personas`` (and ``/v2/pals`` in the 2026 vocabulary): personas and their JSON Patch."""

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


def _persona(ctx: Ctx, pid: str) -> Record:
    persona = ctx.store.personas.get(pid)
    if persona is None:
        raise bad("Invalid persona_id")
    return persona


def _validate_persona(ctx: Ctx, p: Record) -> None:
    if not isinstance(p.get("persona_name", ""), str):
        raise bad("Invalid request: persona_name must be a string")
    check_enum(p.get("pipeline_mode"), ("full", "echo"), "pipeline_mode")
    if p.get("pipeline_mode", "full") == "full" and not p.get("system_prompt"):
        raise bad("system_prompt is required when pipeline_mode is full")
    replica_id = p.get("default_replica_id")
    if replica_id and replica_id not in ctx.store.replicas:
        raise bad("Invalid replica_uuid")
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
    dictionary = (layers.get("tts") or {}).get("pronunciation_dictionary_id")
    if dictionary and dictionary not in ctx.store.pronunciation_dictionaries:
        raise bad("Invalid pronunciation_dictionary_id")


@HANDLERS.verb("create")
async def create(ctx: Ctx, request: web.Request) -> web.Response:
    body = await ctx.object(request)
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
    for key in ("objectives_id", "guardrails_id"):
        if body.get(key):
            persona[key] = body[key]
    persona.update(persona_type="user", created_at=now, updated_at=now)
    ctx.store.personas[pid] = persona
    out = {"persona_id": pid, "persona_name": persona["persona_name"], "created_at": now}
    return ctx.json(request, out)


@HANDLERS.verb("list")
async def list_(ctx: Ctx, request: web.Request) -> web.Response:
    query = ctx.query(request)
    kind = query.get("persona_type")
    check_enum(kind, ("user", "system"), "persona_type")
    items = [
        public(p)
        for p in reversed(ctx.store.personas.values())
        if kind is None or p["persona_type"] == kind
    ]
    page, _, _ = ctx.page(items, query)
    return ctx.json(request, {"data": page, "total_count": len(items)})


@HANDLERS.verb("get")
async def get(ctx: Ctx, request: web.Request) -> web.Response:
    persona = _persona(ctx, request.match_info["persona_id"])
    # Flat, as pipecat and the CLI read it; the docs' {"data": [...]} wrapper is taken for an
    # artefact of the docs (rest-api-notes §3.2.4).
    return ctx.json(request, public(persona))


@HANDLERS.verb("patch")
async def patch(ctx: Ctx, request: web.Request) -> web.StreamResponse:
    persona = _persona(ctx, request.match_info["persona_id"])
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
            raise ApiError(422, {"message": f"Invalid JSON patch format: {key} is read-only"})
    if new == public(persona):
        return web.Response(status=304)
    _validate_persona(ctx, new)
    new["updated_at"] = ctx.store.iso()
    persona.clear()
    persona.update(new)
    return ctx.json(request, public(persona))


@HANDLERS.verb("delete")
async def delete(ctx: Ctx, request: web.Request) -> web.Response:
    pid = request.match_info["persona_id"]
    persona = _persona(ctx, pid)
    if persona["persona_type"] == "system":
        raise bad("Invalid persona_id: stock personas cannot be deleted")
    del ctx.store.personas[pid]
    return web.Response(status=204)
