"""``/v2/conversations``: create (opens a room), list, get (verbose events), end, delete."""

from __future__ import annotations

from aiohttp import web

from .._store import hex_id
from ._plumbing import ApiError, Ctx, Handlers, Record, bad, check_enum, is_url, str_list
from .memory_stores import ensure_store

__all__ = ["HANDLERS", "open_conversation"]

HANDLERS = Handlers()
# Tavus's observed id shape (rest-api-notes §1).
_NEW_ID = hex_id("c", 11)


def _conversation(ctx: Ctx, cid: str) -> Record:
    conv = ctx.store.conversations.get(cid)
    if conv is None:
        raise bad("Invalid conversation_id")
    return conv


def _conversation_view(conv: Record) -> Record:
    keys = (
        "conversation_id",
        "conversation_name",
        "conversation_url",
        "callback_url",
        "status",
        "replica_id",
        "persona_id",
        "created_at",
        "updated_at",
    )
    return {k: conv.get(k) for k in keys}


@HANDLERS.verb("create")
async def create(ctx: Ctx, request: web.Request) -> web.Response:
    return ctx.json(request, open_conversation(ctx, await ctx.object(request)))


def open_conversation(ctx: Ctx, body: Record) -> Record:
    """Create a conversation from a create body (and open its room); the create answer.

    Shared with a deployment's public ``start``, which opens conversations the same way.
    """
    sim = ctx.sim
    # LiveKit's plugin sends pal_id/face_id here; the CLI says this route is not aliased.
    # Accepting both costs nothing and serves both clients (rest-api-notes §3.1.1).
    persona_id = body.get("persona_id") or body.get("pal_id")
    replica_id = body.get("replica_id") or body.get("face_id")
    persona: Record | None = None
    if persona_id is not None:
        persona = ctx.store.personas.get(str(persona_id))
        if persona is None:
            raise bad("Invalid persona_id")
    if replica_id is None and persona is not None:
        replica_id = persona.get("default_replica_id") or None
    if replica_id is None:
        raise bad(
            "Invalid request: replica_id is required when the persona has no default_replica_id"
        )
    replica = ctx.store.replicas.get(str(replica_id))
    if replica is None:
        raise bad("Invalid replica_id")
    if replica["status"] != "completed":
        raise bad(f"Replica {replica_id} is not ready (status: {replica['status']})")
    props = body.get("properties") or {}
    if not isinstance(props, dict):
        raise bad("Invalid request: properties must be an object")
    for key in ("max_call_duration", "participant_left_timeout", "participant_absent_timeout"):
        value = props.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
            raise bad(f"Invalid request: properties.{key} must be a non-negative integer")
    max_participants = body.get("max_participants")
    if max_participants is not None and (
        not isinstance(max_participants, int) or max_participants < 2
    ):
        raise bad("Invalid request: max_participants must be an integer of at least 2")
    check_enum(
        body.get("document_retrieval_strategy"),
        ("speed", "balanced", "quality"),
        "document_retrieval_strategy",
    )
    for key in ("document_ids", "document_tags", "memory_stores", "participant_tags"):
        str_list(body.get(key), key)
    participant_tags = str_list(body.get("participant_tags"), "participant_tags")
    if len(participant_tags) > 1:
        raise bad("Invalid request: only one participant tag per conversation is supported")
    meeting_url = body.get("meeting_url")
    if meeting_url is not None and (
        not isinstance(meeting_url, str) or not meeting_url.startswith("https://")
    ):
        raise bad("Invalid meeting_url")
    callback_url = body.get("callback_url") or ""
    if callback_url and not is_url(callback_url):
        raise bad("Invalid callback_url")
    test_mode = bool(body.get("test_mode"))
    limit = sim.concurrency_limit
    if not test_mode and limit is not None and ctx.store.active_conversations() >= limit:
        raise ApiError(400, {"message": "User has reached maximum concurrent conversations"})

    cid = ctx.store.new_id("conversations", _NEW_ID)
    now = ctx.store.iso()
    require_auth = bool(body.get("require_auth") or props.get("require_auth"))
    layers = (persona or {}).get("layers") or {}
    perception = (layers.get("perception") or {}).get("perception_model", "raven-1")
    system_prompt = "\n\n".join(
        p
        for p in (
            (persona or {}).get("system_prompt") or "",
            (persona or {}).get("context") or "",
            body.get("conversational_context") or "",
        )
        if p
    )
    conv: Record = {
        "conversation_id": cid,
        "conversation_name": body.get("conversation_name") or f"Conversation {cid}",
        # test_mode conversations get a URL like any other, but no room is opened behind it.
        "conversation_url": f"{sim.ws_base_url}/rooms/{cid}",
        "status": "ended" if test_mode else "active",
        "callback_url": callback_url,
        "replica_id": replica_id,
        "persona_id": persona_id,
        "created_at": now,
        "updated_at": now,
        "_test_mode": test_mode,
        "_pal": bool(body.get("pal_id") or body.get("face_id")),
        "_properties": props,
        "_request": body,
        "_system_prompt": system_prompt,
        "_perception": perception != "off",
        "_started_at": sim.clock.now(),
        "_events": [],
        "_transcript": [],
    }
    if require_auth:
        conv["meeting_token"] = ctx.store.meeting_token()
    ctx.store.conversations[cid] = conv
    if participant_tags and persona_id is not None:
        # Tavus makes the (PAL, participant) memory store on first use; the legacy
        # memory_stores tags stay apart (api-2026-surface.md §12).
        ensure_store(ctx, str(persona_id), participant_tags[0])
    if not test_mode:
        sim.schedule_conversation(conv)
        sim._open_room(conv, persona)
        if sim.rooms is None:
            # Without a room side nobody can "join"; record the replica as joined at once so
            # that verbose events and callbacks still follow the documented sequence.
            sim._replica_joined(cid)
    out = {
        k: conv[k]
        for k in (
            "conversation_id",
            "conversation_name",
            "conversation_url",
            "status",
            "callback_url",
            "created_at",
        )
    }
    if require_auth:
        out["meeting_token"] = conv["meeting_token"]
    return out


@HANDLERS.verb("list")
async def list_(ctx: Ctx, request: web.Request) -> web.Response:
    query = ctx.query(request)
    status = query.get("status")
    check_enum(status, ("active", "ended"), "status")
    items = [
        _conversation_view(c)
        for c in reversed(ctx.store.conversations.values())
        if status is None or c["status"] == status
    ]
    page, _, _ = ctx.page(items, query)
    return ctx.json(request, {"data": page, "total_count": len(items)})


@HANDLERS.verb("get")
async def get(ctx: Ctx, request: web.Request) -> web.Response:
    conv = _conversation(ctx, request.match_info["conversation_id"])
    out = _conversation_view(conv)
    if "meeting_token" in conv:
        out["meeting_token"] = conv["meeting_token"]
    if ctx.flag(ctx.query(request), "verbose"):
        out["events"] = [dict(e) for e in conv.get("_events", [])]
        if conv.get("_shutdown_reason"):
            # Whether Tavus also puts it at the top level is unknown (rest-api-notes §7):
            # the OAS26 text lists it among verbose additions, so it is given both ways.
            out["shutdown_reason"] = conv["_shutdown_reason"]
    return ctx.json(request, out)


@HANDLERS.verb("end")
async def end(ctx: Ctx, request: web.Request) -> web.Response:
    cid = request.match_info["conversation_id"]
    _conversation(ctx, cid)
    # Ending an ended conversation is answered 200 too: Tavus's behaviour is undocumented and
    # clients (pipecat) call end from more than one cleanup path.
    await ctx.sim.end_conversation(cid, "end_conversation_endpoint_hit")
    return web.Response(status=200)


@HANDLERS.verb("delete")
async def delete(ctx: Ctx, request: web.Request) -> web.Response:
    cid = request.match_info["conversation_id"]
    _conversation(ctx, cid)
    ctx.flag(ctx.query(request), "hard")
    await ctx.sim.end_conversation(cid, "daily_room_has_been_deleted")
    del ctx.store.conversations[cid]
    return web.Response(status=204)
