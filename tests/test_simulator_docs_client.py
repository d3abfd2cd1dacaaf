"""A client written from Tavus's public docs alone, given only a base URL, works unchanged.

`DocsClient` knows only what docs.tavus.io shows: the `x-api-key` header, JSON bodies, the
paths under /v2, JSON Patch lists for personas, plain objects for document updates. It uses
none of tavus_async. Then the same flow runs through our own `AsyncTavus` via `sim.client()`,
and the pytest fixtures are exercised as a user would.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tavus_async.testing import TavusSimulator

pytestmark = pytest.mark.anyio


class DocsClient:
    """Requests exactly as the curl examples on docs.tavus.io make them."""

    def __init__(self, base_url: str, api_key: str, session: aiohttp.ClientSession) -> None:
        self.base = base_url.rstrip("/") + "/v2"
        self.headers = {"x-api-key": api_key, "Content-Type": "application/json"}
        self.session = session

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        async with self.session.request(
            method, self.base + path, headers=self.headers, json=body
        ) as resp:
            text = await resp.text()
            return resp.status, (await resp.json(content_type=None)) if text else None


@pytest.fixture
async def docs(tavus_simulator: TavusSimulator) -> AsyncIterator[DocsClient]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield DocsClient(tavus_simulator.base_url, tavus_simulator.api_key, session)


async def test_docs_flow_create_list_patch_end(
    docs: DocsClient, tavus_simulator: TavusSimulator
) -> None:
    # "Create Persona" (Life Coach example, trimmed).
    status, persona = await docs.request(
        "POST",
        "/personas",
        {
            "persona_name": "Life Coach",
            "system_prompt": "As a Life Coach, you are a dedicated professional...",
            "pipeline_mode": "full",
            "context": "Here are a few times that you have helped an individual make a change...",
            "default_replica_id": "r665388ec672",
            "layers": {
                "llm": {"model": "tavus-gpt-4o"},
                "tts": {"tts_engine": "cartesia", "tts_emotion_control": True},
                "perception": {"perception_model": "raven-0"},
                "stt": {"stt_engine": "tavus-advanced"},
            },
        },
    )
    assert status == 200
    persona_id = persona["persona_id"]

    # "Get Personas".
    status, personas = await docs.request("GET", "/personas?limit=10&page=1")
    assert status == 200
    assert persona_id in {p["persona_id"] for p in personas["data"]}

    # "Patch Persona": the docs' JSON Patch example shape.
    status, _ = await docs.request(
        "PATCH",
        f"/personas/{persona_id}",
        [
            {"op": "replace", "path": "/persona_name", "value": "Wellness Advisor"},
            {"op": "replace", "path": "/layers/llm/model", "value": "tavus-gpt-4o-mini"},
        ],
    )
    assert status == 200
    status, got = await docs.request("GET", f"/personas/{persona_id}")
    assert got["persona_name"] == "Wellness Advisor"
    assert got["layers"]["llm"]["model"] == "tavus-gpt-4o-mini"

    # "Create Conversation" with the persona's default replica.
    status, conversation = await docs.request(
        "POST",
        "/conversations",
        {"persona_id": persona_id, "conversation_name": "Coaching", "custom_greeting": "Hi!"},
    )
    assert status == 200
    cid = conversation["conversation_id"]
    assert conversation["status"] == "active"

    status, listing = await docs.request("GET", "/conversations?status=active")
    assert [c["conversation_id"] for c in listing["data"]] == [cid]

    # "End Conversation", then "Get Conversation" with verbose events.
    status, _ = await docs.request("POST", f"/conversations/{cid}/end")
    assert status == 200
    status, ended = await docs.request("GET", f"/conversations/{cid}?verbose=true")
    assert ended["status"] == "ended"
    assert "system.shutdown" in {e["event_type"] for e in ended["events"]}

    # "Create Document" then "Update Document" (a plain object, not JSON Patch).
    status, document = await docs.request(
        "POST",
        "/documents",
        {"document_url": "https://docs.example.com/guide.pdf", "tags": ["onboarding"]},
    )
    assert status == 200
    status, updated = await docs.request(
        "PATCH", f"/documents/{document['document_id']}", {"document_name": "Guide"}
    )
    assert (status, updated["document_name"]) == (200, "Guide")

    # "Delete Persona".
    status, _ = await docs.request("DELETE", f"/personas/{persona_id}")
    assert status == 204
    assert tavus_simulator.counts["conversations.create"] == 1
    assert tavus_simulator.counts["personas.patch"] == 1


async def test_our_client_against_the_simulator(tavus_simulator: TavusSimulator) -> None:
    pytest.importorskip("tavus_async._client")
    async with tavus_simulator.client() as tavus:
        persona = await tavus.personas.create(persona_name="Guide", system_prompt="Be helpful.")
        page = await tavus.personas.list(limit=100)
        assert persona.persona_id in {p.persona_id for p in page.data}
        conv = await tavus.conversations.create(
            persona_id=persona.persona_id, replica_id="rfe12d8b9597"
        )
        await tavus.conversations.end(conv.conversation_id)
        got = await tavus.conversations.get(conv.conversation_id)
        assert got.status == "ended"
    assert tavus_simulator.counts["conversations.create"] == 1


async def test_fixtures_give_a_ready_client(
    tavus_client: Any, tavus_simulator: TavusSimulator
) -> None:
    page = await tavus_client.replicas.list(replica_type="system", limit=100)
    assert "rfe12d8b9597" in {r.replica_id for r in page.data}
    assert tavus_simulator.counts["replicas.list"] == 1


@pytest.mark.tavus_simulator(time="manual", concurrency_limit=0, api_key="k-123")
async def test_marker_configures_the_fixture(tavus_simulator: TavusSimulator) -> None:
    assert tavus_simulator.api_key == "k-123"
    assert tavus_simulator.clock.mode == "manual"
    assert tavus_simulator.concurrency_limit == 0
