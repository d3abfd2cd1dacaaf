"""``listen``, ``say`` and ``ask`` against the simulator's rooms (real WebSockets)."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import anyio
import pytest
from _cli_kit import CLI, STOCK_REPLICA

pytestmark = pytest.mark.anyio

DEADLINE = 30.0


async def _conversation(cli: CLI, *, left_timeout: int = 60, greeting: str = "Hello!") -> Any:
    """A live conversation; ``left_timeout`` keeps its room open between CLI commands."""
    async with cli.sim.client() as tavus:
        persona = await tavus.personas.create(persona_name="Room test", system_prompt="Be brief.")
        return await tavus.conversations.create(
            persona_id=persona.persona_id,
            replica_id=STOCK_REPLICA,
            custom_greeting=greeting,
            properties={"participant_left_timeout": left_timeout},
        )


async def _status(cli: CLI, conversation_id: str) -> str:
    async with cli.sim.client() as tavus:
        return str((await tavus.conversations.get(conversation_id)).status)


class Lines:
    """A subprocess's stdout, line by line, with bounded waits."""

    def __init__(self, stream: IO[str]) -> None:
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put(None)

    async def next(self, timeout: float = DEADLINE) -> str | None:
        # Polls so the event loop (which serves the simulator) keeps running meanwhile.
        with anyio.fail_after(timeout):
            while True:
                try:
                    line = self._queue.get_nowait()
                except queue.Empty:
                    await anyio.sleep(0.01)
                    continue
                if line is not None:
                    self.seen.append(line)
                return line

    async def until(self, predicate: Any) -> dict[str, Any]:
        with anyio.fail_after(DEADLINE):
            while True:
                line = await self.next()
                assert line is not None, f"listen ended first; it printed {self.seen}"
                record: dict[str, Any] = json.loads(line)
                if predicate(record):
                    return record

    async def rest(self) -> list[str]:
        out = []
        while (line := await self.next()) is not None:
            out.append(line)
        return out

    def join(self) -> None:
        self._thread.join(timeout=DEADLINE)


@contextmanager
def listening(*argv: str) -> Iterator[tuple[subprocess.Popen[str], Lines]]:
    env = {k: v for k, v in os.environ.items() if k not in ("TAVUS_API_KEY", "TAVUS_BASE_URL")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tavus_async", "listen", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    lines = Lines(proc.stdout)
    try:
        yield proc, lines
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=DEADLINE)
        lines.join()
        proc.stdout.close()
        assert proc.stderr is not None
        proc.stderr.close()


async def _wait_exit(proc: subprocess.Popen[str]) -> int:
    with anyio.fail_after(DEADLINE):
        return await anyio.to_thread.run_sync(proc.wait)


async def test_ask_prints_the_replicas_answer(cli: CLI) -> None:
    conv = await _conversation(cli)
    result = await cli("ask", conv.conversation_url, "hello there", auth=False)
    assert result.code == 0, result.err
    assert result.out == "You said: hello there\n"

    data = await cli.json("ask", conv.conversation_url, "and again")
    assert data["event_type"] == "conversation.utterance"
    assert data["properties"] == {"role": "replica", "speech": "You said: and again"}


async def test_ask_by_conversation_id_looks_the_room_up(cli: CLI) -> None:
    conv = await _conversation(cli)
    result = await cli("ask", conv.conversation_id, "by id")
    assert result.code == 0, result.err
    assert result.out.strip() == "You said: by id"


async def test_ask_times_out_with_one_line(cli: CLI) -> None:
    conv = await _conversation(cli)
    cli.sim.replica.when("stall", say="")  # the replica says nothing: no utterance comes
    result = await cli("ask", conv.conversation_url, "stall please", "--timeout", "0.5")
    assert result.code == 1
    assert "did not answer within 0.5s" in result.err
    assert result.err.count("\n") == 1


async def test_listen_prints_json_lines_until_the_room_ends(cli: CLI) -> None:
    conv = await _conversation(cli, greeting="Welcome to the room.")
    with listening(
        conv.conversation_url, "--type", "conversation.utterance", "--type", "room.disconnected"
    ) as (proc, lines):
        greeting = await lines.until(lambda r: r["event_type"] == "conversation.utterance")
        assert greeting["properties"]["speech"] == "Welcome to the room."
        said = await cli("say", conv.conversation_url, "Spoken word for word.")
        assert said.code == 0, said.err
        assert said.out == "sent: Spoken word for word.\n"
        echoed = await lines.until(
            lambda r: (
                r.get("properties", {}).get("role") == "replica"
                and r["properties"].get("speech") == "Spoken word for word."
            )
        )
        assert echoed["conversation_id"] == conv.conversation_id
        async with cli.sim.client() as tavus:
            await tavus.conversations.end(conv.conversation_id)
        rest = [json.loads(line) for line in await lines.rest()]
        assert await _wait_exit(proc) == 0
    types = {json.loads(line)["event_type"] for line in lines.seen}
    assert types == {"conversation.utterance", "room.disconnected"}  # only what was asked for
    assert rest[-1]["event_type"] == "room.disconnected"
    assert rest[-1]["detail"] == "end_conversation_endpoint_hit"


async def test_listen_leaves_cleanly_on_ctrl_c(cli: CLI) -> None:
    # With participant_left_timeout 0 the room ends once its last participant leaves, so the
    # conversation's status shows whether the listener really left.
    conv = await _conversation(cli, left_timeout=0)
    with listening(conv.conversation_url) as (proc, lines):
        first = await lines.until(lambda r: True)
        assert first["event_type"].startswith(("room.", "system."))
        await lines.until(lambda r: r["event_type"] == "room.replica_joined")
        assert await _status(cli, conv.conversation_id) == "active"
        proc.send_signal(signal.SIGINT)
        assert await _wait_exit(proc) == 130
        assert proc.stderr is not None
        assert "Traceback" not in proc.stderr.read()
    with anyio.fail_after(DEADLINE):
        status = await _status(cli, conv.conversation_id)
        while status != "ended":
            await anyio.sleep(0.05)
            status = await _status(cli, conv.conversation_id)


async def test_listen_count_stops_after_n_events(cli: CLI) -> None:
    conv = await _conversation(cli)
    result = await cli("listen", conv.conversation_url, "--count", "3", auth=False)
    assert result.code == 0, result.err
    records = [json.loads(line) for line in result.out.splitlines()]
    assert len(records) == 3
    assert all(next(iter(r)) == "event_type" for r in records)


async def test_listen_to_an_ended_room_is_one_line_exit_1(cli: CLI) -> None:
    conv = await _conversation(cli)
    async with cli.sim.client() as tavus:
        await tavus.conversations.end(conv.conversation_id)
    result = await cli("listen", conv.conversation_url, "--join-timeout", "5", auth=False)
    assert result.code == 1
    assert result.err.count("\n") == 1
    assert "ended" in result.err


async def test_say_wait_stays_until_the_replica_has_said_it(cli: CLI) -> None:
    conv = await _conversation(cli, left_timeout=0)
    text = "Four score and seven years ago."
    data = await cli.json("say", conv.conversation_url, text, "--wait")
    assert data["sent"] == "conversation.echo"
    assert data["text"] == text
    # The simulator paces speech by length: 0.2 s plus 15 characters a second.
    assert data["spoken_seconds"] == pytest.approx(0.2 + len(text) / 15.0, abs=0.01)


async def test_listen_stops_cleanly_on_sigterm(cli: CLI) -> None:
    conv = await _conversation(cli, left_timeout=0)
    with listening(conv.conversation_url) as (proc, lines):
        await lines.until(lambda r: r["event_type"] == "room.replica_joined")
        proc.send_signal(signal.SIGTERM)
        assert await _wait_exit(proc) == 0  # being stopped is how listen normally ends
        assert proc.stderr is not None
        assert proc.stderr.read() == ""
    with anyio.fail_after(DEADLINE):
        status = await _status(cli, conv.conversation_id)
        while status != "ended":
            await anyio.sleep(0.05)
            status = await _status(cli, conv.conversation_id)


async def test_private_room_token_from_the_environment_and_never_printed(
    cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with cli.sim.client() as tavus:
        persona = await tavus.personas.create(persona_name="Private", system_prompt="x")
        conv = await tavus.conversations.create(
            persona_id=persona.persona_id,
            replica_id=STOCK_REPLICA,
            require_auth=True,
            properties={"participant_left_timeout": 60},
        )
    assert conv.meeting_token
    url = conv.conversation_url
    assert url is not None
    wrong = "eyJwrong0token.eyJpbnZhbGlkIjp0cnVlfQ.c2lnbmF0dXJlX3dyb25n"
    denied = await cli("ask", url, "hi", "--token", wrong, "--join-timeout", "5")
    assert denied.code == 1
    assert denied.err.count("\n") == 1
    assert wrong not in denied.err
    monkeypatch.setenv("TAVUS_MEETING_TOKEN", conv.meeting_token)
    allowed = await cli("ask", url, "hi")
    assert allowed.code == 0, allowed.err
    assert allowed.out == "You said: hi\n"
    assert conv.meeting_token not in allowed.out + allowed.err
