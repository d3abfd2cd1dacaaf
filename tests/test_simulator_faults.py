"""Fault injection and counts: status faults, Retry-After, fail-N-times, drops, control routes."""

from __future__ import annotations

import aiohttp
import pytest
from _sim_http import TIMEOUT, call, call_with_headers

from tavus_async.testing import FaultPlan, TavusSimulator
from tavus_async.testing._app import _is_loopback

pytestmark = pytest.mark.anyio

CONV = {"replica_id": "rfe12d8b9597"}


@pytest.mark.parametrize("status", [429, 500, 502, 503])
async def test_fail_n_times_then_succeed(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator, status: int
) -> None:
    rule = tavus_simulator.faults.add("POST /v2/conversations", status=status, times=2)
    seen = [(await call(http, "POST", "/v2/conversations", json=CONV))[0] for _ in range(3)]
    assert seen == [status, status, 200]
    assert rule.hits == 2
    assert rule.exhausted
    # Faulted requests never reached the endpoint: exactly one conversation exists.
    assert tavus_simulator.counts["conversations.create"] == 1
    assert len(tavus_simulator.store.conversations) == 1
    assert tavus_simulator.received["POST /v2/conversations"] == 3


async def test_retry_after_header_and_body(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    tavus_simulator.faults.add("GET /v2/personas/{persona_id}", status=503, retry_after=2)
    tavus_simulator.faults.add("GET /v2/personas/{persona_id}", status=429)
    status, body, headers = await call_with_headers(http, "GET", "/v2/personas/pdced222244b")
    assert (status, headers["Retry-After"]) == (503, "2")
    assert "error" in body
    status, _, headers = await call_with_headers(http, "GET", "/v2/personas/pdced222244b")
    assert status == 429
    assert "Retry-After" not in headers
    assert (await call(http, "GET", "/v2/personas/pdced222244b"))[0] == 200


async def test_rules_match_only_their_route_and_method(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    tavus_simulator.faults.add("DELETE /v2/personas/*", status=500, times=None)
    assert (await call(http, "GET", "/v2/personas/pdced222244b"))[0] == 200
    assert (await call(http, "GET", "/v2/personas"))[0] == 200
    assert (await call(http, "DELETE", "/v2/personas/pdced222244b"))[0] == 500
    assert (await call(http, "DELETE", "/v2/personas/pdced222244b"))[0] == 500


async def test_global_fault_and_custom_body(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    tavus_simulator.faults.add("*", status=502, body={"message": "upstream down"})
    status, body = await call(http, "GET", "/v2/voices")
    assert (status, body) == (502, {"message": "upstream down"})
    assert (await call(http, "GET", "/v2/voices"))[0] == 200


async def test_latency_fault_still_serves(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    rule = tavus_simulator.faults.add("GET /v2/voices", latency=0.05)
    status, body = await call(http, "GET", "/v2/voices")
    assert status == 200
    assert body["total_count"] > 0
    assert rule.hits == 1


async def test_drop_before_does_nothing_server_side(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    tavus_simulator.faults.add("POST /v2/conversations", drop="before")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await call(http, "POST", "/v2/conversations", json=CONV)
    assert tavus_simulator.counts["conversations.create"] == 0
    assert not tavus_simulator.store.conversations


async def test_drop_after_executes_then_hangs_up(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    # The dangerous case for a retried create: the work happened, the answer never came.
    tavus_simulator.faults.add("POST /v2/conversations", drop="after")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await call(http, "POST", "/v2/conversations", json=CONV)
    assert tavus_simulator.counts["conversations.create"] == 1
    assert len(tavus_simulator.store.conversations) == 1


async def test_drop_mid_response_truncates_the_body(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    tavus_simulator.faults.add("GET /v2/personas", drop="mid")
    with pytest.raises(aiohttp.ClientPayloadError):
        await call(http, "GET", "/v2/personas")
    # The server is still healthy afterwards.
    assert (await call(http, "GET", "/v2/personas"))[0] == 200


async def test_faults_through_the_control_endpoint(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    async with aiohttp.ClientSession(tavus_simulator.base_url, timeout=TIMEOUT) as control:
        spec = {"route": "GET /v2/replicas", "status": 503, "times": 1, "retry_after": 1}
        async with control.post("/_sim/faults", json=spec) as resp:
            assert resp.status == 201
            (rule,) = (await resp.json())["data"]
        async with control.get("/_sim/faults") as resp:
            assert [r["id"] for r in (await resp.json())["data"]] == [rule["id"]]
        status, _, headers = await call_with_headers(http, "GET", "/v2/replicas")
        assert (status, headers["Retry-After"]) == (503, "1")
        async with control.post("/_sim/faults", json={"route": "*", "colour": "red"}) as resp:
            assert resp.status == 400
            assert "colour" in (await resp.json())["error"]
        async with control.post("/_sim/faults", json={"route": "*", "status": 503}) as resp:
            assert resp.status == 201
        async with control.delete("/_sim/faults") as resp:
            assert resp.status == 204
        assert (await call(http, "GET", "/v2/replicas"))[0] == 200
        async with control.get("/_sim/counts") as resp:
            counts = await resp.json()
        assert counts["counts"]["replicas.list"] == 1
        assert counts["received"]["GET /v2/replicas"] == 2
        assert counts["faults_injected"] == 1
        async with control.get("/_sim/state") as resp:
            state = await resp.json()
        assert "rfe12d8b9597" in {r["replica_id"] for r in state["replicas"]}


def test_fault_rules_are_validated() -> None:
    plan = FaultPlan()
    with pytest.raises(ValueError, match="at least one"):
        plan.add("*")
    with pytest.raises(ValueError, match="drop"):
        plan.add("*", drop="sideways")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="times"):
        plan.add("*", status=500, times=0)


def test_route_patterns() -> None:
    plan = FaultPlan()
    rule = plan.add("POST /v2/conversations/{conversation_id}/end", status=500, times=None)
    assert rule.matches("POST", "/v2/conversations/c123/end")
    assert rule.matches("POST", "/v2/conversations/c123/end/")
    assert not rule.matches("GET", "/v2/conversations/c123/end")
    assert not rule.matches("POST", "/v2/conversations/c123")
    any_method = plan.add("/v2/voices", status=500)
    assert any_method.matches("GET", "/v2/voices")
    assert not any_method.matches("GET", "/v2/voices/x")


def test_control_routes_are_loopback_only() -> None:
    assert _is_loopback("127.0.0.1")
    assert _is_loopback("::1")
    assert not _is_loopback("10.1.2.3")
    assert not _is_loopback("203.0.113.5")
    assert not _is_loopback(None)


async def test_our_client_retries_a_get_but_never_duplicates_a_create(
    tavus_simulator: TavusSimulator,
) -> None:
    errors = pytest.importorskip("tavus_async.errors")
    tavus_simulator.faults.add("GET /v2/personas/{persona_id}", status=503, times=2, retry_after=0)
    tavus_simulator.faults.add("POST /v2/conversations", drop="after")
    async with tavus_simulator.client(max_retries=3) as tavus:
        persona = await tavus.personas.get("pdced222244b")
        assert persona.persona_id == "pdced222244b"
        with pytest.raises(errors.APIConnectionError):
            await tavus.conversations.create(replica_id="rfe12d8b9597")
    assert tavus_simulator.received["GET /v2/personas/{persona_id}"] == 3
    assert tavus_simulator.counts["personas.get"] == 1
    # The create reached the server once and was not sent again.
    assert tavus_simulator.received["POST /v2/conversations"] == 1
    assert tavus_simulator.counts["conversations.create"] == 1


async def test_status_faults_serve_raw_bodies_headers_and_bodiless_statuses(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    faults = tavus_simulator.faults
    faults.add("GET /v2/voices", status=502, raw=b"<html>down</html>", headers={"X-Why": "test"})
    faults.add("PATCH /v2/objectives/o1", status=304)
    faults.add("GET /v2/personas/p1", status=200, body={"data": []})
    async with http.get(
        f"{tavus_simulator.base_url}/v2/voices", headers={"x-api-key": tavus_simulator.api_key}
    ) as resp:
        assert resp.status == 502
        assert resp.headers["X-Why"] == "test"
        assert await resp.read() == b"<html>down</html>"
    status, body = await call(http, "PATCH", "/v2/objectives/o1", json=[])
    assert (status, body) == (304, None)
    assert await call(http, "GET", "/v2/personas/p1") == (200, {"data": []})
    with pytest.raises(ValueError, match="need a status"):
        faults.add("*", latency=0.1, raw=b"x")
    with pytest.raises(ValueError, match="not both"):
        faults.add("*", status=200, raw=b"x", body={})


async def test_the_request_journal_keeps_requests_without_their_key(
    http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    journal = tavus_simulator.requests
    with pytest.raises(LookupError):
        _ = journal.last
    await call(http, "POST", "/v2/conversations?x=1", json=CONV)
    async with http.get(
        f"{tavus_simulator.base_url}/v2/voices", headers={"x-api-key": "wrong"}
    ) as resp:
        assert resp.status == 401
    first, second = list(journal)
    assert (first.method, first.path, first.query, first.body) == (
        "POST",
        "/v2/conversations",
        {"x": "1"},
        CONV,
    )
    assert first.authorized
    assert first.headers["x-api-key"] == "***"
    assert tavus_simulator.api_key not in repr(first)
    assert not second.authorized
    assert journal.last is second
    assert journal.calls("GET", "/v2/voices/") == [second]
    journal.clear()
    assert len(journal) == 0


def test_the_request_journal_is_bounded() -> None:
    from tavus_async.testing import RequestJournal

    journal = RequestJournal(size=2)
    for i in range(5):
        journal.record("GET", f"/v2/x/{i}", {}, {"Authorization": "Bearer s"}, b"", authorized=True)
    assert [r.path for r in journal] == ["/v2/x/3", "/v2/x/4"]
    assert journal[0].headers["Authorization"] == "***"
    assert journal.last.body is None
