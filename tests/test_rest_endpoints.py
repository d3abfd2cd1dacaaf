"""Every REST endpoint: the exact request it sends and how the response decodes.

Runs against the simulator on 127.0.0.1 (``tests/_rest_kit.py``): its journal records each
request as received, its faults serve the odd shapes Tavus may answer with.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from _rest_kit import API_KEY, REPLICA, App, Scripted, client_for

from tavus_async.errors import (
    APIResponseValidationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    UnprocessableEntityError,
)
from tavus_async.models import (
    ConversationCreate,
    Document,
    Layers,
    LLMLayer,
    Objective,
    Patch,
    PerceptionLayer,
    PersonaCreate,
    PronunciationRule,
    Tool,
    ToolFunction,
)
from tavus_async.testing import TavusSimulator
from tavus_async.testing._store import public

pytestmark = pytest.mark.anyio


# --- conversations --------------------------------------------------------------------------


async def test_conversation_create_sends_body_and_decodes() -> None:
    async with client_for() as (app, tavus):
        persona = await tavus.personas.create(persona_name="Guide", system_prompt="Hi")
        conv = await tavus.conversations.create(
            persona_id=persona.persona_id,
            replica_id="r90bbd427f71",
            conversation_name="Demo",
            properties={"max_call_duration": 600, "language": "spanish"},
            require_auth=True,
        )
        req = app.last
        assert (req.method, req.path) == ("POST", "/v2/conversations")
        assert req.authorized  # the simulator checked the key; its journal shows "***"
        assert req.headers["x-api-key"] == "***"
        assert req.headers["Content-Type"] == "application/json"
        assert req.body == {
            "persona_id": persona.persona_id,
            "replica_id": "r90bbd427f71",
            "conversation_name": "Demo",
            "require_auth": True,
            "properties": {"max_call_duration": 600, "language": "spanish"},
        }
        assert conv.conversation_id.startswith("c")
        assert conv.status == "active"
        assert conv.conversation_url == f"{app.sim.ws_base_url}/rooms/{conv.conversation_id}"
        assert conv.meeting_token is not None
        assert conv.meeting_token.startswith("eyJ")
        assert conv.created_datetime is not None


async def test_conversation_create_accepts_a_model_instance_and_overrides() -> None:
    async with client_for() as (app, tavus):
        params = ConversationCreate(replica_id=REPLICA, test_mode=True, conversation_name="a")
        conv = await tavus.conversations.create(params, conversation_name="b")
        assert app.last.body == {"replica_id": REPLICA, "test_mode": True, "conversation_name": "b"}
        assert conv.status == "ended"


async def test_conversation_get_list_end_delete() -> None:
    # Without rooms the simulator counts the replica as joined at once (the documented events).
    async with client_for(TavusSimulator(api_key=API_KEY, rooms=False)) as (app, tavus):
        conv = await tavus.conversations.create(replica_id=REPLICA)
        cid = conv.conversation_id

        got = await tavus.conversations.get(cid)
        assert app.last.query == {}
        assert got.events is None

        # What a room would record as people speak.
        app.sim.hooks.on_transcript(cid, "user", "Hi.")
        app.sim.hooks.on_transcript(cid, "assistant", "Hello!")
        await tavus.conversations.end(cid)
        assert (app.last.method, app.last.path, app.last.body) == (
            "POST",
            f"/v2/conversations/{cid}/end",
            None,
        )

        verbose = await tavus.conversations.get(cid, verbose=True)
        assert app.last.query == {"verbose": "true"}
        assert verbose.status == "ended"
        assert verbose.events is not None
        assert next(e.event_type for e in verbose.events) == "system.replica_joined"
        assert verbose.ended_reason == "end_conversation_endpoint_hit"
        assert [(t.role, t.content) for t in verbose.transcript][1:] == [
            ("user", "Hi."),
            ("assistant", "Hello!"),
        ]
        assert "system.shutdown" in [e.event_type for e in verbose.events]

        page = await tavus.conversations.list(status="ended", limit=5)
        assert app.last.query == {"status": "ended", "page": "1", "limit": "5"}
        assert [c.conversation_id for c in page.data] == [cid]
        assert page.total_count == 1

        await tavus.conversations.delete(cid, hard=True)
        assert (app.last.method, app.last.path, app.last.query) == (
            "DELETE",
            f"/v2/conversations/{cid}",
            {"hard": "true"},
        )
        with pytest.raises(NotFoundError, match="Invalid conversation_id"):
            await tavus.conversations.get(cid)


# --- personas -------------------------------------------------------------------------------


async def test_persona_create_with_full_layers_as_structs_and_dicts() -> None:
    async with client_for() as (app, tavus):
        layers = Layers(
            llm=LLMLayer(
                model="tavus-gpt-4o",
                tools=[
                    Tool(
                        function=ToolFunction(
                            name="get_weather",
                            description="Weather for a city",
                            parameters={"type": "object", "properties": {}},
                        )
                    )
                ],
            ),
            perception=PerceptionLayer(
                perception_model="raven-1",
                visual_awareness_queries=["Is the user showing an ID card?"],
                audio_tools=[{"type": "function", "function": {"name": "escalate"}}],  # type: ignore[list-item]
            ),
        )
        persona = await tavus.personas.create(
            persona_name="Guide",
            system_prompt="Be brief.",
            pipeline_mode="full",
            layers=layers,
            extra_body={"layers": {"tts": {"brand_new_knob": 1}}},
        )
        body = app.last.body
        assert body["layers"]["llm"] == {
            "model": "tavus-gpt-4o",
            "tools": [
                {
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "description": "Weather for a city",
                        "parameters": {"type": "object", "properties": {}},
                    },
                }
            ],
        }
        assert body["layers"]["perception"]["audio_tools"] == [
            {"type": "function", "function": {"name": "escalate"}}
        ]
        assert body["layers"]["tts"] == {"brand_new_knob": 1}
        assert persona.persona_name == "Guide"

        # The same persona given as plain dicts (raven-0 vocabulary, conversational flow).
        await tavus.personas.create(
            {
                "persona_name": "Old",
                "pipeline_mode": "echo",
                "layers": {
                    "perception": {
                        "perception_model": "raven-0",
                        "ambient_awareness_queries": ["Is anyone else there?"],
                        "perception_tools": [{"name": "flag", "description": "d"}],
                    },
                    "conversational_flow": {"turn_taking_patience": "high"},
                    "stt": {"stt_engine": "tavus-parakeet", "hotwords": "Tavus"},
                    "tts": {"tts_engine": "cartesia", "external_voice_id": "v1"},
                    "transport": {"transport_type": "livekit"},
                },
            }
        )
        sent = app.last.body["layers"]
        assert sent["perception"]["perception_tools"] == [{"name": "flag", "description": "d"}]
        assert sent["conversational_flow"] == {"turn_taking_patience": "high"}

        got = await tavus.personas.get(persona.persona_id)
        assert got.layers is not None
        assert got.layers.llm is not None
        assert got.layers.llm.tools is not None
        assert got.layers.llm.tools[0].tool_name == "get_weather"


async def test_persona_create_rejects_typos_before_any_request() -> None:
    async with client_for() as (app, tavus):
        with pytest.raises(ValueError, match=r"layers\.llm\.modle.*did you mean 'model'"):
            # mypy rejects both mistakes too; these check the run-time net under it.
            await tavus.personas.create(persona_name="x", layers={"llm": {"modle": "m"}})  # type: ignore[arg-type]
        with pytest.raises(ValueError, match=r"\$\.persona_name"):
            await tavus.personas.create(persona_name=5)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="PersonaCreate"):
            await tavus.personas.create(ConversationCreate())  # type: ignore[arg-type]
        assert app.requests == []


@pytest.mark.parametrize("shape", ["flat", "wrapped"])
async def test_persona_get_flat_or_wrapped(shape: str) -> None:
    async with client_for() as (app, tavus):
        created = await tavus.personas.create(
            PersonaCreate(persona_name="A", context="c", pipeline_mode="echo")
        )
        if shape == "wrapped":  # the docs' {"data": [persona]}, served by a fault
            record = public(app.personas[created.persona_id])
            app.script(
                "GET", f"/v2/personas/{created.persona_id}", Scripted(body={"data": [record]})
            )
        persona = await tavus.personas.get(created.persona_id)
        assert (app.last.method, app.last.path) == ("GET", f"/v2/personas/{created.persona_id}")
        assert persona.persona_id == created.persona_id
        assert persona.context == "c"


async def test_persona_get_empty_wrapper_is_a_validation_error() -> None:
    async with client_for() as (app, tavus):
        app.script("GET", "/v2/personas/p1", Scripted(body={"data": []}))
        with pytest.raises(APIResponseValidationError, match="one persona") as info:
            await tavus.personas.get("p1")
        assert info.value.raw_body == b'{"data": []}'


async def test_persona_patch_list_delete() -> None:
    async with client_for() as (app, tavus):
        p = await tavus.personas.create(persona_name="A", system_prompt="one")
        own = await tavus.personas.list(persona_type="user", limit=3)
        before = [x.persona_id for x in own.data]
        pid = p.persona_id
        result = await tavus.personas.patch(
            pid, Patch().replace("/system_prompt", "two").add("/document_tags", ["faq"])
        )
        assert (app.last.method, app.last.path) == ("PATCH", f"/v2/personas/{pid}")
        assert app.last.body == [
            {"op": "replace", "path": "/system_prompt", "value": "two"},
            {"op": "add", "path": "/document_tags", "value": ["faq"]},
        ]
        assert result.changed
        assert result.status_code == 200
        assert app.personas[pid]["system_prompt"] == "two"

        again = await tavus.personas.patch(
            pid, [{"op": "replace", "path": "/system_prompt", "value": "two"}]
        )
        assert not again.changed
        assert again.status_code == 304

        with pytest.raises(UnprocessableEntityError, match="Invalid JSON patch format"):
            await tavus.personas.patch(pid, [{"op": "replace", "path": "/nope/x", "value": 1}])

        page = await tavus.personas.list(persona_type="user", limit=3)
        assert app.last.query == {"persona_type": "user", "page": "1", "limit": "3"}
        assert [x.persona_id for x in page.data] == before == [pid]

        await tavus.personas.delete(pid)
        assert (app.last.method, app.last.path) == ("DELETE", f"/v2/personas/{pid}")
        assert app.last.query == {}
        assert app.last.body is None
        with pytest.raises(NotFoundError, match="Invalid persona_id"):
            await tavus.personas.get(pid)


# --- replicas -------------------------------------------------------------------------------


def _paused() -> TavusSimulator:
    # Simulated time stands still, so trainings and generations stay at 0 %.
    return TavusSimulator(api_key=API_KEY, time="manual")


async def test_replica_endpoints() -> None:
    async with client_for(_paused()) as (app, tavus):
        rep = await tavus.replicas.create(
            train_video_url="https://s3.example/train.mp4",
            replica_name="Rio",
            model_name="phoenix-4",
            properties={"background_green_screen": True},
        )
        assert app.last.body == {
            "train_video_url": "https://s3.example/train.mp4",
            "replica_name": "Rio",
            "model_name": "phoenix-4",
            "properties": {"background_green_screen": True},
        }
        assert rep.status == "started"
        assert not rep.is_ready
        rid = rep.replica_id

        got = await tavus.replicas.get(rid, verbose=True)
        assert app.last.query == {"verbose": "true"}
        assert got.replica_type == "user"
        assert got.progress == 0.0
        assert got.training_progress == "0/100"
        assert got.created_datetime is not None
        assert got.created_at is not None
        assert got.created_at.endswith("Z")  # replicas use millisecond ISO timestamps
        assert len(got.created_at) == len("2024-01-24T07:14:03.327Z")

        page = await tavus.replicas.list(replica_type="user", replica_ids=[rid, "rzz"], limit=2)
        assert app.last.query == {
            "replica_type": "user",
            "replica_ids": f"{rid},rzz",
            "page": "1",
            "limit": "2",
        }
        assert [r.replica_id for r in page.data] == [rid]

        await tavus.replicas.rename(rid, "Rio 2")
        assert (app.last.method, app.last.path, app.last.body) == (
            "PATCH",
            f"/v2/replicas/{rid}/name",
            {"replica_name": "Rio 2"},
        )
        assert app.replicas[rid]["replica_name"] == "Rio 2"

        await tavus.replicas.delete(rid, hard=True)
        assert (app.last.method, app.last.query) == ("DELETE", {"hard": "true"})
        assert rid not in app.replicas


async def test_replica_create_checks_training_source_before_io() -> None:
    async with client_for() as (app, tavus):
        with pytest.raises(ValueError, match="exactly one of train_video_url"):
            await tavus.replicas.create(replica_name="x")
        with pytest.raises(ValueError, match="exactly one of train_video_url"):
            await tavus.replicas.create(train_video_url="a", train_image_url="b", voice_name="v")
        with pytest.raises(ValueError, match="needs voice_name"):
            await tavus.replicas.create(train_image_url="https://x/img.png")
        assert app.requests == []


# --- objectives and guardrails --------------------------------------------------------------


def _serve_set_as(app: App, shape: str, kind: str, set_id: str) -> None:
    # GET answers `data` as a list (what the simulator serves) or, by a fault, as one object
    # (the shape of the OAS26 schema): the client reads both.
    if shape == "dict":
        record = app.sim.store.table(kind)[set_id]
        body = {**public(record), "data": record["data"][0]}
        app.script("GET", f"/v2/{kind}/{set_id}", Scripted(body=body))


@pytest.mark.parametrize("shape", ["list", "dict"])
async def test_objectives_endpoints(shape: str) -> None:
    async with client_for() as (app, tavus):
        created = await tavus.objectives.create(
            data=[
                Objective(
                    objective_name="get_email",
                    objective_prompt="Ask for their email",
                    output_variables=["email"],
                    next_required_objective="confirm",
                ),
                {"objective_name": "confirm", "objective_prompt": "Confirm it"},
            ],
            name="intake",
        )
        assert app.last.body == {
            "data": [
                {
                    "objective_name": "get_email",
                    "objective_prompt": "Ask for their email",
                    "output_variables": ["email"],
                    "next_required_objective": "confirm",
                },
                {"objective_name": "confirm", "objective_prompt": "Confirm it"},
            ],
            "name": "intake",
        }
        oid = created.objectives_id
        assert oid is not None
        assert oid.startswith("o")
        assert created.status == "active"

        _serve_set_as(app, shape, "objectives", oid)
        got = await tavus.objectives.get(oid)
        assert got.objectives_id == oid
        assert got.objectives[0].objective_name == "get_email"
        assert got.objectives[0].next_required == ["confirm"]

        page = await tavus.objectives.list(limit=10)
        assert app.last.query == {"page": "1", "limit": "10"}
        assert page.data[0].objectives_id == oid
        assert page.data[0].objectives[0].objective_prompt == "Ask for their email"

        result = await tavus.objectives.patch(
            oid, [{"op": "replace", "path": "/data/0/objective_prompt", "value": "Ask nicely"}]
        )
        assert result.changed
        assert result.message == "Objective updated successfully"
        await tavus.objectives.delete(oid)
        assert (app.last.method, app.last.path) == ("DELETE", f"/v2/objectives/{oid}")
        with pytest.raises(NotFoundError, match="Objective not found"):
            await tavus.objectives.get(oid)


async def test_objectives_create_requires_names_before_io() -> None:
    async with client_for() as (app, tavus):
        with pytest.raises(ValueError, match="objective_name"):
            await tavus.objectives.create(data=[{"objective_prompt": "p"}])  # type: ignore[list-item]
        with pytest.raises(ValueError, match="data"):
            await tavus.objectives.create(name="x")
        assert app.requests == []


@pytest.mark.parametrize("shape", ["list", "dict"])
async def test_guardrails_endpoints(shape: str) -> None:
    async with client_for() as (app, tavus):
        created = await tavus.guardrails.create(
            name="safety",
            data=[{"guardrail_name": "no_meds", "guardrail_prompt": "No medical advice"}],
        )
        assert app.last.path == "/v2/guardrails"
        assert app.last.body == {
            "name": "safety",
            "data": [{"guardrail_name": "no_meds", "guardrail_prompt": "No medical advice"}],
        }
        gid = created.guardrails_id
        assert gid is not None
        _serve_set_as(app, shape, "guardrails", gid)
        got = await tavus.guardrails.get(gid)
        assert got.guardrails_id == gid
        assert got.guardrails[0].guardrail_prompt == "No medical advice"
        page = await tavus.guardrails.list()
        assert page.data[0].guardrails_id == gid
        same = await tavus.guardrails.patch(
            gid, [{"op": "replace", "path": "/data/0/guardrail_name", "value": "no_meds"}]
        )
        assert not same.changed
        with pytest.raises(BadRequestError, match="Invalid patch operation"):
            await tavus.guardrails.patch(gid, [{"op": "remove", "path": "/missing"}])
        await tavus.guardrails.delete(gid)
        with pytest.raises(NotFoundError, match="Guardrails not found"):
            await tavus.guardrails.delete(gid)


# --- documents ------------------------------------------------------------------------------


async def test_document_endpoints() -> None:
    async with client_for(_paused()) as (app, tavus):
        doc = await tavus.documents.create(
            document_url="https://example.com/",
            document_name="Site",
            tags=["web"],
            crawl={"depth": 2, "max_pages": 10},
        )
        assert app.last.body == {
            "document_url": "https://example.com/",
            "document_name": "Site",
            "tags": ["web"],
            "crawl": {"depth": 2, "max_pages": 10},
        }
        assert isinstance(doc, Document)
        assert doc.status == "started"
        assert doc.crawl_config is not None
        assert doc.crawl_config.depth == 2
        did = doc.document_id

        got = await tavus.documents.get(did)
        assert got.progress_fraction == 0.0

        page = await tavus.documents.list(
            sort="descending", status="started", name_or_uuid="Site", tags=["web", "faq"], limit=5
        )
        assert app.last.query == {
            "sort": "descending",
            "status": "started",
            "name_or_uuid": "Site",
            "tags": "web,faq",
            "page": "0",
            "limit": "5",
        }
        assert [d.document_id for d in page.data] == [did]

        updated = await tavus.documents.update(did, document_name="Site 2", tags=["kb"])
        assert (app.last.method, app.last.body) == (
            "PATCH",
            {"document_name": "Site 2", "tags": ["kb"]},
        )
        assert updated.document_name == "Site 2"
        assert updated.tags == ["kb"]

        with pytest.raises(ConflictError, match="current status: started"):
            await tavus.documents.recrawl(did)
        await app.sim.advance(3600 * 2)  # processed, and past the recrawl cooldown
        assert app.documents[did]["status"] == "ready"
        again = await tavus.documents.recrawl(did, crawl={"depth": 1})
        assert (app.last.method, app.last.path, app.last.body) == (
            "POST",
            f"/v2/documents/{did}/recrawl",
            {"crawl": {"depth": 1}},
        )
        assert again.status == "recrawling"

        await tavus.documents.delete(did)
        with pytest.raises(NotFoundError, match="Document not found"):
            await tavus.documents.get(did)


async def test_document_update_needs_something() -> None:
    async with client_for() as (app, tavus):
        with pytest.raises(ValueError, match="nothing to update"):
            await tavus.documents.update("d1")
        with pytest.raises(ValueError, match="document_url"):
            await tavus.documents.create(document_name="x")
        assert app.requests == []


# --- videos ---------------------------------------------------------------------------------


async def test_video_endpoints() -> None:
    async with client_for(_paused()) as (app, tavus):
        video = await tavus.videos.create(
            replica_id=REPLICA,
            script="Hello from Tavus",
            video_name="First",
            properties={"background_scroll": False},
        )
        assert app.last.body == {
            "replica_id": REPLICA,
            "script": "Hello from Tavus",
            "video_name": "First",
            "properties": {"background_scroll": False},
        }
        assert video.status == "queued"
        # Create answers an RFC 1123 date; the lenient parser reads it.
        assert video.created_datetime is not None
        vid = video.video_id

        async with tavus.capture_response() as raw:
            got = await tavus.videos.get(vid, verbose=True)
        assert app.last.query == {"verbose": "true"}
        assert "gif_thumbnail_url" in raw.response.json()  # verbose-only fields
        assert got.script == "Hello from Tavus"
        assert got.progress == 0.0
        assert got.created_datetime is not None
        await app.sim.advance(3600)
        ready = await tavus.videos.get(vid, verbose=True)
        assert ready.status == "ready"
        assert ready.gif_thumbnail_url is not None

        page = await tavus.videos.list(limit=3)
        assert app.last.query == {"page": "0", "limit": "3"}
        assert [v.video_id for v in page.data] == [vid]

        await tavus.videos.rename(vid, "Second")
        assert (app.last.path, app.last.body) == (
            f"/v2/videos/{vid}/name",
            {"video_name": "Second"},
        )
        await tavus.videos.delete(vid, hard=False)
        assert app.last.query == {"hard": "false"}
        assert (await tavus.videos.get(vid)).status == "deleted"  # a soft delete keeps it
        await tavus.videos.delete(vid, hard=True)
        assert app.last.query == {"hard": "true"}
        with pytest.raises(NotFoundError, match="Invalid video_id"):
            await tavus.videos.get(vid)


async def test_video_create_needs_exactly_one_source() -> None:
    async with client_for() as (app, tavus):
        with pytest.raises(ValueError, match="exactly one of script"):
            await tavus.videos.create(replica_id="r1")
        with pytest.raises(ValueError, match="exactly one of script"):
            await tavus.videos.create(replica_id="r1", script="a", audio_url="b")
        with pytest.raises(ValueError, match="replica_id"):
            await tavus.videos.create(script="a")
        assert app.requests == []


# --- voices ---------------------------------------------------------------------------------


async def test_voice_list() -> None:
    async with client_for() as (app, tavus):
        page = await tavus.voices.list(sort="desc", tag="female", limit=10)
        assert (app.last.path, app.last.query) == (
            "/v2/voices",
            {"sort": "desc", "tag": "female", "page": "1", "limit": "10"},
        )
        stock = app.sim.store.voices
        female = [v["voice_name"] for v in stock if {"tag_name": "female"} in v["tags"]]
        assert [v.voice_name for v in page.data] == sorted(female, reverse=True)
        assert "female" in page.data[0].tag_names
        names = [v.voice_name async for v in tavus.voices.list(search="a", limit=1)]
        assert names == sorted(v["voice_name"] for v in stock if "a" in v["voice_name"])
        assert len(app.calls("GET", "/v2/voices")) == 1 + len(names)
        with pytest.raises(ValueError, match="between 1 and 100"):
            tavus.voices.list(limit=101)


# --- pronunciation dictionaries -------------------------------------------------------------


async def test_pronunciation_dictionary_endpoints() -> None:
    async with client_for() as (app, tavus):
        created = await tavus.pronunciation_dictionaries.create(
            name="Brand",
            rules=[
                PronunciationRule(text="Tavus", pronunciation="TAH-vus", type="alias"),
                {
                    "text": "GIF",
                    "pronunciation": "d\u0292\u026af",
                    "type": "ipa",
                    "case_sensitive": True,
                },
            ],
        )
        assert app.last.path == "/v2/pronunciation-dictionaries"
        assert app.last.body["rules"][1] == {
            "text": "GIF",
            "pronunciation": "d\u0292\u026af",
            "type": "ipa",
            "case_sensitive": True,
        }
        assert created.rules_count == 2
        did = created.pronunciation_dictionary_id
        assert did.startswith("pd_")

        got = await tavus.pronunciation_dictionaries.get(did)
        assert got.rules is not None
        assert got.rules[0].pronunciation == "TAH-vus"

        page = await tavus.pronunciation_dictionaries.list(sort="asc", limit=5)
        assert app.last.query == {"sort": "asc", "page": "0", "limit": "5"}
        assert page.data[0].rules is None
        assert page.data[0].rules_count == 2

        result = await tavus.pronunciation_dictionaries.patch(did, Patch().replace("/name", "B2"))
        assert result.changed
        assert result.resource is not None
        assert result.resource.name == "B2"
        unchanged = await tavus.pronunciation_dictionaries.patch(
            did, Patch().replace("/name", "B2")
        )
        assert not unchanged.changed
        assert unchanged.resource is None

        await tavus.pronunciation_dictionaries.delete(did)
        with pytest.raises(NotFoundError, match="Pronunciation dictionary not found"):
            await tavus.pronunciation_dictionaries.get(did)


async def test_pronunciation_rule_fields_are_required_before_io() -> None:
    async with client_for() as (app, tavus):
        with pytest.raises(ValueError, match=r"type"):
            await tavus.pronunciation_dictionaries.create(
                name="x",
                rules=[{"text": "a", "pronunciation": "b"}],  # type: ignore[list-item]
            )
        assert app.requests == []


# --- path ids -------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["", "   ", "a/b", None, 5])
async def test_every_path_id_is_checked_before_io(bad: object) -> None:
    async with client_for() as (app, tavus):
        bid: Any = bad
        calls: list[Callable[[], Awaitable[object]]] = [
            lambda: tavus.conversations.get(bid),
            lambda: tavus.conversations.end(bid),
            lambda: tavus.conversations.delete(bid),
            lambda: tavus.personas.get(bid),
            lambda: tavus.personas.patch(bid, Patch().remove("/x")),
            lambda: tavus.personas.delete(bid),
            lambda: tavus.replicas.get(bid),
            lambda: tavus.replicas.delete(bid),
            lambda: tavus.replicas.rename(bid, "n"),
            lambda: tavus.objectives.get(bid),
            lambda: tavus.objectives.patch(bid, Patch().remove("/x")),
            lambda: tavus.objectives.delete(bid),
            lambda: tavus.guardrails.get(bid),
            lambda: tavus.guardrails.patch(bid, Patch().remove("/x")),
            lambda: tavus.guardrails.delete(bid),
            lambda: tavus.documents.get(bid),
            lambda: tavus.documents.update(bid, tags=["a"]),
            lambda: tavus.documents.delete(bid),
            lambda: tavus.documents.recrawl(bid),
            lambda: tavus.videos.get(bid),
            lambda: tavus.videos.delete(bid),
            lambda: tavus.videos.rename(bid, "n"),
            lambda: tavus.pronunciation_dictionaries.get(bid),
            lambda: tavus.pronunciation_dictionaries.patch(bid, Patch().remove("/x")),
            lambda: tavus.pronunciation_dictionaries.delete(bid),
        ]
        for call in calls:
            with pytest.raises(ValueError, match="must be"):
                await call()
        assert app.requests == []
