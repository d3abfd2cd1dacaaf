"""docs/api.md names every public name and every resource method (regenerate it with
``python tools/gen_api_docs.py`` or ``nox -s docs``)."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

from tavus_async import AsyncTavus

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"
PUBLIC_MODULES = [
    "tavus_async",
    "tavus_async.errors",
    "tavus_async.models",
    "tavus_async.interactions",
    "tavus_async.room",
    "tavus_async.tools",
    "tavus_async.webhooks",
    "tavus_async.testing",
]


@pytest.mark.parametrize("modname", PUBLIC_MODULES)
def test_every_public_name_is_documented(modname: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    module = importlib.import_module(modname)
    assert f"`{modname}`" in text, f"docs/api.md has no section for {modname}"
    missing = [name for name in module.__all__ if f"**`{name}" not in text]
    assert not missing, f"docs/api.md lacks {missing}: run python tools/gen_api_docs.py"


def test_every_resource_method_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    tavus = AsyncTavus(api_key="sk_docs_check_000000")
    missing = []
    for attr, resource in vars(tavus).items():
        if attr.startswith("_") or not hasattr(resource, "_client"):
            continue
        section = text.split(f"### `tavus.{attr}`", 1)
        assert len(section) == 2, f"docs/api.md has no section for tavus.{attr}"
        body = section[1].split("\n### ", 1)[0]
        for name, _member in inspect.getmembers(type(resource), inspect.isfunction):
            if not name.startswith("_") and f"- `{name}(" not in body:
                missing.append(f"tavus.{attr}.{name}")
    assert not missing, f"docs/api.md lacks {missing}: run python tools/gen_api_docs.py"
