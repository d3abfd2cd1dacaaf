"""A small aiohttp app that answers like the Tavus REST docs describe, for the REST client tests.

It records every request (method, path, query, JSON body, headers) so tests can assert the exact
request shape, and takes scripted responses (``app.script(...)``) for error, retry and timeout
cases. The shapes follow ``rest-api-notes.md``: unknown ids answer 400 "Invalid <x>_id" for
conversations, personas, replicas and videos and 404 for the others; documents, videos and
pronunciation dictionaries page from 0, the rest from 1; PATCH that changes nothing answers 304.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any

import jsonpatch
from aiohttp import web
from aiohttp.test_utils import TestServer

from tavus_async import AsyncTavus

API_KEY = "tk_test_0123456789abcdef"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJyb29tIjoiYzEyMyJ9.c2lnbmF0dXJlc2lnbmF0dXJl"

Handler = Callable[[web.Request], Any]
BODY = web.RequestKey("body", object)


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class Scripted:
    """A canned answer for the next matching request.

    Attributes:
        status: The HTTP status.
        body: A JSON body (dict/list), or None.
        raw: A raw body, sent as-is (wins over ``body``).
        headers: Extra response headers.
        delay: Seconds to wait before answering (to provoke client timeouts).
        drop: Close the connection without answering.
    """

    status: int = 200
    body: Any = None
    raw: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False


def _body(request: web.Request) -> Any:
    return request[BODY]


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class RestApp:
    """The Tavus REST API, in memory.

    Args:
        api_key: The only key accepted.
        persona_shape: ``flat`` or ``wrapped`` (``{"data": [persona]}``) for GET persona.
        set_shape: ``list`` or ``dict`` for ``data`` in GET objectives/guardrails.
        concurrency_limit: Active conversations allowed before a 400 concurrency error.
    """

    def __init__(
        self,
        api_key: str = API_KEY,
        *,
        persona_shape: str = "flat",
        set_shape: str = "list",
        concurrency_limit: int | None = None,
    ) -> None:
        self.api_key = api_key
        self.persona_shape = persona_shape
        self.set_shape = set_shape
        self.concurrency_limit = concurrency_limit
        self.requests: list[Recorded] = []
        self._scripts: list[tuple[str, str, Scripted]] = []
        self._ids = itertools.count(1)
        self.conversations: dict[str, dict[str, Any]] = {}
        self.personas: dict[str, dict[str, Any]] = {}
        self.replicas: dict[str, dict[str, Any]] = {}
        self.objectives: dict[str, dict[str, Any]] = {}
        self.guardrails: dict[str, dict[str, Any]] = {}
        self.documents: dict[str, dict[str, Any]] = {}
        self.videos: dict[str, dict[str, Any]] = {}
        self.dictionaries: dict[str, dict[str, Any]] = {}
        self.voices: list[dict[str, Any]] = [
            {
                "voice_name": name,
                "replica_id": f"rv{i:03d}",
                "audio_url": None,
                "tags": [{"tag_name": "female" if i % 2 else "male"}],
            }
            for i, name in enumerate(["anna", "ben", "carla", "dmitri", "eve"])
        ]
        self.app = web.Application(middlewares=[self._middleware])
        self._routes()

    # --- scripting --------------------------------------------------------------------------

    def script(self, method: str, path: str, *answers: Scripted) -> None:
        """Answer the next requests to ``method path`` with ``answers``, in order."""
        for answer in answers:
            self._scripts.append((method.upper(), path, answer))

    def calls(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        """The recorded requests, filtered by method and/or exact path."""
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and (path is None or r.path == path)
        ]

    @property
    def last(self) -> Recorded:
        """The last request received."""
        return self.requests[-1]

    def _take_script(self, method: str, path: str) -> Scripted | None:
        for i, (m, p, answer) in enumerate(self._scripts):
            if m == method and p == path:
                del self._scripts[i]
                return answer
        return None

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        self.requests.append(
            Recorded(
                request.method,
                request.path,
                dict(request.query),
                body,
                dict(request.headers),
            )
        )
        answer = self._take_script(request.method, request.path)
        if answer is not None:
            if answer.delay:
                await asyncio.sleep(answer.delay)
            if answer.drop:
                assert request.transport is not None
                request.transport.close()
                return web.Response()
            if answer.raw is not None:
                return web.Response(
                    status=answer.status,
                    body=answer.raw,
                    headers=answer.headers,
                    content_type="application/json",
                )
            if answer.body is None:
                return web.Response(status=answer.status, headers=answer.headers)
            return web.json_response(answer.body, status=answer.status, headers=answer.headers)
        if request.headers.get("x-api-key") != self.api_key:
            return web.json_response({"message": "Invalid access token"}, status=401)
        request[BODY] = body
        result: web.StreamResponse = await handler(request)
        return result

    # --- helpers ----------------------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06x}"

    @staticmethod
    def _page(
        request: web.Request, items: list[Any], base: int, *, echo: bool = False
    ) -> web.Response:
        page = int(request.query.get("page", base))
        limit = int(request.query.get("limit", 10))
        start = max(0, (page - base) * limit)
        out: dict[str, Any] = {"data": items[start : start + limit], "total_count": len(items)}
        if echo:
            out["page"] = page
            out["limit"] = limit
        return web.json_response(out)

    @staticmethod
    def _invalid(kind: str) -> web.Response:
        return web.json_response({"error": f"Invalid {kind}_id"}, status=400)

    @staticmethod
    def _json_patch(doc: dict[str, Any], ops: Any, fail_status: int, fail_body: Any) -> Any:
        """Apply ops; return the new doc, a 304 response, or an error response."""
        if not isinstance(ops, list):
            return web.json_response(fail_body, status=fail_status)
        try:
            new = jsonpatch.apply_patch(doc, ops)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException):
            return web.json_response(fail_body, status=fail_status)
        if new == doc:
            return web.Response(status=304)
        return new

    def _routes(self) -> None:
        r = self.app.router
        r.add_post("/v2/conversations", self.conv_create)
        r.add_get("/v2/conversations", self.conv_list)
        r.add_get("/v2/conversations/{id}", self.conv_get)
        r.add_post("/v2/conversations/{id}/end", self.conv_end)
        r.add_delete("/v2/conversations/{id}", self.conv_delete)
        r.add_post("/v2/personas", self.persona_create)
        r.add_get("/v2/personas", self.persona_list)
        r.add_get("/v2/personas/{id}", self.persona_get)
        r.add_patch("/v2/personas/{id}", self.persona_patch)
        r.add_delete("/v2/personas/{id}", self.persona_delete)
        r.add_post("/v2/replicas", self.replica_create)
        r.add_get("/v2/replicas", self.replica_list)
        r.add_get("/v2/replicas/{id}", self.replica_get)
        r.add_delete("/v2/replicas/{id}", self.replica_delete)
        r.add_patch("/v2/replicas/{id}/name", self.replica_rename)
        for kind in ("objectives", "guardrails"):
            r.add_post(f"/v2/{kind}", self._set_create(kind))
            r.add_get(f"/v2/{kind}", self._set_list(kind))
            r.add_get(f"/v2/{kind}/{{id}}", self._set_get(kind))
            r.add_patch(f"/v2/{kind}/{{id}}", self._set_patch(kind))
            r.add_delete(f"/v2/{kind}/{{id}}", self._set_delete(kind))
        r.add_post("/v2/documents", self.doc_create)
        r.add_get("/v2/documents", self.doc_list)
        r.add_get("/v2/documents/{id}", self.doc_get)
        r.add_patch("/v2/documents/{id}", self.doc_update)
        r.add_delete("/v2/documents/{id}", self.doc_delete)
        r.add_post("/v2/documents/{id}/recrawl", self.doc_recrawl)
        r.add_post("/v2/videos", self.video_create)
        r.add_get("/v2/videos", self.video_list)
        r.add_get("/v2/videos/{id}", self.video_get)
        r.add_delete("/v2/videos/{id}", self.video_delete)
        r.add_patch("/v2/videos/{id}/name", self.video_rename)
        r.add_get("/v2/voices", self.voice_list)
        r.add_post("/v2/pronunciation-dictionaries", self.pd_create)
        r.add_get("/v2/pronunciation-dictionaries", self.pd_list)
        r.add_get("/v2/pronunciation-dictionaries/{id}", self.pd_get)
        r.add_patch("/v2/pronunciation-dictionaries/{id}", self.pd_patch)
        r.add_delete("/v2/pronunciation-dictionaries/{id}", self.pd_delete)

    # --- conversations ----------------------------------------------------------------------

    async def conv_create(self, request: web.Request) -> web.Response:
        body = _body(request) or {}
        active = [c for c in self.conversations.values() if c["status"] == "active"]
        if (
            self.concurrency_limit is not None
            and not body.get("test_mode")
            and len(active) >= self.concurrency_limit
        ):
            return web.json_response(
                {"message": "User has reached maximum concurrent conversations"}, status=400
            )
        if body.get("persona_id") and body["persona_id"] not in self.personas:
            return self._invalid("persona")
        cid = self._new_id("c")
        conv = {
            "conversation_id": cid,
            "conversation_name": body.get("conversation_name", f"Conversation {cid}"),
            "status": "ended" if body.get("test_mode") else "active",
            "conversation_url": f"https://tavus.daily.co/{cid}",
            "callback_url": body.get("callback_url"),
            "replica_id": body.get("replica_id"),
            "persona_id": body.get("persona_id"),
            "created_at": _now(),
            "updated_at": _now(),
            "_events": [{"event_type": "system.replica_joined", "timestamp": _now()}],
        }
        self.conversations[cid] = conv
        out = {k: v for k, v in conv.items() if not k.startswith("_") and k != "updated_at"}
        if body.get("require_auth"):
            out["meeting_token"] = JWT
        return web.json_response(out)

    @staticmethod
    def _public(doc: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in doc.items() if not k.startswith("_")}

    async def conv_list(self, request: web.Request) -> web.Response:
        status = request.query.get("status")
        items = [
            self._public(c)
            for c in self.conversations.values()
            if status is None or c["status"] == status
        ]
        return self._page(request, items, 1)

    async def conv_get(self, request: web.Request) -> web.Response:
        conv = self.conversations.get(request.match_info["id"])
        if conv is None:
            return self._invalid("conversation")
        out = self._public(conv)
        if request.query.get("verbose") == "true":
            out["events"] = conv["_events"]
        return web.json_response(out)

    async def conv_end(self, request: web.Request) -> web.Response:
        conv = self.conversations.get(request.match_info["id"])
        if conv is None:
            return self._invalid("conversation")
        if conv["status"] != "ended":
            conv["status"] = "ended"
            conv["_events"] += [
                {
                    "event_type": "system.shutdown",
                    "timestamp": _now(),
                    "properties": {"shutdown_reason": "end_conversation_endpoint_hit"},
                },
                {
                    "event_type": "application.transcription_ready",
                    "timestamp": _now(),
                    "properties": {
                        "transcript": [
                            {"role": "system", "content": "You are a guide."},
                            {"role": "user", "content": "Hi.", "timestamp": 1779475684.88},
                            {"role": "assistant", "content": "Hello!", "duration": 1.5},
                        ]
                    },
                },
            ]
        return web.Response(text="OK")

    async def conv_delete(self, request: web.Request) -> web.Response:
        if self.conversations.pop(request.match_info["id"], None) is None:
            return self._invalid("conversation")
        return web.Response(status=204)

    # --- personas ---------------------------------------------------------------------------

    async def persona_create(self, request: web.Request) -> web.Response:
        body = dict(_body(request) or {})
        pid = self._new_id("p")
        doc = {"persona_id": pid, **body, "created_at": _now(), "updated_at": _now()}
        doc.setdefault("persona_type", "user")
        self.personas[pid] = doc
        return web.json_response(
            {"persona_id": pid, "persona_name": body.get("persona_name"), "created_at": _now()}
        )

    async def persona_list(self, request: web.Request) -> web.Response:
        kind = request.query.get("persona_type")
        items = [p for p in self.personas.values() if kind is None or p["persona_type"] == kind]
        return self._page(request, items, 1)

    async def persona_get(self, request: web.Request) -> web.Response:
        doc = self.personas.get(request.match_info["id"])
        if doc is None:
            return self._invalid("persona")
        if self.persona_shape == "wrapped":
            return web.json_response({"data": [doc]})
        return web.json_response(doc)

    async def persona_patch(self, request: web.Request) -> web.Response:
        pid = request.match_info["id"]
        doc = self.personas.get(pid)
        if doc is None:
            return self._invalid("persona")
        new = self._json_patch(doc, _body(request), 422, {"message": "Invalid JSON patch format"})
        if isinstance(new, web.Response):
            return new
        self.personas[pid] = new
        return web.Response(text="OK")

    async def persona_delete(self, request: web.Request) -> web.Response:
        if self.personas.pop(request.match_info["id"], None) is None:
            return self._invalid("persona")
        return web.Response(status=204)

    # --- replicas ---------------------------------------------------------------------------

    async def replica_create(self, request: web.Request) -> web.Response:
        body = _body(request) or {}
        if not body.get("train_video_url") and not body.get("train_image_url"):
            return web.json_response(
                {"error": "Either train_video_url or train_image_url must be provided."},
                status=400,
            )
        rid = self._new_id("r")
        self.replicas[rid] = {
            "replica_id": rid,
            "replica_name": body.get("replica_name"),
            "status": "started",
            "training_progress": "0/100",
            "error_message": None,
            "model_name": body.get("model_name", "phoenix-4"),
            "created_at": "2024-01-24T07:14:03.327Z",
            "updated_at": "2024-01-24T07:14:03.327Z",
            "_type": "user",
        }
        return web.json_response({"replica_id": rid, "status": "started"})

    def _replica_out(self, doc: dict[str, Any], verbose: bool) -> dict[str, Any]:
        out = self._public(doc)
        if verbose:
            out["replica_type"] = doc["_type"]
        return out

    async def replica_list(self, request: web.Request) -> web.Response:
        q = request.query
        ids = set(q["replica_ids"].split(",")) if "replica_ids" in q else None
        items = [
            self._replica_out(d, q.get("verbose") == "true")
            for d in self.replicas.values()
            if ("replica_type" not in q or d["_type"] == q["replica_type"])
            and (ids is None or d["replica_id"] in ids)
            and ("model_name" not in q or d["model_name"] == q["model_name"])
        ]
        return self._page(request, items, 1)

    async def replica_get(self, request: web.Request) -> web.Response:
        doc = self.replicas.get(request.match_info["id"])
        if doc is None:
            return self._invalid("replica")
        return web.json_response(self._replica_out(doc, request.query.get("verbose") == "true"))

    async def replica_delete(self, request: web.Request) -> web.Response:
        if self.replicas.pop(request.match_info["id"], None) is None:
            return self._invalid("replica")
        return web.Response(status=200)

    async def replica_rename(self, request: web.Request) -> web.Response:
        doc = self.replicas.get(request.match_info["id"])
        if doc is None:
            return self._invalid("replica")
        doc["replica_name"] = (_body(request) or {})["replica_name"]
        return web.Response(text="OK")

    # --- objectives and guardrails ----------------------------------------------------------

    def _sets(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.objectives if kind == "objectives" else self.guardrails

    def _set_create(self, kind: str) -> Handler:
        item = "objective" if kind == "objectives" else "guardrail"

        async def handler(request: web.Request) -> web.Response:
            body = _body(request) or {}
            data = body.get("data")
            if not isinstance(data, list) or not data:
                return web.json_response({"message": "data is required"}, status=400)
            for entry in data:
                if not entry.get(f"{item}_name"):
                    return web.json_response({"message": f"{item}_name is required"}, status=400)
            sid = self._new_id("o" if kind == "objectives" else "g")
            self._sets(kind)[sid] = {
                "data": data,
                "name": body.get("name"),
                "created_at": _now(),
                "updated_at": _now(),
            }
            name_key = "objective_name" if kind == "objectives" else "guardrails_name"
            return web.json_response(
                {
                    f"{kind}_id": sid,
                    name_key: body.get("name") or data[0][f"{item}_name"],
                    "status": "active",
                    "created_at": _now(),
                }
            )

        return handler

    def _set_list(self, kind: str) -> Handler:
        async def handler(request: web.Request) -> web.Response:
            # The docs show list items as one flat objective plus the set id.
            items = [
                {f"{kind}_id": sid, **doc["data"][0], "created_at": doc["created_at"]}
                for sid, doc in self._sets(kind).items()
            ]
            return self._page(request, items, 1)

        return handler

    def _set_missing(self, kind: str) -> web.Response:
        text = "Objective not found" if kind == "objectives" else "Guardrails not found"
        return web.json_response({"error": text}, status=404)

    def _set_get(self, kind: str) -> Handler:
        async def handler(request: web.Request) -> web.Response:
            doc = self._sets(kind).get(request.match_info["id"])
            if doc is None:
                return self._set_missing(kind)
            if self.set_shape == "dict":
                first = {**doc["data"][0], "created_at": doc["created_at"]}
                return web.json_response({"data": first})
            return web.json_response({f"{kind}_id": request.match_info["id"], **doc})

        return handler

    def _set_patch(self, kind: str) -> Handler:
        async def handler(request: web.Request) -> web.Response:
            sid = request.match_info["id"]
            doc = self._sets(kind).get(sid)
            if doc is None:
                return self._set_missing(kind)
            new = self._json_patch(
                copy.deepcopy(doc), _body(request), 400, {"error": "Invalid patch operation"}
            )
            if isinstance(new, web.Response):
                return new
            self._sets(kind)[sid] = new
            label = "Objective" if kind == "objectives" else "Guardrails"
            return web.json_response({"message": f"{label} updated successfully"})

        return handler

    def _set_delete(self, kind: str) -> Handler:
        async def handler(request: web.Request) -> web.Response:
            if self._sets(kind).pop(request.match_info["id"], None) is None:
                return self._set_missing(kind)
            return web.Response(status=204)

        return handler

    # --- documents --------------------------------------------------------------------------

    async def doc_create(self, request: web.Request) -> web.Response:
        body = _body(request) or {}
        if not body.get("document_url"):
            return web.json_response({"error": "document_url is required"}, status=400)
        did = f"d{next(self._ids)}-5c71baca86fc"
        doc = {
            "document_id": did,
            "document_name": body.get("document_name", "Untitled"),
            "document_url": body["document_url"],
            "status": "started",
            "progress": 0,
            "error_message": None,
            "callback_url": body.get("callback_url"),
            "tags": body.get("tags", []),
            "crawl_config": body.get("crawl"),
            "crawled_urls": None,
            "last_crawled_at": None,
            "crawl_count": 0 if body.get("crawl") else None,
            "created_at": _now(),
            "updated_at": _now(),
        }
        self.documents[did] = doc
        return web.json_response(doc)

    async def doc_list(self, request: web.Request) -> web.Response:
        q = request.query
        tags = set(q["tags"].split(",")) if "tags" in q else None
        items = [
            d
            for d in self.documents.values()
            if ("status" not in q or d["status"] == q["status"])
            and (tags is None or tags & set(d["tags"]))
            and (
                "name_or_uuid" not in q
                or q["name_or_uuid"] in d["document_name"]
                or q["name_or_uuid"] == d["document_id"]
            )
        ]
        if q.get("sort") == "descending":
            items.reverse()
        return self._page(request, items, 0, echo=True)

    def _doc_missing(self) -> web.Response:
        return web.json_response({"message": "Document not found"}, status=404)

    async def doc_get(self, request: web.Request) -> web.Response:
        doc = self.documents.get(request.match_info["id"])
        return self._doc_missing() if doc is None else web.json_response(doc)

    async def doc_update(self, request: web.Request) -> web.Response:
        doc = self.documents.get(request.match_info["id"])
        if doc is None:
            return self._doc_missing()
        body = _body(request) or {}
        for key in ("document_name", "tags"):
            if key in body:
                doc[key] = body[key]
        return web.json_response(doc)

    async def doc_delete(self, request: web.Request) -> web.Response:
        if self.documents.pop(request.match_info["id"], None) is None:
            return self._doc_missing()
        return web.Response(status=204)

    async def doc_recrawl(self, request: web.Request) -> web.Response:
        doc = self.documents.get(request.match_info["id"])
        if doc is None:
            return self._doc_missing()
        if not doc["crawl_config"]:
            return web.json_response(
                {"error": "Document was not created with crawl configuration"}, status=400
            )
        if doc["status"] not in ("ready", "error"):
            return web.json_response(
                {"error": f"Document cannot be recrawled, current status: {doc['status']}"},
                status=409,
            )
        doc["status"] = "recrawling"
        return web.json_response(doc, status=202)

    # --- videos -----------------------------------------------------------------------------

    async def video_create(self, request: web.Request) -> web.Response:
        body = _body(request) or {}
        if body.get("replica_id") not in self.replicas:
            return self._invalid("replica")
        vid = f"{next(self._ids):010x}"
        created = format_datetime(datetime.now(timezone.utc), usegmt=True)
        self.videos[vid] = {
            "video_id": vid,
            "video_name": body.get("video_name"),
            "status": "queued",
            "data": {"script": body.get("script")},
            "replica_id": body["replica_id"],
            "generation_progress": "0/100",
            "hosted_url": f"https://tavus.video/{vid}",
            "download_url": None,
            "stream_url": None,
            "status_details": "This request is currently queued",
            "created_at": "2024-08-28 15:27:40.824457",
            "updated_at": "2024-08-28 15:27:40.824457",
        }
        return web.json_response(
            {
                "video_id": vid,
                "video_name": body.get("video_name"),
                "status": "queued",
                "hosted_url": f"https://tavus.video/{vid}",
                "created_at": created,
            }
        )

    async def video_list(self, request: web.Request) -> web.Response:
        return self._page(request, list(self.videos.values()), 0)

    async def video_get(self, request: web.Request) -> web.Response:
        doc = self.videos.get(request.match_info["id"])
        if doc is None:
            return self._invalid("video")
        out = dict(doc)
        if request.query.get("verbose") == "true":
            out["still_image_thumbnail_url"] = f"https://cdn.example/{doc['video_id']}.png"
            out["gif_thumbnail_url"] = f"https://cdn.example/{doc['video_id']}.gif"
        return web.json_response(out)

    async def video_delete(self, request: web.Request) -> web.Response:
        if self.videos.pop(request.match_info["id"], None) is None:
            return self._invalid("video")
        return web.Response(status=200)

    async def video_rename(self, request: web.Request) -> web.Response:
        doc = self.videos.get(request.match_info["id"])
        if doc is None:
            return self._invalid("video")
        doc["video_name"] = (_body(request) or {})["video_name"]
        return web.Response(text="OK")

    # --- voices -----------------------------------------------------------------------------

    async def voice_list(self, request: web.Request) -> web.Response:
        q = request.query
        items = [
            v
            for v in self.voices
            if ("search" not in q or q["search"].lower() in v["voice_name"])
            and ("tag" not in q or any(t["tag_name"] == q["tag"] for t in v["tags"]))
        ]
        items.sort(key=lambda v: v["voice_name"], reverse=q.get("sort") == "desc")
        return self._page(request, items, 1, echo=True)

    # --- pronunciation dictionaries ---------------------------------------------------------

    def _pd_missing(self) -> web.Response:
        return web.json_response({"message": "Pronunciation dictionary not found"}, status=404)

    async def pd_create(self, request: web.Request) -> web.Response:
        body = _body(request) or {}
        if not body.get("name"):
            return web.json_response({"error": "name is required"}, status=400)
        rules = body.get("rules", [])
        texts = [r["text"] for r in rules]
        if len(texts) != len(set(texts)):
            return web.json_response({"error": "Duplicate rule text"}, status=400)
        did = self._new_id("pd_")
        doc = {
            "pronunciation_dictionary_id": did,
            "name": body["name"],
            "rules": rules,
            "rules_count": len(rules),
            "created_at": _now(),
            "updated_at": _now(),
        }
        self.dictionaries[did] = doc
        return web.json_response(doc, status=201)

    async def pd_list(self, request: web.Request) -> web.Response:
        items = [{k: v for k, v in d.items() if k != "rules"} for d in self.dictionaries.values()]
        if request.query.get("sort", "desc") == "desc":
            items.reverse()
        return self._page(request, items, 0, echo=True)

    async def pd_get(self, request: web.Request) -> web.Response:
        doc = self.dictionaries.get(request.match_info["id"])
        return self._pd_missing() if doc is None else web.json_response(doc)

    async def pd_patch(self, request: web.Request) -> web.Response:
        did = request.match_info["id"]
        doc = self.dictionaries.get(did)
        if doc is None:
            return self._pd_missing()
        editable = {"name": doc["name"], "rules": doc["rules"]}
        new = self._json_patch(
            editable, _body(request), 422, {"message": "Invalid JSON patch format"}
        )
        if isinstance(new, web.Response):
            return new
        doc.update(new, rules_count=len(new["rules"]), updated_at=_now())
        return web.json_response(doc)

    async def pd_delete(self, request: web.Request) -> web.Response:
        if self.dictionaries.pop(request.match_info["id"], None) is None:
            return self._pd_missing()
        return web.Response(status=204)


@asynccontextmanager
async def serve(rest: RestApp | None = None) -> AsyncIterator[tuple[RestApp, str]]:
    """Serve ``rest`` on 127.0.0.1 (a free port) and yield it with its base URL."""
    rest = rest or RestApp()
    server = TestServer(rest.app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        yield rest, str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


@asynccontextmanager
async def client_for(
    rest: RestApp | None = None, **options: Any
) -> AsyncIterator[tuple[RestApp, AsyncTavus]]:
    """Serve ``rest`` and yield it with an ``AsyncTavus`` pointed at it (small retry delays)."""
    options.setdefault("retry_initial_delay", 0.01)
    options.setdefault("retry_max_delay", 0.05)
    options.setdefault("api_key", API_KEY)
    async with serve(rest) as (app, base_url), AsyncTavus(base_url=base_url, **options) as tavus:
        yield app, tavus
