"""Secrets never leak: the API key and every meeting token, searched for in everything printed.

Two runs, each with DEBUG logging on for every logger (caplog at the root, plus a handler of
our own on the root logger that also formats tracebacks), stdout and stderr captured:

1. The CLI ``demo`` in-process, with its conversations made private (``require_auth``) so that
   the simulator issues meeting tokens and the room joins with them.
2. The same flow by hand, plus the paths where secrets most often slip out: a join with a wrong
   token, a request with a wrong key, a room that is closed under a send, and the reprs of the
   client, the conversation, the room and its transport, and the errors.

Then the API key and every meeting token the simulator issued are searched for in all of it.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from tavus_async import AsyncTavus, errors
from tavus_async.cli import main
from tavus_async.interactions.events import StoppedSpeaking, ToolCall
from tavus_async.models import ToolParams
from tavus_async.resources.conversations import Conversations
from tavus_async.room import connect
from tavus_async.testing import TavusSimulator


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """Everything every logger says at DEBUG, tracebacks included."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    loggers = [logging.getLogger(n) for n in ("tavus_async", "aiohttp", "asyncio")]
    old = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        for lg, level in zip(loggers, old, strict=True):
            lg.setLevel(level)


def _secrets_of(sims: list[TavusSimulator], extra: tuple[str, ...] = ()) -> list[str]:
    found = list(extra)
    for sim in sims:
        found.append(sim.api_key)
        for conv in sim.store.conversations.values():
            if conv.get("meeting_token"):
                found.append(conv["meeting_token"])
    return found


def _assert_nowhere(secrets: list[str], texts: dict[str, str]) -> None:
    leaks = [
        (where, secret[:4] + "...")
        for secret in secrets
        for where, text in texts.items()
        if secret in text
    ]
    assert leaks == [], f"secrets found in: {leaks}"


def _records(caplog: pytest.LogCaptureFixture) -> str:
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        if record.exc_info and record.exc_info[1] is not None:
            parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


def test_the_cli_demo_leaks_no_key_or_token_at_debug(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    debug_log: io.StringIO,
) -> None:
    sims: list[TavusSimulator] = []
    start = TavusSimulator.start

    async def recording_start(self: TavusSimulator) -> TavusSimulator:
        sims.append(self)
        return await start(self)

    create = Conversations.create

    async def private_create(self: Conversations, *args: Any, **fields: Any) -> Any:
        fields.setdefault("require_auth", True)  # so that meeting tokens exist and are used
        return await create(self, *args, **fields)

    monkeypatch.setattr(TavusSimulator, "start", recording_start)
    monkeypatch.setattr(Conversations, "create", private_create)
    monkeypatch.delenv("TAVUS_API_KEY", raising=False)
    caplog.set_level(logging.DEBUG)
    assert main(["demo"]) == 0
    out, err = capsys.readouterr()
    assert "Transcript" in out
    secrets = _secrets_of(sims)
    tokens = secrets[1:]
    assert tokens, "the demo's conversation was not private: no token was issued"
    assert sims[0].rooms.stats()["joins"] >= 1  # the room was joined with the token
    _assert_nowhere(
        secrets,
        {"stdout": out, "stderr": err, "caplog": _records(caplog), "root": debug_log.getvalue()},
    )
    assert "DEBUG tavus_async" in debug_log.getvalue()  # DEBUG records were really emitted


@pytest.mark.anyio
async def test_a_private_conversation_by_hand_leaks_nothing_anywhere(
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    debug_log: io.StringIO,
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong_key = "tvs_" + "9" * 28
    shown: dict[str, str] = {}
    async with TavusSimulator(time=20.0) as sim, sim.client(retry_initial_delay=0.001) as tavus:
        shown["client repr"] = repr(tavus) + str(tavus.__dict__.get("api_key_hint"))
        persona = await tavus.personas.create(
            persona_name="Secretive",
            system_prompt="Be brief.",
            layers={"llm": {"tools": [_WEATHER]}},
        )
        replica_id = (await tavus.replicas.list(limit=1)).data[0].replica_id
        conv = await tavus.conversations.create(
            persona_id=persona.persona_id,
            replica_id=replica_id,
            require_auth=True,
            custom_greeting="Hi.",
        )
        assert conv.meeting_token
        shown["conversation repr"] = repr(conv) + str(conv)
        shown["conversation get repr"] = repr(await tavus.conversations.get(conv.conversation_id))
        sim.replica.when("weather", tool="get_weather", arguments={"city": "Oslo"})
        with anyio.fail_after(20):
            async with connect(conv, client=tavus) as room:
                shown["room repr"] = repr(room) + repr(room.transport)

                @room.tool("get_weather")
                async def get_weather(city: str) -> str:
                    return f"sunny in {city}"

                await room.respond("What is the weather?")
                await room.wait_for(ToolCall, timeout=5)
                await room.wait_for(StoppedSpeaking, timeout=5)
                await room.echo("Goodbye.")
        # A join with a wrong token, then with none.
        for token in (conv.meeting_token[::-1], ""):
            with pytest.raises(errors.JoinError) as bad_join:
                async with connect(conv, meeting_token=token or None, join_timeout=5):
                    pass
            shown[f"join error {token[:3]}"] = str(bad_join.value) + repr(bad_join.value)
        # A request with a wrong key.
        async with AsyncTavus(api_key=wrong_key, base_url=sim.base_url) as wrong:
            with pytest.raises(errors.AuthenticationError) as bad_key:
                await wrong.personas.list()
            shown["auth error"] = str(bad_key.value) + repr(bad_key.value)
            shown["auth error body"] = repr(getattr(bad_key.value, "body", None))
            shown["wrong client repr"] = repr(wrong)
        # A send on a room whose conversation ended under it.
        conv2 = await tavus.conversations.create(
            persona_id=persona.persona_id, replica_id=replica_id, require_auth=True
        )
        async with connect(conv2, client=tavus) as room2:
            await tavus.conversations.end(conv2.conversation_id)
            async for _ in room2:
                pass
            with pytest.raises(errors.RoomClosedError) as closed:
                await room2.echo("late")
            shown["closed error"] = str(closed.value) + repr(room2)
        await tavus.conversations.end(conv.conversation_id)
        verbose = await tavus.conversations.get(conv.conversation_id, verbose=True)
        shown["verbose repr"] = repr(verbose)
        secrets = _secrets_of([sim], extra=(wrong_key,))
    assert len(secrets) >= 4  # the key, the wrong key and both meeting tokens
    out, err = capsys.readouterr()
    _assert_nowhere(
        secrets,
        {
            **shown,
            "stdout": out,
            "stderr": err,
            "caplog": _records(caplog),
            "root": debug_log.getvalue(),
        },
    )


_WEATHER: ToolParams = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
