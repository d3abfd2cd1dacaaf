"""Generate the API reference from the package's ``__all__`` lists and docstrings.

Two outputs, one source of truth (:func:`surface`):

- ``docs/api.md``: the whole public API on one page (signatures, constructor arguments, model
  fields, resource methods, the pytest fixtures), readable on GitHub. ``python
  tools/gen_api_docs.py`` rewrites it; ``tests/test_docs_api.py`` fails when it is stale.
- ``docs/reference/*.rst``: the Sphinx autodoc pages of the documentation site, written by
  ``docs/conf.py`` at build time (``python tools/gen_api_docs.py --sphinx DIR`` writes them by
  hand).

Nothing here lists public names by hand: the public modules are ``tavus_async`` and its
non-underscored submodules with an ``__all__``, the resources are the attributes of an
``AsyncTavus``, and the fixtures are the ``__all__`` of the package's ``pytest11`` plugin. A name
added to any ``__all__`` appears in both outputs on the next run.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import importlib.metadata
import inspect
import pkgutil
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import msgspec
from typing_extensions import is_typeddict

ROOT = Path(__file__).resolve().parent.parent
API_MD = ROOT / "docs" / "api.md"
PACKAGE = "tavus_async"


# --- what is public --------------------------------------------------------------------------


def public_modules() -> list[ModuleType]:
    """``tavus_async`` first, then every public submodule that declares an ``__all__``."""
    root = importlib.import_module(PACKAGE)
    found = [root]
    for info in sorted(pkgutil.iter_modules(root.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{PACKAGE}.{info.name}")
        if hasattr(module, "__all__"):
            found.append(module)
    return found


def resources() -> list[tuple[str, type]]:
    """``(attribute, class)`` of every resource namespace of ``AsyncTavus`` (the catalog rows)."""
    from tavus_async._catalog import CATALOG

    return [
        (
            row.attribute if row.parent is None else f"{row.parent}.{row.attribute}",
            row.resource_class,
        )
        for row in CATALOG
    ]


def plugin_module() -> ModuleType:
    """The module the package registers as its pytest plugin (entry point ``pytest11``)."""
    for entry in importlib.metadata.entry_points(group="pytest11"):
        if entry.name == PACKAGE:
            return importlib.import_module(entry.value)
    raise RuntimeError(
        "tavus-async's pytest11 entry point is not installed: pip install -e . and rerun"
    )


def fixtures() -> list[tuple[str, Callable[..., Any]]]:
    """``(name, function)`` for every fixture the pytest plugin exports."""
    module = plugin_module()
    out = []
    for name in module.__all__:
        obj = getattr(module, name)
        # pytest >= 8.4 wraps fixture functions; the docstring and signature live underneath.
        out.append((name, getattr(obj, "__wrapped__", obj)))
    return out


def owners() -> dict[int, str]:
    """Map ``id(object)`` to the one dotted path where the site documents it.

    A class or function exported by several public modules is documented once, in the most
    specific module (``tavus_async.errors.NotFoundError``); ``tavus_async``'s own page links to it.
    """
    # Resource classes are documented with the client, as the ``tavus.<name>`` namespaces.
    where = {id(cls): f"{cls.__module__}.{cls.__qualname__}" for _, cls in resources()}
    modules = public_modules()
    for module in [*modules[1:], modules[0]]:
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                where.setdefault(id(obj), f"{module.__name__}.{name}")
    return where


# --- signatures and fields -------------------------------------------------------------------


class _Text:
    """Shows as its text in ``str(Signature)`` (annotations unquoted, sentinels as ``...``)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


_SENTINEL = re.compile(r"^<.* at 0x[0-9a-f]+>$")


def _annotation(value: Any) -> Any:
    if value is inspect.Parameter.empty:
        return value
    # Postponed annotations are strings already; anything else is formatted the usual way.
    return _Text(value if isinstance(value, str) else inspect.formatannotation(value))


def _default(value: Any) -> Any:
    if value is inspect.Parameter.empty:
        return value
    # A private "not given" sentinel reads like a stub's default: it has one, not this value.
    return _Text("...") if _SENTINEL.match(repr(value)) else value


def signature(obj: Any, *, drop_self: bool = False) -> str:
    """The call signature of ``obj`` as source reads it (never elided)."""
    sig = inspect.signature(obj)
    params = list(sig.parameters.values())
    if drop_self and params and params[0].name in ("self", "cls"):
        params = params[1:]
    params = [
        p.replace(annotation=_annotation(p.annotation), default=_default(p.default)) for p in params
    ]
    return str(sig.replace(parameters=params, return_annotation=_annotation(sig.return_annotation)))


def constructor(cls: type) -> str:
    """``Name(args)`` for a class that is not a plain record (records list their fields)."""
    # The nearest class that defines __init__ (mypy rejects reading it off the class object).
    init = next(vars(k)["__init__"] for k in cls.__mro__ if "__init__" in vars(k))
    if init is object.__init__ or init is BaseException.__init__:
        sig = signature(cls)
    else:
        sig = signature(init, drop_self=True)
    return cls.__name__ + sig.removesuffix(" -> None")


def _raw_annotations(cls: type) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        raw.update(vars(klass).get("__annotations__", {}))
    return raw


def fields(cls: type) -> list[str] | None:
    """``name: type = default`` for each field of a msgspec Struct, dataclass or TypedDict (its
    keys; the required ones marked), else None."""
    raw = _raw_annotations(cls)
    out = []
    if is_typeddict(cls):
        required: frozenset[str] = getattr(cls, "__required_keys__", frozenset())
        for key, hint in raw.items():
            # Under `from __future__ import annotations` a TypedDict keeps ForwardRefs.
            shown = str(getattr(hint, "__forward_arg__", None) or _annotation(hint))
            is_required = key in required and getattr(cls, "__total__", True)
            if shown.startswith("Required[") and shown.endswith("]"):
                shown, is_required = shown[len("Required[") : -1], True
            out.append(f"{key}: {shown}" + (" (required)" if is_required else ""))
        return out
    if isinstance(cls, type) and issubclass(cls, msgspec.Struct):
        for f in msgspec.structs.fields(cls):
            text = f"{f.name}: {_annotation(raw.get(f.name, f.type))!r}"
            if f.default is not msgspec.NODEFAULT:
                text += f" = {f.default!r}"
            elif f.default_factory is not msgspec.NODEFAULT:
                text += f" = {_factory(f.default_factory)}"
            out.append(text)
        return out
    if dataclasses.is_dataclass(cls):
        for field in dataclasses.fields(cls):
            if not field.init:
                continue
            text = f"{field.name}: {_annotation(raw.get(field.name, field.type))!r}"
            if field.default is not dataclasses.MISSING:
                text += f" = {_default(field.default)!r}"
            elif field.default_factory is not dataclasses.MISSING:
                text += f" = {_factory(field.default_factory)}"
            out.append(text)
        return out
    return None


def _factory(factory: Any) -> str:
    return f"{getattr(factory, '__name__', 'factory')}()"


_GENERATED = re.compile(r" -> (?:Async)?(?:Iterator|Generator)\[(.+?)(?:, None(?:, None)?)?\]$")


def fixture_signature(func: Callable[..., Any]) -> str:
    """The fixtures it requests and the value a test gets (a generator fixture's yield type)."""
    return _GENERATED.sub(r" -> \1", signature(func))


def summary(obj: Any) -> str:
    """The first paragraph of the docstring, on one line."""
    doc = inspect.getdoc(obj) or ""
    para = doc.strip().split("\n\n", 1)[0]
    return " ".join(line.strip() for line in para.splitlines())


def members(cls: type) -> Iterator[tuple[str, Any]]:
    """Public methods and properties, inherited ones from the package included (sorted)."""
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__[:-1]):  # inherited first, so overrides win
        if klass.__module__.startswith(PACKAGE):
            found.update(vars(klass))
    for name, member in sorted(found.items()):
        if name.startswith("_") and name not in ("__aenter__", "__aiter__"):
            continue
        if isinstance(member, (property, staticmethod, classmethod)) or inspect.isfunction(member):
            yield name, member


# --- docs/api.md -----------------------------------------------------------------------------


def _member_lines(cls: type, indent: str) -> list[str]:
    lines = []
    for name, member in members(cls):
        if isinstance(member, property):
            lines.append(f"{indent}- `{name}` (property): {summary(member)}")
            continue
        func = member.__func__ if isinstance(member, (staticmethod, classmethod)) else member
        sig = signature(func, drop_self=not isinstance(member, staticmethod))
        lines.append(f"{indent}- `{name}{sig}`: {summary(func)}")
    return lines


def _class_lines(cls: type, *, name: str) -> list[str]:
    record = fields(cls)
    if record is None:
        lines = [f"- **`{name}`** `{constructor(cls)}`: {summary(cls)}"]
    else:
        lines = [f"- **`{name}`**: {summary(cls)}"]
        if record:
            lines.append("  - fields (also the constructor's keyword arguments):")
            lines += [f"    - `{text}`" for text in record]
    if not issubclass(cls, BaseException):
        lines += _member_lines(cls, "  ")
    return lines


def render() -> str:
    """The text of ``docs/api.md``."""
    from tavus_async import AsyncTavus

    where = owners()
    namespaces = {id(cls): attr for attr, cls in resources()}
    lines = [
        "# API reference",
        "",
        "Generated from the `__all__` lists and docstrings by `tools/gen_api_docs.py`; "
        "`tests/test_docs_api.py` checks it is current. The documentation site (`nox -s docs`) "
        "has the guides and the same reference with the full docstrings.",
        "",
        "## `AsyncTavus` and its resources",
        "",
        f"`{constructor(AsyncTavus)}`",
        "",
        summary(AsyncTavus),
        "",
        *[line.replace("  - ", "- ", 1) for line in _member_lines(AsyncTavus, "  ")],
        "",
    ]
    for attr, cls in resources():
        lines += [f"### `tavus.{attr}`", "", summary(cls), ""]
        lines += [line.replace("  - ", "- ", 1) for line in _member_lines(cls, "  ")]
        lines.append("")
    for module in public_modules():
        modname = module.__name__
        lines += [f"## `{modname}`", "", summary(module), ""]
        for name in sorted(module.__all__):
            obj = getattr(module, name)
            home = where.get(id(obj))
            if id(obj) in namespaces:
                lines.append(f"- **`{name}`**: the `tavus.{namespaces[id(obj)]}` namespace above")
            elif modname == PACKAGE and home and home != f"{modname}.{name}":
                # Documented once, where it is defined; the top level only points there.
                lines.append(f"- **`{name}`**: see `{home}`")
            elif inspect.isclass(obj):
                lines += _class_lines(obj, name=name)
            elif inspect.isfunction(obj):
                lines.append(f"- **`{name}{signature(obj)}`**: {summary(obj)}")
            elif inspect.ismodule(obj):
                lines.append(f"- **`{name}`** (module): {summary(obj)}")
            else:
                lines.append(f"- **`{name}`**: constant `{obj!r}`"[:200])
        lines.append("")
    plugin = plugin_module()
    lines += [f"## pytest fixtures: `{plugin.__name__}`", "", summary(plugin), ""]
    for name, func in fixtures():
        lines.append(f"- **`{name}`** `{fixture_signature(func)}`: {summary(func)}")
    return "\n".join(lines).rstrip() + "\n"


# --- the Sphinx reference pages --------------------------------------------------------------


def _short_repr(obj: Any, limit: int = 120) -> str:
    text = repr(obj)
    return text if len(text) <= limit else text[: limit - 4] + " ..."


def _title(text: str) -> list[str]:
    return [text, "=" * len(text), ""]


def render_sphinx(outdir: Path) -> list[Path]:
    """Write one autodoc page per public module, the resources and the fixtures into ``outdir``.

    Returns the pages written, in reading order (``index.rst`` first).
    """
    outdir.mkdir(parents=True, exist_ok=True)
    for stale in outdir.glob("*.rst"):
        stale.unlink()
    where = owners()
    pages: list[tuple[str, list[str]]] = []

    client = [
        *_title("The client and its resources"),
        ".. currentmodule:: tavus_async",
        "",
        ".. autoclass:: tavus_async.AsyncTavus",
        "   :members:",
        "   :special-members: __aenter__",
        "",
    ]
    for attr, cls in resources():
        client += [
            f"``tavus.{attr}``",
            "-" * (len(attr) + 10),
            "",
            f".. autoclass:: {cls.__module__}.{cls.__qualname__}",
            "   :members:",
            "   :inherited-members:",
            "",
        ]
    pages.append(("client", client))

    for module in public_modules():
        modname = module.__name__
        body = [
            *_title(f"``{modname}``"),
            f".. automodule:: {modname}",
            "   :no-members:",
            "",
            f".. currentmodule:: {modname}",
            "",
        ]
        elsewhere = []
        for name in sorted(module.__all__):
            obj = getattr(module, name)
            home = where.get(id(obj))
            if home and home != f"{modname}.{name}":
                elsewhere.append((name, home, obj))
            elif modname == PACKAGE and name == "AsyncTavus":
                elsewhere.append((name, "tavus_async.AsyncTavus", obj))
            elif inspect.isclass(obj):
                body += [f".. autoclass:: {name}", "   :members:", "   :show-inheritance:"]
                # A record's fields are its constructor's arguments (in the signature); list
                # them as members too unless the docstring's "Attributes:" already describes them.
                if fields(obj) is not None and "Attributes:" not in (inspect.getdoc(obj) or ""):
                    body.append("   :undoc-members:")
                body.append("")
            elif inspect.isfunction(obj):
                body += [f".. autofunction:: {name}", ""]
            elif inspect.ismodule(obj):
                body += [f"``{name}``: :mod:`{obj.__name__}`", ""]
            else:
                # py:data, not autodata: a constant's "docstring" would be its type's (frozenset's).
                body += [f".. py:data:: {name}", f"   :value: {_short_repr(obj)}", ""]
        if elsewhere:
            # A short entry per re-export, so ``tavus_async.NotFoundError`` is a link target
            # too (docstrings and guides use those names), pointing at the one full entry.
            heading = "Re-exported here" if len(body) > 8 else "Exported here"
            body += [heading, "-" * len(heading), ""]
            for name, home, obj in elsewhere:
                if home == f"{modname}.{name}":
                    body += [f"- :class:`{name}`: see :doc:`client`", ""]
                    continue
                kind = "class" if inspect.isclass(obj) else "function"
                body += [
                    f".. py:{kind}:: {name}",
                    f"   :canonical: {home}",
                    "   :no-index-entry:",
                    "",
                    f"   Documented as :{kind[:5] if kind == 'class' else 'func'}:`{home}`.",
                    "",
                ]
        pages.append((modname, body))

    plugin = plugin_module()
    fixture_page = [
        *_title("pytest fixtures"),
        f".. automodule:: {plugin.__name__}",
        "   :no-members:",
        "",
    ]
    for name, func in fixtures():
        fixture_page += [
            f".. py:function:: {name}{fixture_signature(func)}",
            f"   :module: {plugin.__name__}",
            "",
            *[f"   {line}".rstrip() for line in (inspect.getdoc(func) or "").splitlines()],
            "",
        ]
    pages.append(("fixtures", fixture_page))

    index = [
        *_title("API reference"),
        "Every name in the package's ``__all__`` lists, generated from the docstrings. The "
        "top-level ``tavus_async`` re-exports the most used names; each object is documented "
        "once, where it lives.",
        "",
        ".. toctree::",
        "   :maxdepth: 1",
        "",
        *[f"   {slug}" for slug, _ in pages],
        "",
    ]
    written = [outdir / "index.rst"]
    written[0].write_text("\n".join(index), encoding="utf-8")
    for slug, body in pages:
        path = outdir / f"{slug}.rst"
        path.write_text("\n".join(body), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sphinx", type=Path, help="write the Sphinx reference pages into DIR")
    args = parser.parse_args(argv)
    if args.sphinx:
        pages = render_sphinx(args.sphinx)
        print(f"wrote {len(pages)} pages into {args.sphinx}")
        return 0
    API_MD.write_text(render(), encoding="utf-8")
    print(f"wrote {API_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
