"""``tavus.tools`` and a PAL's tools against the simulator: validation, secrets, cascades."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tavus_async.errors import BadRequestError
from tavus_async.models.tools import (
    AccountTool,
    ApiDelivery,
    ApiDeliveryInfo,
    AuthBearer,
    AuthHmac,
    ToolDefinitionError,
)
from tavus_async.testing import TavusSimulator
from tavus_async.tools import ToolRegistry, sync_tools

pytestmark = pytest.mark.anyio

PARAMS = {
    "type": "object",
    "properties": {"order_id": {"type": "string"}},
    "required": ["order_id"],
}
PUBLIC_URL = "https://api.shop.example/orders/{order_id}"


@pytest.fixture
async def sim() -> AsyncIterator[TavusSimulator]:
    async with TavusSimulator() as s:
        yield s


@pytest.fixture
async def tavus(sim: TavusSimulator) -> AsyncIterator[Any]:
    async with sim.client() as client:
        yield client


def _api(tool: AccountTool) -> ApiDeliveryInfo:
    assert tool.delivery is not None
    assert tool.delivery.api is not None
    return tool.delivery.api


async def _pal(tavus: Any) -> str:
    persona = await tavus.personas.create(persona_name="Shop", system_prompt="Help.")
    return str(persona.persona_id)


async def test_create_get_list_update_delete_with_secrets_masked(
    tavus: Any, sim: TavusSimulator
) -> None:
    tool = await tavus.tools.create(
        name="lookup_order",
        description="Look up an order.",
        parameters=PARAMS,
        delivery={"api": ApiDelivery(url=PUBLIC_URL, method="GET", auth=AuthBearer(token="sk_1"))},
        on_call="static_filler",
        static_filler="One moment.",
        on_resolve="generate_response",
    )
    assert tool.tool_id.startswith("t")
    assert tool.delivery is not None
    assert tool.delivery.channel == "api"
    api = tool.delivery.api
    assert api is not None
    assert (api.auth, api.timeout, api.method) == (
        {"type": "bearer", "token": "********"},
        10,
        "GET",
    )
    got = await tavus.tools.get(tool.tool_id)
    assert got.delivery.api.auth == {"type": "bearer", "token": "********"}
    # The secret is stored (the sender uses it), only reads mask it.
    assert sim.account_tools.tools[tool.tool_id]["delivery"]["api"]["auth"]["token"] == "sk_1"

    # PATCH without the secret keeps it; ******** sent back is refused before any I/O.
    kept = {"api": {"url": PUBLIC_URL, "method": "GET", "auth": {"type": "bearer"}}}
    await tavus.tools.update(tool.tool_id, delivery=kept)
    assert sim.account_tools.tools[tool.tool_id]["delivery"]["api"]["auth"]["token"] == "sk_1"
    with pytest.raises(ToolDefinitionError, match=r"auth\.token"):
        await tavus.tools.update(
            tool.tool_id, delivery={"api": {"url": PUBLIC_URL, "auth": {"type": "bearer",
                                                                       "token": "********"}}},
        )  # fmt: skip
    changed = await tavus.tools.update(tool.tool_id, description="Find an order.")
    assert changed.description == "Find an order."
    # On the wire, "delivery": null resets the channel to the app message.
    reset = await tavus._http.request(
        "PATCH", f"/v2/tools/{tool.tool_id}", cast_to=dict, json={"delivery": None}
    )
    assert reset["delivery"] == {"app_message": True}

    page = await tavus.tools.list()
    assert [t.name for t in page.data] == ["lookup_order"]
    system = await tavus.tools.list(tool_type="system")
    assert [(t.tool_id, t.is_system_tool) for t in system.data] == [("end_call", True)]
    assert [t.tool_id for t in (await tavus.tools.list(tool_type="all")).data] == [
        "end_call",
        tool.tool_id,
    ]
    assert len((await tavus.tools.list(name_or_uuid="LOOKUP")).data) == 1

    await tavus.tools.delete(tool.tool_id)
    with pytest.raises(BadRequestError, match="Tool not found"):
        await tavus.tools.get(tool.tool_id)
    with pytest.raises(BadRequestError, match="system tools"):
        await tavus.tools.delete("end_call")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "9lives"}, "name"),
        ({"description": " "}, "description"),
        ({"delivery": {"app_message": True, "api": {"url": PUBLIC_URL}}}, "delivery"),
        ({"delivery": {"app_message": False}}, "delivery"),
        ({"delivery": {"api": {"url": "https://{order_id}.example/x"}}}, "delivery.api.url"),
        ({"delivery": {"api": {"url": PUBLIC_URL, "timeout": 61}}}, "delivery.api.timeout"),
        ({"parameters": {"type": "object", "properties": {"tavus_x": {}}}},
         "parameters.properties.tavus_x"),
        ({"on_call": "static_filler"}, "static_filler"),
        ({"delivery": {"api": {"url": "https://a.example/t", "auth": {"type": "hmac"}}}},
         "delivery.api.auth.secret"),
        ({"delivery": {"api": {"url": PUBLIC_URL, "auth": {"type": "hmac", "secret": "s"}}}},
         "delivery.api.url"),
        ({"delivery": {"api": {"url": "https://a.example/{nope}"}}}, "delivery.api"),
        ({"delivery": {"api": {"url": PUBLIC_URL, "method": "GET", "body_template": {}}}},
         "delivery.api.body_template"),
    ],
)  # fmt: skip
async def test_the_client_refuses_what_tavus_documents_as_invalid_before_any_io(
    tavus: Any, sim: TavusSimulator, fields: dict[str, Any], field: str
) -> None:
    body = {"name": "lookup_order", "description": "Look up an order.", "parameters": PARAMS}
    body.update(fields)
    with pytest.raises(ToolDefinitionError) as info:
        await tavus.tools.create(body)
    assert info.value.field == field
    assert sim.received["POST /v2/tools"] == 0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://127.0.0.1/x", "loopback"),
        ("https://localhost:8443/x", "loopback"),
        ("https://10.1.2.3/x", "private"),
        ("https://192.168.0.9/x", "private"),
        ("https://169.254.169.254/latest", "link-local"),
        ("https://[::1]/x", "loopback"),
        ("http://api.shop.example/x", "https"),
    ],
)
async def test_the_simulator_refuses_private_hosts_and_plain_http(
    tavus: Any, url: str, reason: str
) -> None:
    with pytest.raises(BadRequestError, match=reason):
        await tavus.tools.create(
            name="t", description="d", delivery={"api": {"url": url}}, extra_body=None
        )


async def test_private_hosts_are_allowed_with_the_switch() -> None:
    async with TavusSimulator(allow_private_tool_urls=True) as sim, sim.client() as tavus:
        tool = await tavus.tools.create(
            name="local", description="d", delivery={"api": {"url": "http://127.0.0.1:9/x"}}
        )
        assert _api(tool).url == "http://127.0.0.1:9/x"


async def test_the_simulator_checks_on_its_own(tavus: Any, sim: TavusSimulator) -> None:
    # Raw bodies past the client's checks: the simulator is an independent judge.
    http = tavus._http
    both = {"app_message": True, "api": {"url": PUBLIC_URL}}
    cases = [
        {"name": "a", "description": "d", "delivery": both},
        {"name": "a", "description": "d", "delivery": {"api": {"url": PUBLIC_URL, "timeout": 0}}},
        {"name": "a", "description": "x" * 10_001},
        {"name": "a", "description": "d", "origin": "vision", "on_call": "silent"},
        {"name": "a", "description": "d", "trigger_type": "post_call"},
    ]  # fmt: skip
    for body in cases:
        with pytest.raises(BadRequestError, match=r"^.*Bad Request\."):
            await http.request("POST", "/v2/tools", cast_to=dict, json=body)
    await tavus.tools.create(name="dup", description="d")
    with pytest.raises(BadRequestError, match="already exists"):
        await tavus.tools.create(name="dup", description="d")
    assert sim.counts["tools.create"] == 1


async def test_pal_attachments_are_idempotent_capped_and_cascade(
    tavus: Any, sim: TavusSimulator
) -> None:
    pal = await _pal(tavus)
    a = await tavus.tools.create(name="a", description="A.")
    b = await tavus.tools.create(name="b", description="B.")
    attached = await tavus.pals.tools.attach(pal, [a.tool_id])
    assert [t.tool_id for t in attached] == [a.tool_id]
    again = await tavus.pals.tools.attach(pal, [a.tool_id, b.tool_id])
    assert [t.tool_id for t in again] == [a.tool_id, b.tool_id]
    assert [t.name for t in await tavus.pals.tools.list(pal)] == ["a", "b"]
    # One list: the PAL's tool_ids is its attachment list, both ways.
    assert (await tavus.pals.get(pal)).tool_ids == [a.tool_id, b.tool_id]
    face = (await tavus.faces.list(face_type="system", limit=1)).data[0].face_id
    born = await tavus.pals.create(
        pal_name="Born with tools", system_prompt="Help.", default_face_id=face,
        tool_ids=[b.tool_id],
    )  # fmt: skip
    assert [t.tool_id for t in await tavus.pals.tools.list(born.pal_id)] == [b.tool_id]
    with pytest.raises(BadRequestError, match="Tool not found"):
        await tavus.pals.tools.attach(pal, [a.tool_id, "tnope"])  # all or nothing
    assert sim.store.personas[pal]["tool_ids"] == [a.tool_id, b.tool_id]

    await tavus.pals.tools.detach(pal, b.tool_id)
    with pytest.raises(BadRequestError, match="not attached"):
        await tavus.pals.tools.detach(pal, b.tool_id)
    await tavus.tools.delete(a.tool_id)  # deleting a tool detaches it everywhere
    assert await tavus.pals.tools.list(pal) == []
    assert sim.store.personas[pal]["tool_ids"] == []
    with pytest.raises(ValueError, match="1 to 50"):
        await tavus.pals.tools.attach(pal, [f"t{i}" for i in range(51)])
    many = [(await tavus.tools.create(name=f"t{i}", description="x")).tool_id for i in range(51)]
    await tavus.pals.tools.attach(pal, many[:50])
    with pytest.raises(BadRequestError, match="at most 50"):
        await tavus.pals.tools.attach(pal, many[50:])


registry = ToolRegistry()


@registry.tool(timeout=8)
async def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"Sunny in {city}"


@registry.tool
async def lookup_order(order_id: str) -> str:
    """Look up an order."""
    return order_id


async def test_sync_tools_creates_then_updates_by_name_and_attaches(
    tavus: Any, sim: TavusSimulator
) -> None:
    pal = await _pal(tavus)
    first = await sync_tools(tavus, registry, pal_id=pal, on_resolve="generate_response")
    assert [t.name for t in first] == ["get_weather", "lookup_order"]
    assert first[0].parameters == registry.get("get_weather").parameters  # type: ignore[union-attr]
    again = await sync_tools(tavus, registry, pal_id=pal, on_resolve="generate_response")
    assert [t.tool_id for t in again] == [t.tool_id for t in first]
    assert (sim.counts["tools.create"], sim.counts["tools.update"]) == (2, 0)  # unchanged
    assert [t.name for t in await tavus.pals.tools.list(pal)] == ["get_weather", "lookup_order"]

    api = ApiDelivery(url="https://api.shop.example/tavus/tools", auth=AuthHmac(secret="whsec_1"))
    moved = await sync_tools(tavus, registry, delivery=api, pal_id=pal, names=["get_weather"])
    assert moved[0].tool_id == first[0].tool_id
    assert _api(moved[0]).timeout == 8  # the tool's own timeout
    assert _api(moved[0]).auth == {"type": "hmac", "secret": "********"}
    assert sim.counts["tools.update"] == 1
    assert len((await tavus.tools.list()).data) == 2  # never duplicated
