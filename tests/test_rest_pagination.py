"""Pagination: both page bases; iteration stops on an empty page, a short page or total_count."""

from __future__ import annotations

import pytest
from _rest_kit import API_KEY, REPLICA, App, Scripted, client_for

from tavus_async.testing import TavusSimulator

pytestmark = pytest.mark.anyio


def _pages(app: App, path: str) -> list[str]:
    return [r.query["page"] for r in app.calls("GET", path)]


def _bare() -> TavusSimulator:
    # No stock records, so a list holds exactly what the test made.
    return TavusSimulator(api_key=API_KEY, seed_stock=False)


async def test_one_based_iteration_stops_on_a_short_page() -> None:
    async with client_for() as (app, tavus):
        for i in range(25):
            await tavus.conversations.create(
                replica_id=REPLICA, conversation_name=f"c{i}", test_mode=True
            )
        names = [c.conversation_name async for c in tavus.conversations.list(limit=10)]
        # The simulator lists conversations newest first.
        assert names == [f"c{i}" for i in reversed(range(25))]
        assert _pages(app, "/v2/conversations") == ["1", "2", "3"]


async def test_zero_based_iteration_stops_at_total_count() -> None:
    async with client_for() as (app, tavus):
        for i in range(10):
            await tavus.documents.create(document_url=f"https://x/{i}.pdf", document_name=f"d{i}")
        ids = [d.document_id async for d in tavus.documents.list(limit=5)]
        assert len(ids) == 10
        assert len(set(ids)) == 10
        # Two full pages and total_count=10 reached: no third (empty) request.
        assert _pages(app, "/v2/documents") == ["0", "1"]


@pytest.mark.parametrize(
    ("resource", "path", "base"),
    [
        ("conversations", "/v2/conversations", "1"),
        ("personas", "/v2/personas", "1"),
        ("replicas", "/v2/replicas", "1"),
        ("objectives", "/v2/objectives", "1"),
        ("guardrails", "/v2/guardrails", "1"),
        ("voices", "/v2/voices", "1"),
        ("documents", "/v2/documents", "0"),
        ("videos", "/v2/videos", "0"),
        ("pronunciation_dictionaries", "/v2/pronunciation-dictionaries", "0"),
    ],
)
async def test_each_endpoint_starts_at_its_page_base(resource: str, path: str, base: str) -> None:
    async with client_for() as (app, tavus):
        page = await getattr(tavus, resource).list(limit=7)
        assert app.last.path == path
        assert app.last.query["page"] == base
        assert page.page == int(base)
        assert page.limit == 7


async def test_page_below_the_base_is_rejected() -> None:
    async with client_for() as (app, tavus):
        with pytest.raises(ValueError, match=">= 1"):
            tavus.conversations.list(page=0)
        with pytest.raises(ValueError, match=">= 0"):
            tavus.videos.list(page=-1)
        with pytest.raises(ValueError, match="limit"):
            tavus.personas.list(limit=0)
        assert app.requests == []


async def test_iteration_stops_on_an_empty_page_without_total_count() -> None:
    async with client_for() as (app, tavus):
        voice = {"voice_name": "v"}
        app.script(
            "GET",
            "/v2/voices",
            Scripted(body={"data": [voice, voice]}),
            Scripted(body={"data": [voice, voice]}),
            Scripted(body={"data": []}),
        )
        names = [v.voice_name async for v in tavus.voices.list(limit=2)]
        assert names == ["v"] * 4
        assert _pages(app, "/v2/voices") == ["1", "2", "3"]


async def test_a_server_that_ignores_page_cannot_loop_forever() -> None:
    async with client_for() as (app, tavus):
        same = {"data": [{"replica_id": "r1"}, {"replica_id": "r2"}], "total_count": 4}
        app.script("GET", "/v2/replicas", *[Scripted(body=same)] * 5)
        ids = [r.replica_id async for r in tavus.replicas.list(limit=2)]
        assert ids == ["r1", "r2", "r1", "r2"]
        assert len(app.calls("GET", "/v2/replicas")) == 2


async def test_await_gives_one_page_and_its_next() -> None:
    async with client_for(_bare()) as (_app, tavus):
        for i in (2, 1, 0):  # listed newest first: p0, p1, p2
            await tavus.personas.create(persona_name=f"p{i}", system_prompt="Hi.")
        first = await tavus.personas.list(limit=2)
        assert [p.persona_name for p in first.data] == ["p0", "p1"]
        assert first.total_count == 3
        assert first.has_next_page()
        second = await first.get_next_page()
        assert second.page == 2
        assert [p.persona_name for p in second.data] == ["p2"]
        assert not second.has_next_page()
        # Starting from a later page.
        later = await tavus.personas.list(page=2, limit=2)
        assert [p.persona_name for p in later] == ["p2"]


async def test_objectives_list_items_decode_from_the_flat_shape() -> None:
    async with client_for() as (_app, tavus):
        for i in (2, 1, 0):  # listed newest first
            await tavus.objectives.create(
                data=[{"objective_name": f"o{i}", "objective_prompt": f"prompt {i}"}]
            )
        sets = [s async for s in tavus.objectives.list(limit=2)]
        assert [s.objectives[0].objective_name for s in sets] == ["o0", "o1", "o2"]
        assert all(s.objectives_id for s in sets)
