"""The API reference covers the whole public surface: docs/api.md is current and complete, and
the documentation site's generated pages name every public name (regenerate docs/api.md with
``python tools/gen_api_docs.py`` or ``nox -s docs``)."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
from pathlib import Path
from types import ModuleType

import msgspec
import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "api.md"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_api_docs", ROOT / "tools" / "gen_api_docs.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()
MODULES: list[ModuleType] = gen.public_modules()
REGENERATE = "run python tools/gen_api_docs.py"


def _section(text: str, heading: str) -> str:
    parts = text.split(heading + "\n", 1)
    assert len(parts) == 2, f"docs/api.md has no section {heading!r}: {REGENERATE}"
    return re.split(r"\n#{2,3} ", parts[1], maxsplit=1)[0]


def test_discovery_finds_the_known_public_modules() -> None:
    # A floor, so a discovery bug cannot make every other check here pass on nothing.
    names = {m.__name__ for m in MODULES}
    expected = {
        "tavus_async",
        "tavus_async.errors",
        "tavus_async.models",
        "tavus_async.interactions",
        "tavus_async.room",
        "tavus_async.webhooks",
        "tavus_async.testing",
    }
    assert expected <= names
    assert len(gen.resources()) >= 9
    assert {name for name, _ in gen.fixtures()} >= {"tavus_simulator", "tavus_client"}


def test_api_md_is_what_the_generator_writes() -> None:
    assert DOC.read_text(encoding="utf-8") == gen.render(), f"docs/api.md is stale: {REGENERATE}"


def test_no_signature_is_elided() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "(...)" not in text
    assert " at 0x" not in text, "a default shows as an object address"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_every_public_name_is_documented(module: ModuleType) -> None:
    body = _section(DOC.read_text(encoding="utf-8"), f"## `{module.__name__}`")
    missing = [name for name in module.__all__ if f"- **`{name}" not in body]
    assert not missing, f"docs/api.md lacks {missing}: {REGENERATE}"


def test_every_resource_method_is_documented_with_its_signature() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = []
    for attr, cls in gen.resources():
        body = _section(text, f"### `tavus.{attr}`")
        for name, member in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_"):
                continue
            params = [p for p in inspect.signature(member).parameters if p != "self"]
            entry = re.search(rf"^- `{name}\((.*)\)", body, re.M)
            if entry is None or any(p not in entry.group(1) for p in params):
                missing.append(f"tavus.{attr}.{name}")
    assert not missing, f"docs/api.md lacks {missing}: {REGENERATE}"


def test_model_fields_and_constructor_arguments_are_listed() -> None:
    text = DOC.read_text(encoding="utf-8")
    models = _section(text, "## `tavus_async.models`")
    for name in importlib.import_module("tavus_async.models").__all__:
        obj = getattr(importlib.import_module("tavus_async.models"), name)
        if inspect.isclass(obj) and issubclass(obj, msgspec.Struct):
            entry = models.split(f"- **`{name}`**", 1)[1].split("\n- **", 1)[0]
            for field in msgspec.structs.fields(obj):
                assert f"`{field.name}: " in entry, f"{name}.{field.name} missing: {REGENERATE}"
    top = _section(text, "## `AsyncTavus` and its resources")
    for param in inspect.signature(importlib.import_module("tavus_async").AsyncTavus).parameters:
        assert f"{param}: " in top.split("\n\n", 1)[0]


def test_every_fixture_is_documented() -> None:
    body = _section(
        DOC.read_text(encoding="utf-8"), f"## pytest fixtures: `{gen.plugin_module().__name__}`"
    )
    for name, _func in gen.fixtures():
        assert f"- **`{name}`** `(" in body, f"fixture {name} missing: {REGENERATE}"


def test_the_site_reference_pages_cover_every_public_name(tmp_path: Path) -> None:
    pages = gen.render_sphinx(tmp_path)
    assert pages[0].name == "index.rst"
    index = pages[0].read_text(encoding="utf-8")
    for page in pages[1:]:
        assert f"   {page.stem}\n" in index, f"{page.name} is not in the reference toctree"
    for module in MODULES:
        text = (tmp_path / f"{module.__name__}.rst").read_text(encoding="utf-8")
        missing = [
            name
            for name in module.__all__
            if not re.search(rf"^\.\. (auto|py:)(class|function|data):: {name}\b", text, re.M)
            and f"- :class:`{name}`" not in text
        ]
        assert not missing, f"reference/{module.__name__}.rst lacks {missing}"
    client = (tmp_path / "client.rst").read_text(encoding="utf-8")
    for attr, cls in gen.resources():
        assert f".. autoclass:: {cls.__module__}.{cls.__qualname__}" in client, attr
    fixtures = (tmp_path / "fixtures.rst").read_text(encoding="utf-8")
    for name, _func in gen.fixtures():
        assert f".. py:function:: {name}(" in fixtures
