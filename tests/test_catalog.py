"""The resource catalog is the one list: client, CLI, docs and simulator all agree with it."""

from __future__ import annotations

import argparse
import ast
import dataclasses
import inspect
from pathlib import Path

import pytest

from tavus_async import AsyncTavus
from tavus_async._catalog import CATALOG, VERBS, ResourceDef, by_name
from tavus_async._cli.parser import build_parser
from tavus_async.resources._base import AsyncAPIResource
from tavus_async.testing import TavusSimulator
from tavus_async.testing._app import handlers_of, rest_routes

ROOT = Path(__file__).resolve().parent.parent
ROWS = [pytest.param(row, id=row.name) for row in CATALOG]


def test_rows_are_unique_and_well_formed() -> None:
    names = [row.name for row in CATALOG]
    assert len(names) == len(set(names))
    paths = [p for row in CATALOG for p in (row.path, *row.aliases)]
    assert len(paths) == len(set(paths))
    for row in CATALOG:
        assert row.path.startswith("/v2/")
        assert set(row.verbs) <= set(VERBS)
        assert ("create" in row.verbs) == (row.create_model is not None), row.name
        assert by_name(row.name) is row
    with pytest.raises(KeyError):
        by_name("nope")


def test_client_has_one_namespace_per_row_and_no_other() -> None:
    tavus = AsyncTavus(api_key="tk_test_catalog_0000")
    found = {name for name, value in vars(tavus).items() if isinstance(value, AsyncAPIResource)}
    assert found == {row.name for row in CATALOG if row.parent is None}
    for row in CATALOG:
        resource = row.namespace(tavus)
        assert type(resource) is row.resource_class
        assert resource._path == row.path
        assert resource._page_base == row.page_base


def test_with_options_copies_get_their_own_namespaces() -> None:
    tavus = AsyncTavus(api_key="tk_test_catalog_0000")
    patient = tavus.with_options(timeout=5)
    for row in CATALOG:
        assert row.namespace(patient)._http is patient._http
        assert row.namespace(tavus)._http is tavus._http
    assert patient._http is not tavus._http


@pytest.mark.parametrize("row", ROWS)
def test_every_verb_is_a_method_of_the_resource_class(row: ResourceDef) -> None:
    has = {verb for verb in VERBS if callable(getattr(row.resource_class, verb, None))}
    assert has == set(row.verbs), f"{row.name}: methods {sorted(has)} vs verbs {row.verbs}"
    for verb in row.verbs:
        method = getattr(row.cls, verb, None)
        assert callable(method), f"{row.cls.__name__} has no {verb}()"
        if verb == "list" and row.parent is None:
            params = inspect.signature(method).parameters
            for flag in row.list_filters:
                assert flag.field in params, f"{row.name}.list() has no {flag.field}"
        elif verb != "list":
            assert inspect.iscoroutinefunction(method), f"{row.name}.{verb} is not async"


def _cli_actions() -> dict[str, set[str]]:
    parser = build_parser()
    top = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    out: dict[str, set[str]] = {}
    for name, sub in top.choices.items():
        leaves = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        if leaves:
            out[name] = set(leaves[0].choices)
    return out


@pytest.mark.parametrize("row", ROWS)
def test_the_cli_has_every_resource_and_exactly_its_verbs(row: ResourceDef) -> None:
    actions = _cli_actions()
    assert row.cli_name in actions, f"the CLI has no {row.cli_name} command"
    waits = callable(getattr(row.cls, "wait_until_ready", None))
    cli_verbs = {verb.replace("_", "-") for verb in row.verbs}
    assert actions[row.cli_name] == cli_verbs | ({"wait"} if waits else set())
    for column in row.cli.columns:
        fields = getattr(row.model, "__struct_fields__", ())
        assert column in fields, f"{row.name}: the column {column} is not a field of the model"


def test_the_cli_resource_commands_are_the_catalog() -> None:
    # Every CLI group whose actions look like a resource's is a catalog row.
    groups = {name for name, acts in _cli_actions().items() if acts & {"list", "get", "create"}}
    assert groups == {row.cli_name for row in CATALOG}


def test_the_api_docs_cover_every_row_and_verb() -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for row in CATALOG:
        where = row.name if row.parent is None else f"{row.parent}.{row.attribute}"
        heading = f"### `tavus.{where}`"
        assert heading in text, f"docs/api.md has no section for {row.name}"
        section = text.split(heading, 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
        for verb in row.verbs:
            assert f"- `{verb}(" in section, f"docs/api.md lacks {row.name}.{verb}"


def test_the_simulator_serves_every_verb_and_nothing_else() -> None:
    served = {(route.method, route.template): route.operation for _, route, _h in rest_routes()}
    for row in CATALOG:
        assert set(handlers_of(row).by_verb) == set(row.verbs), row.name
        for verb in row.verbs:
            method, suffix = row.shape(verb)
            template = row.path + suffix.replace("{id}", "{" + row.id_field + "}")
            assert served[(method, template)] == f"{row.name}.{verb}"


async def _app_routes(sim: TavusSimulator) -> set[tuple[str, str]]:
    app = sim._runner.app if sim._runner is not None else None
    assert app is not None
    return {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None
    }


@pytest.mark.anyio
async def test_client_and_simulator_name_each_operation_the_same_way() -> None:
    # Calling tavus.<resource>.<verb> counts sim.counts["<resource>.<verb>"]: one name on both
    # sides (it was documents.update in the client and "documents.patch" in the simulator).
    async with TavusSimulator() as sim, sim.client() as tavus:
        for row in CATALOG:
            parent_ids = ("pdced222244b",) if row.parent else ()  # a stock PAL
            await row.namespace(tavus).list(*parent_ids)
            assert sim.counts[row.operation("list")] == 1, row.name
        doc = await tavus.documents.create(document_url="https://example.com/a.pdf")
        await tavus.documents.update(doc.document_id, document_name="Renamed")
        assert sim.counts["documents.update"] == 1
        assert "documents.patch" not in sim.counts
        routes = await _app_routes(sim)
    for _row, route, _handler in rest_routes():
        assert (route.method, route.template) in routes


def test_the_store_has_a_table_per_row() -> None:
    sim = TavusSimulator()
    for row in CATALOG:
        if row.name != "voices":  # stock data, a list
            assert sim.store.table(row.name) is sim.store.tables[row.table_name]
            assert sim.store.table(row.table_name) is getattr(sim.store, row.table_name)
    assert sim.store.table("pals") is sim.store.personas  # one store, two vocabularies
    with pytest.raises(AttributeError):
        _ = sim.store.nothing_here


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports (TYPE_CHECKING blocks included), as absolute names."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def test_resources_never_import_the_client() -> None:
    for path in sorted((ROOT / "tavus_async" / "resources").glob("*.py")):
        assert "tavus_async._client" not in _imports(path), path.name


@pytest.mark.anyio
async def test_the_standard_verb_classes_serve_a_plain_resource_from_its_row() -> None:
    # What a resource without its own class gets: the verbs from the row, checked before I/O.
    from tavus_async.models import (
        PronunciationDictionary,
        PronunciationDictionaryCreate,
        Voice,
    )
    from tavus_async.resources._verbs import CrudResource, ReadOnlyResource

    real = by_name("pronunciation_dictionaries")
    row = dataclasses.replace(real, cls=CrudResource[PronunciationDictionary])
    voices_row = dataclasses.replace(by_name("voices"), cls=ReadOnlyResource[Voice])
    async with TavusSimulator() as sim, sim.client() as tavus:
        crud = CrudResource[PronunciationDictionary](tavus._http, row)
        made = await crud.create(PronunciationDictionaryCreate(name="Brand"))
        did = made.pronunciation_dictionary_id
        assert (await crud.get(did)).name == "Brand"
        assert did in [d.pronunciation_dictionary_id async for d in crud.list(sort="asc")]
        result = await crud.patch(did, [{"op": "replace", "path": "/name", "value": "B2"}])
        assert result.changed
        assert sim.store.pronunciation_dictionaries[did]["name"] == "B2"
        await crud.delete(did)
        assert did not in sim.store.pronunciation_dictionaries
        counted = [f"pronunciation_dictionaries.{v}" for v in real.verbs]
        assert all(sim.counts[op] == 1 for op in counted), sim.counts
        with pytest.raises(ValueError, match="no filter"):
            crud.list(colour="red")
        with pytest.raises(ValueError, match="unknown field"):
            await crud.create(name="x", colour="red")
        with pytest.raises(ValueError, match="must be"):
            await crud.get("")
        voices = ReadOnlyResource[Voice](tavus._http, voices_row)
        names = [v.voice_name async for v in voices.list(search="an")]
        assert names
        assert all("an" in n for n in names)
    assert not hasattr(ReadOnlyResource, "create")
    assert not hasattr(ReadOnlyResource, "delete")
