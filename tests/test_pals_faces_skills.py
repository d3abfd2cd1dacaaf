"""The 2026 vocabulary: PALs, faces, skills and PAL skills, client against the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tavus_async import AsyncTavus
from tavus_async.errors import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    UnprocessableEntityError,
)
from tavus_async.models import FaceCreate, PalCreate, Patch
from tavus_async.testing import TavusSimulator

pytestmark = pytest.mark.anyio

FACE = "r90bbd427f71"  # a stock face (docs.tavus.io's own example)


@pytest.fixture
async def sim() -> AsyncIterator[TavusSimulator]:
    async with TavusSimulator(rooms=False) as simulator:
        yield simulator


@pytest.fixture
async def tavus(sim: TavusSimulator) -> AsyncIterator[AsyncTavus]:
    async with sim.client(retry_initial_delay=0.01) as client:
        yield client


async def test_pal_create_get_list_patch_delete_in_pal_vocabulary(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    pal = await tavus.pals.create(
        pal_name="Guide",
        system_prompt="Be brief.",
        default_face_id=FACE,
        greeting="Hello there!",
        memories=["likes trains"],
        guardrail_ids=["g1234567890ab"],
        guardrail_tags=["safety"],
        tool_ids=["tabc123def456"],
        is_template=True,
        layers={"conversational_flow": {"pal_interruptibility": "low"}},
    )
    sent = sim.requests.last
    assert (sent.method, sent.path) == ("POST", "/v2/pals")
    assert sent.body["default_face_id"] == FACE
    assert pal.pal_id.startswith("p")
    assert pal.pal_name == "Guide"

    got = await tavus.pals.get(pal.pal_id)
    assert (got.default_face_id, got.greeting, got.memories) == (
        FACE,
        "Hello there!",
        ["likes trains"],
    )
    assert (got.guardrail_ids, got.guardrail_tags) == (["g1234567890ab"], ["safety"])
    assert (got.tool_ids, got.is_template, got.pal_type) == (["tabc123def456"], True, "user")
    assert got.layers is not None
    assert got.layers.conversational_flow is not None
    assert got.layers.conversational_flow.pal_interruptibility == "low"
    # One record, two names: the same id is a persona with the old vocabulary.
    persona = await tavus.personas.get(pal.pal_id)
    assert (persona.persona_name, persona.default_replica_id) == ("Guide", FACE)

    mine = await tavus.pals.list(pal_type="user", limit=5)
    assert [p.pal_id for p in mine.data] == [pal.pal_id]
    assert sim.requests.last.query == {"pal_type": "user", "page": "1", "limit": "5"}

    result = await tavus.pals.patch(
        pal.pal_id,
        Patch().replace("/pal_name", "Tour guide").replace("/default_face_id", "rfe12d8b9597"),
    )
    assert result.changed
    assert sim.store.personas[pal.pal_id]["persona_name"] == "Tour guide"
    assert sim.store.personas[pal.pal_id]["default_replica_id"] == "rfe12d8b9597"
    same = await tavus.pals.patch(
        pal.pal_id, [{"op": "replace", "path": "/pal_name", "value": "Tour guide"}]
    )
    assert not same.changed
    with pytest.raises(UnprocessableEntityError):
        await tavus.pals.patch(pal.pal_id, [{"op": "replace", "path": "/nope/x", "value": 1}])

    await tavus.pals.delete(pal.pal_id)
    with pytest.raises(NotFoundError, match="Invalid pal_id"):
        await tavus.pals.get(pal.pal_id)
    assert sim.counts["pals.create"] == 1
    assert sim.counts["pals.patch"] == 1  # the 304 is not an execution
    assert sim.counts["pals.delete"] == 1


async def test_pal_create_is_checked_before_io(sim: TavusSimulator, tavus: AsyncTavus) -> None:
    with pytest.raises(ValueError, match="default_face_id"):
        await tavus.pals.create(pal_name="x", system_prompt="y")
    with pytest.raises(ValueError, match="system_prompt is required"):
        await tavus.pals.create(default_face_id=FACE)
    with pytest.raises(ValueError, match="at most 50"):
        PalCreate(default_face_id=FACE, pipeline_mode="echo", tool_ids=[f"t{i}" for i in range(51)])
    assert len(sim.requests) == 0
    # The server's own checks: /v2/pals requires the face, /v2/personas does not.
    async with aiohttp.ClientSession() as http:
        headers = {"x-api-key": sim.api_key}
        body = {"pal_name": "x", "pipeline_mode": "echo"}
        async with http.post(f"{sim.base_url}/v2/pals", json=body, headers=headers) as resp:
            assert resp.status == 400
            assert (await resp.json())["error"] == "default_face_id is required"
        async with http.post(f"{sim.base_url}/v2/personas", json=body, headers=headers) as resp:
            assert resp.status == 200


async def test_every_pipeline_mode_and_the_stock_pals(tavus: AsyncTavus) -> None:
    for mode in ("full", "echo", "speech-to-speech"):
        pal = await tavus.pals.create(
            default_face_id=FACE,
            pipeline_mode=mode,
            system_prompt="Hi." if mode == "full" else None,
        )
        assert (await tavus.pals.get(pal.pal_id)).pipeline_mode == mode
    with pytest.raises(BadRequestError, match="pipeline_mode"):
        await tavus.pals.create(default_face_id=FACE, pipeline_mode="telepathy", system_prompt="x")
    stock = [p async for p in tavus.pals.list(pal_type="system")]
    assert "pipecat0" in {p.pal_id for p in stock}  # pipecat's default persona
    assert all(p.pal_type == "system" for p in stock)
    # Tavus's "Invalid pal_id..." 400 is read as not found, like every "Invalid <x>_id".
    with pytest.raises(NotFoundError, match="stock PALs cannot be deleted"):
        await tavus.pals.delete("pipecat0")


async def test_pal_list_sorts_as_the_official_cli_asks(tavus: AsyncTavus) -> None:
    made = [
        (
            await tavus.pals.create(default_face_id=FACE, pipeline_mode="echo", pal_name=f"s{i}")
        ).pal_id
        for i in range(3)
    ]
    newest = [p.pal_id for p in (await tavus.pals.list(pal_type="user", sort="desc")).data]
    oldest = [p.pal_id for p in (await tavus.pals.list(pal_type="user", sort="asc")).data]
    assert newest == made[::-1]
    assert oldest == made
    with pytest.raises(BadRequestError, match="sort"):
        await tavus.pals.list(sort="sideways")


async def test_conferencing_email_and_username_checks(tavus: AsyncTavus) -> None:
    free = await tavus.pals.check_username("Intake")
    assert free.available
    pal = await tavus.pals.create(
        default_face_id=FACE,
        system_prompt="Collect details.",
        layers={"conferencing": {"username": "Intake", "allowlist": [".*@example\\.com"]}},
    )
    assert pal.conferencing_email == "intake@tavusinvite.com"
    taken = await tavus.pals.check_username("intake")
    assert (taken.available, taken.reason) == (False, "Username is already taken.")
    with pytest.raises(BadRequestError, match="already taken"):
        await tavus.pals.create(
            default_face_id=FACE,
            pipeline_mode="echo",
            layers={"conferencing": {"username": "INTAKE"}},
        )
    with pytest.raises(ValueError, match="username"):
        await tavus.pals.check_username(" ")


async def test_maker_draft_conflicts_force_and_publish(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    pal = await tavus.pals.create(default_face_id=FACE, system_prompt="Live prompt.")
    sim.set_maker_draft(pal.pal_id, {"system_prompt": "Draft prompt."})
    with pytest.raises(ConflictError) as info:
        await tavus.pals.patch(pal.pal_id, Patch().replace("/system_prompt", "API prompt."))
    assert isinstance(info.value.body, dict)
    assert info.value.body["conflict"] == "maker_changes"
    # A patch of the conferencing layer alone is never refused.
    ok = await tavus.pals.patch(
        pal.pal_id, Patch().add("/layers/conferencing", {"username": "desk"})
    )
    assert ok.changed
    published = await tavus.pals.publish(pal.pal_id)
    assert (published.status, published.pal_id) == ("success", pal.pal_id)
    assert published.system_prompt == "Draft prompt."
    assert published.updated_datetime is not None
    # Published: no draft left, so patches go through; publishing again changes nothing.
    assert (await tavus.pals.patch(pal.pal_id, Patch().replace("/system_prompt", "v3"))).changed
    again = await tavus.pals.publish(pal.pal_id)
    assert again.system_prompt == "v3"
    sim.set_maker_draft(pal.pal_id, {"system_prompt": "Another draft."})
    async with aiohttp.ClientSession() as http:
        url = f"{sim.base_url}/v2/pals/{pal.pal_id}?force=true"
        ops = [{"op": "replace", "path": "/system_prompt", "value": "forced"}]
        async with http.patch(url, json=ops, headers={"x-api-key": sim.api_key}) as resp:
            assert resp.status == 200
            assert (await resp.json())["discarded_maker_changes"] is True
    assert "_maker_draft" not in sim.store.personas[pal.pal_id]


async def test_face_create_wait_get_list_update_rename_delete(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    face = await tavus.faces.create(
        FaceCreate(train_video_url="https://example.com/me.mp4", face_name="Me")
    )
    assert sim.requests.last.body == {
        "train_video_url": "https://example.com/me.mp4",
        "face_name": "Me",
    }
    assert (face.status, face.face_id[0]) == ("started", "r")
    ready = await tavus.faces.wait_until_ready(face.face_id, interval=0.01)
    assert ready.is_ready
    assert ready.face_type is None  # only with verbose=true
    assert ready.default_voice_id is None
    verbose = await tavus.faces.get(face.face_id, verbose=True)
    assert verbose.face_type == "user"
    assert (await tavus.replicas.get(face.face_id)).replica_name == "Me"  # one id, two names

    page = await tavus.faces.list(face_ids=[face.face_id, "rzz"], model_name="phoenix-4")
    assert [f.face_id for f in page.data] == [face.face_id]
    assert sim.requests.last.query["face_ids"] == f"{face.face_id},rzz"
    system = await tavus.faces.list(face_type="system", verbose=True, limit=100)
    assert FACE in {f.face_id for f in system.data}

    voices = await tavus.faces.update(
        face.face_id, face_name="Me 2", default_voice_id="v0a1b2c3d4e5f"
    )
    assert (voices.face_name, voices.default_voice_id, voices.original_voice_id) == (
        "Me 2",
        "v0a1b2c3d4e5f",
        None,
    )
    assert sim.requests.last.body == {"face_name": "Me 2", "default_voice_id": "v0a1b2c3d4e5f"}
    with pytest.raises(ValueError, match="blank"):
        await tavus.faces.update(face.face_id, face_name=" ")
    with pytest.raises(ValueError, match="nothing to update"):
        await tavus.faces.update(face.face_id)
    await tavus.faces.rename(face.face_id, "Me 3")
    assert sim.store.replicas[face.face_id]["replica_name"] == "Me 3"
    await tavus.faces.delete(face.face_id, hard=True)
    with pytest.raises(NotFoundError, match="Invalid face_id"):
        await tavus.faces.get(face.face_id)
    with pytest.raises(ValueError, match="voice_name"):
        await tavus.faces.create(train_image_url="https://example.com/me.png")


async def test_skills_registry_and_pal_skills(sim: TavusSimulator, tavus: AsyncTavus) -> None:
    registry = [s.skill_id async for s in tavus.skills.list()]
    assert registry == ["internet_search", "presentation", "magic_canvas", "memory"]
    assert (await tavus.skills.get("presentation")).display_name == "Presentation"
    with pytest.raises(NotFoundError, match="Unknown skill"):
        await tavus.skills.get("telepathy")

    pal = await tavus.pals.create(default_face_id=FACE, system_prompt="Present.")
    skills = tavus.pals.skills
    assert await skills.list(pal.pal_id) == {}
    search = await skills.attach(pal.pal_id, "internet_search")
    assert search.skill_id == "internet_search"
    assert search.attached_at is not None
    assert search.attached_at.endswith("+00:00")
    deck = await skills.attach(
        pal.pal_id, "presentation", {"document_ids": ["d1"], "slides_trigger": "on_demand"}
    )
    assert deck.config == {"document_ids": ["d1"], "slides_trigger": "on_demand"}
    merged = await skills.update(
        pal.pal_id, "presentation", {"slides_trigger": None, "prompt": "Go"}
    )
    assert merged.config == {"document_ids": ["d1"], "prompt": "Go"}  # None deleted a key
    assert merged.attached_at == deck.attached_at
    assert (await skills.get(pal.pal_id, "presentation")).config == merged.config
    assert set(await skills.list(pal.pal_id)) == {"internet_search", "presentation"}

    with pytest.raises(BadRequestError, match="document_ids"):
        await skills.attach(pal.pal_id, "presentation", {"slides_trigger": "walk_the_deck"})
    with pytest.raises(BadRequestError, match="canvas component"):
        await skills.attach(pal.pal_id, "magic_canvas", {"components": {"hologram": {}}})
    with pytest.raises(NotFoundError, match="Unknown skill"):
        await skills.attach(pal.pal_id, "telepathy")
    with pytest.raises(NotFoundError, match="not attached"):
        await skills.update(pal.pal_id, "memory", {"x": 1})

    replaced = await skills.replace(
        pal.pal_id, {"memory": None, "magic_canvas": {"components": {"chart": {"enabled": False}}}}
    )
    assert set(replaced) == {"memory", "magic_canvas"}  # the rest were detached
    await skills.detach(pal.pal_id, "memory")
    assert set(await skills.list(pal.pal_id)) == {"magic_canvas"}
    with pytest.raises(NotFoundError):
        await skills.detach(pal.pal_id, "memory")
    with pytest.raises(NotFoundError, match="Invalid pal_id"):
        await skills.list("pnope")
    assert sim.counts["pal_skills.attach"] == 2
    # The official CLI wraps a PATCH body in {"config": ...}; the docs send it bare. Both work.
    async with aiohttp.ClientSession() as http:
        url = f"{sim.base_url}/v2/pals/{pal.pal_id}/skills/magic_canvas"
        bare = {"components": {"text": {"enabled": False}}}
        async with http.patch(url, json=bare, headers={"x-api-key": sim.api_key}) as resp:
            assert resp.status == 200
            # Passed keys replace (the documented merge is one level deep).
            assert (await resp.json())["config"] == bare


async def test_pal_conversations_announce_pal_joined(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    pal = await tavus.pals.create(default_face_id=FACE, system_prompt="Hi.")
    conv = await tavus.conversations.create(
        pal_id=pal.pal_id, participant_tags=["alice"], conversation_name="PAL call"
    )
    assert sim.requests.last.body["pal_id"] == pal.pal_id
    record = sim.store.conversations[conv.conversation_id]
    assert (record["persona_id"], record["replica_id"]) == (pal.pal_id, FACE)
    await tavus.conversations.end(conv.conversation_id)
    verbose = await tavus.conversations.get(conv.conversation_id, verbose=True)
    assert verbose.events is not None
    kinds = [e.event_type for e in verbose.events]
    assert kinds.index("system.pal_joined") == kinds.index("system.replica_joined") + 1
    joined = next(e for e in verbose.events if e.event_type == "system.pal_joined")
    assert joined.properties is not None
    assert joined.properties["face_id"] == FACE
    # A persona conversation keeps the legacy event only.
    plain = await tavus.conversations.create(persona_id=pal.pal_id)
    await tavus.conversations.end(plain.conversation_id)
    events = (await tavus.conversations.get(plain.conversation_id, verbose=True)).events or []
    assert "system.pal_joined" not in [e.event_type for e in events]
    with pytest.raises(ValueError, match="give one of them"):
        await tavus.conversations.create(pal_id="p1", persona_id="p2")
    with pytest.raises(ValueError, match="meeting_url"):
        await tavus.conversations.create(pal_id="p1", meeting_url="zoom.us/j/1")


def test_canvas_interaction_callbacks_are_typed() -> None:
    from tavus_async import webhooks

    body = {
        "message_type": "conversation",
        "event_type": "canvas.interaction",
        "conversation_id": "c123",
        "timestamp": "2026-06-11T12:00:00Z",
        "properties": {"component": "question", "answer": "Tuesday"},
    }
    event = webhooks.parse(body)
    assert isinstance(event, webhooks.CanvasInteraction)
    assert event.component == "question"
    assert event.properties["answer"] == "Tuesday"  # undocumented fields are kept
    assert event.occurred_at is not None


async def test_pal_routes_speak_pal_in_their_errors(tavus: AsyncTavus) -> None:
    pal = await tavus.pals.create(default_face_id=FACE, pipeline_mode="echo")
    with pytest.raises(UnprocessableEntityError, match="pal_id is read-only"):
        await tavus.pals.patch(pal.pal_id, Patch().replace("/pal_id", "p0"))
    with pytest.raises(NotFoundError, match="Invalid default_face_id"):  # "Invalid <x>_id"
        await tavus.pals.patch(pal.pal_id, Patch().replace("/default_face_id", "rnope"))
    with pytest.raises(NotFoundError, match="Invalid persona_id"):
        await tavus.personas.get("pnope")  # the persona route keeps its own words
    stock = {p.pal_id async for p in tavus.pals.list(pal_type="system")}
    assert {"p1af207b8189", "paaee96e4f87", "pdac61133ac5", "pcb7a34da5fe"} <= stock
