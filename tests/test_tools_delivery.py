"""The simulator as Tavus the sender: one registry answering on both channels, end to end."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
import pytest
from aiohttp import web

from tavus_async import tools
from tavus_async.interactions.events import StoppedSpeaking, ToolCall, Utterance
from tavus_async.models.tools import ApiDelivery, AuthHmac
from tavus_async.testing import TavusSimulator

pytestmark = pytest.mark.anyio

SECRET = "whsec_e2e_0123456789"

registry = tools.ToolRegistry()


@registry.tool
async def get_weather(city: str, ctx: tools.ToolContext) -> str:
    """Current weather for a city."""
    return f"Sunny in {city} (via {ctx.channel})"


@registry.tool
async def lookup_order(order_id: str, ctx: tools.ToolContext) -> dict[str, Any]:
    """An order's status."""
    return {"order_id": order_id, "status": "shipped", "via": ctx.channel}


async def _serve(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, tools.ToolRequestHandler]]:
    handler = tools.aiohttp_handler(registry, secret=SECRET)
    app = web.Application()
    handler.attach(app, "/tavus/tools")
    async for base in _serve(app):
        yield f"{base}/tavus/tools", handler


Recorded = list[tuple[web.Request, bytes]]


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[str, Recorded, list[Any]]]:
    """A third-party API that records each request and answers from a script."""
    seen: Recorded = []
    script: list[Any] = []  # (status, body) per request, or a float: sleep that long first

    async def handle(request: web.Request) -> web.StreamResponse:
        seen.append((request, await request.read()))
        step = script.pop(0) if script else (200, {"ok": True})
        if isinstance(step, float):
            await anyio.sleep(step)
            step = (200, "late")
        status, body = step
        if isinstance(body, str):
            return web.Response(status=status, text=body)
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    async for base in _serve(app):
        yield base, seen, script


@pytest.fixture
async def sim() -> AsyncIterator[TavusSimulator]:
    async with TavusSimulator(allow_private_tool_urls=True) as s:
        yield s


@pytest.fixture
async def tavus(sim: TavusSimulator) -> AsyncIterator[Any]:
    async with sim.client() as client:
        yield client


async def _conversation(tavus: Any, pal_id: str) -> Any:
    replicas = await tavus.replicas.list()
    return await tavus.conversations.create(
        persona_id=pal_id, replica_id=replicas.data[0].replica_id, custom_greeting=""
    )


async def _spoken(room: Any) -> str:
    said = await room.wait_for(Utterance, where=lambda u: u.role == "replica", timeout=5)
    await room.wait_for(StoppedSpeaking, timeout=5)
    return str(said.speech)


async def test_one_registry_answers_on_both_channels(
    tavus: Any, sim: TavusSimulator, receiver: tuple[str, tools.ToolRequestHandler]
) -> None:
    url, handler = receiver
    pal = await tavus.personas.create(persona_name="Shop", system_prompt="Help.")

    def delivery(spec: tools.ToolSpec) -> Any:
        # get_weather over signed HTTP, lookup_order as an app message in the room.
        if spec.name == "get_weather":
            return ApiDelivery(url=url, auth=AuthHmac(secret=SECRET))
        return None

    await tools.sync_tools(
        tavus, registry, delivery=delivery, pal_id=pal.persona_id, on_resolve="generate_response"
    )
    conv = await _conversation(tavus, pal.persona_id)
    async with tavus.conversations.connect(conv, tools=registry) as room:
        await room.respond('get_weather {"city": "Oslo"}')
        assert await _spoken(room) == "Sunny in Oslo (via http)"
        await room.respond('lookup_order {"order_id": "A-1"}')
        call = await room.wait_for(ToolCall, timeout=5)
        assert call.name == "lookup_order"
        assert await _spoken(room) == ('{"order_id": "A-1", "status": "shipped", "via": "room"}')

    (record,) = sim.tool_deliveries
    assert (record.name, record.status, record.conversation_id) == (
        "get_weather",
        "success",
        conv.conversation_id,
    )
    (attempt,) = record.attempts
    assert attempt.status == 200
    assert attempt.body is not None
    # The Tavus-shape body, signed over exactly the bytes that were sent.
    assert json.loads(attempt.body) == {
        "conversation_id": conv.conversation_id,
        "name": "get_weather",
        "arguments": '{"city": "Oslo"}',
    }
    assert attempt.headers["X-Tavus-Signature"] == tools.sign(SECRET, attempt.body)
    assert handler.stats.answered == 1
    assert SECRET not in repr(record)


async def _api_tool(tavus: Any, pal_id: str, api: dict[str, Any], **fields: Any) -> Any:
    tool = await tavus.tools.create(
        name="track_attempt",
        description="Record a quiz attempt.",
        parameters={
            "type": "object",
            "properties": {"question_id": {"type": "string"}, "was_correct": {"type": "boolean"}},
            "required": ["question_id", "was_correct"],
        },
        delivery={"api": api},
        **{"on_resolve": "generate_response", **fields},
    )
    await tavus.pals.tools.attach(pal_id, [tool.tool_id])
    return tool


async def _ask(tavus: Any, pal_id: str, text: str) -> str:
    conv = await _conversation(tavus, pal_id)
    async with tavus.conversations.connect(conv) as room:
        await room.respond(text)
        return await _spoken(room)


ASK = 'track_attempt {"question_id": "MA A2", "was_correct": true}'


async def test_templating_and_auth_headers_for_third_party_apis(
    tavus: Any, sim: TavusSimulator, recorder: tuple[str, Recorded, list[Any]]
) -> None:
    base, seen, _ = recorder
    pal = (await tavus.personas.create(persona_name="Quiz", system_prompt="Quiz.")).persona_id
    api = {
        "url": base + "/attempts/{question_id}?conversation_id={tavus_conversation_id}",
        "method": "PUT",
        "headers": {"Accept": "application/json"},
        "auth": {"type": "basic", "username": "quiz", "password": "pw_1"},
        "query_params": {"correct": "{was_correct}", "units": "metric"},
        "body_template": {"q": "{question_id}", "ok": "{was_correct}", "note": "q={question_id}"},
    }
    await _api_tool(tavus, pal, api)
    assert await _ask(tavus, pal, ASK) == '{"ok": true}'  # a JSON answer is spoken as JSON
    ((request, body),) = seen
    cid = sim.tool_deliveries[0].conversation_id
    assert request.method == "PUT"
    assert request.raw_path.split("?")[0] == "/attempts/MA%20A2"  # URL-encoded into the path
    assert dict(request.query) == {"conversation_id": cid, "correct": "true", "units": "metric"}
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"quiz:pw_1").decode()
    assert request.headers["Accept"] == "application/json"
    assert json.loads(body) == {"q": "MA A2", "ok": True, "note": "q=MA A2"}
    assert sim.tool_deliveries[0].output == {"ok": True}


async def test_api_key_in_the_query_and_the_arguments_as_the_default_body(
    tavus: Any, sim: TavusSimulator, recorder: tuple[str, Recorded, list[Any]]
) -> None:
    base, seen, script = recorder
    pal = (await tavus.personas.create(persona_name="Quiz", system_prompt="Quiz.")).persona_id
    api = {"url": base + "/hook", "auth": {"type": "api_key", "name": "key", "value": "k_1",
                                           "location": "query"}}  # fmt: skip
    await _api_tool(tavus, pal, api)
    script.append((200, "Recorded."))
    assert await _ask(tavus, pal, ASK) == "Recorded."
    ((request, body),) = seen
    assert (request.method, request.query["key"]) == ("POST", "k_1")
    assert json.loads(body) == {"question_id": "MA A2", "was_correct": True}


Scenario = Callable[[list[Any]], Awaitable[None]]


@pytest.mark.parametrize(
    ("script", "attempts", "spoken"),
    [
        ([(503, "busy"), (200, "Recorded.")], 2, "Recorded."),  # one retry on a 5xx
        ([(500, "no"), (500, "still no")], 2, "Sorry, track_attempt failed:"),  # at most one
        ([(404, "gone"), (200, "never sent")], 1, "Sorry, track_attempt failed:"),  # never 4xx
        ([1.0], 1, "Sorry, track_attempt failed:"),  # over the tool's timeout (0.5 s)
    ],
)
async def test_retry_once_on_5xx_never_on_4xx_and_the_timeout(
    tavus: Any,
    sim: TavusSimulator,
    recorder: tuple[str, Recorded, list[Any]],
    script: list[Any],
    attempts: int,
    spoken: str,
) -> None:
    base, seen, queue = recorder
    queue.extend(script)
    pal = (await tavus.personas.create(persona_name="Quiz", system_prompt="Quiz.")).persona_id
    await _api_tool(tavus, pal, {"url": base + "/hook", "timeout": 0.5})
    with anyio.fail_after(8):
        said = await _ask(tavus, pal, ASK)
    assert said.startswith(spoken)
    assert len(seen) == attempts
    assert len(sim.tool_deliveries[0].attempts) == attempts


async def test_a_private_host_is_refused_at_delivery_without_the_switch(
    tavus: Any, sim: TavusSimulator, recorder: tuple[str, Recorded, list[Any]]
) -> None:
    base, seen, _ = recorder
    pal = (await tavus.personas.create(persona_name="Quiz", system_prompt="Quiz.")).persona_id
    await _api_tool(tavus, pal, {"url": base + "/hook"})
    sim.account_tools.allow_private_urls = False  # as on Tavus
    said = await _ask(tavus, pal, ASK)
    assert said.startswith("Sorry, track_attempt failed:")
    assert seen == []
    assert "loopback" in (sim.tool_deliveries[0].attempts[0].error or "")


async def test_fire_and_forget_results_are_not_spoken(
    tavus: Any, sim: TavusSimulator, recorder: tuple[str, Recorded, list[Any]]
) -> None:
    base, seen, _script = recorder
    pal = (await tavus.personas.create(persona_name="Quiz", system_prompt="Quiz.")).persona_id
    await _api_tool(tavus, pal, {"url": base + "/hook"}, on_resolve="fire_and_forget")
    conv = await _conversation(tavus, pal)
    async with tavus.conversations.connect(conv) as room:
        await room.respond(ASK)
        with anyio.fail_after(5):
            # The simulator has no event for a finished delivery: poll its record, bounded.
            while not sim.tool_deliveries or sim.tool_deliveries[0].status != "success":  # noqa: ASYNC110
                await anyio.sleep(0.01)
        await room.echo("done")
        assert await _spoken(room) == "done"  # the first replica speech is the echo
    assert len(seen) == 1


async def test_oauth2_client_credentials_fetches_a_token_and_refreshes_once_after_a_401(
    tavus: Any, sim: TavusSimulator, recorder: tuple[str, Recorded, list[Any]]
) -> None:
    base, seen, script = recorder
    pal = (await tavus.personas.create(persona_name="Quiz", system_prompt="Quiz.")).persona_id
    auth = {
        "type": "oauth2_client_credentials",
        "token_url": base + "/token",
        "client_id": "cid",
        "client_secret": "cs_1",
        "scope": "quiz",
    }
    await _api_tool(tavus, pal, {"url": base + "/hook", "auth": auth})
    script.extend(
        [
            (200, {"access_token": "at_1"}),
            (401, "expired"),  # Tavus drops the token, fetches another and retries once
            (200, {"access_token": "at_2"}),
            (200, "Recorded."),
        ]
    )
    assert await _ask(tavus, pal, ASK) == "Recorded."
    paths = [request.path for request, _ in seen]
    assert paths == ["/token", "/hook", "/token", "/hook"]
    token_form = seen[0][1].decode()
    assert "grant_type=client_credentials" in token_form
    assert "client_secret=cs_1" in token_form
    assert "scope=quiz" in token_form
    assert [seen[i][0].headers["Authorization"] for i in (1, 3)] == ["Bearer at_1", "Bearer at_2"]


async def test_a_post_call_action_runs_once_after_a_call_with_dialogue(
    tavus: Any, sim: TavusSimulator, recorder: tuple[str, Recorded, list[Any]]
) -> None:
    base, seen, script = recorder
    pal = (await tavus.personas.create(persona_name="Quiz", system_prompt="Quiz.")).persona_id
    await _api_tool(tavus, pal, {"url": base + "/after"}, trigger_type="post_call")
    script.append((200, {"saved": True}))
    conv = await _conversation(tavus, pal)
    async with tavus.conversations.connect(conv) as room:
        # Offered to no one during the call: the replica just echoes a turn that names it.
        await room.respond(ASK)
        assert (await _spoken(room)).startswith("You said:")
    assert seen == []
    await tavus.conversations.end(conv.conversation_id)
    ((request, body),) = seen  # once, at the end
    assert request.path == "/after"
    assert json.loads(body) == {"question_id": "test", "was_correct": True}  # filled in
    got = await tavus.conversations.get(conv.conversation_id, verbose=True)
    events = [
        e for e in got.events or [] if e.event_type == "application.post_call_action_executed"
    ]
    assert len(events) == 1
    props = events[0].properties or {}
    assert (props["tool_name"], props["status"]) == ("track_attempt", "success")
    assert props["response"] == {"status": 200, "body": {"saved": True}}

    silent = await _conversation(tavus, pal)  # no dialogue: skipped
    await tavus.conversations.end(silent.conversation_id)
    assert len(seen) == 1
