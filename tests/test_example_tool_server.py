"""examples/tool_server.py, run as a real process: signed HTTP tools answered for a PAL."""

from __future__ import annotations

import re

from _example_kit import EXAMPLES, example_env, run_example

EXAMPLE = EXAMPLES / "tool_server.py"
SECRET = "whsec_example_0123456789abcdef"


def test_the_demo_wires_the_registry_to_a_pal_and_the_replica_speaks_the_result() -> None:
    env = example_env(TAVUS_TOOL_SECRET=SECRET)
    proc = run_example(EXAMPLE, "--demo", env=env, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert re.search(r"listening on http://127\.0\.0\.1:\d+/tavus/tools", out)
    assert re.search(r"tools on PAL p\w+: get_weather, lookup_order", out)
    # The replica's words are the function's answer, delivered over signed HTTP.
    assert "replica: It is sunny in Oslo, 21 C." in out
    assert "stopped; requests: {200: 1}" in out
    assert SECRET not in out + proc.stderr
    assert "Traceback" not in proc.stderr
