"""Quickstart: the Tavus REST API with tavus-async, in one file.

Runs against an embedded Tavus simulator by default (no account, no network)::

    python examples/quickstart.py

and against Tavus itself when ``TAVUS_API_KEY`` is set. Against Tavus the conversation is created
in ``test_mode`` (the replica never joins, nothing is billed) and the persona is deleted at the
end, so the account is left as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator

from tavus_async import AsyncTavus, NotFoundError


@contextlib.asynccontextmanager
async def tavus_client() -> AsyncIterator[tuple[AsyncTavus, bool]]:
    """Tavus when TAVUS_API_KEY is set, else a simulator; yields (client, is_real)."""
    if os.environ.get("TAVUS_API_KEY"):
        async with AsyncTavus() as tavus:  # key (and TAVUS_BASE_URL) from the environment
            yield tavus, True
        return
    from tavus_async.testing import TavusSimulator

    async with TavusSimulator() as sim, sim.client() as tavus:
        yield tavus, False


async def main() -> None:
    async with tavus_client() as (tavus, real):
        print("Using", "the Tavus API" if real else "the embedded Tavus simulator")

        # A replica is the face and voice; take the first one that finished training (yours,
        # else one of Tavus's stock replicas).
        replica = None
        for replica_type in (None, "system"):
            async for candidate in tavus.replicas.list(replica_type=replica_type):
                if candidate.status == "completed":
                    replica = candidate
                    break
            if replica is not None:
                break
        if replica is None:
            raise SystemExit("no trained replica on this account")
        print(f"replica:      {replica.replica_id} ({replica.replica_name})")

        # A persona is the brain: its prompt, and its layers (LLM, TTS, perception...).
        persona = await tavus.personas.create(
            persona_name="Quickstart Guide",
            system_prompt="You are a concise, friendly guide.",
            default_replica_id=replica.replica_id,
            layers={"llm": {"model": "tavus-gpt-4o"}},
        )
        print(f"created:      {persona.persona_id} ({persona.persona_name})")
        try:
            # `await` a list call for one page; `async for` over it walks every page.
            page = await tavus.personas.list(limit=5)
            print(f"personas:     {page.total_count} in total, first page has {len(page.data)}")
            mine = [
                p.persona_id
                async for p in tavus.personas.list()
                if p.persona_id == persona.persona_id
            ]
            print(f"listed:       {persona.persona_id} found by walking every page: {bool(mine)}")

            # Personas change through JSON Patch (RFC 6902); 304 means nothing changed.
            result = await tavus.personas.patch(
                persona.persona_id,
                [{"op": "replace", "path": "/system_prompt", "value": "Answer in one sentence."}],
            )
            updated = await tavus.personas.get(persona.persona_id)
            print(f"patched:      changed={result.changed} -> {updated.system_prompt!r}")

            # A conversation is a live video call with the persona.
            conversation = await tavus.conversations.create(
                persona_id=persona.persona_id,
                replica_id=replica.replica_id,
                conversation_name="Quickstart call",
                test_mode=real,  # against Tavus: the replica never joins, nothing is billed
            )
            print(f"conversation: {conversation.conversation_id} {conversation.status}")
            print(f"join it at:   {conversation.conversation_url}")

            # Always end what you start: an active conversation counts against your quota.
            await tavus.conversations.end(conversation.conversation_id)
            ended = await tavus.conversations.get(conversation.conversation_id)
            print(f"ended:        {ended.conversation_id} {ended.status}")
        finally:
            with contextlib.suppress(NotFoundError):
                await tavus.personas.delete(persona.persona_id)
                print(f"deleted:      {persona.persona_id}")


if __name__ == "__main__":
    asyncio.run(main())
