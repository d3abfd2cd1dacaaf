"""The simulator's responses against Tavus's official OpenAPI document (openapi-2026.yml).

Two checks:
- a scripted tour calls every current endpoint with real ids (and the documented error cases),
  and validates each status code and JSON body against the operation's response schema;
- schemathesis fuzzes every current operation and checks no response is a 5xx, undocumented,
  of the wrong content type, or off-schema.

Where rest-api-notes.md records that the live API differs from the document, the simulator
follows the live behaviour and the difference is listed in KNOWN_DIFFERENCES below.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema_rs
import pytest
import yaml  # type: ignore[import-untyped,unused-ignore]
from _hypothesis_profiles import fuzz_timeout, profile

from tavus_async.testing import TavusSimulator

# shared/ sits beside the repository, here and in CI.
SPEC_PATH = Path(__file__).resolve().parents[2] / "shared" / "tavus-docs" / "openapi-2026.yml"

pytestmark = pytest.mark.skipif(not SPEC_PATH.exists(), reason="openapi-2026.yml not found")

DEPRECATED = ("/v2/lipsync", "/v2/replacements", "/v2/transcriptions")

#: (method, path template) -> why the simulator's body deliberately differs from the document.
KNOWN_DIFFERENCES = {
    # rest-api-notes §3.5.2/§3.6.2: a set's `data` is a list (PATCH paths are /data/0/...,
    # tavus-cli reads a list); the document shows one object.
    ("GET", "/v2/objectives/{objectives_id}"): "data is the set's list",
    ("GET", "/v2/guardrails/{guardrails_id}"): "data is the set's list",
}
#: Fields the document types as plain strings that Tavus really sends as null until they exist
#: (rest-api-notes §6.4 shows `download_url: null`, §3.1 a persona-less conversation).
NULLABLE_IN_PRACTICE = {
    "download_url",
    "stream_url",
    "status_details",
    "still_image_thumbnail_url",
    "gif_thumbnail_url",
    "error_details",
    "persona_id",
}


def _load_spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text())  # type: ignore[no-any-return]


def _to_json_schema(node: Any, name: str = "") -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: `nullable` (and NULLABLE_IN_PRACTICE) allow null."""
    if isinstance(node, list):
        return [_to_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {
        k: (
            {p: _to_json_schema(s, p) for p, s in v.items()}
            if k == "properties" and isinstance(v, dict)
            else _to_json_schema(v)
        )
        for k, v in node.items()
        if k not in ("example", "examples", "nullable", "description")
    }
    if (node.get("nullable") or name in NULLABLE_IN_PRACTICE) and "type" in out:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


class Spec:
    """Response schemas and documented status codes by (method, path template)."""

    def __init__(self) -> None:
        self.raw = _load_spec()
        self.ops: dict[tuple[str, str], dict[str, Any]] = {}
        for path, item in self.raw["paths"].items():
            if path.startswith(DEPRECATED):
                continue
            for method, op in item.items():
                if method != "parameters":
                    self.ops[(method.upper(), path)] = op

    def statuses(self, method: str, template: str) -> set[int]:
        return {int(s) for s in self.ops[(method, template)]["responses"]}

    def schema(self, method: str, template: str, status: int) -> Any:
        response = self.ops[(method, template)]["responses"].get(str(status)) or {}
        media = (response.get("content") or {}).get("application/json") or {}
        return _to_json_schema(media["schema"]) if "schema" in media else None


class Tour:
    """Calls the simulator and validates every answer against the document."""

    def __init__(self, spec: Spec, http: aiohttp.ClientSession) -> None:
        self.spec = spec
        self.http = http
        self.problems: list[str] = []
        self.covered: set[tuple[str, str]] = set()

    async def __call__(
        self, method: str, template: str, path: str | None = None, **kwargs: Any
    ) -> Any:
        async with self.http.request(method, path or template, **kwargs) as resp:
            raw = await resp.read()
            status = resp.status
            body = await resp.json(content_type=None) if raw else None
        key = (method, template)
        self.covered.add(key)
        where = f"{method} {path or template} -> {status}"
        if status not in self.spec.statuses(method, template):
            self.problems.append(f"{where}: status not documented")
            return body
        if status == 304:
            if raw:
                self.problems.append(f"{where}: a 304 must have no body")
            return body
        schema = self.spec.schema(method, template, status)
        if schema is not None and key not in KNOWN_DIFFERENCES:
            if body is None:
                self.problems.append(f"{where}: documented a JSON body, got none")
            else:
                errors = [
                    e.message for e in jsonschema_rs.Draft4Validator(schema).iter_errors(body)
                ]
                self.problems += [f"{where}: {e}" for e in errors[:5]]
        return body


@pytest.fixture(scope="module")
def spec() -> Spec:
    return Spec()


@pytest.mark.anyio
@pytest.mark.tavus_simulator(time="manual")
async def test_every_endpoint_matches_the_openapi_document(
    spec: Spec, http: aiohttp.ClientSession, tavus_simulator: TavusSimulator
) -> None:
    t = Tour(spec, http)
    anon: dict[str, Any] = {"headers": {"x-api-key": "wrong"}}
    C, P, R = "/v2/conversations", "/v2/personas", "/v2/replicas"
    await t("GET", C, **anon)  # 401 body

    # Personas
    persona = await t("POST", P, json={"persona_name": "A", "system_prompt": "B"})
    pid = persona["persona_id"]
    await t("POST", P, json={"persona_name": "A", "pipeline_mode": "nope"})
    await t("GET", P)
    await t("GET", f"{P}/{{persona_id}}", f"{P}/{pid}")
    await t("GET", f"{P}/{{persona_id}}", f"{P}/pnope")
    ops = [{"op": "replace", "path": "/persona_name", "value": "Z"}]
    await t("PATCH", f"{P}/{{persona_id}}", f"{P}/{pid}", json=ops)
    await t("PATCH", f"{P}/{{persona_id}}", f"{P}/{pid}", json=ops)  # 304
    await t("PATCH", f"{P}/{{persona_id}}", f"{P}/{pid}", json={"bad": 1})  # 422

    # Replicas (manual time: the new replica stays in training)
    replica = await t("POST", R, json={"train_video_url": "https://x/v.mp4"})
    rid = replica["replica_id"]
    await t("POST", R, json={})
    await t("GET", R)
    await t("GET", f"{R}/{{replica_id}}", f"{R}/{rid}")
    await t("GET", f"{R}/{{replica_id}}", f"{R}/rnope")
    await t("PATCH", f"{R}/{{replica_id}}/name", f"{R}/{rid}/name", json={"replica_name": "N"})
    await t("GET", "/v2/voices")

    # Conversations
    conv = await t("POST", C, json={"persona_id": pid, "replica_id": "rfe12d8b9597"})
    cid = conv["conversation_id"]
    await t("POST", C, json={"replica_id": "rfe12d8b9597", "require_auth": True})
    await t("POST", C, json={"replica_id": "rnope"})
    await t("GET", C)
    await t("GET", f"{C}/{{conversation_id}}", f"{C}/{cid}")
    await t("POST", f"{C}/{{conversation_id}}/end", f"{C}/{cid}/end")
    await t("GET", f"{C}/{{conversation_id}}", f"{C}/{cid}?verbose=true")
    await t("GET", f"{C}/{{conversation_id}}", f"{C}/cnope")
    await t("POST", f"{C}/{{conversation_id}}/end", f"{C}/cnope/end")
    await t("DELETE", f"{C}/{{conversation_id}}", f"{C}/{cid}")

    # Videos, before and after rendering
    V = "/v2/videos"
    video = await t("POST", V, json={"replica_id": "rfe12d8b9597", "script": "Hi"})
    vid = video["video_id"]
    await t("POST", V, json={"replica_id": "rnope", "script": "Hi"})
    await t("GET", f"{V}/{{video_id}}", f"{V}/{vid}")
    await tavus_simulator.advance(10_000)
    await t("GET", f"{V}/{{video_id}}", f"{V}/{vid}?verbose=true")
    await t("GET", V)
    await t("PATCH", f"{V}/{{video_id}}/name", f"{V}/{vid}/name", json={"video_name": "N"})
    await t("GET", f"{V}/{{video_id}}", f"{V}/vnope")
    await t("DELETE", f"{V}/{{video_id}}", f"{V}/{vid}")

    # Objectives and guardrails
    for kind, field in (("objectives", "objective"), ("guardrails", "guardrail")):
        base, item = f"/v2/{kind}", f"/v2/{kind}/{{{kind}_id}}"
        entry = {f"{field}_name": "a_b", f"{field}_prompt": "p"}
        created = await t("POST", base, json={"data": [entry]})
        await t("POST", base, json={"data": [{}]})
        sid = created[f"{kind}_id"]
        await t("GET", base)
        await t("GET", item, f"{base}/{sid}")
        await t("GET", item, f"{base}/xnope")
        patch = [{"op": "replace", "path": f"/data/0/{field}_prompt", "value": "q"}]
        await t("PATCH", item, f"{base}/{sid}", json=patch)
        await t("PATCH", item, f"{base}/{sid}", json=patch)  # 304
        await t("PATCH", item, f"{base}/{sid}", json={"op": "x"})
        await t("DELETE", item, f"{base}/{sid}")
        await t("DELETE", item, f"{base}/{sid}")  # 404

    # Documents
    D = "/v2/documents"
    doc = await t("POST", D, json={"document_url": "https://ex.com", "crawl": {"depth": 1}})
    did = doc["document_id"]
    await t("POST", D, json={})
    await t("POST", f"{D}/{{document_id}}/recrawl", f"{D}/{did}/recrawl")  # 409
    await tavus_simulator.advance(10_000)
    await t("POST", f"{D}/{{document_id}}/recrawl", f"{D}/{did}/recrawl")  # 202
    await t("POST", f"{D}/{{document_id}}/recrawl", f"{D}/{did}/recrawl")  # 409 again
    await tavus_simulator.advance(100)
    await t("POST", f"{D}/{{document_id}}/recrawl", f"{D}/{did}/recrawl")  # 429 cooldown
    plain = await t("POST", D, json={"document_url": "https://ex.com/a.pdf"})
    await t("POST", f"{D}/{{document_id}}/recrawl", f"{D}/{plain['document_id']}/recrawl")
    await t("GET", D)
    await t("GET", f"{D}/{{document_id}}", f"{D}/{did}")
    await t("GET", f"{D}/{{document_id}}", f"{D}/dnope")
    await t("PATCH", f"{D}/{{document_id}}", f"{D}/{did}", json={"document_name": "N"})
    await t("PATCH", f"{D}/{{document_id}}", f"{D}/{did}", json={"colour": "red"})
    await t("DELETE", f"{D}/{{document_id}}", f"{D}/{did}")
    await t("DELETE", f"{D}/{{document_id}}", f"{D}/{did}")

    # Pronunciation dictionaries
    PD, PDI = "/v2/pronunciation-dictionaries", "/v2/pronunciation-dictionaries/{dictionary_id}"
    rules = [{"text": "Tavus", "pronunciation": "TAH-vus", "type": "alias"}]
    created = await t("POST", PD, json={"name": "n", "rules": rules})
    pdid = created["pronunciation_dictionary_id"]
    await t("POST", PD, json={})
    await t("GET", PD)
    await t("GET", PDI, f"{PD}/{pdid}")
    await t("GET", PDI, f"{PD}/pd_nope")
    await t("PATCH", PDI, f"{PD}/{pdid}", json=[{"op": "replace", "path": "/name", "value": "m"}])
    await t("PATCH", PDI, f"{PD}/{pdid}", json=[{"op": "replace", "path": "/name", "value": "m"}])
    await t("PATCH", PDI, f"{PD}/{pdid}", json={"x": 1})
    await t("DELETE", PDI, f"{PD}/{pdid}")

    # Deletes last, so the objects above existed while read.
    await t("DELETE", f"{P}/{{persona_id}}", f"{P}/{pid}")
    await t("DELETE", f"{P}/{{persona_id}}", f"{P}/{pid}")
    await t("DELETE", f"{R}/{{replica_id}}", f"{R}/{rid}")

    assert not t.problems, "\n".join(t.problems)
    missing = set(spec.ops) - t.covered
    assert not missing, f"operations the tour did not call: {sorted(missing)}"


# -- schemathesis ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def threaded_simulator() -> Iterator[TavusSimulator]:
    """A simulator on its own loop in a thread, for schemathesis's synchronous client."""
    loop = asyncio.new_event_loop()
    sim = TavusSimulator(rooms=False)
    started = threading.Event()
    stop: asyncio.Event | None = None

    async def main() -> None:
        nonlocal stop
        stop = asyncio.Event()
        async with sim:
            started.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert started.wait(10), "the simulator did not start"
    try:
        yield sim
    finally:
        assert stop is not None
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()


@fuzz_timeout
def test_schemathesis_fuzz_finds_no_server_errors_or_off_schema_bodies(
    threaded_simulator: TavusSimulator,
) -> None:
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings
    from schemathesis.specs.openapi import checks as oas_checks

    # Status codes are checked by the tour above; fuzzed junk earns a 400 on routes whose
    # document lists only 200 (e.g. a bad `status` filter), which Tavus's 400 shape covers.
    chosen = [
        schemathesis.checks.not_a_server_error,
        oas_checks.content_type_conformance,
        oas_checks.response_schema_conformance,
    ]
    schema = schemathesis.openapi.from_path(str(SPEC_PATH))
    sim = threaded_simulator
    headers = {"x-api-key": sim.api_key}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith(DEPRECATED):
            continue
        if (operation.method.upper(), operation.path) in KNOWN_DIFFERENCES:
            continue
        operations += 1

        # One hypothesis search per operation (~45), so the fuzz total is ~45x the per-search
        # count: 1,000 each keeps `nox -s fuzz` to minutes while fuzzing ~45,000 requests.
        @settings(profile(10, fuzz_examples=1_000), suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def fuzz(case: Any) -> None:
            response = case.call(base_url=sim.base_url, headers=headers, timeout=10)
            if response.status_code == 304:
                return  # HTTP forbids a 304 body; the document's 304 schema cannot apply
            try:
                case.validate_response(response, checks=chosen)
            except Exception as exc:  # schemathesis raises a Failure or a FailureGroup
                failures.append(f"{case.method} {case.formatted_path}: {exc}"[:500])

        fuzz()
    assert operations >= 40
    assert not failures, "\n".join(failures[:10])
