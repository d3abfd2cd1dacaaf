"""The command line's manners: per-command flags, help everywhere, JSON errors, completion."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _cli_kit import CLI, STOCK_REPLICA

from tavus_async._cli.parser import build_parser, subcommand_parsers
from tavus_async.cli import main

pytestmark = pytest.mark.anyio


def _flags(path: str) -> set[str]:
    parser = subcommand_parsers(build_parser())[path]
    return {opt for action in parser._actions for opt in action.option_strings}


def test_every_argument_of_every_command_has_help() -> None:
    missing = []
    for path, parser in subcommand_parsers(build_parser()).items():
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                missing += [
                    f"{path} {choice.dest}" for choice in action._choices_actions if not choice.help
                ]
                if not action.help:
                    missing.append(f"{path} {action.metavar}")
            elif not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []
    # The ones issue 16 named, spelled out:
    help_text = subcommand_parsers(build_parser())["personas patch"].format_help()
    assert "set a field that exists" in help_text
    assert "append to a list" in help_text
    assert "the persona's persona_id" in help_text


def test_each_command_takes_only_the_flags_that_apply() -> None:
    assert "--base-url" not in _flags("simulate")
    assert {"--api-key", "--json", "--port", "--host", "--time"} <= _flags("simulate")
    assert "--api-key" not in _flags("completion")
    assert "--json" not in _flags("completion")
    assert {"--api-key", "--base-url", "--json"} <= _flags("personas list")
    assert {"--api-key", "--base-url", "--json"} <= _flags("listen")
    assert "--api-key" not in _flags("fleet status")
    assert "--json" in _flags("fleet status")
    help_text = subcommand_parsers(build_parser())["simulate"].format_help()
    assert "$TAVUS_API_KEY when it is set" in " ".join(help_text.split())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--base-url", "http://x", "simulate"], "--base-url does not apply to `simulate`"),
        (["--json", "completion", "bash"], "--json does not apply to `completion`"),
        (["simulate", "--base-url", "http://x"], "unrecognized arguments: --base-url"),
    ],
)
def test_a_flag_a_command_does_not_take_is_a_usage_error(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.splitlines()) == 1


def test_usage_errors_are_json_objects_with_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["personas", "list", "--limit", "0", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    report = json.loads(captured.err)["error"]
    assert report["type"] == "UsageError"
    assert report["exit_code"] == 2
    assert "--limit" in report["message"]
    # Without --json the same error is one line of text.
    assert main(["personas", "list", "--limit", "0"]) == 2
    assert capsys.readouterr().err.startswith("tavus-async: error: argument --limit")


def test_a_missing_key_with_json_is_a_json_object(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TAVUS_API_KEY", raising=False)
    assert main(["--json", "personas", "list"]) == 1
    report = json.loads(capsys.readouterr().err)["error"]
    assert report["type"] == "ConfigurationError"
    assert report["exit_code"] == 1
    assert "--api-key" in report["message"]


async def test_api_errors_are_json_objects_with_the_status_and_same_exit_code(cli: CLI) -> None:
    text = await cli("personas", "get", "p_missing")
    as_json = await cli("personas", "get", "p_missing", "--json")
    assert text.code == as_json.code == 1
    assert as_json.out == ""
    report = json.loads(as_json.err)["error"]
    assert report["type"] == "NotFoundError"
    assert report["status_code"] in (400, 404)
    assert report["exit_code"] == 1
    assert report["message"] in text.err  # the same words, in both forms


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_a_script_for_each_shell(
    shell: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    assert "tavus-async" in script
    assert "_ARGCOMPLETE" in script  # it calls the program back to ask for candidates


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("tavus-async pers", {"personas"}),
        ("tavus-async personas ", {"list", "get", "create", "patch", "delete"}),
        ("tavus-async personas list --li", {"--limit"}),
        ("tavus-async simulate --", {"--api-key", "--port", "--time"}),
        ("tavus-async completion ", {"bash", "zsh", "fish"}),
    ],
)
def test_the_program_answers_a_shells_completion_request(
    line: str, expected: set[str], tmp_path: Path
) -> None:
    out = tmp_path / "candidates"
    env = {
        **os.environ,
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_IFS": "\n",
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tavus_async"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    candidates = {c.strip() for c in out.read_text().split("\n") if c.strip()}
    assert expected <= candidates, candidates
    if "simulate" in line:
        assert "--base-url" not in candidates


async def test_a_join_timeout_names_the_flags_not_the_python_arguments(cli: CLI) -> None:
    cli.sim.replica.joins = False  # Tavus could not start the replica: it never arrives
    async with cli.sim.client() as tavus:
        persona = await tavus.personas.create(persona_name="Away", system_prompt="Hi.")
        conv = await tavus.conversations.create(
            persona_id=persona.persona_id, replica_id=STOCK_REPLICA
        )
    assert conv.conversation_url is not None
    result = await cli("say", conv.conversation_url, "hello", "--join-timeout", "0.5")
    assert result.code == 1
    error = result.err.splitlines()[-1]
    assert "within 0.5 s" in error
    assert "opt in with --replica-name USER_NAME" in error
    assert error.endswith("(raise --join-timeout to wait longer)")
    assert "wait_for_replica" not in error
    assert "Room(" not in error


@pytest.mark.parametrize("json_mode", [False, True])
def test_an_interrupt_exits_130_in_either_form(
    json_mode: bool, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(coro: Any) -> Any:
        coro.close()  # never started: Ctrl-C came first
        raise KeyboardInterrupt

    monkeypatch.setattr("tavus_async.cli.asyncio.run", interrupted)
    argv = ["personas", "list", "--api-key", "tk_test_0123456789abcdef"]
    assert main([*argv, "--json"] if json_mode else argv) == 130
    err = capsys.readouterr().err
    if json_mode:
        assert json.loads(err) == {
            "error": {"type": "Interrupted", "message": "interrupted", "exit_code": 130}
        }
    else:
        assert err == "interrupted\n"
