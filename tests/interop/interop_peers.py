"""The peers' Tavus clients (pipecat, livekit, astrocyte), unchanged but for the base URL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from interop_kit import Report

from tavus_async.testing import TavusSimulator

#: pipecat's TavusTransport and TavusVideoService default to this persona.
PIPECAT_DEFAULT_PERSONA = "pipecat0"


async def _pipecat(sim: TavusSimulator, report: Report) -> None:
    """pipecat's ``TavusApi``: the calls its transport makes on start and stop."""
    from pipecat.transports.tavus.transport import TavusApi

    replica_id = "r4067604db72"
    async with aiohttp.ClientSession() as session:
        api = TavusApi(sim.api_key, session)
        api.BASE_URL = f"{sim.base_url}/v2"  # the one change: where Tavus is
        name = await api.get_persona_name(PIPECAT_DEFAULT_PERSONA)
        report.check("get_persona_name('pipecat0')", bool(name), f"empty name {name!r}")
        conv = await api.create_conversation(replica_id, PIPECAT_DEFAULT_PERSONA)
        cid = conv.get("conversation_id")
        report.check(
            "create_conversation with the default persona",
            bool(cid) and str(conv.get("conversation_url", "")).startswith(("http", "ws")),
            str(conv)[:300],
        )
        if cid:
            await api.end_conversation(cid)
            async with sim.client() as tavus:
                got = await tavus.conversations.get(cid)
            report.check(
                "end_conversation ended it", got.status == "ended", f"status {got.status!r}"
            )


async def _livekit(sim: TavusSimulator, report: Report) -> None:
    """livekit-plugins-tavus's ``TavusAPI``: PAL, legacy persona and conversation creates."""
    from livekit.plugins.tavus.api import TavusAPI

    async with aiohttp.ClientSession() as session:
        api = TavusAPI(api_key=sim.api_key, api_url=f"{sim.base_url}/v2", session=session)
        cid = await api.create_conversation()  # the stock PAL and face it defaults to
        report.check("create_conversation with its stock PAL", bool(cid), repr(cid))
        pal_id = await api.create_pal("lk interop", default_face_id="r4067604db72")
        report.check("create_pal (echo, livekit transport)", bool(pal_id), repr(pal_id))
        persona_id = await api.create_persona("lk legacy")
        report.check("create_persona (legacy route)", bool(persona_id), repr(persona_id))
        if pal_id:
            cid2 = await api.create_conversation(pal_id=pal_id, face_id="r4067604db72")
            report.check("create_conversation with its PAL", bool(cid2), repr(cid2))
        async with sim.client() as tavus:
            for conv_id in (cid,):
                got = await tavus.conversations.get(conv_id)
                report.check(
                    "conversation readable through tavus-async",
                    got.conversation_id == conv_id,
                    repr(got.conversation_id),
                )
                await tavus.conversations.end(conv_id)
            if pal_id:
                pal = await tavus.personas.get(pal_id)
                report.check(
                    "the PAL is the persona of the same id",
                    pal.persona_id == pal_id,
                    repr(pal.persona_id),
                )


async def _astrocyte(sim: TavusSimulator, report: Report) -> None:
    """astrocyte-integration-tavus's ``TavusClient``: list and read conversations."""
    from astrocyte_integration_tavus.client import TavusClient

    async with sim.client() as tavus:
        conv = await tavus.conversations.create(
            persona_id="p596401c2cf9", replica_id="rf4703150052"
        )
        await tavus.conversations.end(conv.conversation_id)
    async with TavusClient(sim.api_key, base_url=f"{sim.base_url}/v2") as client:
        page = await client.list_conversations(limit=10, page=1)
        ids = {row.get("conversation_id") for row in page.get("data", [])}
        report.check(
            "list_conversations includes ours", conv.conversation_id in ids, str(page)[:300]
        )
        ended = await client.list_conversations(status="ended")
        report.check(
            "list_conversations(status='ended')",
            all(row.get("status") == "ended" for row in ended.get("data", []))
            and bool(ended.get("data")),
            str(ended)[:300],
        )
        got = await client.get_conversation(conv.conversation_id, verbose=True)
        report.check(
            "get_conversation(verbose=True)",
            got.get("conversation_id") == conv.conversation_id,
            str(got)[:300],
        )
        events = got.get("events")
        report.check(
            "verbose answer carries events",
            isinstance(events, list) and bool(events),
            str(got)[:300],
        )


SUITES: dict[str, Callable[[TavusSimulator, Report], Awaitable[Any]]] = {
    "pipecat TavusApi": _pipecat,
    "livekit-plugins-tavus TavusAPI": _livekit,
    "astrocyte-integration-tavus": _astrocyte,
}
