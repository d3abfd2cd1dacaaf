"""ToolRegistry: the JSON schema from annotations, descriptions, decoding before the call."""

from __future__ import annotations

import enum
from typing import Annotated, Any, Literal, TypedDict

import msgspec
import pytest

from tavus_async.errors import InvalidInputError, InvalidTypeError, NotAvailableError, TavusError
from tavus_async.interactions.events import ToolCall
from tavus_async.tools import ToolContext, ToolRegistry


class Units(enum.Enum):
    METRIC = "metric"
    IMPERIAL = "imperial"


class Address(msgspec.Struct):
    """A postal address."""

    city: str
    postcode: str | None = None


class Window(TypedDict):
    start: str
    end: str


class Tree(msgspec.Struct):
    label: str
    children: list[Tree] = []


def _props(registry: ToolRegistry, name: str) -> dict[str, Any]:
    (fn,) = [d["function"] for d in registry.definitions() if d["function"]["name"] == name]
    params: dict[str, Any] = fn["parameters"]
    assert params["type"] == "object"
    return params


def test_every_annotation_kind_becomes_json_schema() -> None:
    tools = ToolRegistry()

    @tools.tool
    def book(
        name: str,
        guests: int,
        budget: float,
        vegan: bool,
        seating: Literal["inside", "terrace"],
        units: Units,
        tags: list[str],
        address: Address,
        window: Window,
        note: str | None = None,
        nights: int = 1,
    ) -> str:
        """Book a table."""
        return "ok"

    params = _props(tools, "book")
    p = params["properties"]
    assert p["name"] == {"type": "string"}
    assert p["guests"] == {"type": "integer"}
    assert p["budget"] == {"type": "number"}
    assert p["vegan"] == {"type": "boolean"}
    assert p["seating"] == {"enum": ["inside", "terrace"]}
    assert p["units"]["enum"] == ["imperial", "metric"]
    assert p["tags"] == {"type": "array", "items": {"type": "string"}}
    # Structs and TypedDicts are inlined objects (no $ref for a flat schema).
    assert p["address"]["type"] == "object"
    assert p["address"]["description"] == "A postal address."
    assert p["address"]["required"] == ["city"]
    assert p["window"]["type"] == "object"
    assert set(p["window"]["properties"]) == {"start", "end"}
    assert p["note"] == {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
    assert p["nights"] == {"type": "integer", "default": 1}
    assert params["required"] == [
        "name", "guests", "budget", "vegan", "seating", "units", "tags", "address", "window"
    ]  # fmt: skip
    assert "$defs" not in params
    assert "$ref" not in repr(params)


def test_a_recursive_struct_keeps_its_definitions() -> None:
    tools = ToolRegistry()

    @tools.tool
    async def plant(tree: Tree) -> str:
        """Plant a tree."""
        return tree.label

    params = _props(tools, "plant")
    assert params["properties"]["tree"]["properties"]["children"]["items"] == {
        "$ref": "#/$defs/Tree"
    }
    assert params["$defs"]["Tree"]["type"] == "object"


def test_descriptions_come_from_meta_then_the_docstring() -> None:
    tools = ToolRegistry()

    @tools.tool
    async def get_weather(
        city: Annotated[str, msgspec.Meta(description="City name, e.g. Oslo")],
        days: Annotated[int, msgspec.Meta(ge=1, le=7)] = 1,
    ) -> str:
        """Current weather for a city.

        Uses the nearest station.

        Args:
            city: Ignored: Meta wins.
            days: How many days ahead.
        """
        return "sunny"

    (d,) = tools.definitions()
    assert d["type"] == "function"
    fn = d["function"]
    assert fn["description"] == "Current weather for a city.\n\nUses the nearest station."
    assert fn["parameters"]["properties"]["city"]["description"] == "City name, e.g. Oslo"
    days = fn["parameters"]["properties"]["days"]
    assert days["description"] == "How many days ahead."
    assert (days["minimum"], days["maximum"]) == (1, 7)


def test_name_and_description_can_be_given() -> None:
    tools = ToolRegistry()

    @tools.tool(name="lookup_order", description="Find an order.", timeout=5)
    def _lookup(order_id: str) -> str:
        return order_id

    spec = tools.get("lookup_order")
    assert spec is not None
    assert spec.timeout == 5
    assert spec.definition()["function"]["description"] == "Find an order."


def test_injected_parameters_are_not_in_the_schema() -> None:
    tools = ToolRegistry()

    @tools.tool
    async def whoami(ctx: ToolContext, call: ToolCall | None, loud: bool = False) -> str:
        """Say who called."""
        return "x"

    assert list(_props(tools, "whoami")["properties"]) == ["loud"]


@pytest.mark.anyio
async def test_arguments_are_decoded_into_the_annotated_types() -> None:
    tools = ToolRegistry()
    seen: list[Any] = []

    @tools.tool
    async def book(address: Address, units: Units, guests: int = 2) -> dict[str, Any]:
        """Book."""
        seen.append((address, units, guests))
        return {"ok": True}

    outcome = await tools.call(
        "book", '{"address": {"city": "Oslo"}, "units": "metric", "extra": 1}'
    )
    assert outcome.status == "success"
    assert outcome.output == {"ok": True}
    assert seen == [(Address("Oslo"), Units.METRIC, 2)]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("arguments", "argument", "message"),
    [
        ({"units": "metric"}, "address", "the required argument 'address' is missing"),
        ({"address": {"city": 3}, "units": "metric"}, "address", "argument 'address' is invalid"),
        ({"address": {"city": "Oslo"}, "units": "kelvin"}, "units", "argument 'units'"),
        ({"address": {"city": "Oslo"}, "units": "metric", "guests": "two"}, "guests", "`int`"),
        ("not json", None, "not valid JSON"),
        ("[1, 2]", None, "must be an object"),
    ],
)
async def test_a_misfit_names_the_argument_and_the_function_is_not_called(
    arguments: Any, argument: str | None, message: str
) -> None:
    tools = ToolRegistry()
    ran: list[int] = []

    @tools.tool
    async def book(address: Address, units: Units, guests: int = 2) -> str:
        """Book."""
        ran.append(1)
        return "booked"

    outcome = await tools.call("book", arguments)
    assert (outcome.status, outcome.reason) == ("error", "bad_arguments")
    assert outcome.argument == argument
    assert message in outcome.output
    assert ran == []


@pytest.mark.anyio
async def test_sync_blocking_and_kwargs_tools_run() -> None:
    tools = ToolRegistry()

    @tools.tool(blocking=True)
    def slow_sum(a: int, b: int) -> int:
        """Add in a worker thread."""
        return a + b

    @tools.tool
    def anything(**kwargs: Any) -> dict[str, Any]:
        """Echo whatever came."""
        return kwargs

    assert (await tools.call("slow_sum", {"a": 2, "b": 3})).output == 5
    assert (await tools.call("anything", {"x": 1})).output == {"x": 1}
    unknown = await tools.call("nope", {})
    assert (unknown.status, unknown.reason) == ("error", "unknown_tool")


@pytest.mark.anyio
async def test_failures_and_timeouts_are_safe_error_outcomes() -> None:
    tools = ToolRegistry()

    @tools.tool
    async def leaky() -> str:
        """Fail with a secret in the message."""
        raise RuntimeError("password=hunter2")

    @tools.tool
    async def inner_timeout() -> str:
        """A TimeoutError from inside is a failure, not our deadline."""
        raise TimeoutError("upstream")

    @tools.tool
    async def slow() -> str:
        """Never finishes in time."""
        import anyio

        await anyio.sleep(5)
        return "late"

    failed = await tools.call("leaky", None)
    assert (failed.reason, failed.output) == ("failed", "the tool leaky failed")
    assert (await tools.call("inner_timeout", None)).reason == "failed"
    timed = await tools.call("slow", None, timeout=0.05)
    assert (timed.reason, timed.output) == ("timeout", "the tool slow timed out")


def test_registration_errors_are_typed_and_clear() -> None:
    tools = ToolRegistry()
    with pytest.raises(InvalidInputError, match="reserves"):
        tools.register(lambda tavus_conversation_id: 1, name="a")
    with pytest.raises(InvalidInputError, match="not valid"):
        tools.register(lambda: 1, name="has-dash")
    with pytest.raises(InvalidInputError, match="non-empty name"):
        tools.register(lambda: 1)
    with pytest.raises(InvalidInputError, match="keyword arguments only"):
        tools.register(lambda *args: 1, name="b")
    with pytest.raises(InvalidInputError, match="timeout must be positive"):
        tools.register(lambda: 1, name="c", timeout=0)
    with pytest.raises(InvalidTypeError, match="callable"):
        tools.register("nope")  # type: ignore[arg-type]
    with pytest.raises(NotAvailableError, match="no tool named 'nope'"):
        tools.tool_params("nope")

    class Opaque:
        pass

    def uses_opaque(x: Opaque) -> None:
        """Opaque is a plain class: msgspec cannot describe it as JSON schema."""

    with pytest.raises(TavusError, match="cannot be described"):
        tools.register(uses_opaque)


def test_string_annotations_may_name_locals_of_the_defining_function() -> None:
    # This module has `from __future__ import annotations`: every annotation is a string.
    from typing import Literal as Choice

    class Local(msgspec.Struct):
        code: str

    tools = ToolRegistry()

    @tools.tool
    async def pick(x: Choice["a", "b"]) -> str:
        """Pick one."""
        return x

    @tools.tool(name="use_local")
    async def _use_local(item: Local) -> str:
        """Use a locally defined Struct."""
        return item.code

    def plain(n: Choice[1, 2]) -> int:
        """Registered by a plain call."""
        return n

    tools.register(plain)
    assert _props(tools, "pick")["properties"]["x"] == {"enum": ["a", "b"]}
    assert _props(tools, "use_local")["properties"]["item"]["required"] == ["code"]
    assert _props(tools, "plain")["properties"]["n"] == {"enum": [1, 2]}
