"""``tavus-async tools ...`` against a live simulator (the catalog row's commands)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _cli_kit import CLI

pytestmark = pytest.mark.anyio


async def test_tools_create_list_get_update_delete(cli: CLI, tmp_path: Path) -> None:
    params = {"type": "object", "properties": {"city": {"type": "string"}}}
    created = await cli.json(
        "tools",
        "create",
        "--name",
        "get_weather",
        "--description",
        "Weather for a city.",
        "--parameters",
        json.dumps(params),
        "--delivery",
        json.dumps({"api": {"url": "https://api.example.com/t", "auth": {"type": "hmac",
                                                                        "secret": "whsec_cli"}}}),
        "--on-resolve",
        "generate_response",
    )  # fmt: skip
    tid = created["tool_id"]
    assert created["delivery"]["api"]["auth"] == {"type": "hmac", "secret": "********"}
    got = await cli.json("tools", "get", tid)
    assert got["parameters"] == params
    listed = await cli.json("tools", "list", "--type", "all")
    assert [t["tool_id"] for t in listed["data"]] == ["end_call", tid]
    table = await cli("tools", "list")
    assert table.code == 0
    assert "get_weather" in table.out
    updated = await cli.json("tools", "update", tid, "--name", "weather_now")
    assert updated["name"] == "weather_now"
    body = tmp_path / "fields.json"
    body.write_text(json.dumps({"description": "Now with a file."}))
    updated = await cli.json("tools", "update", tid, "--file", str(body))
    assert updated["description"] == "Now with a file."
    # Refused before any request: a tool with both delivery channels names the field.
    both = await cli("tools", "update", tid, "--set", 'delivery={"app_message": true, "api": {}}')
    assert both.code != 0
    assert "delivery" in both.err
    await cli.json("tools", "delete", tid)
    assert (await cli("tools", "get", tid)).code == 1
    assert "whsec_cli" not in " ".join(r.out + r.err for r in cli.history)


async def test_pal_tools_attach_list_detach(cli: CLI) -> None:
    pal = await cli.json("personas", "create", "--name", "Shop", "--system-prompt", "Help.")
    pid = pal["persona_id"]
    tool = await cli.json("tools", "create", "--name", "lookup", "--description", "Find it.")
    tid = tool["tool_id"]
    attached = await cli.json("pal-tools", "attach", pid, tid)
    assert [t["tool_id"] for t in attached["data"]] == [tid]
    listed = await cli.json("pal-tools", "list", pid)
    assert [t["name"] for t in listed["data"]] == ["lookup"]
    table = await cli("pal-tools", "list", pid)
    assert "lookup" in table.out
    await cli.json("pal-tools", "detach", pid, tid)
    assert (await cli.json("pal-tools", "list", pid))["data"] == []
    again = await cli("pal-tools", "detach", pid, tid)
    assert again.code == 1
    assert "not attached" in again.err
