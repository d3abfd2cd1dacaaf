"""The simulator's HTTP surface: Tavus's REST routes, the /_sim control routes and /rooms.

Every handler follows rest-api-notes.md (status codes, error bodies, page bases); where the notes
and the OpenAPI document disagree, the choice is named in a comment beside the code.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

import jsonpatch
import jsonpointer
from aiohttp import web

from ._simulator import VIDEO_QUEUED
from ._store import Record, public
from ._tools import tool_routes

if TYPE_CHECKING:
    from ._simulator import TavusSimulator

__all__ = ["build_app"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_PAL = {
    "persona_id": "pal_id",
    "persona_name": "pal_name",
    "default_replica_id": "default_face_id",
    "persona_type": "pal_type",
}
_FACE = {
    "replica_id": "face_id",
    "replica_name": "face_name",
    "replica_type": "face_type",
    "replica_ids": "face_ids",
}
_ALIASES = {"pal": _PAL, "face": _FACE}

_NAME_RE = re.compile(r"^[A-Za-z0-9_]+$")
_PATCH_OPS = {"add", "remove", "replace", "copy", "move", "test"}


class ApiError(Exception):
    """Raised by handlers to answer with a Tavus-shaped error body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body


def bad(message: str) -> ApiError:
    """400 with Tavus's common ``{"error": ...}`` body."""
    return ApiError(400, {"error": message})


def bad_message(message: str) -> ApiError:
    """400 with a ``{"message": ...}`` body (objectives, guardrails)."""
    return ApiError(400, {"message": message})


def _rename(obj: Any, mapping: dict[str, str]) -> Any:
    if isinstance(obj, dict):
        return {mapping.get(k, k): _rename(v, mapping) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_rename(v, mapping) for v in obj]
    return obj


def _inverse(mapping: dict[str, str]) -> dict[str, str]:
    return {v: k for k, v in mapping.items()}


def _check_enum(value: Any, allowed: Iterable[str], field: str, *, message: bool = False) -> None:
    allowed = list(allowed)
    if value is not None and value not in allowed:
        text = f"Invalid {field}: {value!r} is not one of {', '.join(allowed)}"
        raise bad_message(text) if message else bad(text)


def _str_list(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad(f"Invalid request: {field} must be a list of strings")
    return list(value)


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _is_loopback(remote: str | None) -> bool:
    if not remote:
        return False
    try:
        return ipaddress.ip_address(remote.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


class Api:
    """The route handlers, bound to one simulator."""

    def __init__(self, sim: TavusSimulator) -> None:
        self.sim = sim
        self.store = sim.store

    # -- plumbing ----------------------------------------------------------------------------------

    @staticmethod
    def _alias(request: web.Request) -> dict[str, str] | None:
        name = (
            request.match_info.route.resource.canonical if request.match_info.route.resource else ""
        )
        if name.startswith("/v2/pals"):
            return _PAL
        if name.startswith("/v2/faces"):
            return _FACE
        return None

    async def _body(self, request: web.Request, *, required: bool = True) -> Any:
        raw = await request.read()
        if not raw.strip():
            if required:
                raise bad("Invalid request: a JSON body is required")
            return {}
        try:
            body = json.loads(raw)
        except ValueError:
            raise bad("Invalid request: the body is not valid JSON") from None
        alias = self._alias(request)
        return _rename(body, _inverse(alias)) if alias else body

    async def _object(self, request: web.Request, *, required: bool = True) -> dict[str, Any]:
        body = await self._body(request, required=required)
        if not isinstance(body, dict):
            raise bad("Invalid request: the body must be a JSON object")
        return body

    def _query(self, request: web.Request) -> dict[str, str]:
        query = dict(request.query)
        alias = self._alias(request)
        return _rename(query, _inverse(alias)) if alias else query

    def _json(self, request: web.Request, data: Any, status: int = 200) -> web.Response:
        alias = self._alias(request)
        if alias:
            data = _rename(data, alias)
        return web.json_response(data, status=status)

    @staticmethod
    def _flag(query: dict[str, str], name: str) -> bool:
        value = query.get(name, "false").lower()
        if value not in ("true", "false", "1", "0"):
            raise bad(f"Invalid request: {name} must be true or false")
        return value in ("true", "1")

    @staticmethod
    def _page(
        items: list[Record],
        query: dict[str, str],
        base: int,
        *,
        max_limit: int | None = None,
    ) -> tuple[list[Record], int, int]:
        """Slice ``items`` by ``limit``/``page`` with the endpoint's page base."""
        try:
            limit = int(query.get("limit", 10))
            page = int(query.get("page", base))
        except ValueError:
            raise bad("Invalid request: limit and page must be integers") from None
        if limit < 1 or (max_limit is not None and limit > max_limit):
            top = f" and {max_limit}" if max_limit else ""
            raise bad(f"Invalid request: limit must be between 1{top}")
        # Below the base (e.g. page=0 on a 1-based list) is read as the first page; the docs do
        # not say what Tavus does there (rest-api-notes §4) and clients do send 0 (tavus-cli).
        page = max(page, base)
        start = (page - base) * limit
        return items[start : start + limit], page, limit

    # -- conversations -------------------------------------------------------------------------

    def _conversation(self, cid: str) -> Record:
        conv = self.store.conversations.get(cid)
        if conv is None:
            raise bad("Invalid conversation_id")
        return conv

    @staticmethod
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

    async def conversations_create(self, request: web.Request) -> web.Response:
        body = await self._object(request)
        sim = self.sim
        # LiveKit's plugin sends pal_id/face_id here; the CLI says this route is not aliased.
        # Accepting both costs nothing and serves both clients (rest-api-notes §3.1.1).
        persona_id = body.get("persona_id") or body.get("pal_id")
        replica_id = body.get("replica_id") or body.get("face_id")
        persona: Record | None = None
        if persona_id is not None:
            persona = self.store.personas.get(str(persona_id))
            if persona is None:
                raise bad("Invalid persona_id")
        if replica_id is None and persona is not None:
            replica_id = persona.get("default_replica_id") or None
        if replica_id is None:
            raise bad(
                "Invalid request: replica_id is required when the persona has no default_replica_id"
            )
        replica = self.store.replicas.get(str(replica_id))
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
        _check_enum(
            body.get("document_retrieval_strategy"),
            ("speed", "balanced", "quality"),
            "document_retrieval_strategy",
        )
        for key in ("document_ids", "document_tags", "memory_stores"):
            _str_list(body.get(key), key)
        callback_url = body.get("callback_url") or ""
        if callback_url and not _is_url(callback_url):
            raise bad("Invalid callback_url")
        test_mode = bool(body.get("test_mode"))
        limit = sim.concurrency_limit
        if not test_mode and limit is not None and self.store.active_conversations() >= limit:
            raise ApiError(400, {"message": "User has reached maximum concurrent conversations"})

        cid = self.store.new_id("conversations")
        now = self.store.iso()
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
            "_properties": props,
            "_request": body,
            "_system_prompt": system_prompt,
            "_perception": perception != "off",
            "_started_at": sim.clock.now(),
            "_events": [],
            "_transcript": [],
        }
        if require_auth:
            conv["meeting_token"] = self.store.meeting_token()
        self.store.conversations[cid] = conv
        sim.counts["conversations.create"] += 1
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
        return self._json(request, out)

    async def conversations_list(self, request: web.Request) -> web.Response:
        query = self._query(request)
        status = query.get("status")
        _check_enum(status, ("active", "ended"), "status")
        items = [
            self._conversation_view(c)
            for c in reversed(self.store.conversations.values())
            if status is None or c["status"] == status
        ]
        page, _, _ = self._page(items, query, 1)
        self.sim.counts["conversations.list"] += 1
        return self._json(request, {"data": page, "total_count": len(items)})

    async def conversations_get(self, request: web.Request) -> web.Response:
        conv = self._conversation(request.match_info["conversation_id"])
        out = self._conversation_view(conv)
        if "meeting_token" in conv:
            out["meeting_token"] = conv["meeting_token"]
        if self._flag(self._query(request), "verbose"):
            out["events"] = [dict(e) for e in conv.get("_events", [])]
            if conv.get("_shutdown_reason"):
                # Whether Tavus also puts it at the top level is unknown (rest-api-notes §7):
                # the OAS26 text lists it among verbose additions, so it is given both ways.
                out["shutdown_reason"] = conv["_shutdown_reason"]
        self.sim.counts["conversations.get"] += 1
        return self._json(request, out)

    async def conversations_end(self, request: web.Request) -> web.Response:
        cid = request.match_info["conversation_id"]
        self._conversation(cid)
        # Ending an ended conversation is answered 200 too: Tavus's behaviour is undocumented and
        # clients (pipecat) call end from more than one cleanup path.
        await self.sim.end_conversation(cid, "end_conversation_endpoint_hit")
        self.sim.counts["conversations.end"] += 1
        return web.Response(status=200)

    async def conversations_delete(self, request: web.Request) -> web.Response:
        cid = request.match_info["conversation_id"]
        self._conversation(cid)
        self._flag(self._query(request), "hard")
        await self.sim.end_conversation(cid, "daily_room_has_been_deleted")
        del self.store.conversations[cid]
        self.sim.counts["conversations.delete"] += 1
        return web.Response(status=204)

    # -- personas --------------------------------------------------------------------------------

    def _persona(self, pid: str) -> Record:
        persona = self.store.personas.get(pid)
        if persona is None:
            raise bad("Invalid persona_id")
        return persona

    def _validate_persona(self, p: Record) -> None:
        if not isinstance(p.get("persona_name", ""), str):
            raise bad("Invalid request: persona_name must be a string")
        _check_enum(p.get("pipeline_mode"), ("full", "echo"), "pipeline_mode")
        if p.get("pipeline_mode", "full") == "full" and not p.get("system_prompt"):
            raise bad("system_prompt is required when pipeline_mode is full")
        replica_id = p.get("default_replica_id")
        if replica_id and replica_id not in self.store.replicas:
            raise bad("Invalid replica_uuid")
        layers = p.get("layers") or {}
        if not isinstance(layers, dict):
            raise bad("Invalid request: layers must be an object")
        for name in ("llm", "tts", "stt", "perception", "conversational_flow", "transport"):
            if name in layers and not isinstance(layers[name], dict):
                raise bad(f"Invalid request: layers.{name} must be an object")
        _check_enum(
            (layers.get("tts") or {}).get("tts_engine"),
            ("cartesia", "elevenlabs", "playht"),
            "layers.tts.tts_engine",
        )
        # The union of the SEED and OAS26 vocabularies, since both are documented.
        _check_enum(
            (layers.get("perception") or {}).get("perception_model"),
            ("raven-1", "raven-0", "basic", "off"),
            "layers.perception.perception_model",
        )
        _check_enum(
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
        _str_list(p.get("document_ids"), "document_ids")
        _str_list(p.get("document_tags"), "document_tags")
        dictionary = (layers.get("tts") or {}).get("pronunciation_dictionary_id")
        if dictionary and dictionary not in self.store.dictionaries:
            raise bad("Invalid pronunciation_dictionary_id")

    async def personas_create(self, request: web.Request) -> web.Response:
        body = await self._object(request)
        self._validate_persona(body)
        pid = self.store.new_id("personas")
        now = self.store.iso()
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
        self.store.personas[pid] = persona
        self.sim.counts["personas.create"] += 1
        out = {"persona_id": pid, "persona_name": persona["persona_name"], "created_at": now}
        return self._json(request, out)

    async def personas_list(self, request: web.Request) -> web.Response:
        query = self._query(request)
        kind = query.get("persona_type")
        _check_enum(kind, ("user", "system"), "persona_type")
        items = [
            public(p)
            for p in reversed(self.store.personas.values())
            if kind is None or p["persona_type"] == kind
        ]
        page, _, _ = self._page(items, query, 1)
        self.sim.counts["personas.list"] += 1
        return self._json(request, {"data": page, "total_count": len(items)})

    async def personas_get(self, request: web.Request) -> web.Response:
        persona = self._persona(request.match_info["persona_id"])
        self.sim.counts["personas.get"] += 1
        # Flat, as pipecat and the CLI read it; the docs' {"data": [...]} wrapper is taken for an
        # artefact of the docs (rest-api-notes §3.2.4).
        return self._json(request, public(persona))

    async def personas_patch(self, request: web.Request) -> web.StreamResponse:
        persona = self._persona(request.match_info["persona_id"])
        alias = self._alias(request)
        doc = public(persona)
        if alias:
            doc = _rename(doc, alias)
        ops = await self._patch_ops(request, malformed_status=422)
        new = self._apply_patch(doc, ops, malformed_status=422)
        if alias:
            new = _rename(new, _inverse(alias))
        for key in ("persona_id", "persona_type", "created_at"):
            if new.get(key) != persona.get(key):
                raise ApiError(422, {"message": f"Invalid JSON patch format: {key} is read-only"})
        if new == public(persona):
            return web.Response(status=304)
        self._validate_persona(new)
        new["updated_at"] = self.store.iso()
        persona.clear()
        persona.update(new)
        self.sim.counts["personas.patch"] += 1
        return self._json(request, public(persona))

    async def personas_delete(self, request: web.Request) -> web.Response:
        pid = request.match_info["persona_id"]
        persona = self._persona(pid)
        if persona["persona_type"] == "system":
            raise bad("Invalid persona_id: stock personas cannot be deleted")
        del self.store.personas[pid]
        self.sim.counts["personas.delete"] += 1
        return web.Response(status=204)

    # -- JSON Patch --------------------------------------------------------------------------

    async def _patch_ops(self, request: web.Request, *, malformed_status: int) -> list[Any]:
        try:
            ops = await self._body(request)
        except ApiError:
            ops = None
        if not isinstance(ops, list) or not all(
            isinstance(op, dict)
            and op.get("op") in _PATCH_OPS
            and isinstance(op.get("path"), str)
            and (op["op"] == "remove" or "value" in op or op["op"] in ("move", "copy"))
            and (op["op"] not in ("move", "copy") or isinstance(op.get("from"), str))
            for op in ops
        ):
            raise self._malformed(malformed_status)
        return ops

    @staticmethod
    def _malformed(status: int, detail: str = "") -> ApiError:
        if status == 422:
            text = "Invalid JSON patch format" + (f": {detail}" if detail else "")
            return ApiError(422, {"message": text})
        text = "Invalid patch operation" + (f": {detail}" if detail else "")
        return ApiError(400, {"error": text})

    def _apply_patch(self, doc: Record, ops: list[Any], *, malformed_status: int) -> Record:
        try:
            result = jsonpatch.JsonPatch(ops).apply(doc, in_place=False)
        except jsonpatch.JsonPatchTestFailed as exc:
            raise self._malformed(malformed_status, f"test failed ({exc})") from None
        except (
            jsonpatch.JsonPatchException,
            jsonpointer.JsonPointerException,
            KeyError,
            IndexError,
            TypeError,
        ) as exc:
            raise self._malformed(malformed_status, str(exc)) from None
        if not isinstance(result, dict):
            raise self._malformed(malformed_status, "the document root must stay an object")
        return result

    # -- replicas --------------------------------------------------------------------------------

    def _replica(self, rid: str) -> Record:
        replica = self.store.replicas.get(rid)
        if replica is None:
            raise bad("Invalid replica_id")
        return replica

    async def replicas_create(self, request: web.Request) -> web.Response:
        body = await self._object(request)
        video, image = body.get("train_video_url"), body.get("train_image_url")
        if not video and not image:
            raise bad("Either train_video_url or train_image_url must be provided.")
        if video and image:
            raise bad("Provide either train_video_url or train_image_url, not both.")
        if video and not _is_url(video):
            raise bad("Invalid train_video_url")
        if image and not _is_url(image):
            raise bad("Invalid train_image_url")
        if image and not body.get("voice_name"):
            raise bad("voice_name is required when train_image_url is provided.")
        if body.get("consent_video_url") and not _is_url(body["consent_video_url"]):
            raise bad("Invalid consent_video_url")
        if body.get("voice_name") and not any(
            v["voice_name"].lower() == str(body["voice_name"]).lower() for v in self.store.voices
        ):
            raise bad("Invalid voice_name")
        model = body.get("model_name") or "phoenix-4"
        _check_enum(model, ("phoenix-2", "phoenix-3", "phoenix-4", "phoenix-4.5"), "model_name")
        callback_url = body.get("callback_url") or ""
        if callback_url and not _is_url(callback_url):
            raise bad("Invalid callback_url")
        rid = self.store.new_id("replicas")
        now = self.store.iso_ms()
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
        self.store.replicas[rid] = replica
        self.sim.counts["replicas.create"] += 1
        out = {"replica_id": rid, "status": "started"}
        self.sim.start_training(replica)
        return self._json(request, out)

    def _replica_view(self, replica: Record) -> Record:
        out = public(replica)
        out.pop("callback_url", None)
        return out

    async def replicas_list(self, request: web.Request) -> web.Response:
        query = self._query(request)
        kind = query.get("replica_type")
        _check_enum(kind, ("user", "system"), "replica_type")
        self._flag(query, "verbose")
        wanted = {i.strip() for i in query.get("replica_ids", "").split(",") if i.strip()}
        model = query.get("model_name")
        items = [
            self._replica_view(r)
            for r in reversed(self.store.replicas.values())
            if (kind is None or r["replica_type"] == kind)
            and (not wanted or r["replica_id"] in wanted)
            and (model is None or r.get("model_name") == model)
        ]
        page, _, _ = self._page(items, query, 1)
        self.sim.counts["replicas.list"] += 1
        return self._json(request, {"data": page, "total_count": len(items)})

    async def replicas_get(self, request: web.Request) -> web.Response:
        replica = self._replica(request.match_info["replica_id"])
        self._flag(self._query(request), "verbose")
        self.sim.counts["replicas.get"] += 1
        return self._json(request, self._replica_view(replica))

    async def replicas_delete(self, request: web.Request) -> web.Response:
        rid = request.match_info["replica_id"]
        replica = self._replica(rid)
        self._flag(self._query(request), "hard")
        if replica["replica_type"] == "system":
            raise bad("Invalid replica_id: stock replicas cannot be deleted")
        del self.store.replicas[rid]
        self.sim.counts["replicas.delete"] += 1
        return web.Response(status=200)

    async def replicas_rename(self, request: web.Request) -> web.Response:
        replica = self._replica(request.match_info["replica_id"])
        body = await self._object(request)
        name = body.get("replica_name")
        if not isinstance(name, str) or not name.strip():
            raise bad("replica_name is required")
        replica["replica_name"] = name
        replica["updated_at"] = self.store.iso_ms()
        self.sim.counts["replicas.rename"] += 1
        return web.Response(status=200)

    # -- voices ----------------------------------------------------------------------------------

    async def voices_list(self, request: web.Request) -> web.Response:
        query = self._query(request)
        sort = query.get("sort", "asc")
        _check_enum(sort, ("asc", "desc"), "sort")
        search = query.get("search", "").lower()
        tag = query.get("tag")
        items = sorted(
            (
                dict(v)
                for v in self.store.voices
                if search in v["voice_name"].lower()
                and (tag is None or any(t["tag_name"] == tag for t in v["tags"]))
            ),
            key=lambda v: v["voice_name"],
            reverse=sort == "desc",
        )
        page, number, limit = self._page(items, query, 1, max_limit=100)
        self.sim.counts["voices.list"] += 1
        out = {"data": page, "total_count": len(items), "page": number, "limit": limit}
        return self._json(request, out)

    # -- objectives and guardrails ----------------------------------------------------------------

    def _set_items(self, body: dict[str, Any], kind: str) -> list[Record]:
        """Validate an objectives/guardrails ``data`` list; errors use ``{"message": ...}``."""
        field = "objective" if kind == "objectives" else "guardrail"
        data = body.get("data")
        if data is None and kind == "guardrails" and "guardrail_name" in body:
            # The newer flat guardrail form (tavus-cli, 2026 docs) is stored as a one-item set.
            data = [{k: v for k, v in body.items() if k != "name"}]
        if not isinstance(data, list) or not data:
            raise bad_message("data is required")
        items: list[Record] = []
        for item in data:
            if not isinstance(item, dict):
                raise bad_message("data must be a list of objects")
            name = item.get(f"{field}_name")
            if not name:
                raise bad_message(f"{field}_name is required")
            if not isinstance(name, str) or not _NAME_RE.match(name):
                raise bad_message(f"{field}_name may only contain letters, numbers and underscores")
            if not item.get(f"{field}_prompt"):
                raise bad_message(f"{field}_prompt is required")
            modalities = ("verbal", "visual", "audio")
            _check_enum(item.get("modality"), modalities, "modality", message=True)
            out = dict(item)
            out.setdefault("modality", "verbal")
            if kind == "objectives":
                _check_enum(
                    item.get("confirmation_mode"),
                    ("auto", "manual"),
                    "confirmation_mode",
                    message=True,
                )
                out.setdefault("confirmation_mode", "auto")
                if "output_variables" in item and not isinstance(item["output_variables"], list):
                    raise bad_message("output_variables must be a list of strings")
            if item.get("callback_url") and not _is_url(item["callback_url"]):
                raise bad_message("Invalid callback_url")
            items.append(out)
        return items

    def _set_record(self, kind: str, rid: str) -> Record:
        record = getattr(self.store, kind).get(rid)
        if record is None:
            text = "Objective not found" if kind == "objectives" else "Guardrails not found"
            raise ApiError(404, {"error": text})
        return record  # type: ignore[no-any-return]

    @staticmethod
    def _set_view(kind: str, record: Record, *, flat: bool) -> Record:
        """A set's document; list items also get the first item's fields at the top level."""
        id_key = f"{kind}_id"
        out: Record = {id_key: record[id_key], "name": record["name"]}
        if flat and record["data"]:
            out.update(record["data"][0])
        out.update(
            data=record["data"],
            created_at=record["created_at"],
            updated_at=record["updated_at"],
        )
        return out

    async def _sets_create(self, request: web.Request, kind: str) -> web.Response:
        body = await self._object(request)
        items = self._set_items(body, kind)
        field = "objective" if kind == "objectives" else "guardrail"
        rid = self.store.new_id(kind)
        now = self.store.iso()
        name = body.get("name") or items[0][f"{field}_name"]
        record: Record = {
            f"{kind}_id": rid,
            "name": name,
            "data": items,
            "status": "active",
            "created_at": now,
            "updated_at": now,
        }
        getattr(self.store, kind)[rid] = record
        self.sim.counts[f"{kind}.create"] += 1
        name_key = "objective_name" if kind == "objectives" else "guardrails_name"
        out = {f"{kind}_id": rid, name_key: name, "status": "active", "created_at": now}
        return self._json(request, out)

    async def _sets_list(self, request: web.Request, kind: str) -> web.Response:
        query = self._query(request)
        items = [
            self._set_view(kind, r, flat=True) for r in reversed(getattr(self.store, kind).values())
        ]
        page, _, _ = self._page(items, query, 1)
        self.sim.counts[f"{kind}.list"] += 1
        return self._json(request, {"data": page, "total_count": len(items)})

    async def _sets_get(self, request: web.Request, kind: str) -> web.Response:
        record = self._set_record(kind, request.match_info[f"{kind}_id"])
        self.sim.counts[f"{kind}.get"] += 1
        # `data` is the set's list (PATCH paths are /data/0/...; the CLI reads a list), not the
        # single object the OAS26 schema shows (rest-api-notes §3.5.2).
        return self._json(request, self._set_view(kind, record, flat=False))

    async def _sets_patch(self, request: web.Request, kind: str) -> web.StreamResponse:
        record = self._set_record(kind, request.match_info[f"{kind}_id"])
        ops = await self._patch_ops(request, malformed_status=400)
        doc = {"name": record["name"], "data": record["data"]}
        new = self._apply_patch(doc, ops, malformed_status=400)
        if new == doc:
            return web.Response(status=304)
        if set(new) - {"name", "data"}:
            raise self._malformed(400, "only /name and /data/... can be patched")
        items = self._set_items({"data": new.get("data")}, kind)
        record.update(name=new.get("name") or record["name"], data=items)
        record["updated_at"] = self.store.iso()
        self.sim.counts[f"{kind}.patch"] += 1
        text = (
            "Objective updated successfully"
            if kind == "objectives"
            else ("Guardrails updated successfully")
        )
        return self._json(request, {"message": text})

    async def _sets_delete(self, request: web.Request, kind: str) -> web.Response:
        rid = request.match_info[f"{kind}_id"]
        self._set_record(kind, rid)
        del getattr(self.store, kind)[rid]
        for persona in self.store.personas.values():
            if persona.get(f"{kind}_id") == rid:
                del persona[f"{kind}_id"]
        self.sim.counts[f"{kind}.delete"] += 1
        return web.Response(status=204)

    # -- documents -------------------------------------------------------------------------------

    def _document(self, did: str) -> Record:
        doc = self.store.documents.get(did)
        if doc is None:
            raise ApiError(404, {"message": "Document not found"})
        return doc

    @staticmethod
    def _crawl(value: Any) -> dict[str, int] | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise bad("Invalid request: crawl must be an object with depth and max_pages")
        out: dict[str, int] = {}
        for key, top in (("depth", 10), ("max_pages", 100)):
            v = value.get(key, 1)
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= top:
                raise bad(f"Invalid request: crawl.{key} must be an integer from 1 to {top}")
            out[key] = v
        return out

    async def documents_create(self, request: web.Request) -> web.Response:
        body = await self._object(request)
        url = body.get("document_url")
        if not url:
            raise bad("document_url is required")
        if not _is_url(url):
            raise bad("Invalid document_url")
        crawl = self._crawl(body.get("crawl"))
        tags = _str_list(body.get("tags"), "tags")
        callback_url = body.get("callback_url") or ""
        if callback_url and not _is_url(callback_url):
            raise bad("Invalid callback_url")
        if crawl:
            docs = self.store.documents.values()
            if sum(1 for d in docs if d.get("crawl_config")) >= 100:
                raise ApiError(
                    429,
                    {"error": "Crawl document limit reached (100). Delete a crawl document first."},
                )
            busy = sum(
                1
                for d in docs
                if d.get("crawl_config") and d["status"] in ("started", "processing", "recrawling")
            )
            if busy >= 5:
                raise ApiError(429, {"error": "Concurrent crawl limit reached (5). Try later."})
        did = self.store.new_id("documents")
        now = self.store.iso()
        name = body.get("document_name") or url.rstrip("/").rsplit("/", 1)[-1] or did
        doc: Record = {
            "document_id": did,
            "document_name": name,
            "document_url": url,
            "status": "started",
            "progress": 0,
            "error_message": None,
            "created_at": now,
            "updated_at": now,
            "callback_url": callback_url,
            "tags": tags,
            "crawl_config": crawl,
            "crawled_urls": None,
            "last_crawled_at": None,
            "crawl_count": 0 if crawl else None,
        }
        self.store.documents[did] = doc
        self.sim.counts["documents.create"] += 1
        out = public(doc)
        self.sim.start_document(doc)
        return self._json(request, out)

    async def documents_list(self, request: web.Request) -> web.Response:
        query = self._query(request)
        sort = query.get("sort", "ascending")
        _check_enum(sort, ("ascending", "descending"), "sort")
        status = query.get("status")
        _check_enum(status, ("started", "processing", "ready", "error", "recrawling"), "status")
        needle = query.get("name_or_uuid", "").lower()
        tags = {t.strip() for t in query.get("tags", "").split(",") if t.strip()}
        docs = [
            public(d)
            for d in self.store.documents.values()
            if (status is None or d["status"] == status)
            and (
                not needle
                or needle in d["document_name"].lower()
                or needle == d["document_id"].lower()
            )
            and (not tags or tags & set(d["tags"]))
        ]
        if sort == "descending":
            docs.reverse()
        page, number, limit = self._page(docs, query, 0)
        self.sim.counts["documents.list"] += 1
        out = {"data": page, "total_count": len(docs), "page": number, "limit": limit}
        return self._json(request, out)

    async def documents_get(self, request: web.Request) -> web.Response:
        doc = self._document(request.match_info["document_id"])
        self.sim.counts["documents.get"] += 1
        return self._json(request, public(doc))

    async def documents_patch(self, request: web.Request) -> web.Response:
        doc = self._document(request.match_info["document_id"])
        body = await self._object(request)
        unknown = set(body) - {"document_name", "tags"}
        if unknown:
            raise bad(
                "Invalid request: only document_name and tags can be updated, "
                f"not {sorted(unknown)}"
            )
        if "document_name" in body:
            if not isinstance(body["document_name"], str) or not body["document_name"]:
                raise bad("Invalid request: document_name must be a non-empty string")
            doc["document_name"] = body["document_name"]
        if "tags" in body:
            doc["tags"] = _str_list(body["tags"], "tags")  # replaces the list, as documented
        doc["updated_at"] = self.store.iso()
        self.sim.counts["documents.patch"] += 1
        return self._json(request, public(doc))

    async def documents_delete(self, request: web.Request) -> web.Response:
        did = request.match_info["document_id"]
        self._document(did)
        del self.store.documents[did]
        self.sim.counts["documents.delete"] += 1
        return web.Response(status=204)

    async def documents_recrawl(self, request: web.Request) -> web.Response:
        doc = self._document(request.match_info["document_id"])
        body = await self._object(request, required=False)
        override = self._crawl(body.get("crawl"))
        if not doc.get("crawl_config"):
            raise bad("Document was not created with a crawl configuration and cannot be recrawled")
        if doc["status"] not in ("ready", "error"):
            raise ApiError(
                409,
                {"error": f"Document cannot be recrawled in its current status: {doc['status']}"},
            )
        last = doc.get("_last_crawled")
        cooldown = self.sim.timings.recrawl_cooldown
        if last is not None and self.sim.clock.now() - last < cooldown:
            minutes = max(1, int((cooldown - (self.sim.clock.now() - last) + 59) // 60))
            raise ApiError(
                429,
                {
                    "error": f"Recrawl cooldown active, please wait {minutes} minutes "
                    "before recrawling"
                },
            )
        if override:
            doc["crawl_config"] = override
        doc.update(status="recrawling", progress=0, error_message=None, updated_at=self.store.iso())
        self.sim.counts["documents.recrawl"] += 1
        out = public(doc)
        self.sim.start_document(doc, initial_status="recrawling")
        return self._json(request, out, status=202)

    # -- videos ----------------------------------------------------------------------------------

    def _video(self, vid: str) -> Record:
        video = self.store.videos.get(vid)
        if video is None:
            raise bad("Invalid video_id")
        return video

    async def videos_create(self, request: web.Request) -> web.Response:
        body = await self._object(request)
        replica_id = body.get("replica_id")
        if not replica_id:
            raise bad("replica_id is required")
        replica = self.store.replicas.get(str(replica_id))
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
        if audio and not _is_url(audio):
            raise bad("Invalid audio_url")
        if body.get("transparent_background") and not body.get("fast"):
            raise bad("transparent_background requires fast to be true")
        for key in (
            "background_url",
            "background_source_url",
            "callback_url",
            "watermark_image_url",
        ):
            if body.get(key) and not _is_url(body[key]):
                raise bad(f"Invalid {key}")
        vid = self.store.new_id("videos")
        now = self.store.iso()
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
            "_created_plain": self.store.plain(),
        }
        self.store.videos[vid] = video
        self.sim.counts["videos.create"] += 1
        out = {
            "video_id": vid,
            "video_name": video["video_name"],
            "status": "queued",
            "hosted_url": video["hosted_url"],
            "created_at": self.store.rfc1123(),
        }
        self.sim.start_video(video)
        return self._json(request, out)

    @staticmethod
    def _video_view(video: Record, verbose: bool) -> Record:
        out = public(video)
        out.pop("callback_url", None)
        if not verbose:
            out.pop("still_image_thumbnail_url", None)
            out.pop("gif_thumbnail_url", None)
        return out

    async def videos_list(self, request: web.Request) -> web.Response:
        query = self._query(request)
        items = [self._video_view(v, True) for v in reversed(self.store.videos.values())]
        # 0-based as OAS26 says and Airbyte's live-tested connector does (SEED said 1).
        page, _, _ = self._page(items, query, 0)
        self.sim.counts["videos.list"] += 1
        return self._json(request, {"data": page, "total_count": len(items)})

    async def videos_get(self, request: web.Request) -> web.Response:
        video = self._video(request.match_info["video_id"])
        verbose = self._flag(self._query(request), "verbose")
        self.sim.counts["videos.get"] += 1
        return self._json(request, self._video_view(video, verbose))

    async def videos_delete(self, request: web.Request) -> web.Response:
        vid = request.match_info["video_id"]
        video = self._video(vid)
        if self._flag(self._query(request), "hard"):
            del self.store.videos[vid]
        else:
            video["status"] = "deleted"
            video["updated_at"] = self.store.iso()
        self.sim.counts["videos.delete"] += 1
        return web.Response(status=200)

    async def videos_rename(self, request: web.Request) -> web.Response:
        video = self._video(request.match_info["video_id"])
        body = await self._object(request)
        name = body.get("video_name")
        if not isinstance(name, str) or not name.strip():
            raise bad("video_name is required")
        video["video_name"] = name
        video["updated_at"] = self.store.iso()
        self.sim.counts["videos.rename"] += 1
        return web.Response(status=200)

    # -- pronunciation dictionaries --------------------------------------------------------------

    def _dictionary(self, did: str) -> Record:
        record = self.store.dictionaries.get(did)
        if record is None:
            raise ApiError(404, {"message": "Pronunciation dictionary not found"})
        return record

    @staticmethod
    def _rules(value: Any) -> list[Record]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise bad("Invalid request: rules must be a list")
        rules: list[Record] = []
        seen: set[str] = set()
        for rule in value:
            if not isinstance(rule, dict):
                raise bad("Invalid request: each rule must be an object")
            for key, top in (("text", 200), ("pronunciation", 500)):
                v = rule.get(key)
                if not isinstance(v, str) or not v:
                    raise bad(f"Invalid request: rules[].{key} is required")
                if len(v) > top:
                    raise bad(f"Invalid request: rules[].{key} must be at most {top} characters")
            if rule.get("type") is None:
                raise bad("Invalid request: rules[].type is required")
            _check_enum(rule.get("type"), ("alias", "ipa"), "rules[].type")
            if rule["text"] in seen:
                raise bad(f"Invalid request: duplicate rule text {rule['text']!r}")
            seen.add(rule["text"])
            rules.append(
                {
                    "text": rule["text"],
                    "pronunciation": rule["pronunciation"],
                    "type": rule["type"],
                    "case_sensitive": bool(rule.get("case_sensitive", False)),
                    "word_boundaries": bool(rule.get("word_boundaries", True)),
                }
            )
        return rules

    @staticmethod
    def _name(value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise bad("name is required")
        if len(value) > 255:
            raise bad("Invalid request: name must be at most 255 characters")
        return value

    async def dictionaries_create(self, request: web.Request) -> web.Response:
        body = await self._object(request)
        name = self._name(body.get("name"))
        rules = self._rules(body.get("rules"))
        did = self.store.new_id("dictionaries")
        now = self.store.iso()
        record: Record = {
            "pronunciation_dictionary_id": did,
            "name": name,
            "rules": rules,
            "rules_count": len(rules),
            "created_at": now,
            "updated_at": now,
        }
        self.store.dictionaries[did] = record
        self.sim.counts["pronunciation_dictionaries.create"] += 1
        return self._json(request, dict(record), status=201)

    async def dictionaries_list(self, request: web.Request) -> web.Response:
        query = self._query(request)
        sort = query.get("sort", "desc")
        _check_enum(sort, ("asc", "desc"), "sort")
        items = [
            {k: v for k, v in d.items() if k != "rules"} for d in self.store.dictionaries.values()
        ]
        if sort == "desc":
            items.reverse()
        page, number, limit = self._page(items, query, 0, max_limit=100)
        self.sim.counts["pronunciation_dictionaries.list"] += 1
        out = {"data": page, "total_count": len(items), "page": number, "limit": limit}
        return self._json(request, out)

    async def dictionaries_get(self, request: web.Request) -> web.Response:
        record = self._dictionary(request.match_info["dictionary_id"])
        self.sim.counts["pronunciation_dictionaries.get"] += 1
        return self._json(request, dict(record))

    async def dictionaries_patch(self, request: web.Request) -> web.StreamResponse:
        record = self._dictionary(request.match_info["dictionary_id"])
        ops = await self._patch_ops(request, malformed_status=422)
        for op in ops:
            for pointer in (op["path"], op.get("from")):
                if pointer is not None and not (
                    pointer in ("/name", "/rules") or pointer.startswith("/rules/")
                ):
                    raise bad(
                        "Invalid patch operation: only /name and /rules can be patched, "
                        f"not {pointer}"
                    )
        doc = {"name": record["name"], "rules": record["rules"]}
        new = self._apply_patch(doc, ops, malformed_status=422)
        if new == doc:
            return web.Response(status=304)
        name = self._name(new.get("name"))
        rules = self._rules(new.get("rules"))
        record.update(name=name, rules=rules, rules_count=len(rules), updated_at=self.store.iso())
        self.sim.counts["pronunciation_dictionaries.patch"] += 1
        return self._json(request, dict(record))

    async def dictionaries_delete(self, request: web.Request) -> web.Response:
        did = request.match_info["dictionary_id"]
        self._dictionary(did)
        del self.store.dictionaries[did]
        # Deleting a dictionary also unlinks it from personas (OAS26).
        for persona in self.store.personas.values():
            tts = (persona.get("layers") or {}).get("tts")
            if isinstance(tts, dict) and tts.get("pronunciation_dictionary_id") == did:
                del tts["pronunciation_dictionary_id"]
        self.sim.counts["pronunciation_dictionaries.delete"] += 1
        return web.Response(status=204)

    # -- control routes (/_sim) ----------------------------------------------------------------

    async def sim_counts(self, request: web.Request) -> web.Response:
        sim = self.sim
        return web.json_response(
            {
                "counts": dict(sim.counts),
                "received": dict(sim.received),
                "faults_injected": sim.faults.injected,
                "callbacks": {
                    "delivered": sim.callbacks.delivered,
                    "failed": sim.callbacks.failed,
                    "queued": len(sim.callbacks.deliveries),
                },
                "now": sim.clock.now(),
            }
        )

    async def sim_faults_list(self, request: web.Request) -> web.Response:
        return web.json_response({"data": [r.to_json() for r in self.sim.faults.rules]})

    async def sim_faults_add(self, request: web.Request) -> web.Response:
        try:
            spec = json.loads(await request.read() or b"null")
        except ValueError:
            raise bad("the body must be a JSON fault (route, status, times, ...)") from None
        specs = spec if isinstance(spec, list) else [spec]
        try:
            rules = [self.sim.faults.add_from_json(s) for s in specs if isinstance(s, dict)]
        except (TypeError, ValueError) as exc:
            raise bad(str(exc)) from None
        if len(rules) != len(specs):
            raise bad("each fault must be a JSON object")
        return web.json_response({"data": [r.to_json() for r in rules]}, status=201)

    async def sim_faults_clear(self, request: web.Request) -> web.Response:
        rid = request.match_info.get("fault_id")
        if rid is None:
            self.sim.faults.clear()
        else:
            try:
                self.sim.faults.remove(int(rid))
            except ValueError:
                raise bad("fault id must be an integer") from None
        return web.Response(status=204)

    async def sim_advance(self, request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read() or b"{}")
            seconds = float(body.get("seconds", request.query.get("seconds", 0)))
        except (ValueError, TypeError, AttributeError):
            raise bad('send {"seconds": <number>}') from None
        if seconds < 0:
            raise bad("seconds must be >= 0")
        await self.sim.advance(seconds)
        return web.json_response({"now": self.sim.clock.now()})

    async def sim_state(self, request: web.Request) -> web.Response:
        return web.json_response(self.store.snapshot())

    async def sim_fail_next(self, request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read() or b"{}")
            kind, error = body["kind"], body.get("error")
        except (ValueError, KeyError, TypeError):
            raise bad('send {"kind": "training"|"video"|"document", "error": ...}') from None
        actions = {
            "training": self.sim.fail_next_training,
            "video": self.sim.fail_next_video,
            "document": self.sim.fail_next_document,
        }
        if kind not in actions:
            raise bad("kind must be training, video or document")
        actions[kind](error)
        return web.Response(status=204)

    async def rooms_ws(self, request: web.Request) -> web.StreamResponse:
        hub = self.sim.rooms
        if hub is None:
            raise ApiError(404, {"error": "rooms are disabled in this simulator"})
        response: web.StreamResponse = await hub.handle_ws(request)
        return response


def _routes(api: Api) -> list[tuple[str, str, str, Handler]]:
    """(method, path template, operation name, handler) for every Tavus route."""

    def sets(kind: str, action: str) -> Handler:
        method = getattr(api, f"_sets_{action}")

        async def handler(request: web.Request) -> web.StreamResponse:
            return await method(request, kind)  # type: ignore[no-any-return]

        return handler

    table: list[tuple[str, str, str, Handler]] = [
        ("POST", "/v2/conversations", "conversations.create", api.conversations_create),
        ("GET", "/v2/conversations", "conversations.list", api.conversations_list),
        ("GET", "/v2/conversations/{conversation_id}", "conversations.get", api.conversations_get),
        (
            "DELETE",
            "/v2/conversations/{conversation_id}",
            "conversations.delete",
            api.conversations_delete,
        ),
        (
            "POST",
            "/v2/conversations/{conversation_id}/end",
            "conversations.end",
            api.conversations_end,
        ),
        ("GET", "/v2/voices", "voices.list", api.voices_list),
        ("POST", "/v2/documents", "documents.create", api.documents_create),
        ("GET", "/v2/documents", "documents.list", api.documents_list),
        ("GET", "/v2/documents/{document_id}", "documents.get", api.documents_get),
        ("PATCH", "/v2/documents/{document_id}", "documents.patch", api.documents_patch),
        ("DELETE", "/v2/documents/{document_id}", "documents.delete", api.documents_delete),
        (
            "POST",
            "/v2/documents/{document_id}/recrawl",
            "documents.recrawl",
            api.documents_recrawl,
        ),
        ("POST", "/v2/videos", "videos.create", api.videos_create),
        ("GET", "/v2/videos", "videos.list", api.videos_list),
        ("GET", "/v2/videos/{video_id}", "videos.get", api.videos_get),
        ("DELETE", "/v2/videos/{video_id}", "videos.delete", api.videos_delete),
        ("PATCH", "/v2/videos/{video_id}/name", "videos.rename", api.videos_rename),
        (
            "POST",
            "/v2/pronunciation-dictionaries",
            "pronunciation_dictionaries.create",
            api.dictionaries_create,
        ),
        (
            "GET",
            "/v2/pronunciation-dictionaries",
            "pronunciation_dictionaries.list",
            api.dictionaries_list,
        ),
        (
            "GET",
            "/v2/pronunciation-dictionaries/{dictionary_id}",
            "pronunciation_dictionaries.get",
            api.dictionaries_get,
        ),
        (
            "PATCH",
            "/v2/pronunciation-dictionaries/{dictionary_id}",
            "pronunciation_dictionaries.patch",
            api.dictionaries_patch,
        ),
        (
            "DELETE",
            "/v2/pronunciation-dictionaries/{dictionary_id}",
            "pronunciation_dictionaries.delete",
            api.dictionaries_delete,
        ),
    ]
    for kind in ("objectives", "guardrails"):
        item = f"/v2/{kind}/{{{kind}_id}}"
        table += [
            ("POST", f"/v2/{kind}", f"{kind}.create", sets(kind, "create")),
            ("GET", f"/v2/{kind}", f"{kind}.list", sets(kind, "list")),
            ("GET", item, f"{kind}.get", sets(kind, "get")),
            ("PATCH", item, f"{kind}.patch", sets(kind, "patch")),
            ("DELETE", item, f"{kind}.delete", sets(kind, "delete")),
        ]
    # Personas and replicas, each under its own name and its 2026 alias (/v2/pals, /v2/faces).
    for base, id_name in (("/v2/personas", "persona_id"), ("/v2/pals", "persona_id")):
        item = f"{base}/{{{id_name}}}"
        table += [
            ("POST", base, "personas.create", api.personas_create),
            ("GET", base, "personas.list", api.personas_list),
            ("GET", item, "personas.get", api.personas_get),
            ("PATCH", item, "personas.patch", api.personas_patch),
            ("DELETE", item, "personas.delete", api.personas_delete),
        ]
    table += tool_routes(api.sim)
    for base in ("/v2/replicas", "/v2/faces"):
        item = f"{base}/{{replica_id}}"
        table += [
            ("POST", base, "replicas.create", api.replicas_create),
            ("GET", base, "replicas.list", api.replicas_list),
            ("GET", item, "replicas.get", api.replicas_get),
            ("DELETE", item, "replicas.delete", api.replicas_delete),
            ("PATCH", f"{item}/name", "replicas.rename", api.replicas_rename),
        ]
    return table


def _route_label(request: web.Request) -> str:
    resource = request.match_info.route.resource
    template = resource.canonical if resource is not None else request.path
    return f"{request.method} {template.rstrip('/') or '/'}"


async def _serve_dropped(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    """Send the status line, headers and half the body, then cut the connection."""
    body = response.body if isinstance(response, web.Response) else b""
    payload = bytes(body) if isinstance(body, (bytes, bytearray)) else b""
    partial = web.StreamResponse(status=response.status, headers=response.headers)
    partial.content_length = max(len(payload), 2)
    await partial.prepare(request)
    await partial.write(payload[: max(1, len(payload) // 2)])
    if request.transport is not None:
        request.transport.close()
    return partial


def build_app(sim: TavusSimulator) -> web.Application:
    """The aiohttp application serving one simulator."""
    api = Api(sim)

    @web.middleware
    async def tavus(request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        if path.startswith("/_sim"):
            if not _is_loopback(request.remote):
                return web.json_response({"error": "control routes are loopback-only"}, status=403)
            return await _run(request, handler)
        if not path.startswith("/v2"):
            return await _run(request, handler)
        key = request.headers.get("x-api-key")
        if key != sim.api_key:
            return web.json_response({"message": "Invalid access token"}, status=401)
        sim.received[_route_label(request)] += 1
        rule = sim.faults.take(request.method, path)
        if rule is not None:
            if rule.latency:
                await asyncio.sleep(rule.latency)
            if rule.drop == "before":
                if request.transport is not None:
                    request.transport.close()
                return web.Response(status=503)
            if rule.status is not None:
                headers = {}
                if rule.retry_after is not None:
                    headers["Retry-After"] = str(rule.retry_after)
                return web.json_response(rule.error_body(), status=rule.status, headers=headers)
        response = await _run(request, handler)
        if rule is not None and rule.drop == "after":
            if request.transport is not None:
                request.transport.close()
            return response
        if rule is not None and rule.drop == "mid":
            return await _serve_dropped(request, response)
        return response

    async def _run(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except ApiError as exc:
            response = web.json_response(exc.body, status=exc.status)
        except web.HTTPException as exc:
            if exc.status == 404:
                response = web.json_response({"error": "Not found"}, status=404)
            elif exc.status == 405:
                response = web.json_response({"error": "Method not allowed"}, status=405)
            else:
                raise
        # Work that fell due (instant mode does all of it at once) runs before the next request.
        await sim.clock.run_due()
        return response

    app = web.Application(middlewares=[tavus])
    for method, path, _op, handler in _routes(api):
        # Both trailing-slash forms: tavus-cli posts to /guardrails/, others to /guardrails.
        app.router.add_route(method, path, handler)
        app.router.add_route(method, path + "/", handler)
    app.router.add_get("/_sim/counts", api.sim_counts)
    app.router.add_get("/_sim/state", api.sim_state)
    app.router.add_get("/_sim/faults", api.sim_faults_list)
    app.router.add_post("/_sim/faults", api.sim_faults_add)
    app.router.add_delete("/_sim/faults", api.sim_faults_clear)
    app.router.add_delete("/_sim/faults/{fault_id}", api.sim_faults_clear)
    app.router.add_post("/_sim/advance", api.sim_advance)
    app.router.add_post("/_sim/fail-next", api.sim_fail_next)
    app.router.add_get("/rooms/{conversation_id}", api.rooms_ws)
    return app
