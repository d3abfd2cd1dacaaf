"""The simulator's REST surface over a real socket: auth, shapes, errors, pages, patches."""

from __future__ import annotations

import aiohttp
import pytest
from _sim_http import TIMEOUT, call

from tavus_async.testing import TavusSimulator

pytestmark = pytest.mark.anyio


PERSONA = {"persona_name": "Guide", "system_prompt": "You are a guide."}


# -- auth ---------------------------------------------------------------------------------------


async def test_missing_or_wrong_key_is_401_invalid_access_token(
    tavus_simulator: TavusSimulator,
) -> None:
    async with aiohttp.ClientSession(tavus_simulator.base_url, timeout=TIMEOUT) as anon:
        assert await call(anon, "GET", "/v2/personas") == (
            401,
            {"message": "Invalid access token"},
        )
        wrong = {"x-api-key": "nope"}
        status, body = await call(anon, "POST", "/v2/conversations", json={}, headers=wrong)
        assert (status, body) == (401, {"message": "Invalid access token"})
    assert tavus_simulator.counts["conversations.create"] == 0


async def test_the_key_never_appears_in_a_response(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    async with http.get("/v2/conversations/cnope") as resp:
        assert tavus_simulator.api_key not in await resp.text()


# -- seeds --------------------------------------------------------------------------------------


async def test_stock_replicas_and_personas_are_listed_as_system(
    http: aiohttp.ClientSession,
) -> None:
    status, body = await call(http, "GET", "/v2/replicas?replica_type=system&limit=100")
    assert status == 200
    ids = {r["replica_id"] for r in body["data"]}
    assert "rfe12d8b9597" in ids
    assert all(r["replica_type"] == "system" for r in body["data"])
    assert all(r["status"] == "completed" for r in body["data"])
    status, body = await call(http, "GET", "/v2/personas?persona_type=system&limit=100")
    assert status == 200
    assert "pdced222244b" in {p["persona_id"] for p in body["data"]}
    assert body["total_count"] == len(body["data"])
    status, body = await call(http, "GET", "/v2/personas?persona_type=user")
    assert (status, body) == (200, {"data": [], "total_count": 0})


async def test_docs_example_conversation_runs_unchanged(http: aiohttp.ClientSession) -> None:
    # The body of the "Customize Background" docs example, verbatim.
    status, body = await call(
        http,
        "POST",
        "/v2/conversations",
        json={
            "persona_id": "pdced222244b",
            "replica_id": "rfe12d8b9597",
            "callback_url": "https://yourwebsite.com/webhook",
            "conversation_name": "Improve Sales Technique",
            "properties": {"apply_greenscreen": True},
        },
    )
    assert status == 200
    assert body["conversation_id"].startswith("c")
    assert body["status"] == "active"
    assert body["conversation_name"] == "Improve Sales Technique"
    # The audio-only example omits replica_id: the persona's default replica is used.
    status, body = await call(
        http, "POST", "/v2/conversations", json={"persona_id": "pdced222244b", "audio_only": True}
    )
    assert status == 200
    _, got = await call(http, "GET", f"/v2/conversations/{body['conversation_id']}")
    assert got["replica_id"] == "rfe12d8b9597"


# -- conversations ------------------------------------------------------------------------------


async def test_conversation_create_get_list_end_delete(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    status, created = await call(
        http, "POST", "/v2/conversations", json={"replica_id": "rfe12d8b9597"}
    )
    assert status == 200
    cid = created["conversation_id"]
    assert created["conversation_url"] == f"{tavus_simulator.ws_base_url}/rooms/{cid}"
    assert created["callback_url"] == ""
    assert "meeting_token" not in created
    status, got = await call(http, "GET", f"/v2/conversations/{cid}")
    assert status == 200
    assert got["status"] == "active"
    assert got["replica_id"] == "rfe12d8b9597"
    assert "events" not in got
    _, active = await call(http, "GET", "/v2/conversations?status=active")
    assert [c["conversation_id"] for c in active["data"]] == [cid]
    assert (await call(http, "POST", f"/v2/conversations/{cid}/end"))[0] == 200
    # Ending again is harmless.
    assert (await call(http, "POST", f"/v2/conversations/{cid}/end"))[0] == 200
    _, ended = await call(http, "GET", "/v2/conversations?status=ended")
    assert ended["total_count"] == 1
    _, active = await call(http, "GET", "/v2/conversations?status=active")
    assert active == {"data": [], "total_count": 0}
    assert await call(http, "DELETE", f"/v2/conversations/{cid}?hard=true") == (204, None)
    assert await call(http, "GET", f"/v2/conversations/{cid}") == (
        400,
        {"error": "Invalid conversation_id"},
    )
    assert tavus_simulator.counts["conversations.create"] == 1
    assert tavus_simulator.counts["conversations.ended"] == 1


async def test_a_body_that_is_not_json_is_400(http: aiohttp.ClientSession) -> None:
    status, _ = await call(http, "POST", "/v2/conversations", data=b"{not json")
    assert status == 400


async def test_private_room_gets_a_meeting_token(http: aiohttp.ClientSession) -> None:
    _, body = await call(
        http,
        "POST",
        "/v2/conversations",
        json={"replica_id": "rfe12d8b9597", "require_auth": True},
    )
    assert body["meeting_token"]
    _, got = await call(http, "GET", f"/v2/conversations/{body['conversation_id']}")
    assert got["meeting_token"] == body["meeting_token"]


async def test_pal_and_face_names_are_accepted_on_conversation_create(
    http: aiohttp.ClientSession,
) -> None:
    status, body = await call(
        http,
        "POST",
        "/v2/conversations",
        json={"pal_id": "pdced222244b", "face_id": "r90bbd427f71"},
    )
    assert status == 200
    _, got = await call(http, "GET", f"/v2/conversations/{body['conversation_id']}")
    assert (got["persona_id"], got["replica_id"]) == ("pdced222244b", "r90bbd427f71")


# -- personas and JSON Patch --------------------------------------------------------------------


async def test_persona_crud_and_json_patch(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    status, created = await call(
        http,
        "POST",
        "/v2/personas",
        json={**PERSONA, "default_replica_id": "rfe12d8b9597", "layers": {"llm": {"model": "m"}}},
    )
    assert status == 200
    assert set(created) == {"persona_id", "persona_name", "created_at"}
    pid = created["persona_id"]
    assert pid.startswith("p")
    status, got = await call(http, "GET", f"/v2/personas/{pid}")
    assert status == 200
    assert got["persona_name"] == "Guide"  # flat, not wrapped in data
    assert got["persona_type"] == "user"

    ops = [
        {"op": "replace", "path": "/persona_name", "value": "Tour Guide"},
        {"op": "add", "path": "/layers/tts", "value": {"tts_engine": "cartesia"}},
    ]
    status, patched = await call(http, "PATCH", f"/v2/personas/{pid}", json=ops)
    assert status == 200
    assert patched["persona_name"] == "Tour Guide"
    _, got = await call(http, "GET", f"/v2/personas/{pid}")
    assert got["layers"] == {"llm": {"model": "m"}, "tts": {"tts_engine": "cartesia"}}
    # Same patch again changes nothing: 304 with no body.
    status, body = await call(
        http,
        "PATCH",
        f"/v2/personas/{pid}",
        json=[{"op": "replace", "path": "/persona_name", "value": "Tour Guide"}],
    )
    assert (status, body) == (304, None)
    # RFC 6902: replace on a missing member fails, add creates it.
    status, body = await call(
        http, "PATCH", f"/v2/personas/{pid}", json=[{"op": "replace", "path": "/nope", "value": 1}]
    )
    assert status == 422
    assert body["message"].startswith("Invalid JSON patch format")
    for malformed in ({"op": "replace"}, [{"op": "frobnicate", "path": "/x"}], [{"path": "/x"}]):
        status, body = await call(http, "PATCH", f"/v2/personas/{pid}", json=malformed)
        assert status == 422, malformed
    # A failing test op aborts the whole patch.
    status, _ = await call(
        http,
        "PATCH",
        f"/v2/personas/{pid}",
        json=[
            {"op": "replace", "path": "/persona_name", "value": "X"},
            {"op": "test", "path": "/system_prompt", "value": "something else"},
        ],
    )
    assert status == 422
    _, got = await call(http, "GET", f"/v2/personas/{pid}")
    assert got["persona_name"] == "Tour Guide"
    # A patch that would break the persona is refused and leaves it alone.
    status, body = await call(
        http,
        "PATCH",
        f"/v2/personas/{pid}",
        json=[{"op": "replace", "path": "/pipeline_mode", "value": "turbo"}],
    )
    assert status == 400
    assert "pipeline_mode" in body["error"]
    assert await call(http, "DELETE", f"/v2/personas/{pid}") == (204, None)
    assert await call(http, "GET", f"/v2/personas/{pid}") == (400, {"error": "Invalid persona_id"})
    assert tavus_simulator.counts["personas.patch"] == 1


async def test_an_echo_persona_needs_no_system_prompt(http: aiohttp.ClientSession) -> None:
    status, _ = await call(
        http, "POST", "/v2/personas", json={"persona_name": "e", "pipeline_mode": "echo"}
    )
    assert status == 200


async def test_pals_alias_speaks_pal_vocabulary(http: aiohttp.ClientSession) -> None:
    status, created = await call(
        http,
        "POST",
        "/v2/pals",
        json={"pal_name": "Pal", "system_prompt": "Hi", "default_face_id": "rfe12d8b9597"},
    )
    assert status == 200
    assert set(created) == {"pal_id", "pal_name", "created_at"}
    pal_id = created["pal_id"]
    _, got = await call(http, "GET", f"/v2/pals/{pal_id}")
    assert got["default_face_id"] == "rfe12d8b9597"
    assert "persona_id" not in got
    status, _ = await call(
        http,
        "PATCH",
        f"/v2/pals/{pal_id}",
        json=[{"op": "replace", "path": "/pal_name", "value": "Renamed"}],
    )
    assert status == 200
    # The same record is visible through the persona routes.
    _, persona = await call(http, "GET", f"/v2/personas/{pal_id}")
    assert persona["persona_name"] == "Renamed"
    _, faces = await call(http, "GET", "/v2/faces?face_type=system&limit=100")
    assert "rfe12d8b9597" in {f["face_id"] for f in faces["data"]}
    assert all("replica_id" not in f for f in faces["data"])


# -- replicas, videos, voices ----------------------------------------------------------------


async def test_replica_rename_delete_and_unknown_ids(http: aiohttp.ClientSession) -> None:
    _, created = await call(
        http, "POST", "/v2/replicas", json={"train_video_url": "https://x/v.mp4"}
    )
    rid = created["replica_id"]
    assert created["status"] == "started"
    status, _ = await call(http, "PATCH", f"/v2/replicas/{rid}/name", json={"replica_name": "Me"})
    assert status == 200
    _, got = await call(http, "GET", f"/v2/replicas/{rid}?verbose=true")
    assert got["replica_name"] == "Me"
    assert got["replica_type"] == "user"
    _, listed = await call(http, "GET", f"/v2/replicas?replica_ids={rid},rfe12d8b9597")
    assert {r["replica_id"] for r in listed["data"]} == {rid, "rfe12d8b9597"}
    assert (await call(http, "DELETE", f"/v2/replicas/{rid}?hard=true"))[0] == 200
    assert await call(http, "GET", f"/v2/replicas/{rid}") == (400, {"error": "Invalid replica_id"})
    assert await call(http, "PATCH", "/v2/replicas/rnope/name", json={"replica_name": "x"}) == (
        400,
        {"error": "Invalid replica_id"},
    )


async def test_video_create_list_rename_delete(http: aiohttp.ClientSession) -> None:
    # Refused creates leave nothing behind: the list below counts only the three made.
    status, body = await call(http, "POST", "/v2/videos", json={"replica_id": "rfe12d8b9597"})
    assert status == 400
    assert "script" in body["error"]
    assert await call(http, "POST", "/v2/videos", json={"replica_id": "rnope", "script": "x"}) == (
        400,
        {"error": "Invalid replica_id"},
    )
    ids = []
    for n in range(3):
        status, created = await call(
            http,
            "POST",
            "/v2/videos",
            json={"replica_id": "rfe12d8b9597", "script": f"Hello {n}", "video_name": f"v{n}"},
        )
        assert status == 200
        assert created["status"] == "queued"
        assert created["created_at"].endswith("GMT")  # RFC 1123, as the docs' example
        ids.append(created["video_id"])
    # Videos page from 0.
    _, first = await call(http, "GET", "/v2/videos?limit=2&page=0")
    _, second = await call(http, "GET", "/v2/videos?limit=2&page=1")
    assert first["total_count"] == 3
    assert len(first["data"]) == 2
    assert len(second["data"]) == 1
    seen = {v["video_id"] for v in first["data"] + second["data"]}
    assert seen == set(ids)
    status, _ = await call(http, "PATCH", f"/v2/videos/{ids[0]}/name", json={"video_name": "new"})
    assert status == 200
    _, got = await call(http, "GET", f"/v2/videos/{ids[0]}")
    assert got["video_name"] == "new"
    assert got["data"] == {"script": "Hello 0"}
    assert (await call(http, "DELETE", f"/v2/videos/{ids[0]}"))[0] == 200
    _, got = await call(http, "GET", f"/v2/videos/{ids[0]}")
    assert got["status"] == "deleted"
    assert (await call(http, "DELETE", f"/v2/videos/{ids[0]}?hard=true"))[0] == 200
    assert await call(http, "GET", f"/v2/videos/{ids[0]}") == (400, {"error": "Invalid video_id"})


async def test_voices_are_one_based_with_page_and_limit(http: aiohttp.ClientSession) -> None:
    _, first = await call(http, "GET", "/v2/voices?limit=2")
    assert first["page"] == 1
    assert first["limit"] == 2
    _, second = await call(http, "GET", "/v2/voices?limit=2&page=2")
    assert not {v["voice_name"] for v in first["data"]} & {v["voice_name"] for v in second["data"]}
    names = [v["voice_name"] for v in first["data"]]
    assert names == sorted(names)
    _, found = await call(http, "GET", "/v2/voices?search=NATH")
    assert [v["voice_name"] for v in found["data"]] == ["nathan"]
    _, tagged = await call(http, "GET", "/v2/voices?tag=british&sort=desc&limit=100")
    assert [v["voice_name"] for v in tagged["data"]] == ["emma", "ben"]
    status, _ = await call(http, "GET", "/v2/voices?limit=101")
    assert status == 400


# -- objectives and guardrails ------------------------------------------------------------------


async def test_objectives_crud_patch_and_404(http: aiohttp.ClientSession) -> None:
    status, body = await call(http, "POST", "/v2/objectives", json={"data": [{"x": 1}]})
    assert (status, body) == (400, {"message": "objective_name is required"})
    objective = {"objective_name": "get_name", "objective_prompt": "Ask for their name"}
    status, created = await call(http, "POST", "/v2/objectives", json={"data": [objective]})
    assert status == 200
    assert created["status"] == "active"
    assert created["objective_name"] == "get_name"
    oid = created["objectives_id"]
    assert oid.startswith("o")
    _, got = await call(http, "GET", f"/v2/objectives/{oid}")
    assert got["data"][0]["confirmation_mode"] == "auto"
    status, body = await call(
        http,
        "PATCH",
        f"/v2/objectives/{oid}",
        json=[{"op": "replace", "path": "/data/0/objective_prompt", "value": "Ask politely"}],
    )
    assert (status, body) == (200, {"message": "Objective updated successfully"})
    status, _ = await call(
        http,
        "PATCH",
        f"/v2/objectives/{oid}",
        json=[{"op": "replace", "path": "/data/0/objective_prompt", "value": "Ask politely"}],
    )
    assert status == 304
    status, body = await call(http, "PATCH", f"/v2/objectives/{oid}", json={"op": "add"})
    assert status == 400
    assert body["error"].startswith("Invalid patch operation")
    _, listed = await call(http, "GET", "/v2/objectives")
    assert listed["total_count"] == 1
    assert listed["data"][0]["objective_prompt"] == "Ask politely"
    assert await call(http, "DELETE", f"/v2/objectives/{oid}") == (204, None)
    assert await call(http, "GET", f"/v2/objectives/{oid}") == (
        404,
        {"error": "Objective not found"},
    )


async def test_guardrails_set_and_flat_forms(http: aiohttp.ClientSession) -> None:
    status, body = await call(http, "POST", "/v2/guardrails/", json={"data": [{}]})
    assert (status, body) == (400, {"message": "guardrail_name is required"})
    rail = {"guardrail_name": "no_prices", "guardrail_prompt": "Never quote prices"}
    status, created = await call(
        http, "POST", "/v2/guardrails/", json={"name": "Sales", "data": [rail]}
    )
    assert status == 200
    assert created["guardrails_name"] == "Sales"
    gid = created["guardrails_id"]
    # A top-level guardrail_name is the 2026 flat form: one guardrail with its own uuid.
    status, flat = await call(http, "POST", "/v2/guardrails", json=rail)
    assert status == 200
    assert flat["uuid"].startswith("g")
    assert "guardrails_id" not in flat
    assert flat["modality"] == "verbal"
    assert flat["app_message"] is True
    _, sets = await call(http, "GET", "/v2/guardrails/", params={"legacy": "true"})
    assert [s["guardrails_id"] for s in sets["data"]] == [gid]
    _, flats = await call(http, "GET", "/v2/guardrails", params={"legacy": "false"})
    # The set's item is mirrored as a flat guardrail beside the flat one.
    assert flats["total_count"] == 2
    mirror = next(f for f in flats["data"] if f["uuid"] != flat["uuid"])
    status, body = await call(
        http,
        "PATCH",
        f"/v2/guardrails/{gid}",
        json=[{"op": "replace", "path": "/data/0/modality", "value": "visual"}],
    )
    assert (status, body) == (200, {"message": "Guardrails updated successfully"})
    _, got = await call(http, "GET", f"/v2/guardrails/{mirror['uuid']}")
    assert got["modality"] == "visual"  # a field edit keeps the mirror's uuid
    assert await call(http, "DELETE", f"/v2/guardrails/{flat['uuid']}") == (204, None)
    assert (await call(http, "GET", f"/v2/guardrails/{flat['uuid']}"))[0] == 404


# -- documents ----------------------------------------------------------------------------------


async def test_documents_filters_and_zero_based_pages(http: aiohttp.ClientSession) -> None:
    assert (await call(http, "POST", "/v2/documents", json={}))[0] == 400
    ids = []
    for name, tags in (("alpha", ["a"]), ("beta", ["b"]), ("gamma", ["a", "c"])):
        status, doc = await call(
            http,
            "POST",
            "/v2/documents",
            json={
                "document_url": f"https://ex.com/{name}.pdf",
                "document_name": name,
                "tags": tags,
            },
        )
        assert status == 200
        ids.append(doc["document_id"])
    _, page0 = await call(http, "GET", "/v2/documents?limit=2")
    assert (page0["page"], page0["limit"], page0["total_count"]) == (0, 2, 3)
    assert [d["document_name"] for d in page0["data"]] == ["alpha", "beta"]
    _, page1 = await call(http, "GET", "/v2/documents?limit=2&page=1")
    assert [d["document_name"] for d in page1["data"]] == ["gamma"]
    _, desc = await call(http, "GET", "/v2/documents?sort=descending")
    assert desc["data"][0]["document_name"] == "gamma"
    # The official CLI's spelling (and its default): sort=desc.
    _, short = await call(http, "GET", "/v2/documents?sort=desc")
    assert [d["document_name"] for d in short["data"]] == [d["document_name"] for d in desc["data"]]
    _, asc = await call(http, "GET", "/v2/documents?sort=asc")
    assert asc["data"][0]["document_name"] == "alpha"
    _, tagged = await call(http, "GET", "/v2/documents?tags=a")
    assert {d["document_name"] for d in tagged["data"]} == {"alpha", "gamma"}
    _, named = await call(http, "GET", "/v2/documents?name_or_uuid=bet")
    assert [d["document_id"] for d in named["data"]] == [ids[1]]
    _, by_id = await call(http, "GET", f"/v2/documents?name_or_uuid={ids[2]}")
    assert [d["document_name"] for d in by_id["data"]] == ["gamma"]
    status, patched = await call(
        http, "PATCH", f"/v2/documents/{ids[0]}", json={"document_name": "A", "tags": ["z"]}
    )
    assert status == 200
    assert (patched["document_name"], patched["tags"]) == ("A", ["z"])
    assert await call(http, "DELETE", f"/v2/documents/{ids[0]}") == (204, None)
    assert await call(http, "GET", f"/v2/documents/{ids[0]}") == (
        404,
        {"message": "Document not found"},
    )


# -- pronunciation dictionaries ---------------------------------------------------------------


async def test_pronunciation_dictionaries(http: aiohttp.ClientSession) -> None:
    rule = {"text": "Tavus", "pronunciation": "TAH-vus", "type": "alias"}
    status, created = await call(
        http, "POST", "/v2/pronunciation-dictionaries", json={"name": "Brand", "rules": [rule]}
    )
    assert status == 201
    did = created["pronunciation_dictionary_id"]
    assert did.startswith("pd_")
    assert created["rules_count"] == 1
    assert created["rules"][0]["word_boundaries"] is True
    status, body = await call(
        http,
        "POST",
        "/v2/pronunciation-dictionaries",
        json={"name": "Dup", "rules": [rule, rule]},
    )
    assert status == 400
    assert "duplicate" in body["error"]
    _, listed = await call(http, "GET", "/v2/pronunciation-dictionaries")
    assert (listed["page"], listed["total_count"]) == (0, 1)
    assert "rules" not in listed["data"][0]
    status, patched = await call(
        http,
        "PATCH",
        f"/v2/pronunciation-dictionaries/{did}",
        json=[{"op": "add", "path": "/rules/-", "value": {**rule, "text": "CVI", "type": "ipa"}}],
    )
    assert status == 200
    assert patched["rules_count"] == 2
    status, _ = await call(
        http,
        "PATCH",
        f"/v2/pronunciation-dictionaries/{did}",
        json=[{"op": "replace", "path": "/name", "value": "Brand"}],
    )
    assert status == 304
    status, _ = await call(
        http,
        "PATCH",
        f"/v2/pronunciation-dictionaries/{did}",
        json=[{"op": "replace", "path": "/rules_count", "value": 9}],
    )
    assert status == 400
    assert (await call(http, "PATCH", f"/v2/pronunciation-dictionaries/{did}", json={}))[0] == 422
    # Linked personas lose the reference when the dictionary goes.
    _, persona = await call(
        http,
        "POST",
        "/v2/personas",
        json={**PERSONA, "layers": {"tts": {"pronunciation_dictionary_id": did}}},
    )
    assert await call(http, "DELETE", f"/v2/pronunciation-dictionaries/{did}") == (204, None)
    _, got = await call(http, "GET", f"/v2/personas/{persona['persona_id']}")
    assert "pronunciation_dictionary_id" not in got["layers"]["tts"]
    assert await call(http, "GET", f"/v2/pronunciation-dictionaries/{did}") == (
        404,
        {"message": "Pronunciation dictionary not found"},
    )


# -- pages, trailing slashes ---------------------------------------------------------------------


async def test_one_based_pages_and_total_count(http: aiohttp.ClientSession) -> None:
    for n in range(5):
        await call(http, "POST", "/v2/personas", json={**PERSONA, "persona_name": f"p{n}"})
    _, page1 = await call(http, "GET", "/v2/personas?persona_type=user&limit=2&page=1")
    _, page3 = await call(http, "GET", "/v2/personas?persona_type=user&limit=2&page=3")
    assert page1["total_count"] == page3["total_count"] == 5
    assert [p["persona_name"] for p in page1["data"]] == ["p4", "p3"]  # newest first
    assert [p["persona_name"] for p in page3["data"]] == ["p0"]
    _, page4 = await call(http, "GET", "/v2/personas?persona_type=user&limit=2&page=4")
    assert page4["data"] == []


@pytest.mark.parametrize("path", ["/v2/personas", "/v2/personas/"])
async def test_both_trailing_slash_forms(http: aiohttp.ClientSession, path: str) -> None:
    status, body = await call(http, "POST", path, json=PERSONA)
    assert status == 200
    status, _ = await call(http, "GET", f"/v2/personas/{body['persona_id']}/")
    assert status == 200


async def test_unknown_route_is_a_json_404(http: aiohttp.ClientSession) -> None:
    status, body = await call(http, "GET", "/v2/memories")
    assert status == 404
    assert "error" in body


# -- refusals -----------------------------------------------------------------------------------

BAD_CONVERSATION = {"error": "Invalid conversation_id"}


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        ("GET", "/v2/conversations/cnope", None, (400, BAD_CONVERSATION)),
        ("POST", "/v2/conversations/cnope/end", None, (400, BAD_CONVERSATION)),
        ("DELETE", "/v2/conversations/cnope", None, (400, BAD_CONVERSATION)),
        (
            "POST",
            "/v2/conversations",
            {"persona_id": "pnope", "replica_id": "rfe12d8b9597"},
            (400, {"error": "Invalid persona_id"}),
        ),
        (
            "POST",
            "/v2/conversations",
            {"replica_id": "rnope"},
            (400, {"error": "Invalid replica_id"}),
        ),
        (
            "POST",
            "/v2/personas",
            {**PERSONA, "default_replica_id": "rnope"},
            (400, {"error": "Invalid replica_uuid"}),
        ),
        (
            "POST",
            "/v2/replicas",
            {"replica_name": "x"},
            (400, {"error": "Either train_video_url or train_image_url must be provided."}),
        ),
        (
            "POST",
            "/v2/replicas",
            {"train_video_url": "nope"},
            (400, {"error": "Invalid train_video_url"}),
        ),
        ("GET", "/v2/guardrails/gnope", None, (404, {"error": "Guardrails not found"})),
    ],
)
async def test_refusals_answer_exactly_as_tavus_does(
    http: aiohttp.ClientSession,
    method: str,
    path: str,
    body: object,
    expected: tuple[int, object],
) -> None:
    kwargs = {} if body is None else {"json": body}
    assert await call(http, method, path, **kwargs) == expected


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/v2/conversations", {}, "replica_id"),
        (
            "POST",
            "/v2/conversations",
            {"replica_id": "rfe12d8b9597", "max_participants": 1},
            "max_participants",
        ),
        ("GET", "/v2/conversations?status=paused", None, "status"),
        ("POST", "/v2/personas", {"persona_name": "x"}, "system_prompt"),
        ("POST", "/v2/personas", {**PERSONA, "pipeline_mode": "turbo"}, "pipeline_mode"),
        (
            "POST",
            "/v2/personas",
            {**PERSONA, "layers": {"tts": {"tts_engine": "espeak"}}},
            "tts_engine",
        ),
        ("GET", "/v2/personas?limit=abc", None, "limit"),
        ("POST", "/v2/replicas", {"train_image_url": "https://x/face.png"}, "voice_name"),
        (
            "POST",
            "/v2/replicas",
            {"train_video_url": "https://x/v.mp4", "model_name": "phoenix-9"},
            "model_name",
        ),
    ],
)
async def test_a_bad_field_is_a_400_that_names_it(
    http: aiohttp.ClientSession, method: str, path: str, body: object, field: str
) -> None:
    kwargs = {} if body is None else {"json": body}
    status, answer = await call(http, method, path, **kwargs)
    assert status == 400
    assert field in answer["error"]
