"""The 2026 REST surface beside PALs/faces/tools (issue 13 part B), client against the simulator.

Flat guardrails, objectives ``validate``, document tags and chunks, deployments (ETag, If-Match,
the public calls), memory stores, the 2026 voice object and ``tavus.request``. Every call goes
to a real :class:`~tavus_async.testing.TavusSimulator` on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import anyio
import pytest
from aiohttp import web

from tavus_async import (
    AsyncTavus,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitError,
)
from tavus_async.models import Deployment, FlatGuardrail, ObjectiveParams, Patch
from tavus_async.testing import TavusSimulator

pytestmark = pytest.mark.anyio


@pytest.fixture
async def sim() -> AsyncIterator[TavusSimulator]:
    async with TavusSimulator(seed=13) as simulator:
        yield simulator


@pytest.fixture
async def tavus(sim: TavusSimulator) -> AsyncIterator[AsyncTavus]:
    async with sim.client() as client:
        yield client


async def _pal(tavus: AsyncTavus) -> str:
    page = await tavus.personas.list(limit=1)
    return page.data[0].persona_id or ""


# -- guardrails ----------------------------------------------------------------------------------


async def test_flat_guardrails_create_read_update_tags(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    rail = await tavus.guardrails.create_flat(
        guardrail_name="no_competitors",
        guardrail_prompt="Never discuss competitor products.",
        tags=["compliance"],
    )
    assert isinstance(rail, FlatGuardrail)
    assert rail.uuid == rail.guardrail_id
    assert rail.uuid.startswith("g")
    assert len(rail.uuid) == 13
    assert rail.modality == "verbal"
    assert rail.app_message is True
    # Guardrails write whole seconds with a Z (api-2026-surface §1.3).
    assert rail.created_at is not None
    assert rail.created_at.endswith("Z")
    assert len(rail.created_at) == len("2024-01-15T10:30:00Z")
    assert sim.requests.last.body == {
        "guardrail_name": "no_competitors",
        "guardrail_prompt": "Never discuss competitor products.",
        "tags": ["compliance"],
    }

    updated = await tavus.guardrails.update_flat(rail.uuid, guardrail_prompt="Never.", tags=["a"])
    assert (updated.guardrail_prompt, updated.tags) == ("Never.", ["a"])
    # One `add` per field, as Tavus's CLI sends them.
    assert sim.requests.calls("PATCH")[-1].body == [
        {"op": "add", "path": "/guardrail_prompt", "value": "Never."},
        {"op": "add", "path": "/tags", "value": ["a"]},
    ]
    assert (await tavus.guardrails.get_flat(rail.uuid)).guardrail_prompt == "Never."

    sets = await tavus.guardrails.create(
        name="Sales",
        data=[{"guardrail_name": "no_prices", "guardrail_prompt": "No", "tags": ["b"]}],
    )
    flats = [g async for g in tavus.guardrails.list_flat()]
    assert {g.guardrail_name for g in flats} == {"no_competitors", "no_prices"}
    assert [g.guardrail_name async for g in tavus.guardrails.list_flat(tags=["b"])] == ["no_prices"]
    assert [s.guardrails_id async for s in tavus.guardrails.list()] == [sets.guardrails_id]
    assert sim.requests.last.query["legacy"] == "true"  # always explicit: docs and CLI disagree
    tags = await tavus.guardrails.tags()
    assert (tags.tags, tags.total_count) == (["a", "b"], 2)
    assert (await tavus.guardrails.tags(search="b")).tags == ["b"]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"guardrail_name": "has space", "guardrail_prompt": "x"}, "guardrail_name"),
        ({"guardrail_name": "n" * 101, "guardrail_prompt": "x"}, "guardrail_name"),
        ({"guardrail_name": "ok", "guardrail_prompt": "x" * 1001}, "guardrail_prompt"),
        ({"guardrail_name": "ok", "guardrail_prompt": "x", "tags": ["t"] * 33}, "tags"),
        ({"guardrail_name": "ok", "guardrail_prompt": "x", "tags": ["t" * 65]}, "tags"),
        ({"guardrail_name": "ok", "guardrail_prompt": "x", "modality": "smell"}, "modality"),
        ({"guardrail_name": "ok"}, "guardrail_prompt"),
    ],
)
async def test_flat_guardrail_limits_are_checked_before_any_request(
    sim: TavusSimulator, tavus: AsyncTavus, fields: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        await tavus.guardrails.create_flat(**fields)
    assert len(sim.requests) == 0


async def test_the_simulator_enforces_the_flat_limits_itself(tavus: AsyncTavus) -> None:
    # Its own checks, not the client's: extra_body skips the model for the tags field.
    with pytest.raises(BadRequestError, match="at most 32 tags"):
        await tavus.guardrails.create_flat(
            guardrail_name="ok", guardrail_prompt="x", extra_body={"tags": ["t"] * 33}
        )


async def test_deleting_a_guardrail_removes_it_from_pals(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    keep = await tavus.guardrails.create_flat(guardrail_name="keep", guardrail_prompt="k")
    gone = await tavus.guardrails.create_flat(guardrail_name="gone", guardrail_prompt="g")
    pal = await _pal(tavus)
    # PAL fields are the catalog helper's; the cascade only needs the stored list.
    sim.store.personas[pal]["guardrail_ids"] = [keep.uuid, gone.uuid]
    refs = await tavus.guardrails.get_flat(gone.uuid, verbose=True)
    assert refs.persona_refs == [pal]
    await tavus.guardrails.delete(gone.uuid)
    assert sim.store.personas[pal]["guardrail_ids"] == [keep.uuid]
    with pytest.raises(NotFoundError):
        await tavus.guardrails.get_flat(gone.uuid)


async def test_a_set_item_is_mirrored_and_patched_through_its_uuid(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    made = await tavus.guardrails.create(data=[{"guardrail_name": "one", "guardrail_prompt": "1"}])
    got = await tavus.guardrails.get(made.guardrails_id or "")
    mirror = got.data[0].uuid
    assert mirror is not None
    await tavus.guardrails.update_flat(mirror, guardrail_prompt="uno")
    again = await tavus.guardrails.get(made.guardrails_id or "")
    assert (again.data[0].guardrail_prompt, again.data[0].uuid) == ("uno", mirror)
    # Replacing the item whole rotates its mirror's uuid, as documented.
    item = {"guardrail_name": "one", "guardrail_prompt": "eins"}
    await tavus.guardrails.patch(made.guardrails_id or "", Patch().replace("/data/0", item))
    rotated = await tavus.guardrails.get(made.guardrails_id or "")
    assert rotated.data[0].uuid not in (None, mirror)


# -- objectives ----------------------------------------------------------------------------------


_GREET: ObjectiveParams = {
    "objective_name": "greet",
    "objective_prompt": "Hi",
    "next_required_objective": "ask",
}
_ASK: ObjectiveParams = {"objective_name": "ask", "objective_prompt": "Why are you here?"}


async def test_objectives_validate_stores_nothing(sim: TavusSimulator, tavus: AsyncTavus) -> None:
    ok = await tavus.objectives.validate(data=[_GREET, _ASK])
    assert (ok.ok, ok.errors) == (True, [])
    assert sim.store.objectives == {}
    looped = await tavus.objectives.validate(
        data=[_GREET, {**_ASK, "next_required_objective": "greet"}]
    )
    assert not looped.ok
    assert any("cycle" in e for e in looped.errors)
    allowed = await tavus.objectives.validate(
        data=[_GREET, {**_ASK, "next_required_objective": "greet"}], allow_loops=True
    )
    assert allowed.ok
    dangling = await tavus.objectives.validate(data=[{**_GREET, "next_required_objective": "x"}])
    assert dangling.errors == ["greet: leads to 'x', which is not in the set"]
    with pytest.raises(ValueError, match="unknown field"):
        await tavus.objectives.validate(data=[_ASK], colour="red")  # type: ignore[call-arg]


async def test_objectives_create_runs_the_same_graph_checks(tavus: AsyncTavus) -> None:
    with pytest.raises(BadRequestError, match="exactly one objective must be the root"):
        await tavus.objectives.create(data=[_ASK, {**_ASK, "objective_name": "other"}])
    made = await tavus.objectives.create(data=[_GREET, _ASK])
    with pytest.raises(BadRequestError, match="cycle"):
        await tavus.objectives.patch(
            made.objectives_id or "",
            Patch().add("/data/1/next_required_objective", "greet"),
        )


# -- documents -----------------------------------------------------------------------------------


async def test_document_tags_chunks_and_the_cli_sort(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    first = await tavus.documents.create(document_url="https://ex.com/a.pdf", tags=["faq", "hr"])
    await tavus.documents.create(document_url="https://ex.com/b.pdf", tags=["faq"])
    assert (await tavus.documents.tags()).tags == ["faq", "hr"]
    chunks = await tavus.documents.chunks(first.document_id, limit=2)
    assert len(chunks.chunks) == 2
    assert chunks.next_offset == "2"
    rest = await tavus.documents.chunks(first.document_id, offset=chunks.next_offset)
    assert rest.next_offset is None
    assert all(c.content for c in rest.chunks)
    with pytest.raises(NotFoundError):
        await tavus.documents.chunks("d0-000000000000")
    # What tavus-cli sends by default (it got a 400 before: sort=desc was refused).
    page = await tavus.documents.list(sort="desc", limit=25)
    assert [d.document_name for d in page.data] == ["b.pdf", "a.pdf"]


# -- deployments ---------------------------------------------------------------------------------


async def test_deployment_lifecycle_with_etag(sim: TavusSimulator, tavus: AsyncTavus) -> None:
    pal = await _pal(tavus)
    made = await tavus.deployments.create(
        pal_id=pal, channel="landing-page", password="open sesame", limits={"daily_call_limit": 2}
    )
    assert made.has_password is True
    assert "open sesame" not in repr(made)
    raw = await tavus.request("GET", f"/v2/deployments/{made.deployment_id}")
    assert "password" not in raw  # write-only: only has_password comes back
    assert raw["has_password"] is True
    dep = await tavus.deployments.get(made.deployment_id)
    assert dep.etag is not None
    assert dep.etag.startswith('W/"')
    changed = await tavus.deployments.patch(
        dep.deployment_id, Patch().replace("/name", "Support"), if_match=dep.etag
    )
    assert changed.resource is not None
    assert changed.resource.name == "Support"
    assert changed.resource.etag not in (None, dep.etag)
    assert sim.requests.last.headers["If-Match"] == dep.etag
    with pytest.raises(PreconditionFailedError):  # someone changed it since dep was read
        await tavus.deployments.patch(
            dep.deployment_id, Patch().replace("/name", "Stale"), if_match=dep.etag
        )
    assert (await tavus.deployments.get(dep.deployment_id)).name == "Support"
    await tavus.deployments.delete(dep.deployment_id)
    with pytest.raises(NotFoundError):
        await tavus.deployments.get(dep.deployment_id)


async def test_deployment_list_envelope_and_zero_based_pages(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    pal = await _pal(tavus)
    ids = [
        (await tavus.deployments.create(pal_id=pal, channel=c, allowed_origins=[])).deployment_id
        for c in ("widget", "embed", "widget")
    ]
    first = await tavus.deployments.list(limit=2)
    assert (first.page, first.total_count) == (0, 3)
    assert [d.deployment_id for d in first.data] == ids[::-1][:2]  # newest first
    assert sim.requests.last.query["page"] == "0"
    every = [d.deployment_id async for d in tavus.deployments.list(limit=2)]
    assert every == ids[::-1]
    widgets = [d.deployment_id async for d in tavus.deployments.list(channel=["widget"])]
    assert widgets == [ids[2], ids[0]]
    assert sim.requests.last.query["limit"] == "20"  # Tavus's page size
    with pytest.raises(ValueError, match="page must be"):
        tavus.deployments.list(page=-1)


async def test_public_calls_send_no_key_and_enforce_the_deployment(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    pal = await _pal(tavus)
    dep = await tavus.deployments.create(
        pal_id=pal,
        channel="widget",
        allowed_origins=["https://shop.example"],
        password="pw",
        limits={"daily_call_limit": 1, "max_call_duration": 120},
    )
    did = dep.deployment_id
    with pytest.raises(PermissionDeniedError, match="not allowed"):
        await tavus.deployments.init(did, origin="https://elsewhere.example")
    init = await tavus.deployments.init(did, origin="https://shop.example")
    assert init.is_available is True
    assert "pal_id" not in init.to_dict()  # the public page never learns the PAL
    assert init.limits == {"max_call_duration": 120}
    assert not sim.requests.last.authorized
    assert "x-api-key" not in {k.lower() for k in sim.requests.last.headers}
    with pytest.raises(PermissionDeniedError, match="password"):
        await tavus.deployments.start(did, origin="https://shop.example", password="nope")
    call = await tavus.deployments.start(did, origin="https://shop.example", password="pw")
    conv = sim.store.conversations[call.conversation_id]
    assert conv["persona_id"] == pal
    assert conv["_properties"] == {"max_call_duration": 120}
    assert not sim.requests.last.authorized
    with pytest.raises(RateLimitError):  # the daily limit of 1 is used up
        await tavus.deployments.start(did, origin="https://shop.example", password="pw")
    assert (
        await tavus.deployments.init(did, origin="https://shop.example")
    ).unavailable_reason == ("daily_limit")
    ended = await tavus.deployments.end_conversation(
        did, call.conversation_id, origin="https://shop.example"
    )
    assert (ended.conversation_id, ended.status) == (call.conversation_id, "ended")
    assert sim.store.conversations[call.conversation_id]["status"] == "ended"
    assert (await tavus.deployments.get(did)).usage_total == 1
    await tavus.deployments.patch(did, Patch().replace("/status", "inactive"))
    with pytest.raises(ConflictError, match="not active"):
        await tavus.deployments.start(did, origin="https://shop.example", password="pw")


async def test_deployment_create_is_checked_before_any_request(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    with pytest.raises(ValueError, match="channel"):
        await tavus.deployments.create(pal_id="p1", channel="billboard")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="daily_call_limit"):
        await tavus.deployments.create(
            pal_id="p1", channel="widget", limits={"daily_call_limit": 0}
        )
    assert len(sim.requests) == 0
    with pytest.raises(NotFoundError, match="Invalid pal_id"):  # 400 "Invalid <x>_id"
        await tavus.deployments.create(pal_id="p_missing", channel="widget")


# -- memory stores and voices ---------------------------------------------------------------------


async def test_memory_stores(sim: TavusSimulator, tavus: AsyncTavus) -> None:
    pal = await _pal(tavus)
    store = await tavus.memory_stores.create(
        pal_id=pal, participant_tag="user-42", pinned_memories=["Prefers French"]
    )
    assert store.pinned_memories == ["Prefers French"]
    with pytest.raises(ConflictError):
        await tavus.memory_stores.create(pal_id=pal, participant_tag="user-42")
    listed = [s.memory_store_id async for s in tavus.memory_stores.list(pal_id=pal)]
    assert listed == [store.memory_store_id]
    assert [s async for s in tavus.memory_stores.list(participant_tag="nobody")] == []
    updated = await tavus.memory_stores.update(store.memory_store_id, pinned_memories=["Dutch"])
    assert updated.pinned_memories == ["Dutch"]
    sim.store.memory_stores[store.memory_store_id]["_owner"] = "another account"
    with pytest.raises(PermissionDeniedError):
        await tavus.memory_stores.get(store.memory_store_id)
    sim.store.memory_stores[store.memory_store_id].pop("_owner")
    await tavus.memory_stores.delete(store.memory_store_id)
    with pytest.raises(NotFoundError):
        await tavus.memory_stores.get(store.memory_store_id)


async def test_the_2026_voice_object(sim: TavusSimulator, tavus: AsyncTavus) -> None:
    stock = [v async for v in tavus.voices.list()]
    assert stock
    assert all(v.voice_id and v.voice_type == "system" for v in stock)
    made = await tavus.voices.create(voice_name="Narrator", audio_url="https://ex.com/n.mp3")
    assert (made.status, made.voice_type) == ("started", "user")
    assert made.voice_id is not None
    # Voices write microseconds and no zone (api-2026-surface §1.3).
    assert made.created_at is not None
    assert len(made.created_at) == len("2026-08-17T12:00:00.000000")
    assert (await tavus.voices.get(made.voice_id)).status == "completed"
    updated = await tavus.voices.update(made.voice_id, tags=["calm"], description="Warm")
    assert (updated.tag_names, updated.description) == (["calm"], "Warm")
    assert [v.voice_name async for v in tavus.voices.list(tag="calm")] == ["Narrator"]
    with pytest.raises(ValueError, match="voice_name"):
        await tavus.voices.create(voice_name="", audio_url="https://ex.com/n.mp3")
    with pytest.raises(BadRequestError, match="audio_url"):
        await tavus.voices.create(voice_name="x", audio_url="https://ex.com/notes.txt")
    with pytest.raises(BadRequestError, match="Stock voices"):
        await tavus.voices.update(stock[0].voice_id or "", description="mine now")


# -- the raw escape hatch -------------------------------------------------------------------------


async def test_request_goes_through_the_same_client(sim: TavusSimulator, tavus: AsyncTavus) -> None:
    raw = await tavus.request("GET", "/v2/deployments", params={"limit": 1})
    assert raw == {"deployments": [], "total": 0, "page": 0, "limit": 1}
    pal = await _pal(tavus)
    made = await tavus.request(
        "POST", "/v2/deployments", json={"pal_id": pal, "channel": "embed"}, cast_to=Deployment
    )
    assert isinstance(made, Deployment)
    assert await tavus.request("DELETE", f"/v2/deployments/{made.deployment_id}") is None
    with pytest.raises(NotFoundError):
        await tavus.request("GET", f"/v2/deployments/{made.deployment_id}")
    # The same retry loop: a 503 then the answer.
    rule = sim.faults.add("GET /v2/deployments", status=503)
    assert (await tavus.request("GET", "/v2/deployments"))["total"] == 0
    assert rule.hits == 1
    with pytest.raises(ValueError, match="/v2/"):
        await tavus.request("GET", "https://elsewhere.example/v2/x")
    with pytest.raises(ValueError, match="method"):
        await tavus.request("TRACE", "/v2/deployments")


async def test_a_conversation_with_a_participant_tag_makes_its_memory_store(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    pal = await _pal(tavus)
    body = {"persona_id": pal, "participant_tags": ["user-9"], "test_mode": True}
    await tavus.request("POST", "/v2/conversations", json=body)
    await tavus.request("POST", "/v2/conversations", json=body)  # the same store again
    stores = [s async for s in tavus.memory_stores.list(participant_tag="user-9")]
    assert [(s.pal_id, s.participant_tag) for s in stores] == [(pal, "user-9")]
    # Legacy memory_stores tags are another namespace: no store for them.
    legacy = {"persona_id": pal, "memory_stores": ["old-tag"], "test_mode": True}
    await tavus.request("POST", "/v2/conversations", json=legacy)
    assert [s async for s in tavus.memory_stores.list(participant_tag="old-tag")] == []
    with pytest.raises(BadRequestError, match="one participant tag"):
        await tavus.request(
            "POST", "/v2/conversations", json={**body, "participant_tags": ["a", "b"]}
        )


async def test_only_the_public_deployment_calls_skip_the_key(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    pal = await _pal(tavus)
    dep = await tavus.deployments.create(pal_id=pal, channel="landing-page")
    base = f"{sim.base_url}/v2/deployments/{dep.deployment_id}"
    async with aiohttp.ClientSession() as http:
        for method, url in (("GET", base), ("GET", f"{base}/"), ("DELETE", base)):
            async with http.request(method, url) as resp:
                assert resp.status == 401, (method, url)
        async with http.get(f"{base}/init") as resp:
            assert resp.status == 200
        async with http.get(f"{base}/init/") as resp:  # the trailing-slash twin too
            assert resp.status == 200
    assert dep.deployment_id in sim.store.deployments


async def test_list_sorts_and_the_guardrails_legacy_default(
    sim: TavusSimulator, tavus: AsyncTavus
) -> None:
    first = await tavus.objectives.create(name="first", data=[_ASK])
    second = await tavus.objectives.create(name="second", data=[_ASK])
    ids = [first.objectives_id, second.objectives_id]
    # tavus-cli sends sort=ascending (oldest first), type=user and name_or_uuid.
    oldest = await tavus.request("GET", "/v2/objectives", params={"sort": "ascending"})
    assert [o["objectives_id"] for o in oldest["data"]] == ids
    newest = await tavus.request("GET", "/v2/objectives", params={"sort": "descending"})
    assert [o["objectives_id"] for o in newest["data"]] == ids[::-1]
    named = await tavus.request("GET", "/v2/objectives", params={"name_or_uuid": "seco"})
    assert [o["objectives_id"] for o in named["data"]] == ids[1:]
    with pytest.raises(BadRequestError, match="sort"):
        await tavus.request("GET", "/v2/objectives", params={"sort": "sideways"})

    rail = await tavus.guardrails.create_flat(guardrail_name="flat", guardrail_prompt="x")
    made = await tavus.guardrails.create(data=[{"guardrail_name": "s", "guardrail_prompt": "y"}])
    # Without `legacy` the docs say sets; the switch gives what tavus-cli says the server does.
    bare = await tavus.request("GET", "/v2/guardrails")
    assert [g.get("guardrails_id") for g in bare["data"]] == [made.guardrails_id]
    sim.guardrails_legacy_default = False
    bare = await tavus.request("GET", "/v2/guardrails")
    assert rail.uuid in [g["uuid"] for g in bare["data"]]
    assert all("guardrails_id" not in g for g in bare["data"])


async def test_a_voice_settles_later_and_calls_back(tavus: AsyncTavus) -> None:
    got: list[dict[str, Any]] = []
    arrived = anyio.Event()

    async def hook(request: web.Request) -> web.Response:
        got.append(await request.json())
        if len(got) == 2:
            arrived.set()
        return web.Response()

    app = web.Application()
    app.router.add_post("/voices", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/voices"
    try:
        ok = await tavus.voices.create(
            voice_name="Narrator", audio_url="https://ex.com/n.wav", callback_url=url
        )
        bad = await tavus.voices.create(
            voice_name="fail me", audio_url="https://ex.com/n.wav", callback_url=url
        )
        with anyio.fail_after(10):
            await arrived.wait()
    finally:
        await runner.cleanup()
    by_id = {body["properties"]["voice_id"]: body for body in got}
    assert {b["event_type"] for b in got} == {"application.voice_status_changed"}
    assert by_id[ok.voice_id or ""]["properties"]["status"] == "completed"
    failed = by_id[bad.voice_id or ""]["properties"]
    assert failed["status"] == "error"
    assert failed["error_message"]
    assert (await tavus.voices.get(bad.voice_id or "")).status == "error"
