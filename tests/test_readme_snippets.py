"""Every ```python block in README.md runs against the simulator, so the README cannot rot.

Blocks are fragments: they use names a reader would have at hand (``tavus``, ``persona_id``,
``conv``, ``room``...). Each block runs in a fresh namespace that provides those names, wrapped
in an ``async def`` so top-level ``await`` works. A block that is a whole program (it calls
``asyncio.run``) runs as is in a worker thread, with TAVUS_API_KEY and TAVUS_BASE_URL pointing
at the simulator.
"""

from __future__ import annotations

import contextlib
import math
import re
import struct
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from tavus_async import AsyncTavus
from tavus_async.models import ToolParams
from tavus_async.testing import TavusSimulator

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
STOCK_REPLICA = "rfe12d8b9597"

WEATHER_TOOL: ToolParams = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a place",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string"}},
            "required": ["location"],
        },
    },
}


def test_the_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 10


@contextlib.asynccontextmanager
async def _namespace(tavus: AsyncTavus, code: str) -> AsyncIterator[dict[str, Any]]:
    persona = await tavus.personas.create(
        persona_name="Readme",
        system_prompt="You help with the weather.",
        default_replica_id=STOCK_REPLICA,
        layers={"llm": {"tools": [WEATHER_TOOL]}},
    )
    assert persona.persona_id is not None
    conv = await tavus.conversations.create(persona_id=persona.persona_id)
    ended = await tavus.conversations.create(persona_id=persona.persona_id, test_mode=True)
    replica = await tavus.replicas.create(
        replica_name="Readme", train_video_url="https://example.com/train.mp4"
    )
    video = await tavus.videos.create(replica_id=STOCK_REPLICA, script="Hello from the README")
    doc = await tavus.documents.create(document_url="https://example.com/guide.pdf")
    received: list[Any] = []
    ns: dict[str, Any] = {
        "tavus": tavus,
        "persona_id": persona.persona_id,
        "pal_id": persona.persona_id,  # one id under both names
        "face_id": replica.replica_id,
        "conv": conv,
        "conversation_id": ended.conversation_id,
        "replica_id": replica.replica_id,
        "video_id": video.video_id,
        "document_id": doc.document_id,
        "on_event": received.append,
        # 0.2 s of a 440 Hz tone, PCM16 mono at 24 kHz.
        "pcm16_mono_bytes": b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / 24000)))
            for n in range(4800)
        ),
    }
    needs_room = "room." in code and "connect(" not in code
    if needs_room:
        other = await tavus.conversations.create(persona_id=persona.persona_id)
        async with tavus.conversations.connect(other, end_conversation=True) as room:
            ns["room"] = room
            yield ns
    else:
        yield ns
    with contextlib.suppress(Exception):
        await tavus.conversations.end(conv.conversation_id)


@pytest.mark.anyio
@pytest.mark.parametrize("index", range(len(BLOCKS)), ids=lambda i: f"block{i + 1}")
async def test_readme_block_runs(
    index: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = BLOCKS[index]
    async with TavusSimulator() as sim:
        if "asyncio.run(" in code:
            monkeypatch.setenv("TAVUS_API_KEY", sim.api_key)
            monkeypatch.setenv("TAVUS_BASE_URL", sim.base_url)
            program = compile(code, f"README.md block {index + 1}", "exec")
            with anyio.fail_after(30):
                await anyio.to_thread.run_sync(exec, program, {"__name__": "__readme__"})
            assert sim.counts["conversations.create"] >= 1
            return
        async with sim.client() as tavus, _namespace(tavus, code) as ns:
            wrapped = "async def __snippet():\n" + textwrap.indent(code, "    ")
            exec(compile(wrapped, f"README.md block {index + 1}", "exec"), ns)
            with anyio.fail_after(30):
                await ns["__snippet"]()
    if 'room.respond("What can you do?")' in code:
        # The rooms example sees the reply to its own question, not just the greeting.
        printed = capsys.readouterr().out.splitlines()
        assert printed == ["replica: You said: What can you do?"], printed
