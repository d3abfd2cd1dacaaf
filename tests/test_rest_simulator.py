"""End to end: the REST client against the project's Tavus simulator (tavus_async.testing).

The request-shape, error and retry details are in test_rest_endpoints/errors/pagination (also
against the simulator, its journal and faults); here the client meets the simulator's state:
lifecycles, stock data, pagination and every resource.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import pytest

from tavus_async import AsyncTavus
from tavus_async.errors import (
    ConcurrencyLimitError,
    ConflictError,
    NotFoundError,
    RateLimitError,
)
from tavus_async.models import Patch
from tavus_async.testing import TavusSimulator

pytestmark = pytest.mark.anyio


@pytest.fixture
async def sim() -> AsyncIterator[TavusSimulator]:
    async with TavusSimulator(time="manual", rooms=False, concurrency_limit=2) as simulator:
        yield simulator


@pytest.fixture
async def tavus(sim: TavusSimulator) -> AsyncIterator[AsyncTavus]:
    async with sim.client(retry_initial_delay=0.01, max_retries=1) as client:
        yield client


async def test_persona_and_conversation_round_trip(sim: TavusSimulator, tavus: AsyncTavus) -> None:
    with anyio.fail_after(20):
        persona = await tavus.personas.create(
            persona_name="Guide",
            system_prompt="You are a guide.",
            layers={
                "llm": {
                    "model": "tavus-gpt-4o",
                    "tools": [{"type": "function", "function": {"name": "get_weather"}}],
                },
                "perception": {"perception_model": "raven-1"},
            },
        )
        got = await tavus.personas.get(persona.persona_id)
        assert got.persona_name == "Guide"
        assert got.layers is not None
        assert got.layers.llm is not None
        assert got.layers.llm.model == "tavus-gpt-4o"

        changed = await tavus.personas.patch(
            persona.persona_id, Patch().replace("/persona_name", "Tour guide")
        )
        assert changed.changed
        unchanged = await tavus.personas.patch(
            persona.persona_id, Patch().replace("/persona_name", "Tour guide")
        )
        assert not unchanged.changed
        assert (await tavus.personas.get(persona.persona_id)).persona_name == "Tour guide"

        replica_id = (await tavus.replicas.list(replica_type="system", limit=1)).data[0].replica_id
        conv = await tavus.conversations.create(
            persona_id=persona.persona_id, replica_id=replica_id, require_auth=True
        )
        assert conv.status == "active"
        assert conv.conversation_url
        assert conv.meeting_token is not None
        assert conv.meeting_token not in repr(conv)
        active = [c.conversation_id async for c in tavus.conversations.list(status="active")]
        assert conv.conversation_id in active

        await tavus.conversations.end(conv.conversation_id)
        ended = await tavus.conversations.get(conv.conversation_id, verbose=True)
        assert ended.status == "ended"
        assert ended.ended_reason is not None
        assert "end_conversation_endpoint_hit" in ended.ended_reason
        await tavus.conversations.delete(conv.conversation_id)
        await tavus.personas.delete(persona.persona_id)
        with pytest.raises(NotFoundError):
            await tavus.personas.get(persona.persona_id)


async def test_concurrency_limit(sim: TavusSimulator, tavus: AsyncTavus) -> None:
    with anyio.fail_after(20):
        replica_id = (await tavus.replicas.list(replica_type="system", limit=1)).data[0].replica_id
        for _ in range(2):
            await tavus.conversations.create(replica_id=replica_id)
        with pytest.raises(ConcurrencyLimitError):
            await tavus.conversations.create(replica_id=replica_id)
        assert sim.counts["conversations.create"] == 2


async def test_replica_and_video_lifecycles(sim: TavusSimulator, tavus: AsyncTavus) -> None:
    with anyio.fail_after(20):
        replica = await tavus.replicas.create(
            train_video_url="https://example.com/train.mp4", replica_name="Rio"
        )
        assert replica.status == "started"
        await sim.advance(sim.timings.training / 2)
        midway = await tavus.replicas.get(replica.replica_id)
        assert midway.progress is not None
        assert 0 < midway.progress < 1
        await sim.advance(sim.timings.training)
        done = await tavus.replicas.get(replica.replica_id, verbose=True)
        assert done.is_ready
        assert done.progress == 1.0

        video = await tavus.videos.create(replica_id=replica.replica_id, script="Hello there")
        await sim.advance(sim.timings.video_queue + sim.timings.video + 1)
        ready = await tavus.videos.get(video.video_id, verbose=True)
        assert ready.is_ready
        assert ready.progress == 1.0
        await tavus.videos.rename(video.video_id, "Greeting")
        assert (await tavus.videos.get(video.video_id)).video_name == "Greeting"
        assert video.video_id in [v.video_id async for v in tavus.videos.list(limit=2)]
        await tavus.videos.delete(video.video_id)
        await tavus.replicas.rename(replica.replica_id, "Rio 2")
        await tavus.replicas.delete(replica.replica_id)


async def test_document_lifecycle_and_recrawl(sim: TavusSimulator, tavus: AsyncTavus) -> None:
    with anyio.fail_after(20):
        doc = await tavus.documents.create(
            document_url="https://example.com/", tags=["site"], crawl={"depth": 1, "max_pages": 5}
        )
        with pytest.raises(ConflictError):
            await tavus.documents.recrawl(doc.document_id)
        await sim.advance(sim.timings.document_start + sim.timings.document + 1)
        ready = await tavus.documents.get(doc.document_id)
        assert ready.is_ready
        with pytest.raises(RateLimitError, match="cooldown"):
            await tavus.documents.recrawl(doc.document_id)
        await sim.advance(sim.timings.recrawl_cooldown)
        again = await tavus.documents.recrawl(doc.document_id)
        assert again.status == "recrawling"
        updated = await tavus.documents.update(doc.document_id, tags=["kb"])
        assert updated.tags == ["kb"]
        found = [d.document_id async for d in tavus.documents.list(tags=["kb"], limit=1)]
        assert found == [doc.document_id]
        await tavus.documents.delete(doc.document_id)


async def test_sets_dictionaries_and_voices(sim: TavusSimulator, tavus: AsyncTavus) -> None:
    with anyio.fail_after(20):
        objs = await tavus.objectives.create(
            data=[{"objective_name": "get_email", "objective_prompt": "Ask for the email"}]
        )
        assert objs.objectives_id is not None
        got = await tavus.objectives.get(objs.objectives_id)
        assert got.objectives[0].objective_name == "get_email"
        assert objs.objectives_id in [s.objectives_id async for s in tavus.objectives.list()]
        await tavus.objectives.delete(objs.objectives_id)

        rails = await tavus.guardrails.create(
            data=[{"guardrail_name": "no_meds", "guardrail_prompt": "No medical advice"}]
        )
        assert rails.guardrails_id is not None
        got_rails = await tavus.guardrails.get(rails.guardrails_id)
        assert got_rails.guardrails[0].guardrail_prompt == "No medical advice"
        await tavus.guardrails.delete(rails.guardrails_id)

        pd = await tavus.pronunciation_dictionaries.create(
            name="Brand", rules=[{"text": "Tavus", "pronunciation": "TAH-vus", "type": "alias"}]
        )
        result = await tavus.pronunciation_dictionaries.patch(
            pd.pronunciation_dictionary_id, Patch().replace("/name", "Brand 2")
        )
        assert result.changed
        assert (
            await tavus.pronunciation_dictionaries.get(pd.pronunciation_dictionary_id)
        ).name == "Brand 2"
        await tavus.pronunciation_dictionaries.delete(pd.pronunciation_dictionary_id)

        voices = [v async for v in tavus.voices.list(limit=2)]
        assert voices
        assert len({v.voice_name for v in voices}) == len(voices)
