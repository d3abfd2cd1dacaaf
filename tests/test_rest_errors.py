"""Error mapping, the retry policy, timeouts, validation errors, redaction and client behaviour.

All against the simulator on 127.0.0.1 (``tests/_rest_kit.py``), its faults scripting the odd
answers.
"""

from __future__ import annotations

import logging
import re
import socket
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import aiohttp
import anyio
import pytest
from _rest_kit import API_KEY, REPLICA, Scripted, client_for, serve

from tavus_async import AsyncTavus
from tavus_async.errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConcurrencyLimitError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from tavus_async.testing import TavusSimulator

pytestmark = pytest.mark.anyio

_PATH = "/v2/replicas/r1"
_RETRY_RE = re.compile(r"retrying (\w+) (\S+) in ([\d.]+)s \(attempt (\d+) of (\d+)\)")


def _retries(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str, float]]:
    out = []
    for record in caplog.records:
        m = _RETRY_RE.search(record.getMessage())
        if m and record.levelno == logging.INFO:
            out.append((m.group(1), m.group(2), float(m.group(3))))
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


# --- error mapping --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "cls", "said"),
    [
        (400, {"error": "Invalid request: bad field"}, BadRequestError, "Invalid request"),
        (400, {"error": "Invalid persona_id"}, NotFoundError, "Invalid persona_id"),
        (
            400,
            {"message": "User has reached maximum concurrent conversations"},
            ConcurrencyLimitError,
            "maximum concurrent conversations",
        ),
        (401, {"message": "Invalid access token"}, AuthenticationError, "Invalid access token"),
        (403, {"message": "IP not allowed"}, PermissionDeniedError, "IP not allowed"),
        (404, {"error": "Objective not found"}, NotFoundError, "Objective not found"),
        (409, {"error": "current status: processing"}, ConflictError, "current status"),
        (422, {"message": "Invalid JSON patch format"}, UnprocessableEntityError, "JSON patch"),
        (429, {"error": "Crawl document limit reached (100)"}, RateLimitError, "limit reached"),
        (500, {"error": "Need subscription plan"}, InternalServerError, "subscription"),
        (502, None, InternalServerError, "502"),
        (503, {"message": "down"}, InternalServerError, "down"),
        (504, {"message": "gateway"}, InternalServerError, "gateway"),
        (418, {"error": "teapot"}, APIStatusError, "teapot"),
    ],
)
async def test_error_mapping(status: int, body: Any, cls: type[Exception], said: str) -> None:
    async with client_for(max_retries=0) as (app, tavus):
        app.script("GET", _PATH, Scripted(status=status, body=body))
        with pytest.raises(cls) as info:
            await tavus.replicas.get("r1")
        err = info.value
        assert isinstance(err, APIStatusError)
        assert type(err) is cls
        assert err.status_code == status
        assert err.method == "GET"
        assert err.path == _PATH
        assert str(err).startswith(f"GET {_PATH} failed with {status}")
        assert said in str(err)
        assert API_KEY not in str(err)
        assert API_KEY not in repr(err.headers)


async def test_error_with_a_non_json_body_keeps_the_text() -> None:
    async with client_for(max_retries=0) as (app, tavus):
        app.script("GET", _PATH, Scripted(status=502, raw=b"<html>Bad Gateway</html>"))
        with pytest.raises(InternalServerError, match="Bad Gateway") as info:
            await tavus.replicas.get("r1")
        assert info.value.body == "<html>Bad Gateway</html>"


async def test_wrong_key_is_an_authentication_error_from_the_server() -> None:
    async with client_for(api_key="tk_wrong_key_999999") as (app, tavus):
        with pytest.raises(AuthenticationError, match="Invalid access token") as info:
            await tavus.personas.list()
        assert "tk_wrong_key_999999" not in str(info.value)
        assert len(app.requests) == 1  # 401 is never retried


async def test_concurrency_limit_is_typed_and_not_retried() -> None:
    sim = TavusSimulator(api_key=API_KEY, concurrency_limit=1)
    async with client_for(sim) as (app, tavus):
        await tavus.conversations.create(replica_id=REPLICA)
        with pytest.raises(ConcurrencyLimitError, match="maximum concurrent"):
            await tavus.conversations.create(replica_id=REPLICA)
        assert len(app.calls("POST", "/v2/conversations")) == 2
        # test_mode conversations do not count toward the limit.
        conv = await tavus.conversations.create(replica_id=REPLICA, test_mode=True)
        assert conv.status == "ended"


# --- retries --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
async def test_get_is_retried_on_transient_statuses(
    status: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tavus_async")
    async with client_for() as (app, tavus):
        rid = (await tavus.replicas.create(train_video_url="https://x/t.mp4")).replica_id
        path = f"/v2/replicas/{rid}"
        app.script("GET", path, Scripted(status=status), Scripted(status=status))
        async with tavus.capture_response() as raw:
            replica = await tavus.replicas.get(rid)
        assert replica.replica_id == rid
        assert len(app.calls("GET", path)) == 3
        assert raw.response.attempts == 3
        retries = _retries(caplog)
        assert [(m, p) for m, p, _ in retries] == [("GET", path), ("GET", path)]
        assert all(0 <= delay <= 0.05 for _, _, delay in retries)


async def test_get_gives_up_after_max_retries() -> None:
    async with client_for(max_retries=2) as (app, tavus):
        app.script("GET", _PATH, *[Scripted(status=500, body={"error": "boom"})] * 5)
        with pytest.raises(InternalServerError, match=r"boom \(after 3 attempts\)"):
            await tavus.replicas.get("r1")
        assert len(app.calls("GET", _PATH)) == 3


async def test_with_options_changes_the_retry_count() -> None:
    async with client_for(max_retries=2) as (app, tavus):
        app.script("GET", _PATH, *[Scripted(status=503)] * 5)
        with pytest.raises(InternalServerError):
            await tavus.with_options(max_retries=0).replicas.get("r1")
        assert len(app.calls("GET", _PATH)) == 1


@pytest.mark.parametrize(
    ("status", "attempts"), [(500, 1), (502, 1), (504, 1), (408, 1), (429, 3), (503, 3)]
)
async def test_create_is_retried_only_when_the_server_did_not_process_it(
    status: int, attempts: int
) -> None:
    async with client_for(max_retries=2) as (app, tavus):
        app.script("POST", "/v2/conversations", *[Scripted(status=status)] * 3)
        with pytest.raises(APIStatusError):
            await tavus.conversations.create(replica_id=REPLICA)
        assert len(app.calls("POST", "/v2/conversations")) == attempts
        assert app.conversations == {}
        assert app.sim.counts["conversations.create"] == 0


async def test_end_is_retried_like_a_read() -> None:
    async with client_for() as (app, tavus):
        conv = await tavus.conversations.create(replica_id=REPLICA)
        path = f"/v2/conversations/{conv.conversation_id}/end"
        app.script("POST", path, Scripted(status=502))
        await tavus.conversations.end(conv.conversation_id)
        assert len(app.calls("POST", path)) == 2
        assert app.conversations[conv.conversation_id]["status"] == "ended"


async def test_patch_and_delete_are_retried() -> None:
    async with client_for() as (app, tavus):
        p = await tavus.personas.create(persona_name="a", system_prompt="Be brief.")
        path = f"/v2/personas/{p.persona_id}"
        app.script("PATCH", path, Scripted(status=503))
        app.script("DELETE", path, Scripted(status=504))
        result = await tavus.personas.patch(p.persona_id, [{"op": "add", "path": "/x", "value": 1}])
        assert result.changed
        await tavus.personas.delete(p.persona_id)
        assert len(app.calls("PATCH", path)) == 2
        assert len(app.calls("DELETE", path)) == 2


async def test_retry_after_seconds_is_honoured(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="tavus_async")
    async with client_for() as (app, tavus):
        app.script("GET", "/v2/voices", Scripted(status=429, headers={"Retry-After": "0.3"}))
        page = await tavus.voices.list()
        assert len(page.data) == len(app.sim.store.voices)
        assert [d for _, _, d in _retries(caplog)] == [0.3]


async def test_retry_after_http_date_is_honoured(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="tavus_async")
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=2), usegmt=True)
    async with client_for() as (app, tavus):
        app.script("GET", "/v2/voices", Scripted(status=503, headers={"Retry-After": when}))
        with anyio.fail_after(10):
            await tavus.voices.list()
        (delay,) = [d for _, _, d in _retries(caplog)]
        # The header has whole-second resolution: the wait lies within (0, 2] seconds.
        assert 0 < delay <= 2.0


async def test_retry_after_beyond_the_cap_gives_up_at_once() -> None:
    async with client_for(max_retry_after=5) as (app, tavus):
        app.script(
            "GET",
            "/v2/voices",
            Scripted(status=429, body={"error": "slow down"}, headers={"Retry-After": "120"}),
        )
        with pytest.raises(RateLimitError, match="max_retry_after") as info:
            await tavus.voices.list()
        assert info.value.retry_after == 120
        assert len(app.calls("GET", "/v2/voices")) == 1


async def test_create_is_retried_when_the_connection_was_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="tavus_async")
    port = _free_port()
    async with AsyncTavus(
        api_key=API_KEY,
        base_url=f"http://127.0.0.1:{port}",
        max_retries=2,
        retry_initial_delay=0.01,
    ) as tavus:
        with pytest.raises(APIConnectionError, match="could not connect") as info:
            await tavus.conversations.create(replica_id="r1")
    assert info.value.request_sent is False
    assert "after 3 attempts" in str(info.value)
    assert len(_retries(caplog)) == 2


async def test_create_is_not_retried_after_a_read_timeout() -> None:
    async with client_for(timeout=0.2, max_retries=2) as (app, tavus):
        app.script("POST", "/v2/conversations", Scripted(delay=0.6))
        with pytest.raises(APITimeoutError, match=r"within 0\.2s") as info:
            await tavus.conversations.create(replica_id=REPLICA)
        assert info.value.request_sent is True
        assert len(app.calls("POST", "/v2/conversations")) == 1


async def test_create_is_not_retried_after_a_dropped_connection() -> None:
    async with client_for(max_retries=2) as (app, tavus):
        app.script("POST", "/v2/videos", Scripted(drop=True))
        with pytest.raises(APIConnectionError):
            await tavus.videos.create(replica_id=REPLICA, script="hi")
        assert len(app.calls("POST", "/v2/videos")) == 1


async def test_get_is_retried_after_a_timeout_and_a_dropped_connection() -> None:
    async with client_for(timeout=0.2, max_retries=2) as (app, tavus):
        app.script("GET", "/v2/voices", Scripted(delay=0.6), Scripted(drop=True))
        page = await tavus.voices.list()
        assert page.total_count == len(app.sim.store.voices)
        assert len(app.calls("GET", "/v2/voices")) == 3


async def test_timeout_without_retries_is_an_api_timeout_error() -> None:
    async with client_for(timeout=0.2, max_retries=0) as (app, tavus):
        app.script("GET", _PATH, Scripted(delay=0.6))
        with pytest.raises(APITimeoutError) as info:
            await tavus.replicas.get("r1")
        assert isinstance(info.value, APIConnectionError)
        assert info.value.path == _PATH


# --- decoding -------------------------------------------------------------------------------


async def test_undecodable_success_keeps_the_raw_body() -> None:
    async with client_for() as (app, tavus):
        app.script("GET", _PATH, Scripted(raw=b"<html>maintenance</html>"))
        with pytest.raises(APIResponseValidationError) as info:
            await tavus.replicas.get("r1")
        assert info.value.raw_body == b"<html>maintenance</html>"
        assert info.value.status_code == 200
        assert len(app.calls("GET", _PATH)) == 1  # a decode failure is not retried

        app.script("GET", _PATH, Scripted(body={"replica_id": 5}))
        with pytest.raises(APIResponseValidationError, match=r"replica_id"):
            await tavus.replicas.get("r1")


async def test_unknown_fields_in_responses_are_ignored() -> None:
    async with client_for() as (app, tavus):
        app.script(
            "GET",
            _PATH,
            Scripted(body={"replica_id": "r1", "status": "completed", "brand_new": {"x": 1}}),
        )
        replica = await tavus.replicas.get("r1")
        assert replica.is_ready


async def test_patch_304_is_not_an_error() -> None:
    async with client_for() as (app, tavus):
        app.script("PATCH", "/v2/objectives/o1", Scripted(status=304))
        result = await tavus.objectives.patch("o1", [{"op": "remove", "path": "/callback_url"}])
        assert not result.changed
        assert result.status_code == 304


async def test_invalid_patch_is_rejected_before_any_request() -> None:
    async with client_for() as (app, tavus):
        with pytest.raises(ValueError, match="unknown op"):
            await tavus.personas.patch("p1", [{"op": "set", "path": "/a", "value": 1}])
        with pytest.raises(ValueError, match="not a JSON Pointer"):
            await tavus.guardrails.patch("g1", [{"op": "remove", "path": "name"}])
        with pytest.raises(ValueError, match="needs a 'value'"):
            await tavus.objectives.patch("o1", [{"op": "replace", "path": "/a"}])
        assert app.requests == []


# --- redaction and secrets ------------------------------------------------------------------


async def test_secrets_never_reach_logs_reprs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    async with client_for(timeout=0.3) as (app, tavus):
        texts.append(repr(tavus))
        conv = await tavus.conversations.create(replica_id=REPLICA, require_auth=True)
        token = conv.meeting_token
        assert token is not None
        assert token.startswith("eyJ")
        texts += [repr(conv), str(conv)]
        app.script("GET", _PATH, Scripted(status=503), Scripted(status=401, body={"x": API_KEY}))
        try:
            await tavus.replicas.get("r1")
        except AuthenticationError as exc:
            texts += [str(exc), repr(exc)]
        persona = await tavus.personas.create(
            persona_name="p",
            system_prompt="Be brief.",
            layers={"llm": {"api_key": "sk-llm-secret-123", "model": "m"}},
        )
        got = await tavus.personas.get(persona.persona_id)
        texts.append(repr(got))
        await tavus.conversations.list()
    texts.append(caplog.text)
    assert any("GET /v2/replicas/r1" in r.getMessage() for r in caplog.records)
    everything = "\n".join(texts)
    assert API_KEY not in everything
    assert token not in everything
    assert "sk-llm-secret-123" not in everything
    assert "meeting_token='***'" in repr(conv)


async def test_client_repr_hides_the_key() -> None:
    tavus = AsyncTavus(api_key=API_KEY, base_url="http://127.0.0.1:1")
    assert API_KEY not in repr(tavus)
    assert "***" in repr(tavus)
    await tavus.aclose()


async def test_missing_key_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAVUS_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="TAVUS_API_KEY"):
        AsyncTavus()


async def test_key_and_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    async with serve() as (app, base_url):
        monkeypatch.setenv("TAVUS_API_KEY", API_KEY)
        monkeypatch.setenv("TAVUS_BASE_URL", base_url + "/v2")
        async with AsyncTavus() as tavus:
            await tavus.voices.list()
        # The simulator answers 401 to any other key; its journal keeps the key redacted.
        assert app.last.authorized
        assert app.last.headers["x-api-key"] == "***"
        assert app.last.path == "/v2/voices"


# --- sessions and raw access ----------------------------------------------------------------


async def test_injected_session_is_shared_and_never_closed() -> None:
    async with serve() as (app, base_url), aiohttp.ClientSession() as session:
        tavus = AsyncTavus(api_key=API_KEY, base_url=base_url, session=session)
        patient = tavus.with_options(timeout=5, max_retries=4)
        await tavus.voices.list()
        await patient.voices.list()
        assert patient.timeout == 5
        assert patient.max_retries == 4
        assert patient._config.sessions.session is session
        await patient.aclose()
        await tavus.aclose()
        assert not session.closed
        assert len(app.calls("GET", "/v2/voices")) == 2


async def test_with_options_copy_shares_the_owned_session() -> None:
    async with client_for() as (_app, tavus):
        await tavus.voices.list()
        copy = tavus.with_options(timeout=1)
        await copy.voices.list()
        assert copy._config.sessions.session is tavus._config.sessions.session
        await copy.aclose()
        session = tavus._config.sessions.session
        assert session is not None
        assert not session.closed
        await tavus.voices.list()
    assert session.closed


async def test_capture_response_gives_status_and_headers() -> None:
    async with client_for() as (_app, tavus):
        async with tavus.capture_response() as raw:
            created = await tavus.pronunciation_dictionaries.create(name="d")
        assert raw.response.status_code == 201
        assert raw.response.headers["Content-Type"].startswith("application/json")
        assert raw.response.method == "POST"
        assert raw.response.json()["pronunciation_dictionary_id"] == (
            created.pronunciation_dictionary_id
        )
        async with tavus.capture_response() as raw:
            created_p = await tavus.personas.create(persona_name="x", system_prompt="Hi.")
            await tavus.personas.delete(created_p.persona_id)
        assert [r.status_code for r in raw.responses] == [200, 204]
