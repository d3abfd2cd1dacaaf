"""Tavus's official ``tavus-cli``, unchanged, against the simulator.

Every REST command the CLI has is run as a subprocess (the ``tavus`` script installed beside this
interpreter) with only ``TAVUS_PUBLIC_API_BASE_URL`` and ``TAVUS_API_KEY`` pointing at the
simulator; what a command changed is read back with the CLI's own ``get``/``list``. Request
bodies come from the CLI's own ``example`` commands where it has them.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from interop_kit import Report

from tavus_async.testing import TavusSimulator

_TIMEOUT = 60.0


def _rows(value: Any) -> list[Any]:
    """The items of a list answer, whatever its envelope (``data``, ``deployments``, a list)."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for key in ("data", "deployments", "tags", "chunks"):
            inner = value.get(key)
            if isinstance(inner, list):
                return inner
            if isinstance(inner, dict) and key == "data":
                return list(inner.values())
    return []


def _first(value: Any, *keys: str) -> Any:
    """The first of ``keys`` present in ``value`` (or in its ``data``), else None."""
    for obj in (value, value.get("data") if isinstance(value, dict) else None):
        if isinstance(obj, dict):
            for key in keys:
                if obj.get(key) not in (None, ""):
                    return obj[key]
    return None


def _ids(rows: Iterable[Any], *keys: str) -> set[str]:
    return {str(_first(row, *keys)) for row in rows if isinstance(row, dict)}


class _CLI:
    """Runs ``tavus`` commands against one simulator and records each as a step."""

    def __init__(self, sim: TavusSimulator, report: Report, workdir: Path) -> None:
        self.sim = sim
        self.report = report
        self.workdir = workdir
        self.exe = str(Path(sys.executable).with_name("tavus"))
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(workdir),  # no keyring, no user config
            "TAVUS_ENV": "PROD",
            "TAVUS_API_KEY": sim.api_key,
            "TAVUS_PUBLIC_API_BASE_URL": f"{sim.base_url}/v2",
            "NO_COLOR": "1",
            "COLUMNS": "200",
        }

    async def run(self, *args: str) -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(
            self.exe,
            *args,
            cwd=self.workdir,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), _TIMEOUT)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()
            return -1, "", f"timed out after {_TIMEOUT} s"
        return proc.returncode or 0, out.decode(), err.decode()

    async def json(self, step: str, *args: str) -> Any:
        """Run a command that prints JSON; the parsed answer, or None (a failed step)."""
        code, out, err = await self.run(*args)
        if code != 0:
            self.report.fail(step, f"exit {code}: {(err or out).strip()[-300:]}")
            return None
        try:
            value = json.loads(out)
        except ValueError:
            self.report.fail(step, f"not JSON: {out.strip()[:200]}")
            return None
        self.report.ok(step)
        return value

    def file(self, name: str, value: Any) -> str:
        path = self.workdir / name
        path.write_text(json.dumps(value))
        return str(path)


async def run(sim: TavusSimulator, report: Report) -> None:
    """Exercise every REST command group of ``tavus-cli`` and read back what each changed."""
    with tempfile.TemporaryDirectory(prefix="tavus-cli-") as tmp:
        cli = _CLI(sim, report, Path(tmp))
        await _pals_and_faces(cli)


async def _pals_and_faces(cli: _CLI) -> None:
    r = cli.report
    pals = await cli.json("pal list", "pal", "list", "--json")
    if pals is not None:
        r.check("pal list has stock PALs", bool(_rows(pals)), f"no rows in {str(pals)[:200]}")
    faces = await cli.json("face list", "face", "list", "--json")
    face_ids = sorted(_ids(_rows(faces), "face_id", "replica_id")) if faces else []
    r.check("face list has faces", bool(face_ids), f"no faces in {str(faces)[:200]}")
    face_id = face_ids[0] if face_ids else "r4067604db72"

    # Tools first, so the PAL can be created with one attached.
    example = await cli.json("tool example", "tool", "example", "--delivery", "app_message")
    tool = None
    if example is not None:
        tool = await cli.json(
            "tool create", "tool", "create", "--file", cli.file("tool.json", example)
        )
    tool_id = _first(tool, "tool_id", "uuid", "id") if tool else None
    if tool is not None:
        r.check("tool create returns an id", tool_id is not None, str(tool)[:200])
    if tool_id:
        got = await cli.json("tool get", "tool", "get", tool_id)
        r.check(
            "tool get reads back the name",
            _first(got, "name") == example["name"],
            str(got)[:200],
        )
        listed = await cli.json("tool list", "tool", "list", "--json")
        r.check(
            "tool list includes it",
            tool_id in _ids(_rows(listed), "tool_id", "uuid", "id"),
            str(listed)[:200],
        )
        patched = await cli.json(
            "tool patch",
            "tool",
            "patch",
            tool_id,
            "--file",
            cli.file("tool-patch.json", {"description": "Weather, patched by tavus-cli."}),
        )
        if patched is not None:
            got = await cli.json("tool get after patch", "tool", "get", tool_id)
            r.check(
                "tool patch changed the description",
                _first(got, "description") == "Weather, patched by tavus-cli.",
                str(got)[:200],
            )
    http_example = await cli.json("tool example http", "tool", "example", "--delivery", "http")
    if http_example is not None:
        http_example["name"] = "weather_http"
        http_tool = await cli.json(
            "tool create (api delivery)",
            "tool",
            "create",
            "--file",
            cli.file("tool-http.json", http_example),
        )
        http_id = _first(http_tool, "tool_id", "uuid", "id") if http_tool else None
        if http_id:
            await cli.json("tool delete (api delivery)", "tool", "delete", http_id)
            code, _, _ = await cli.run("tool", "get", http_id)
            r.check("tool get after delete fails", code != 0, "the deleted tool is still readable")

    create = [
        "pal",
        "create",
        "--name",
        "Interop PAL",
        "--system-prompt",
        "You help.",
        "--face-id",
        face_id,
    ]
    create += ["--greeting", "Hello from interop", "--memory", "likes tea", "--template"]
    pal = await cli.json("pal create", *create)
    pal_id = _first(pal, "pal_id", "persona_id") if pal else None
    if pal is not None:
        r.check("pal create returns a pal_id", pal_id is not None, str(pal)[:200])
    if pal_id:
        got = await cli.json("pal get", "pal", "get", pal_id)
        r.check(
            "pal get: pal_name",
            _first(got, "pal_name", "persona_name") == "Interop PAL",
            str(got)[:300],
        )
        r.check(
            "pal get: greeting kept",
            _first(got, "greeting") == "Hello from interop",
            str(got)[:300],
        )
        r.check("pal get: memories kept", _first(got, "memories") == ["likes tea"], str(got)[:300])
        r.check("pal get: is_template kept", _first(got, "is_template") is True, str(got)[:300])
        await cli.json(
            "pal patch", "pal", "patch", pal_id, "--path", "/pal_name", "--value", "Renamed PAL"
        )
        got = await cli.json("pal get after patch", "pal", "get", pal_id)
        r.check(
            "pal patch changed pal_name",
            _first(got, "pal_name", "persona_name") == "Renamed PAL",
            str(got)[:300],
        )
        await cli.json("pal options", "pal", "options", pal_id)
        if tool_id:
            await _pal_tools(cli, pal_id, tool_id)
        await _pal_skills(cli, pal_id)
        await _pal_knowledge(cli, pal_id)
        await _deployments(cli, pal_id)
        await _conversation(cli, pal_id, face_id)
    s2s = await cli.json(
        "pal create speech-to-speech",
        "pal",
        "create",
        "--name",
        "S2S",
        "--pipeline-mode",
        "speech-to-speech",
        # /v2/pals requires default_face_id (api-2026-surface §3.1); the CLI leaves it to us.
        "--face-id",
        face_id,
    )
    s2s_id = _first(s2s, "pal_id", "persona_id") if s2s else None
    if s2s_id:
        await cli.json("pal delete", "pal", "delete", s2s_id)
        code, _, _ = await cli.run("pal", "get", s2s_id)
        r.check("pal get after delete fails", code != 0, "the deleted PAL is still readable")

    await _guardrails(cli, face_id)
    await _objectives(cli)
    await _documents(cli)
    await _pronunciation(cli)
    await _generic_resources(cli)
    if tool_id:
        await cli.json("tool delete", "tool", "delete", tool_id)


async def _pal_tools(cli: _CLI, pal_id: str, tool_id: str) -> None:
    r = cli.report
    await cli.json("pal tools attach", "pal", "tools", "attach", pal_id, tool_id)
    listed = await cli.json("pal tools list", "pal", "tools", "list", pal_id)
    r.check(
        "pal tools list includes the tool",
        tool_id in _ids(_rows(listed), "tool_id", "uuid", "id"),
        str(listed)[:300],
    )
    await cli.json("pal tools detach", "pal", "tools", "detach", pal_id, tool_id)
    listed = await cli.json("pal tools list after detach", "pal", "tools", "list", pal_id)
    r.check(
        "pal tools detach removed it",
        tool_id not in _ids(_rows(listed), "tool_id", "uuid", "id"),
        str(listed)[:300],
    )


async def _pal_skills(cli: _CLI, pal_id: str) -> None:
    r = cli.report
    skills = await cli.json("skill list", "skill", "list", "--json")
    skill_ids = sorted(_ids(_rows(skills), "skill_id", "id", "name"))
    r.check("skill list has skills", bool(skill_ids), str(skills)[:300])
    skill_id = (
        "internet_search"
        if "internet_search" in skill_ids
        else (skill_ids or ["internet_search"])[0]
    )
    await cli.json("skill get", "skill", "get", skill_id)
    await cli.json(
        "pal skills attach", "pal", "skills", "attach", pal_id, skill_id, "--config", "{}"
    )
    listed = await cli.json("pal skills list", "pal", "skills", "list", pal_id)
    attached = listed.get("data", listed) if isinstance(listed, dict) else {}
    r.check(
        "pal skills list includes it",
        isinstance(attached, dict) and skill_id in attached,
        str(listed)[:300],
    )
    await cli.json("pal skills patch", "pal", "skills", "patch", pal_id, skill_id, "--config", "{}")
    await cli.json("pal skills detach", "pal", "skills", "detach", pal_id, skill_id)
    listed = await cli.json("pal skills list after detach", "pal", "skills", "list", pal_id)
    attached = listed.get("data", listed) if isinstance(listed, dict) else {}
    r.check(
        "pal skills detach removed it",
        isinstance(attached, dict) and skill_id not in attached,
        str(listed)[:300],
    )


async def _pal_knowledge(cli: _CLI, pal_id: str) -> None:
    r = cli.report
    doc = await cli.json(
        "document create (for knowledge)",
        "document",
        "create",
        "--url",
        "https://example.com/handbook",
        "--name",
        "Handbook",
        "--tag",
        "handbook",
    )
    doc_id = _first(doc, "document_id", "uuid", "id") if doc else None
    if not doc_id:
        return
    await cli.json("pal knowledge add", "pal", "knowledge", "add", pal_id, "--document-id", doc_id)
    listed = await cli.json("pal knowledge list", "pal", "knowledge", "list", pal_id)
    r.check("pal knowledge lists the document", doc_id in json.dumps(listed), str(listed)[:300])
    await cli.json(
        "pal knowledge remove", "pal", "knowledge", "remove", pal_id, "--document-id", doc_id
    )


async def _deployments(cli: _CLI, pal_id: str) -> None:
    r = cli.report
    created = await cli.json(
        "deployment create",
        "deployment",
        "create",
        "--pal-id",
        pal_id,
        "--channel",
        "landing-page",
        "--shared-memory",
        "--page-title",
        "Talk to us",
        "--page-description",
        "A demo",
    )
    dep_id = _first(created, "deployment_id", "uuid", "id") if created else None
    if created is not None:
        r.check("deployment create returns an id", dep_id is not None, str(created)[:300])
    if dep_id:
        got = await cli.json("deployment get", "deployment", "get", dep_id)
        r.check("deployment get: pal_id", _first(got, "pal_id") == pal_id, str(got)[:300])
        listed = await cli.json(
            "deployment list", "deployment", "list", "--pal-id", pal_id, "--json"
        )
        r.check(
            "deployment list includes it",
            dep_id in _ids(_rows(listed), "deployment_id", "uuid", "id"),
            str(listed)[:300],
        )


async def _conversation(cli: _CLI, pal_id: str, face_id: str) -> None:
    conv = await cli.json(
        "conversation create", "conversation", "create", "--pal-id", pal_id, "--face-id", face_id
    )
    conv_id = _first(conv, "conversation_id") if conv else None
    if conv_id:
        await cli.json("conversation end", "conversation", "end", conv_id)


async def _guardrails(cli: _CLI, face_id: str) -> None:
    r = cli.report
    created = await cli.json(
        "guardrail create",
        "guardrail",
        "create",
        "--name",
        "no_medical",
        "--prompt",
        "Never give medical advice",
        "--tag",
        "safety",
    )
    gid = _first(created, "uuid", "guardrail_id", "id") if created else None
    if created is not None:
        r.check("guardrail create returns a uuid", gid is not None, str(created)[:300])
    if not gid:
        return
    got = await cli.json("guardrail get", "guardrail", "get", gid)
    r.check(
        "guardrail get: name", _first(got, "guardrail_name", "name") == "no_medical", str(got)[:300]
    )
    listed = await cli.json("guardrail list", "guardrail", "list", "--json")
    r.check(
        "guardrail list includes it",
        gid in _ids(_rows(listed), "uuid", "guardrail_id", "id"),
        str(listed)[:300],
    )
    await cli.json("guardrail patch", "guardrail", "patch", gid, "--name", "no_medical_advice")
    got = await cli.json("guardrail get after patch", "guardrail", "get", gid)
    r.check(
        "guardrail patch changed the name",
        _first(got, "guardrail_name", "name") == "no_medical_advice",
        str(got)[:300],
    )
    tags = await cli.json("guardrail tags", "guardrail", "tags")
    r.check("guardrail tags include 'safety'", "safety" in json.dumps(tags), str(tags)[:300])
    # A PAL that uses it, to see the documented cascade: deleting a guardrail takes it out of
    # every PAL's guardrail_ids.
    guarded = await cli.json(
        "pal create with a guardrail",
        "pal",
        "create",
        "--name",
        "Guarded",
        "--system-prompt",
        "You help.",
        "--face-id",
        face_id,
        "--guardrail-id",
        gid,
    )
    guarded_id = _first(guarded, "pal_id", "persona_id") if guarded else None
    kept = False
    if guarded_id:
        got = await cli.json("pal get (guardrail attached)", "pal", "get", guarded_id)
        kept = r.check(
            "pal keeps guardrail_ids",
            gid in (_first(got, "guardrail_ids") or []),
            str(got)[:300],
        )
    await cli.json("guardrail delete", "guardrail", "delete", gid)
    code, _, _ = await cli.run("guardrail", "get", gid)
    r.check(
        "guardrail get after delete fails", code != 0, "the deleted guardrail is still readable"
    )
    if guarded_id:
        got = await cli.json("pal get after guardrail delete", "pal", "get", guarded_id)
        # Only a PAL that had it shows the cascade (else the check could not fail).
        r.check(
            "guardrail delete removed it from the PAL",
            kept and got is not None and gid not in (_first(got, "guardrail_ids") or []),
            f"kept before: {kept}; now {str(got)[:300]}",
        )


async def _objectives(cli: _CLI) -> None:
    r = cli.report
    code, out, err = await cli.run("objective", "example")
    if not r.check("objective example", code == 0, err[-300:]):
        return
    body = json.loads(out)
    path = cli.file("objectives.json", body)
    await cli.json("objective validate", "objective", "validate", "--file", path)
    created = await cli.json("objective create", "objective", "create", "--file", path)
    oid = _first(created, "objectives_id", "uuid", "id") if created else None
    if not oid:
        return
    got = await cli.json("objective get", "objective", "get", oid)
    r.check("objective get: the objectives", "diagnose" in json.dumps(got), str(got)[:300])
    listed = await cli.json("objective list", "objective", "list", "--json")
    r.check(
        "objective list includes it",
        oid in _ids(_rows(listed), "objectives_id", "uuid", "id"),
        str(listed)[:300],
    )
    ops = [{"op": "replace", "path": "/data/0/objective_prompt", "value": "Say hello."}]
    await cli.json(
        "objective patch", "objective", "patch", oid, "--file", cli.file("obj-patch.json", ops)
    )
    got = await cli.json("objective get after patch", "objective", "get", oid)
    r.check("objective patch changed the prompt", "Say hello." in json.dumps(got), str(got)[:300])
    await cli.json("objective delete", "objective", "delete", oid)


async def _documents(cli: _CLI) -> None:
    r = cli.report
    created = await cli.json(
        "document create",
        "document",
        "create",
        "--url",
        "https://example.com/faq",
        "--name",
        "FAQ",
        "--tag",
        "faq",
        # A recrawl reuses the document's crawl settings; one created without them gets 400.
        "--crawl-depth",
        "1",
        "--crawl-max-pages",
        "5",
    )
    did = _first(created, "document_id", "uuid", "id") if created else None
    if not did:
        return
    got = await cli.json("document get", "document", "get", did)
    r.check("document get: name", _first(got, "document_name", "name") == "FAQ", str(got)[:300])
    listed = await cli.json("document list", "document", "list", "--json")
    r.check(
        "document list includes it",
        did in _ids(_rows(listed), "document_id", "uuid", "id"),
        str(listed)[:300],
    )
    tags = await cli.json("document tags", "document", "tags")
    r.check("document tags include 'faq'", "faq" in json.dumps(tags), str(tags)[:300])
    chunks = await cli.json("document chunks", "document", "chunks", did)
    r.check("document chunks has chunks", bool(_rows(chunks)), str(chunks)[:300])
    before = await cli.json("document get before recrawl", "document", "get", did)
    # Tavus refuses a recrawl within an hour of the last crawl (429, rest-api-notes §3.7.4):
    # let that hour pass on the simulator's clock.
    await cli.sim.clock.advance(3601)
    recrawled = await cli.json("document recrawl", "document", "recrawl", did)
    if recrawled is not None and before is not None:
        got = await cli.json("document get after recrawl", "document", "get", did)
        r.check(
            "document recrawl crawled it again",
            (_first(got, "crawl_count") or 0) > (_first(before, "crawl_count") or 0),
            str(got)[:300],
        )


async def _pronunciation(cli: _CLI) -> None:
    r = cli.report
    code, out, err = await cli.run("pronunciation-dictionary", "example")
    if not r.check("pronunciation-dictionary example", code == 0, err[-300:]):
        return
    body = json.loads(out)
    path = cli.file("pron.json", body)
    created = await cli.json(
        "pronunciation-dictionary create", "pronunciation-dictionary", "create", "--file", path
    )
    pid = _first(created, "pronunciation_dictionary_id", "uuid", "id") if created else None
    if not pid:
        return
    got = await cli.json("pronunciation-dictionary get", "pronunciation-dictionary", "get", pid)
    r.check(
        "pronunciation-dictionary get: name",
        _first(got, "name") == body.get("name"),
        str(got)[:300],
    )
    listed = await cli.json(
        "pronunciation-dictionary list", "pronunciation-dictionary", "list", "--json"
    )
    r.check(
        "pronunciation-dictionary list includes it",
        pid in _ids(_rows(listed), "pronunciation_dictionary_id", "uuid", "id"),
        str(listed)[:300],
    )
    patch = cli.file("pron-patch.json", {"name": "renamed"})
    await cli.json(
        "pronunciation-dictionary patch", "pronunciation-dictionary", "patch", pid, "--file", patch
    )
    got = await cli.json(
        "pronunciation-dictionary get after patch", "pronunciation-dictionary", "get", pid
    )
    r.check(
        "pronunciation-dictionary patch renamed it",
        _first(got, "name") == "renamed",
        str(got)[:300],
    )
    await cli.json("pronunciation-dictionary delete", "pronunciation-dictionary", "delete", pid)


async def _generic_resources(cli: _CLI) -> None:
    r = cli.report
    for resource in ("voices", "guardrails", "objectives", "documents", "tools"):
        listed = await cli.json(f"resource list {resource}", "resource", "list", resource)
        if resource == "voices" and listed is not None:
            rows = _rows(listed)
            r.check("resource list voices has voices", bool(rows), str(listed)[:300])
            vid = _first(rows[0], "voice_id", "uuid", "id") if rows else None
            if vid:
                await cli.json("resource get voices", "resource", "get", "voices", str(vid))
