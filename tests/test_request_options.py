"""Per-call options, ``with_options`` and ``with_raw_response``, against the simulator.

Every request here goes over a real socket to a :class:`TavusSimulator`; what the client sent
is read back from the simulator's journal (``sim.requests``), case-insensitive headers included.
"""

from __future__ import annotations

from typing import Any

import pytest
from _rest_kit import API_KEY, Scripted, client_for, serve

from tavus_async import (
    APITimeoutError,
    AsyncTavus,
    AuthenticationError,
    ConfigurationError,
    InvalidInputError,
    InvalidTypeError,
    NotFoundError,
    RateLimitError,
    RawResponse,
)
from tavus_async.models import Patch, Persona

pytestmark = pytest.mark.anyio


async def test_per_call_timeout_bounds_that_call_only() -> None:
    async with client_for(max_retries=0) as (app, tavus):
        persona = await tavus.personas.create(persona_name="Slow", system_prompt="Hi.")
        pid = persona.persona_id
        app.script("GET", f"/v2/personas/{pid}", Scripted(delay=1.0))
        with pytest.raises(APITimeoutError, match=r"within 0\.2s"):
            await tavus.personas.get(pid, timeout=0.2)
        # The client's own timeout (60 s) still applies to the next call.
        assert (await tavus.personas.get(pid)).persona_id == pid


async def test_extra_headers_are_sent_and_replace_defaults_whatever_their_case() -> None:
    async with client_for() as (app, tavus):
        await tavus.personas.list(limit=1, extra_headers={"X-Trace": "t-1", "user-agent": "mine"})
        sent = app.last.headers
        assert sent["x-trace"] == "t-1"  # the journal's headers are case-insensitive
        assert sent.getall("User-Agent") == ["mine"]  # replaced, not sent twice
        assert sent["x-api-key"] == "***"
        # A call without options sends the client's own headers only.
        await tavus.personas.list(limit=1)
        assert "x-trace" not in app.last.headers
        assert app.last.headers["user-agent"].startswith("tavus-async/")


async def test_extra_query_reaches_every_page() -> None:
    async with client_for() as (app, tavus):
        for i in range(3):
            await tavus.personas.create(persona_name=f"p{i}", system_prompt="Hi.")
        seen = [p async for p in tavus.personas.list(limit=2, extra_query={"trace": "q"})]
        assert len(seen) >= 3
        pages = app.calls("GET", "/v2/personas")
        assert len(pages) >= 2
        assert all(r.query.get("trace") == "q" for r in pages)


async def test_extra_body_on_create_and_update_is_merged_deeply() -> None:
    async with client_for() as (app, tavus):
        await tavus.personas.create(
            persona_name="Deep",
            system_prompt="Hi.",
            layers={"llm": {"model": "tavus-gpt-4o"}},
            extra_body={"layers": {"llm": {"new_knob": 3}}, "brand_new": True},
            extra_headers={"X-Create": "1"},
            extra_query={"dry": "no"},
        )
        body = app.last.body
        assert body["layers"]["llm"] == {"model": "tavus-gpt-4o", "new_knob": 3}
        assert body["brand_new"] is True
        assert app.last.headers["x-create"] == "1"
        assert app.last.query["dry"] == "no"

        doc = await tavus.documents.create(document_url="https://example.com/a.pdf")
        assert doc.document_id is not None
        # extra_body alone is something to update.
        await tavus.documents.update(doc.document_id, extra_body={"document_name": "Renamed"})
        assert app.last.method == "PATCH"
        assert app.last.body == {"document_name": "Renamed"}


async def test_bad_per_call_options_fail_before_any_request() -> None:
    async with client_for() as (app, tavus):
        persona = await tavus.personas.create(persona_name="x", system_prompt="Hi.")
        pid = persona.persona_id
        before = len(app.requests)
        with pytest.raises(InvalidInputError, match="timeout must be a positive"):
            await tavus.personas.get(pid, timeout=0)
        with pytest.raises(InvalidInputError, match=r"unknown per-call option.*timeuot"):
            await tavus.personas.get(pid, timeuot=5)  # type: ignore[call-arg]
        with pytest.raises(InvalidInputError, match="JSON Patch"):
            await tavus.personas.patch(
                pid, Patch().replace("/persona_name", "y"), extra_body={"x": 1}
            )
        with pytest.raises(InvalidTypeError, match="extra_headers"):
            await tavus.personas.get(pid, extra_headers={"X-N": 5})  # type: ignore[dict-item]
        assert len(app.requests) == before


async def test_with_options_changes_key_base_url_and_headers_and_keeps_the_original() -> None:
    async with client_for(default_headers={"X-Team": "a", "X-Keep": "k"}) as (app, tavus):
        wrong = tavus.with_options(api_key="tk_wrong_key_000000000000")
        with pytest.raises(AuthenticationError, match="the api_key given to with_options"):
            await wrong.personas.list(limit=1)
        assert app.last.authorized is False

        retagged = tavus.with_options(default_headers={"x-team": "b"}, timeout=7, max_retries=0)
        await retagged.personas.list(limit=1)
        assert app.last.headers.getall("X-Team") == ["b"]
        assert app.last.headers["x-keep"] == "k"
        assert (retagged.timeout, retagged.max_retries) == (7.0, 0)

        async with serve() as (other, other_url):
            moved = tavus.with_options(base_url=other_url + "/v2/")
            assert moved.base_url == other_url
            await moved.personas.create(persona_name="Elsewhere", system_prompt="Hi.")
            assert other.last.body["persona_name"] == "Elsewhere"
            assert other.last.authorized  # same key: both simulators use API_KEY

        # The original is unchanged.
        await tavus.personas.list(limit=1)
        last = app.last
        assert last.authorized
        assert last.headers["x-team"] == "a"
        assert tavus.timeout == 60.0
        assert tavus.base_url != other_url


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"api_key": ""}, "api_key must be a non-empty string"),
        ({"base_url": "ftp://x"}, "http:// or https://"),
        ({"timeout": -1}, "timeout must be a positive"),
        ({"connect_timeout": 0}, "connect_timeout must be a positive"),
        ({"max_retries": -1}, "max_retries must be an integer"),
        ({"retry_max_delay": -0.5}, "retry_max_delay must be a number of seconds >= 0"),
    ],
)
async def test_with_options_rejects_bad_values(options: dict[str, object], message: str) -> None:
    tavus = AsyncTavus(api_key=API_KEY, base_url="http://127.0.0.1:9")
    with pytest.raises(ConfigurationError, match=message):
        tavus.with_options(**options)  # type: ignore[arg-type]
    await tavus.aclose()


async def test_with_raw_response_gives_status_headers_and_the_parsed_result() -> None:
    async with client_for() as (_app, tavus):
        made = await tavus.personas.with_raw_response.create(
            persona_name="Raw", system_prompt="Hi.", timeout=5
        )
        assert isinstance(made, RawResponse)
        assert type(tavus.personas.with_raw_response).__name__ == "PersonasWithRawResponse"
        assert made.status_code == 200
        persona = made.parse()
        assert isinstance(persona, Persona)
        assert persona.persona_name == "Raw"
        assert made.headers["CONTENT-TYPE"].startswith("application/json")
        assert made.json()["persona_id"] == persona.persona_id
        assert made.request_id is None  # the simulator, like Tavus's docs, sends none

        got = await tavus.personas.with_raw_response.get(persona.persona_id)
        assert got.parse() == await tavus.personas.get(persona.persona_id)
        assert got.response.method == "GET"
        assert got.response.path == f"/v2/personas/{persona.persona_id}"

        page = (await tavus.personas.with_raw_response.list(limit=1)).parse()
        assert len(page.data) == 1

        gone = await tavus.personas.with_raw_response.delete(persona.persona_id)
        assert gone.parse() is None
        assert gone.status_code in (200, 204)


async def test_raw_responses_and_errors_carry_a_request_id_when_the_server_sends_one() -> None:
    async with client_for(max_retries=0) as (app, tavus):
        persona = await tavus.personas.create(persona_name="Id", system_prompt="Hi.")
        pid = persona.persona_id
        app.script(
            "GET",
            f"/v2/personas/{pid}",
            Scripted(
                body={"persona_id": pid, "persona_name": "Id"}, headers={"X-Request-Id": "req_1"}
            ),
            Scripted(status=429, headers={"x-request-id": "req_2"}),
        )
        raw = await tavus.personas.with_raw_response.get(pid)
        assert raw.request_id == "req_1"
        assert raw.parse().persona_name == "Id"
        with pytest.raises(RateLimitError) as failed:
            await tavus.personas.with_raw_response.get(pid)
        assert failed.value.status_code == 429
        assert failed.value.request_id == "req_2"


async def test_capture_response_records_failures_too() -> None:
    async with client_for() as (_app, tavus):
        async with tavus.capture_response() as captured:
            with pytest.raises(NotFoundError):
                await tavus.personas.get("p_missing")
        failed = captured.response
        assert failed.status_code in (400, 404)
        assert failed.headers["content-type"].startswith("application/json")
        assert failed.path == "/v2/personas/p_missing"


async def test_with_raw_response_has_only_the_methods_that_make_requests() -> None:
    async with client_for() as (_app, tavus):
        view = tavus.conversations.with_raw_response
        with pytest.raises(AttributeError):
            view.connect  # type: ignore[attr-defined]  # noqa: B018 (joins a room: no response)
        assert {"create", "get", "list", "end", "delete"} <= set(dir(type(view)))


async def test_a_resource_without_a_typed_view_gets_every_method_untyped() -> None:
    from tavus_async._catalog import by_name
    from tavus_async._raw_response import AnyRawResponses
    from tavus_async.models import Persona
    from tavus_async.resources._verbs import CrudResource

    async with client_for() as (_app, tavus):
        # A plain catalog row served by the generic verb classes, as a new resource would be.
        plain = CrudResource[Persona](tavus._http, by_name("personas"))
        view = plain.with_raw_response
        assert isinstance(view, AnyRawResponses)
        made = await view.create(persona_name="Plain", system_prompt="Hi.")
        assert made.status_code == 200
        assert made.parse().persona_name == "Plain"
        with pytest.raises(AttributeError, match="no method '_path'"):
            view._path  # noqa: B018


async def test_waiters_pass_request_options_to_every_poll() -> None:
    async with client_for() as (app, tavus):
        replica = await tavus.replicas.create(train_video_url="https://example.com/train.mp4")
        rid = replica.replica_id
        assert rid is not None
        done = await tavus.replicas.wait_until_ready(
            rid, interval=0.01, request_options={"extra_headers": {"X-Poll": "p-1"}}
        )
        assert done.status == "completed"
        polls = app.calls("GET", f"/v2/replicas/{rid}")
        assert polls
        assert all(r.headers.get("x-poll") == "p-1" for r in polls)


def _gen_params() -> Any:
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "tools" / "gen_params.py"
    spec = importlib.util.spec_from_file_location("gen_params", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_params"] = module
    spec.loader.exec_module(module)
    return module


def test_every_method_that_makes_requests_takes_per_call_options() -> None:
    import inspect

    from tavus_async._catalog import CATALOG

    gen = _gen_params()
    missing = []
    for row in CATALOG:
        cls = row.resource_class
        for name in gen.raw_methods(cls):
            params = inspect.signature(getattr(cls, name)).parameters
            if name.startswith("wait_"):
                # Their own timeout= is the wait's deadline: options go to each poll.
                ok = "request_options" in params
            else:
                options = params.get("options")
                ok = (options is not None and options.annotation == "Unpack[RequestOptions]") or {
                    "timeout",
                    "extra_headers",
                    "extra_query",
                } <= set(params)
            if not ok:
                missing.append(f"{cls.__name__}.{name}")
    assert sorted(set(missing)) == [], (
        "give these **options: Unpack[RequestOptions] (or, beside **fields, timeout=, "
        "extra_headers=, extra_query=) and pass options= to the request"
    )
