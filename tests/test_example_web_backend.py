"""examples/web_backend.py, run as a real process, serves users and follows their webhooks."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType
from typing import Any

import aiohttp
import anyio
import pytest
from _example_kit import (
    EXAMPLES,
    ExampleProcess,
    assert_refused_cleanly,
    example_env,
    load_example,
    run_example,
    started_example,
)

from tavus_async import StoppedSpeaking, webhooks
from tavus_async.room import connect

pytestmark = pytest.mark.anyio

EXAMPLE = EXAMPLES / "web_backend.py"


@asynccontextmanager
async def run_backend(secret: str) -> AsyncIterator[tuple[ExampleProcess, str]]:
    """Start the backend on a free port against its embedded simulator; yield it and its URL."""
    env = example_env(TAVUS_WEBHOOK_SECRET=secret)
    async with started_example(EXAMPLE, "--port", "0", env=env) as backend:
        listening = await backend.wait_for(r"listening on (http://127\.0\.0\.1:\d+)", timeout=20)
        yield backend, listening.group(1)


async def conversations_of(http: aiohttp.ClientSession, url: str, user: str) -> list[Any]:
    async with http.get(f"{url}/users/{user}/conversations") as resp:
        assert resp.status == 200
        body = await resp.json()
    items: list[Any] = body["conversations"]
    return items


async def wait_until_reported(http: aiohttp.ClientSession, url: str, user: str) -> Any:
    """The user's one conversation once shutdown and transcript webhooks arrived (bounded)."""
    with anyio.fail_after(20):
        while True:
            [record] = await conversations_of(http, url, user)
            if record["status"] == "ended" and record["transcript_turns"] is not None:
                return record
            await anyio.sleep(0.05)


async def test_backend_creates_ends_and_reports_what_the_webhooks_said() -> None:
    secret = webhooks.generate_secret()
    responses: list[str] = []
    async with run_backend(secret) as (backend, url), aiohttp.ClientSession() as http:
        await backend.wait_for(
            r"using the embedded Tavus simulator at http://127\.0\.0\.1:\d+", timeout=20
        )
        async with http.post(
            f"{url}/users/ada/conversations", json={"conversation_name": "Ada's demo"}
        ) as resp:
            assert resp.status == 201
            responses.append(await resp.text())
            ada = await resp.json()
        async with http.post(f"{url}/users/bob/conversations") as resp:
            assert resp.status == 201
            responses.append(await resp.text())
            bob = await resp.json()
        assert ada["status"] == "active"
        assert ada["conversation_id"] != bob["conversation_id"]
        assert ada["conversation_url"].startswith("ws://127.0.0.1:")

        # Each user sees only their own conversations, and cannot end another's.
        assert [c["conversation_id"] for c in await conversations_of(http, url, "bob")] == [
            bob["conversation_id"]
        ]
        end_ada = f"{url}/users/ada/conversations/{ada['conversation_id']}/end"
        async with http.post(f"{url}/users/bob/conversations/{ada['conversation_id']}/end") as r:
            assert r.status == 404

        # Ada's side: join the room at the URL the backend handed out and talk (so that the
        # transcript webhook has turns to report), then end the call through the backend.
        async with connect(ada["conversation_url"], join_timeout=20) as room:
            await room.respond("Hello there")
            await room.wait_for(StoppedSpeaking, where=lambda e: e.role == "replica", timeout=20)
            async with http.post(end_ada) as resp:
                assert resp.status == 200
                responses.append(await resp.text())
                assert (await resp.json())["status"] in ("ending", "ended")
        # Bob joins and just leaves: Tavus ends it on its own, and only the webhook says so.
        async with connect(bob["conversation_url"], join_timeout=20):
            pass

        mine = await wait_until_reported(http, url, "ada")
        responses.append(repr(mine))
        assert mine["shutdown_reason"] == "end_conversation_endpoint_hit"
        assert mine["shutdown_kind"] == "end_conversation_endpoint_hit"
        assert mine["transcript_turns"] >= 2  # the user's "Hello there" and the reply
        assert {"system.replica_joined", "system.shutdown", "application.transcription_ready"} <= (
            set(mine["webhooks"])
        )
        theirs = await wait_until_reported(http, url, "bob")
        assert theirs["shutdown_kind"] == "participant_left_timeout"
        assert theirs["shutdown_reason"] == "participant_left_timeout reached"
        assert "system.replica_joined" in theirs["webhooks"]

        # Ending again is harmless and changes nothing.
        async with http.post(end_ada) as resp:
            assert resp.status == 200
            assert (await resp.json())["status"] == "ended"

    assert backend.proc.returncode == 0, backend.output
    stats = re.search(r"stopped; 2 conversations, webhooks: \{.*'accepted': (\d+)", backend.output)
    assert stats is not None, backend.output
    assert int(stats.group(1)) >= 3
    assert "'unauthorized': 0" in backend.output
    # The webhook token appears nowhere: not in prints, logs, the access log or any answer.
    assert secret not in backend.output
    assert all(secret not in text for text in responses)
    assert "token=" not in backend.output


async def test_backend_refuses_bad_requests_and_forged_webhooks() -> None:
    secret = webhooks.generate_secret()
    async with run_backend(secret) as (backend, url), aiohttp.ClientSession() as http:
        async with http.post(f"{url}/users/ada/conversations", data=b"{not json") as resp:
            assert resp.status == 400
            assert "JSON" in (await resp.json())["error"]
        async with http.post(f"{url}/users/ada/conversations", json={"persona": "x"}) as resp:
            assert resp.status == 400
            assert "persona" in (await resp.json())["error"]
        async with http.post(f"{url}/users/ada/conversations", json={"custom_greeting": 3}) as r:
            assert r.status == 400
            assert "custom_greeting must be a string" in (await r.json())["error"]
        async with http.post(f"{url}/users/ada/conversations/c0000000/end") as resp:
            assert resp.status == 404
        assert await conversations_of(http, url, "ada") == []

        # A forged shutdown, with a wrong token and with none, changes nothing.
        async with http.post(f"{url}/users/ada/conversations") as resp:
            cid = (await resp.json())["conversation_id"]
        forged = {
            "event_type": "system.shutdown",
            "message_type": "system",
            "conversation_id": cid,
            "properties": {"shutdown_reason": "forged"},
        }
        wrong = webhooks.callback_url(f"{url}/webhooks/tavus", webhooks.generate_secret())
        for target in (wrong, f"{url}/webhooks/tavus"):
            async with http.post(target, json=forged) as resp:
                assert resp.status == 401
        [record] = await conversations_of(http, url, "ada")
        assert record["status"] == "active"
        assert record["webhooks"] == []
    assert backend.proc.returncode == 0, backend.output
    assert "'unauthorized': 2" in backend.output
    assert secret not in backend.output


def _load_backend() -> ModuleType:
    return load_example(EXAMPLE, "web_backend_example")


def _shutdown(cid: str) -> webhooks.WebhookEvent:
    return webhooks.parse(
        {
            "event_type": "system.shutdown",
            "message_type": "system",
            "conversation_id": cid,
            "properties": {"shutdown_reason": "max_call_duration reached"},
        }
    )


def test_a_webhook_that_beats_the_create_answer_is_applied_later() -> None:
    backend = _load_backend()
    book = backend.ConversationBook()
    book.apply(_shutdown("c-early"))
    assert book.by_id == {}
    book.add(backend.ConversationRecord("c-early", "ada", "https://tavus.daily.co/c-early"))
    [record] = book.for_user("ada")
    assert record.status == "ended"
    assert record.shutdown_kind == "max_call_duration"
    assert record.webhooks == ["system.shutdown"]


def test_webhooks_for_unknown_conversations_are_bounded_and_counted() -> None:
    backend = _load_backend()
    book = backend.ConversationBook()
    book.MAX_EARLY = 3
    for i in range(5):
        book.apply(_shutdown(f"c{i}"))
    book.apply(webhooks.parse({"video_id": "v1", "status": "ready"}))
    assert book.unmatched_dropped == 2  # the two oldest unknown ids, not silently
    assert book.ignored == 1  # a video callback is not a conversation's
    book.add(backend.ConversationRecord("c0", "ada", None))
    assert book.by_id["c0"].status == "active"  # its early webhook was among those dropped
    book.add(backend.ConversationRecord("c4", "ada", None))
    assert book.by_id["c4"].status == "ended"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "pass --public-url"),
        (("--public-url", "https://backend.example"), "set TAVUS_PERSONA_ID"),
    ],
)
def test_real_tavus_needs_a_public_url_and_a_persona(args: tuple[str, ...], message: str) -> None:
    key = "tvs_" + webhooks.generate_secret()
    proc = run_example(
        EXAMPLE, "--port", "0", *args, env=example_env(TAVUS_API_KEY=key), timeout=30
    )
    assert_refused_cleanly(proc, message, key)
