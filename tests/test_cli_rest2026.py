"""The 2026 REST commands (deployments, memory stores, voices, tags, chunks, validate) on a live
simulator: JSON parsed and checked, the changes read back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _cli_kit import CLI

pytestmark = pytest.mark.anyio

_GREET = {"objective_name": "greet", "objective_prompt": "Say hi", "next_required_objective": "ask"}
_ASK = {"objective_name": "ask", "objective_prompt": "Ask why they came"}
_CHAIN = {"name": "intake", "data": [_GREET, _ASK]}


async def _pal_id(cli: CLI) -> str:
    personas = await cli.json("personas", "list", "--all")
    return str(personas["data"][0]["persona_id"])


async def test_deployments_from_create_to_a_public_call(cli: CLI) -> None:
    pal_id = await _pal_id(cli)
    created = await cli.json(
        "deployments",
        "create",
        "--pal-id",
        pal_id,
        "--channel",
        "widget",
        "--name",
        "Help widget",
        "--allowed-origin",
        "https://shop.example",
    )
    did = created["deployment_id"]
    assert created["allowed_origins"] == ["https://shop.example"]
    got = await cli.json("deployments", "get", did)
    assert got["pal_id"] == pal_id
    assert got["etag"].startswith('W/"')
    listed = await cli.json("deployments", "list", "--pal-id", pal_id, "--channel", "widget")
    assert [d["deployment_id"] for d in listed["data"]] == [did]
    patched = await cli.json("deployments", "patch", did, "--replace", "/name=Support")
    assert patched["name"] == "Support"

    # The public calls: the origin is checked, no key is needed.
    refused = await cli("deployments", "init", did, "--origin", "https://evil.example")
    assert refused.code == 1
    assert "not allowed" in refused.err
    init = await cli.json("deployments", "init", did, "--origin", "https://shop.example")
    assert init["is_available"] is True
    assert "pal_id" not in init
    call = await cli.json("deployments", "start", did, "--origin", "https://shop.example")
    ended = await cli.json("deployments", "end-conversation", did, call["conversation_id"])
    assert ended == {"conversation_id": call["conversation_id"], "status": "ended"}
    assert cli.sim.store.conversations[call["conversation_id"]]["status"] == "ended"

    await cli.json("deployments", "delete", did)
    assert (await cli("deployments", "get", did)).code == 1


async def test_memory_stores_create_list_update_delete(cli: CLI) -> None:
    pal_id = await _pal_id(cli)
    made = await cli.json(
        "memory-stores",
        "create",
        "--pal-id",
        pal_id,
        "--participant-tag",
        "visitor-7",
        "--pin",
        "Prefers French",
    )
    sid = made["memory_store_id"]
    assert made["pinned_memories"] == ["Prefers French"]
    again = await cli(
        "memory-stores", "create", "--pal-id", pal_id, "--participant-tag", "visitor-7"
    )
    assert again.code == 1
    assert "409" in again.err
    listed = await cli.json("memory-stores", "list", "--participant-tag", "visitor-7")
    assert [s["memory_store_id"] for s in listed["data"]] == [sid]
    updated = await cli.json("memory-stores", "update", sid, "--pin", "Speaks Dutch")
    assert updated["pinned_memories"] == ["Speaks Dutch"]
    assert (await cli.json("memory-stores", "get", sid))["pinned_memories"] == ["Speaks Dutch"]
    await cli.json("memory-stores", "delete", sid)
    assert (await cli("memory-stores", "get", sid)).code == 1


async def test_voices_create_get_update(cli: CLI) -> None:
    made = await cli.json(
        "voices",
        "create",
        "--name",
        "Narrator",
        "--audio-url",
        "https://example.com/narrator.wav",
        "--description",
        "Warm and slow",
    )
    vid = made["voice_id"]
    assert made["status"] == "started"
    assert made["voice_type"] == "user"
    got = await cli.json("voices", "get", vid)
    assert got["status"] == "completed"
    assert got["description"] == "Warm and slow"
    updated = await cli.json("voices", "update", vid, "--name", "Storyteller", "--tag", "calm")
    assert (updated["voice_name"], updated["tags"]) == ("Storyteller", ["calm"])
    stock = await cli.json("voices", "list", "--all")
    assert any(v.get("voice_type") == "system" and v.get("voice_id") for v in stock["data"])


async def test_objectives_validate_guardrail_and_document_tags(cli: CLI, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_CHAIN))
    assert (await cli.json("objectives", "validate", "--file", str(good))) == {"ok": True}
    looped = {"name": "loop", "data": [_GREET, {**_ASK, "next_required_objective": "greet"}]}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(looped))
    result = await cli("--json", "objectives", "validate", "--file", str(bad))
    assert result.code == 1
    assert "cycle" in result.out

    # Tags of a set's items count too: each item is mirrored as a flat guardrail.
    rails = tmp_path / "rails.json"
    rail = {"guardrail_name": "calm", "guardrail_prompt": "Stay calm", "tags": ["tone", "safety"]}
    rails.write_text(json.dumps({"name": "s", "data": [rail]}))
    await cli.json("guardrails", "create", "--file", str(rails))
    tags = await cli.json("guardrails", "tags", "--search", "saf")
    assert tags == {"tags": ["safety"], "total_count": 1}

    doc = await cli.json(
        "documents", "create", "--url", "https://example.com/faq.pdf", "--tag", "faq"
    )
    assert (await cli.json("documents", "tags"))["tags"] == ["faq"]
    chunks = await cli.json("documents", "chunks", doc["document_id"], "--limit", "2")
    assert len(chunks["chunks"]) == 2
    assert chunks["next_offset"] == "2"
