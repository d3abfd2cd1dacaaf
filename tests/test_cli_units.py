"""The CLI's pure parts: argument parsing, bodies and patches, output, progress, event lines."""

from __future__ import annotations

import argparse
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pytest

from tavus_async._cli.common import CLIUsageError, parse_value
from tavus_async._cli.output import Output
from tavus_async._cli.parser import build_parser
from tavus_async._cli.resources import RESOURCES, build_body, build_patch
from tavus_async._cli.rooms import event_to_json, matches
from tavus_async._cli.waiting import ProgressReporter, progress_of
from tavus_async.cli import main

PERSONAS = next(spec for spec in RESOURCES if spec.name == "personas")


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


# -- parsing ---------------------------------------------------------------------------------------


def test_global_flags_work_before_and_after_the_command() -> None:
    before = parse("--json", "--base-url", "http://x", "personas", "list")
    after = parse("personas", "list", "--json", "--base-url", "http://x")
    for args in (before, after):
        assert args.json is True
        assert args.base_url == "http://x"
    # A flag given before the command is not reset by the sub-command's own default.
    assert parse("--api-key", "k1", "personas", "get", "p1").api_key == "k1"


def test_unknown_command_is_a_one_line_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["personas", "lst"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "invalid choice: 'lst'" in err
    assert "--help" in err


def test_help_exits_zero_and_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    for command in (
        "personas",
        "replicas",
        "conversations",
        "objectives",
        "guardrails",
        "documents",
        "videos",
        "listen",
        "say",
        "ask",
        "simulate",
        "demo",
    ):
        assert command in text


def test_actions_follow_what_the_api_has() -> None:
    # JSON Patch only where Tavus takes it; rename/update/end/wait only where they exist.
    def actions(group: str) -> set[str]:
        parser = build_parser()
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        inner = sub.choices[group]
        leaf = next(a for a in inner._actions if isinstance(a, argparse._SubParsersAction))
        return set(leaf.choices)

    base = {"list", "get", "create", "delete"}
    assert actions("personas") == base | {"patch"}
    assert actions("objectives") == base | {"patch", "validate"}
    assert actions("guardrails") == base | {"patch", "tags"}
    assert actions("replicas") == base | {"rename", "wait"}
    assert actions("videos") == base | {"rename", "wait"}
    assert actions("documents") == base | {"update", "recrawl", "wait", "tags", "chunks"}
    assert actions("conversations") == base | {"end"}
    assert actions("voices") == {"list", "get", "create", "update"}
    assert actions("pronunciation-dictionaries") == base | {"patch"}
    public = {"init", "start", "end-conversation"}
    assert actions("deployments") == base | {"patch"} | public
    assert actions("memory-stores") == base | {"update"}


def test_no_key_anywhere_is_one_clear_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TAVUS_API_KEY", raising=False)
    code = main(["personas", "list"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1
    assert "--api-key" in err
    assert "TAVUS_API_KEY" in err


def test_bad_limit_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["personas", "list", "--limit", "0", "--api-key", "k"]) == 2
    assert "must be 1 or more" in capsys.readouterr().err


# -- create bodies and patches ---------------------------------------------------------------------


def test_body_merges_file_then_flags_then_set(tmp_path: Path) -> None:
    body_file = tmp_path / "body.json"
    body_file.write_text(json.dumps({"persona_name": "From file", "context": "ctx"}))
    args = parse(
        "personas",
        "create",
        "--file",
        str(body_file),
        "--name",
        "From flag",
        "--set",
        "layers.llm.model=tavus-gpt-4o",
        "--set",
        "layers.llm.speculative_inference=false",
        "--layers",
        '{"tts": {"tts_engine": "cartesia"}}',
    )
    body = build_body(args, PERSONAS)
    assert body == {
        "persona_name": "From flag",
        "context": "ctx",
        "layers": {
            "tts": {"tts_engine": "cartesia"},
            "llm": {"model": "tavus-gpt-4o", "speculative_inference": False},
        },
    }


def test_body_file_must_hold_an_object(tmp_path: Path) -> None:
    body_file = tmp_path / "body.json"
    body_file.write_text("[1, 2]")
    with pytest.raises(CLIUsageError, match="must hold a JSON object"):
        build_body(parse("personas", "create", "--file", str(body_file)), PERSONAS)
    body_file.write_text("{not json")
    with pytest.raises(CLIUsageError, match="not valid JSON"):
        build_body(parse("personas", "create", "--file", str(body_file)), PERSONAS)
    with pytest.raises(CLIUsageError, match="cannot read"):
        build_body(parse("personas", "create", "--file", str(tmp_path / "nope.json")), PERSONAS)


def test_set_needs_key_equals_value() -> None:
    with pytest.raises(CLIUsageError, match="KEY=VALUE"):
        build_body(parse("personas", "create", "--set", "persona_name"), PERSONAS)


def test_patch_ops_from_flags_and_file(tmp_path: Path) -> None:
    ops_file = tmp_path / "ops.json"
    ops_file.write_text(json.dumps([{"op": "remove", "path": "/context"}]))
    args = parse(
        "personas",
        "patch",
        "p1",
        "--file",
        str(ops_file),
        "--replace",
        "/persona_name=New name",
        "--add",
        "/layers/llm/speculative_inference=true",
        "--remove",
        "/document_ids",
    )
    assert build_patch(args) == [
        {"op": "remove", "path": "/context"},
        {"op": "replace", "path": "/persona_name", "value": "New name"},
        {"op": "add", "path": "/layers/llm/speculative_inference", "value": True},
        {"op": "remove", "path": "/document_ids"},
    ]


def test_patch_rejects_empty_and_non_pointer_paths() -> None:
    with pytest.raises(CLIUsageError, match="at least one operation"):
        build_patch(parse("personas", "patch", "p1"))
    with pytest.raises(CLIUsageError, match="not a JSON Pointer"):
        build_patch(parse("personas", "patch", "p1", "--replace", "persona_name=x"))


def test_parse_value_reads_json_and_falls_back_to_text() -> None:
    assert parse_value("3") == 3
    assert parse_value("true") is True
    assert parse_value('{"a": [1]}') == {"a": [1]}
    assert parse_value("Ada Lovelace") == "Ada Lovelace"
    assert parse_value('"42"') == "42"


# -- output ----------------------------------------------------------------------------------------


class Persona(msgspec.Struct):
    persona_id: str
    persona_name: str | None = None
    created_at: str | None = None
    meeting_token: str | None = None


def test_table_shows_known_columns_and_counts() -> None:
    buf = io.StringIO()
    Output(json_mode=False, stream=buf).table(
        [Persona("p1", "Guide", "2026-01-01"), Persona("p2", None, "2026-01-02")],
        ["persona_id", "persona_name", "pipeline_mode", "created_at"],
        total_count=7,
    )
    lines = buf.getvalue().splitlines()
    assert lines[0].split() == ["PERSONA_ID", "PERSONA_NAME", "CREATED_AT"]  # empty column gone
    assert lines[1].split() == ["p1", "Guide", "2026-01-01"]
    assert lines[2].split() == ["p2", "2026-01-02"]
    assert lines[-1] == "2 shown of 7"


def test_json_list_is_the_api_envelope() -> None:
    buf = io.StringIO()
    Output(json_mode=True, stream=buf).table(
        [Persona("p1", "Guide")], ["persona_id"], total_count=1
    )
    assert json.loads(buf.getvalue()) == {
        "data": [
            {"persona_id": "p1", "persona_name": "Guide", "created_at": None, "meeting_token": None}
        ],
        "total_count": 1,
    }


def test_record_table_masks_meeting_tokens_but_json_keeps_them() -> None:
    conv = Persona("c1", "Call", meeting_token="eyJhbGciOi.secret.token")
    buf = io.StringIO()
    Output(json_mode=False, stream=buf).record(conv)
    assert "secret" not in buf.getvalue()
    assert "meeting_token  ***" in buf.getvalue()
    buf = io.StringIO()
    Output(json_mode=True, stream=buf).record(conv)
    assert json.loads(buf.getvalue())["meeting_token"] == "eyJhbGciOi.secret.token"


# -- progress --------------------------------------------------------------------------------------


@dataclass
class Report:
    status: str | None
    percent: float | None
    model: Any = None


def test_progress_reads_reports_and_models() -> None:
    assert progress_of(Report("started", 40.0)) == ("started", 40.0)
    assert progress_of({"status": "started", "training_progress": "25/100"}) == ("started", 25.0)
    assert progress_of({"status": "generating", "generation_progress": "3/4"}) == (
        "generating",
        75.0,
    )
    assert progress_of({"status": "processing", "progress": 60}) == ("processing", 60.0)
    assert progress_of({"status": "queued"}) == ("queued", None)


def test_plain_progress_prints_one_line_per_change() -> None:
    buf = io.StringIO()
    reporter = ProgressReporter("replica r1", stream=buf, tty=False)
    for state in [
        Report("started", 10.0),
        Report("started", 10.0),
        Report("started", 50.0),
        Report("completed", 100.0),
    ]:
        reporter(state)
    reporter.finish()
    assert buf.getvalue().splitlines() == [
        "replica r1: started 10%",
        "replica r1: started 50%",
        "replica r1: completed 100%",
    ]
    assert reporter.updates == 4


def test_tty_progress_redraws_one_bar() -> None:
    buf = io.StringIO()
    reporter = ProgressReporter("video v1", stream=buf, tty=True)
    reporter(Report("generating", 50.0))
    reporter(Report("ready", 100.0))
    reporter.finish()
    text = buf.getvalue()
    assert text.count("\r") == 2
    assert text.endswith("\n")
    assert text.count("\n") == 1
    assert "[" + "#" * 15 + "-" * 15 + "]  50.0% generating" in text
    assert "[" + "#" * 30 + "] 100.0% ready" in text


# -- event lines -----------------------------------------------------------------------------------


def test_event_lines_put_the_type_first_and_keep_the_raw_message() -> None:
    from tavus_async.interactions.events import decode

    raw = {
        "message_type": "conversation",
        "event_type": "conversation.utterance",
        "conversation_id": "c1",
        "properties": {"role": "replica", "speech": "Hello"},
    }
    record = event_to_json(decode(raw))
    assert next(iter(record)) == "event_type"
    assert record["event_type"] == "conversation.utterance"
    assert record["properties"] == {"role": "replica", "speech": "Hello"}
    malformed = event_to_json(decode(b"not json"))
    assert malformed["event_type"]
    assert "reason" in malformed


def test_type_filters_take_shell_patterns() -> None:
    assert matches("conversation.utterance", None)
    assert matches("conversation.utterance", ["conversation.utterance"])
    assert matches("conversation.tool_call", ["system.*", "conversation.tool_*"])
    assert not matches("system.shutdown", ["conversation.*"])


def test_unreachable_server_is_one_line_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago and has no listener
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code = main(
        [
            "personas",
            "list",
            "--api-key",
            "key_never_shown_123",
            "--base-url",
            f"http://127.0.0.1:{port}",
        ]
    )
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "could not connect" in captured.err
    assert "key_never_shown_123" not in captured.err


def test_every_command_is_exercised_by_a_cli_test() -> None:
    """A guard: a command added to the parser without a test that runs it fails here."""
    import re as _re

    sources = " ".join(
        path.read_text(encoding="utf-8")
        for path in Path(__file__).parent.glob("test_cli*.py")
        if path.name != Path(__file__).name
    )
    text = _re.sub(r"\s+", " ", sources)
    parser = build_parser()
    top = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = []
    for name, sub in top.choices.items():
        leaves = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        if not leaves:
            if f'"{name}"' not in text:
                missing.append(name)
            continue
        # A test parametrized over resources as ("objectives", "objectives_id", ...) runs them
        # as `resource, "<action>"`.
        parametrized = f'"{name}", "{name}_id"' in text
        for action in leaves[0].choices:
            direct = f'"{name}", "{action}"' in text
            if not direct and not (parametrized and f'resource, "{action}"' in text):
                missing.append(f"{name} {action}")
    assert missing == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["personas", "create", "--layers", "{bad json"], "--layers: not valid JSON"),
        (["demo", "--timeout", "-1"], "must be more than 0 seconds"),
        (["replicas", "wait", "r1", "--interval", "0"], "must be more than 0 seconds"),
        (["ask", "ws://h/rooms/c", "hi", "--timeout", "soon"], "not a number of seconds"),
        (["listen", "ws://h/rooms/c", "--count", "0"], "must be 1 or more"),
        (["personas", "get", ""], "persona_id must be a non-empty string"),
    ],
)
def test_bad_values_are_usage_errors_naming_the_flag(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main([*argv, "--api-key", "k_unused_123", "--base-url", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
