"""Every code block of the documentation site's guides runs, so the guides cannot rot.

- A ```python block that defines ``test_`` functions is a user's test module: it runs under
  pytest in a temporary project outside the repository, with the installed plugin.
- Any other ```python block is a whole program: it runs as a child process with
  ``TAVUS_API_KEY`` and ``TAVUS_BASE_URL`` pointing at a simulator in this process (one that
  makes an ``AsyncTavus`` must really call it).
- A ```bash block of ``guides/cli.md`` runs under ``bash -euo pipefail`` against a simulator.

So guide code is whole programs, not fragments: a fragment fails on its first undefined name.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from pathlib import Path

import anyio
import pytest

from tavus_async.testing import TavusSimulator

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = [DOCS / "index.md", *sorted((DOCS / "guides").glob("*.md"))]
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
RUN_SHELL = {"cli.md"}


def _blocks() -> list[tuple[str, str, str]]:
    found = []
    for page in PAGES:
        per_page = 0
        for lang, code in FENCE.findall(page.read_text(encoding="utf-8")):
            if lang == "python" or (lang == "bash" and page.name in RUN_SHELL):
                per_page += 1
                found.append((f"{page.stem}-{lang}{per_page}", lang, code))
    return found


BLOCKS = _blocks()


def test_every_guide_has_code_that_runs() -> None:
    guides = {p.stem for p in PAGES if p.parent.name == "guides"}
    with_code = {block_id.split("-", 1)[0] for block_id, _, _ in BLOCKS}
    # The install guide holds only pip commands (they need a package index).
    assert guides - {"install"} <= with_code, (
        f"guides without a runnable block: {guides - with_code}"
    )


def _env(sim: TavusSimulator) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    env["TAVUS_API_KEY"] = sim.api_key
    env["TAVUS_BASE_URL"] = sim.base_url
    # The venv's console scripts (tavus-async) first, as an activated virtualenv would have.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


async def _run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = await anyio.run_process(command, cwd=cwd, env=env, check=False)
    out = done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")
    assert done.returncode == 0, f"{command[:3]} exited {done.returncode}:\n{out[-4000:]}"
    return out


@pytest.mark.anyio
@pytest.mark.parametrize(("lang", "code"), [b[1:] for b in BLOCKS], ids=[b[0] for b in BLOCKS])
async def test_guide_block_runs(lang: str, code: str, tmp_path: Path) -> None:
    async with TavusSimulator() as sim:
        env = _env(sim)
        with anyio.fail_after(90):
            if lang == "bash":
                script = tmp_path / "guide.sh"
                script.write_text(code, encoding="utf-8")
                await _run(["bash", "-euo", "pipefail", str(script)], tmp_path, env)
            elif re.search(r"^(async )?def test_", code, re.M):
                (tmp_path / "test_guide.py").write_text(code, encoding="utf-8")
                out = await _run(
                    [
                        sys.executable,
                        "-m",
                        "pytest",
                        "-q",
                        "-p",
                        "no:cacheprovider",
                        "test_guide.py",
                    ],
                    tmp_path,
                    env,
                )
                assert re.search(r"\b\d+ passed\b", out), out
                assert "skipped" not in out, out
            else:
                (tmp_path / "guide.py").write_text(code, encoding="utf-8")
                await _run([sys.executable, "guide.py"], tmp_path, env)
                if "AsyncTavus(" in code:
                    assert sum(sim.received.values()) >= 1, "the program never called the simulator"


ROLE = re.compile(r"\{(class|func|meth|mod|attr|exc)\}`~?([\w.]+)`")


def _resolve(target: str) -> object:
    """Import the longest module prefix of a dotted name, then walk attributes."""
    parts = target.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(target)


def test_every_cross_reference_in_the_guides_names_a_real_object() -> None:
    # The site builds without nitpicky mode (stdlib and private bases have no targets offline),
    # so a guide's broken {class} role would silently render as plain text; check them here.
    broken = []
    count = 0
    for page in PAGES:
        for _role, target in ROLE.findall(page.read_text(encoding="utf-8")):
            count += 1
            try:
                _resolve(target)
            except (ImportError, AttributeError):
                broken.append(f"{page.name}: {target}")
    assert count >= 20
    assert not broken, f"cross-references to nothing: {broken}"
