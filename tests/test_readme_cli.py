"""The README's CLI walkthrough works in the order it lists, against a simulator.

The ``bash`` block under "## CLI" is read, and each ``tavus-async`` command runs in turn with its
``<placeholders>`` filled from what the earlier commands printed. ``demo`` has its own test and
``simulate`` is the simulator this test starts; ``listen`` (which runs until Ctrl-C) runs in a
child process, as in a second terminal, while ``say`` speaks into the room; ``fleet status``
talks to a real Redis-protocol server from ``_redis_kit`` (skipped alone where none can run).
"""

from __future__ import annotations

import os
import re
import shlex
import sys
import tempfile
from pathlib import Path

import anyio
import pytest
from _cli_kit import CLI
from _redis_kit import redis_server

README = Path(__file__).resolve().parent.parent / "README.md"


def _walkthrough() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## CLI") :]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None, "the CLI section has no bash block"
    joined = block.group(1).replace("\\\n", " ")
    commands = []
    for line in joined.splitlines():
        argv = shlex.split(line, comments=True)
        if argv and argv[0] == "tavus-async":
            commands.append(argv[1:])
    return commands


def test_the_walkthrough_lists_the_commands_in_a_working_order() -> None:
    names = [_name(argv) for argv in _walkthrough()]
    assert (
        names.index("conversations create") < names.index("ask") < names.index("conversations end")
    )
    assert names.index("say") < names.index("conversations end")
    assert names.index("listen") < names.index("conversations end")


@pytest.mark.anyio
async def test_the_cli_walkthrough_runs_in_order(cli: CLI) -> None:
    values: dict[str, str] = {}
    ran: list[str] = []
    for argv in _walkthrough():
        if argv[0] in ("demo", "simulate"):
            continue
        if "<persona_id>" in argv:
            values["persona_id"] = (await cli.json("personas", "list"))["data"][0]["persona_id"]
        if "<replica_id>" in argv:
            values["replica_id"] = (await cli.json("replicas", "list"))["data"][0]["replica_id"]
        if "<pal_id>" in argv and "pal_id" not in values:
            values["pal_id"] = (await cli.json("pals", "list"))["data"][0]["pal_id"]
        if "<face_id>" in argv and "face_id" not in values:
            values["face_id"] = (await cli.json("faces", "list"))["data"][0]["face_id"]
        filled = [re.sub(r"<([a-z_-]+)>", lambda m: values[_key(m.group(1))], arg) for arg in argv]
        if argv[0] == "listen":
            await _listen_while_saying(cli, filled, values["url"])
            ran.append("listen")
            continue
        if argv[0] == "fleet":
            ran.append(await _fleet_status(cli, filled))
            continue
        result = await cli(*filled)
        assert result.code == 0, f"tavus-async {' '.join(filled)} failed: {result.err}"
        ran.append(_name(argv))
        if argv[:2] == ["conversations", "create"]:
            created = result.json()
            values["url"] = created["conversation_url"]
            values["conversation_id"] = created["conversation_id"]
        if argv[0] == "ask":
            assert "You said: What can you do?" in result.out
        if argv[0] == "say":
            assert "sent: Hello" in result.out
    assert "listen" in ran
    assert ran.index("conversations end") > ran.index("ask")
    conv = await cli.json("conversations", "get", values["conversation_id"])
    assert conv["status"] == "ended"


async def _fleet_status(cli: CLI, argv: list[str]) -> str:
    """``fleet status`` against a real server in place of the README's localhost:6379."""
    try:
        with redis_server() as url:
            at = argv.index("--redis")
            # Redis only: `fleet status` takes no --api-key/--base-url.
            result = await cli(*argv[: at + 1], url, *argv[at + 2 :], auth=False)
    except pytest.skip.Exception:
        return "fleet status (skipped: no Redis-protocol server here)"
    assert result.code == 0, result.err
    return "fleet status"


def _name(argv: list[str]) -> str:
    """``conversations create`` for resource commands, ``ask`` for the others."""
    resources = ("pals", "faces", "pal-skills", "personas", "replicas", "conversations")
    return " ".join(argv[:2]) if argv[0] in resources else argv[0]


def _key(placeholder: str) -> str:
    return "url" if placeholder in ("url", "url-or-conversation-id") else placeholder


async def _listen_while_saying(cli: CLI, argv: list[str], url: str) -> None:
    """Run ``listen`` in a child process until it prints one event; ``say`` gives it one."""
    env = {**os.environ, "TAVUS_API_KEY": cli.sim.api_key, "TAVUS_BASE_URL": cli.sim.base_url}
    cmd = [sys.executable, "-m", "tavus_async", *argv, "--count", "1"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        async with await anyio.open_process(cmd, env=env, stdout=out, stderr=err) as proc:
            try:
                with anyio.fail_after(60):
                    # The listener joins on its own schedule: speak until it has heard something.
                    while proc.returncode is None:
                        said = await cli("say", url, "Hello from the walkthrough")
                        assert said.code == 0, said.err
                        with anyio.move_on_after(0.5):
                            await proc.wait()
            finally:
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()
        out.seek(0)
        err.seek(0)
        assert proc.returncode == 0, err.read().decode()
        assert b"conversation.utterance" in out.read()
