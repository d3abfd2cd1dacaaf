"""Resource commands against a live simulator: JSON parsed and checked, tables read, errors."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import anyio
import pytest
from _cli_kit import CLI, STOCK_REPLICA

pytestmark = pytest.mark.anyio


async def test_personas_create_get_list_patch_delete(cli: CLI, tmp_path: Path) -> None:
    body = tmp_path / "persona.json"
    body.write_text(json.dumps({"persona_name": "From file", "context": "Paris guide"}))
    created = await cli.json(
        "personas",
        "create",
        "--file",
        str(body),
        "--name",
        "Guide",
        "--system-prompt",
        "Be brief.",
        "--set",
        "layers.llm.model=tavus-gpt-4o",
    )
    pid = created["persona_id"]
    assert created["persona_name"] == "Guide"  # the flag wins over the file

    got = await cli.json("personas", "get", pid)
    assert got["system_prompt"] == "Be brief."
    assert got["context"] == "Paris guide"
    assert got["layers"]["llm"]["model"] == "tavus-gpt-4o"

    listed = await cli.json("personas", "list", "--all")
    assert pid in [p["persona_id"] for p in listed["data"]]
    assert listed["total_count"] == len(listed["data"])
    page = await cli.json("personas", "list", "--limit", "2")
    assert len(page["data"]) == 2
    assert page["total_count"] == listed["total_count"]

    patched = await cli.json(
        "personas",
        "patch",
        pid,
        "--replace",
        "/persona_name=Tour guide",
        "--add",
        "/layers/llm/speculative_inference=false",
    )
    assert patched["persona_name"] == "Tour guide"
    assert patched["layers"]["llm"]["speculative_inference"] is False
    assert (await cli.json("personas", "get", pid))["persona_name"] == "Tour guide"

    deleted = await cli.json("personas", "delete", pid)
    assert deleted == {"deleted": True, "persona_id": pid}
    gone = await cli("personas", "get", pid)
    assert gone.code == 1
    assert gone.out == ""
    assert gone.err.startswith("tavus-async: error:")
    assert pid in gone.err


async def test_patch_ops_from_a_file(cli: CLI, tmp_path: Path) -> None:
    pid = (await cli.json("personas", "create", "--name", "A", "--system-prompt", "x"))[
        "persona_id"
    ]
    ops = tmp_path / "ops.json"
    ops.write_text(json.dumps([{"op": "replace", "path": "/system_prompt", "value": "Be kind."}]))
    patched = await cli.json("personas", "patch", pid, "--file", str(ops))
    assert patched["system_prompt"] == "Be kind."


async def test_tables_for_people(cli: CLI) -> None:
    await cli("personas", "create", "--name", "Table Persona", "--system-prompt", "x")
    result = await cli("personas", "list", "--all")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split()[:2] == ["PERSONA_ID", "PERSONA_NAME"]
    assert any("Table Persona" in line for line in lines[1:])
    assert lines[-1].startswith(f"{len(lines) - 2} shown")
    record = await cli("replicas", "get", STOCK_REPLICA)
    fields = dict(line.split(None, 1) for line in record.out.splitlines() if " " in line)
    assert fields["replica_id"] == STOCK_REPLICA
    assert fields["status"] == "completed"


async def test_conversations_create_end_and_delete(cli: CLI) -> None:
    persona = await cli.json("personas", "create", "--name", "Host", "--system-prompt", "x")
    conv = await cli.json(
        "conversations",
        "create",
        "--persona-id",
        persona["persona_id"],
        "--replica-id",
        STOCK_REPLICA,
        "--name",
        "CLI call",
        "--greeting",
        "Hi!",
        "--set",
        "properties.max_call_duration=600",
    )
    cid = conv["conversation_id"]
    assert conv["conversation_name"] == "CLI call"
    assert conv["status"] == "active"
    assert conv["conversation_url"]
    active = await cli.json("conversations", "list", "--status", "active")
    assert cid in [c["conversation_id"] for c in active["data"]]

    assert await cli.json("conversations", "end", cid) == {"ended": True, "conversation_id": cid}
    assert (await cli.json("conversations", "get", cid))["status"] == "ended"
    active = await cli.json("conversations", "list", "--status", "active")
    assert cid not in [c["conversation_id"] for c in active["data"]]

    assert (await cli.json("conversations", "delete", cid, "--hard"))["deleted"] is True
    assert (await cli("conversations", "get", cid)).code == 1


async def test_private_room_token_is_masked_in_tables(cli: CLI) -> None:
    persona = await cli.json("personas", "create", "--name", "P", "--system-prompt", "x")
    args = (
        "conversations",
        "create",
        "--persona-id",
        persona["persona_id"],
        "--replica-id",
        STOCK_REPLICA,
        "--require-auth",
    )
    table = await cli(*args)
    assert table.code == 0
    assert ["meeting_token", "***"] in [line.split() for line in table.out.splitlines()]
    data = await cli.json(*args)
    assert data["meeting_token"]
    assert data["meeting_token"] not in table.out


async def test_replicas_and_videos_create_rename_delete(cli: CLI) -> None:
    replica = await cli.json(
        "replicas",
        "create",
        "--train-video-url",
        "https://example.com/train.mp4",
        "--name",
        "Me",
    )
    rid = replica["replica_id"]
    assert replica["status"] == "started"
    assert (await cli.json("replicas", "rename", rid, "Me, renamed"))["renamed"] is True
    assert (await cli.json("replicas", "get", rid))["replica_name"] == "Me, renamed"
    assert (await cli.json("replicas", "delete", rid, "--hard"))["deleted"] is True

    video = await cli.json(
        "videos",
        "create",
        "--replica-id",
        STOCK_REPLICA,
        "--script",
        "Hello there",
        "--name",
        "Greeting",
    )
    vid = video["video_id"]
    assert video["video_name"] == "Greeting"
    await cli.json("videos", "rename", vid, "Hello video")
    assert (await cli.json("videos", "get", vid))["video_name"] == "Hello video"
    listed = await cli.json("videos", "list")
    assert vid in [v["video_id"] for v in listed["data"]]
    await cli.json("videos", "delete", vid)
    # A soft delete keeps the video, marked deleted (Tavus's documented status).
    assert (await cli.json("videos", "get", vid))["status"] == "deleted"


async def test_documents_create_update_delete(cli: CLI) -> None:
    doc = await cli.json(
        "documents",
        "create",
        "--url",
        "https://example.com/guide.pdf",
        "--name",
        "Guide",
        "--tag",
        "travel",
        "--tag",
        "paris",
    )
    did = doc["document_id"]
    assert doc["tags"] == ["travel", "paris"]
    listed = await cli.json("documents", "list", "--limit", "10")
    assert did in [d["document_id"] for d in listed["data"]]
    updated = await cli.json("documents", "update", did, "--name", "City guide", "--tag", "fr")
    assert updated["document_name"] == "City guide"
    assert updated["tags"] == ["fr"]
    assert (await cli.json("documents", "get", did))["document_name"] == "City guide"
    await cli.json("documents", "delete", did)
    assert (await cli("documents", "get", did)).code == 1


async def test_documents_recrawl(cli: CLI) -> None:
    doc = await cli.json(
        "documents",
        "create",
        "--url",
        "https://example.com/",
        "--set",
        'crawl={"depth": 1, "max_pages": 3}',
    )
    did = doc["document_id"]
    await cli.sim.advance(3601)  # past the recrawl cooldown of the first crawl
    again = await cli.json("documents", "recrawl", did, "--max-pages", "5")
    assert again["status"] == "recrawling"
    assert again["crawl_config"] == {"depth": 1, "max_pages": 5}
    assert cli.sim.counts["documents.recrawl"] == 1


async def test_voices_list_with_filters(cli: CLI) -> None:
    listed = await cli.json("voices", "list", "--sort", "desc", "--search", "a")
    names = [v["voice_name"] for v in listed["data"]]
    assert names
    assert names == sorted(names, reverse=True)
    assert all("a" in name for name in names)
    table = await cli("voices", "list", "--tag", "british")
    assert table.code == 0
    assert "ben" in table.out
    assert "anna" not in table.out


async def test_pronunciation_dictionaries_create_get_list_patch_delete(
    cli: CLI, tmp_path: Path
) -> None:
    body = tmp_path / "rules.json"
    rules = [{"text": "Tavus", "pronunciation": "TAH-vus", "type": "alias"}]
    body.write_text(json.dumps({"rules": rules}))
    created = await cli.json(
        "pronunciation-dictionaries", "create", "--file", str(body), "--name", "Brand"
    )
    did = created["pronunciation_dictionary_id"]
    assert created["rules_count"] == 1
    got = await cli.json("pronunciation-dictionaries", "get", did)
    assert got["rules"][0]["pronunciation"] == "TAH-vus"
    listed = await cli.json("pronunciation-dictionaries", "list", "--sort", "asc")
    assert did in [d["pronunciation_dictionary_id"] for d in listed["data"]]
    patched = await cli.json(
        "pronunciation-dictionaries", "patch", did, "--replace", "/name=Brand names"
    )
    assert patched["name"] == "Brand names"
    await cli.json("pronunciation-dictionaries", "delete", did)
    assert (await cli("pronunciation-dictionaries", "get", did)).code == 1


@pytest.mark.parametrize(
    ("resource", "id_field", "item"),
    [
        (
            "objectives",
            "objectives_id",
            {"objective_name": "greet", "objective_prompt": "Greet the user"},
        ),
        (
            "guardrails",
            "guardrails_id",
            {"guardrail_name": "no_prices", "guardrail_prompt": "Never quote prices"},
        ),
    ],
)
async def test_objectives_and_guardrails(
    cli: CLI, tmp_path: Path, resource: str, id_field: str, item: dict[str, str]
) -> None:
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"data": [item]}))
    created = await cli.json(resource, "create", "--file", str(body))
    oid = created[id_field]
    assert oid in [x[id_field] for x in (await cli.json(resource, "list"))["data"]]
    prompt_field = next(k for k in item if k.endswith("_prompt"))
    patched = await cli.json(resource, "patch", oid, "--replace", f"/data/0/{prompt_field}=Changed")
    data = patched["data"]
    first = data[0] if isinstance(data, list) else data
    assert first[prompt_field] == "Changed"
    await cli.json(resource, "delete", oid)
    assert oid not in [x[id_field] for x in (await cli.json(resource, "list"))["data"]]


async def test_body_from_stdin_is_read(cli: CLI, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr(
        sys, "stdin", io.StringIO('{"persona_name": "Piped", "system_prompt": "x"}')
    )
    created = await cli.json("personas", "create", "--file", "-")
    assert created["persona_name"] == "Piped"


async def test_bad_key_is_one_line_exit_1_without_the_key(cli: CLI) -> None:
    bad = "sk_wrong_key_1234567890"
    result = await cli(
        "personas", "list", "--api-key", bad, "--base-url", cli.sim.base_url, auth=False
    )
    assert result.code == 1
    assert result.out == ""
    assert result.err.count("\n") == 1
    assert result.err.startswith("tavus-async: error:")
    assert "401" in result.err
    assert bad not in result.err
    assert "Traceback" not in result.err


async def test_usage_errors_exit_2_and_name_the_problem(cli: CLI, tmp_path: Path) -> None:
    typo = await cli("personas", "create", "--name", "x", "--set", "sytem_prompt=hi")
    assert typo.code == 2
    assert "sytem_prompt" in typo.err
    assert "--extra" in typo.err
    assert typo.err.count("\n") == 1

    no_ops = await cli("personas", "patch", "p1")
    assert no_ops.code == 2
    assert "at least one operation" in no_ops.err

    missing = await cli("personas", "create", "--file", str(tmp_path / "missing.json"))
    assert missing.code == 2
    assert "cannot read" in missing.err

    empty_update = await cli("documents", "update", "d1")
    assert empty_update.code == 2


async def test_extra_sends_unmodelled_fields(cli: CLI) -> None:
    created = await cli.json(
        "personas",
        "create",
        "--name",
        "X",
        "--system-prompt",
        "x",
        "--extra",
        "brand_new_field=42",
    )
    assert created["persona_id"]


async def test_subprocess_reads_key_and_url_from_the_environment(cli: CLI) -> None:
    env = {**os.environ, "TAVUS_API_KEY": cli.sim.api_key, "TAVUS_BASE_URL": cli.sim.base_url}
    with anyio.fail_after(60):
        proc = await anyio.run_process(
            [sys.executable, "-m", "tavus_async", "replicas", "list", "--json"],
            env=env,
            check=False,
        )
    assert proc.returncode == 0, proc.stderr.decode()
    data = json.loads(proc.stdout)
    assert STOCK_REPLICA in [r["replica_id"] for r in data["data"]]
    assert cli.sim.api_key.encode() not in proc.stdout + proc.stderr


async def test_objectives_and_guardrails_from_flags(cli: CLI) -> None:
    objectives = await cli.json(
        "objectives",
        "create",
        "--name",
        "onboarding",
        "--objective",
        "greet=Greet the user by name",
        "--objective",
        "collect_email=Ask for the user's email address",
    )
    got = await cli.json("objectives", "get", objectives["objectives_id"])
    data = got["data"] if isinstance(got["data"], list) else [got["data"]]
    assert [(o["objective_name"], o["objective_prompt"]) for o in data] == [
        ("greet", "Greet the user by name"),
        ("collect_email", "Ask for the user's email address"),
    ]
    guardrails = await cli.json(
        "guardrails", "create", "--name", "safety", "--guardrail", "no_prices=Never quote prices"
    )
    got = await cli.json("guardrails", "get", guardrails["guardrails_id"])
    data = got["data"] if isinstance(got["data"], list) else [got["data"]]
    assert data[0]["guardrail_name"] == "no_prices"
    bad = await cli("guardrails", "create", "--guardrail", "no-prompt")
    assert bad.code == 2
    assert "NAME=PROMPT" in bad.err


async def test_pals_in_the_2026_vocabulary(cli: CLI) -> None:
    created = await cli.json(
        "pals", "create", "--name", "Desk", "--face-id", STOCK_REPLICA, "--system-prompt", "Hi."
    )
    pid = created["pal_id"]
    got = await cli.json("pals", "get", pid)
    assert (got["pal_name"], got["default_face_id"]) == ("Desk", STOCK_REPLICA)
    listed = await cli.json("pals", "list", "--pal-type", "user", "--sort", "asc")
    assert [p["pal_id"] for p in listed["data"]] == [pid]
    patched = await cli.json("pals", "patch", pid, "--replace", "/pal_name=Front desk")
    assert patched["pal_name"] == "Front desk"
    published = await cli.json("pals", "publish", pid)
    assert published["status"] == "success"
    assert (await cli.json("pals", "check-username", "frontdesk"))["available"] is True
    table = await cli("pals", "list", "--pal-type", "system")
    assert "pipecat0" in table.out
    assert (await cli("pals", "create", "--name", "No face", "--system-prompt", "x")).code == 2
    await cli.json("pals", "delete", pid)
    assert (await cli("pals", "get", pid)).code == 1


async def test_faces_in_the_2026_vocabulary(cli: CLI) -> None:
    face = await cli.json("faces", "create", "--train-video-url", "https://example.com/me.mp4")
    fid = face["face_id"]
    ready = await cli.json("faces", "wait", fid, "--interval", "0.01", "--timeout", "10")
    assert ready["status"] == "completed"
    assert (await cli.json("faces", "get", fid, "--verbose"))["face_type"] == "user"
    assert fid in [
        f["face_id"] for f in (await cli.json("faces", "list", "--face-type", "user"))["data"]
    ]
    updated = await cli.json("faces", "update", fid, "--name", "Me", "--voice-id", "v0a1b2c3d4e5f")
    assert (updated["face_name"], updated["default_voice_id"]) == ("Me", "v0a1b2c3d4e5f")
    assert (await cli("faces", "update", fid)).code == 2
    await cli.json("faces", "rename", fid, "Me again")
    assert (await cli.json("faces", "get", fid))["face_name"] == "Me again"
    await cli.json("faces", "delete", fid, "--hard")
    assert (await cli("faces", "get", fid)).code == 1


async def test_skills_and_pal_skills(cli: CLI) -> None:
    registry = await cli.json("skills", "list")
    assert "presentation" in [s["skill_id"] for s in registry["data"]]
    assert (await cli.json("skills", "get", "memory"))["skill_id"] == "memory"
    pal = await cli.json(
        "pals", "create", "--face-id", STOCK_REPLICA, "--pipeline-mode", "echo", "--name", "S"
    )
    pid = pal["pal_id"]
    attached = await cli.json(
        "pal-skills", "attach", pid, "presentation", "--config", '{"document_ids": ["d1"]}'
    )
    assert attached["config"] == {"document_ids": ["d1"]}
    await cli.json("pal-skills", "attach", pid, "internet_search")
    merged = await cli.json(
        "pal-skills", "update", pid, "presentation", "--config", '{"prompt": "Go"}'
    )
    assert merged["config"] == {"document_ids": ["d1"], "prompt": "Go"}
    got = await cli.json("pal-skills", "get", pid, "presentation")
    assert got["config"]["prompt"] == "Go"
    table = await cli("pal-skills", "list", pid)
    assert "internet_search" in table.out
    assert "presentation" in table.out
    replaced = await cli.json("pal-skills", "replace", pid, "--skills", '{"memory": null}')
    assert [s["skill_id"] for s in replaced["data"]] == ["memory"]
    await cli.json("pal-skills", "detach", pid, "memory")
    assert (await cli.json("pal-skills", "list", pid))["data"] == []
    assert (await cli("pal-skills", "update", pid, "memory")).code == 2
