"""Generate docs/api.md from the docstrings of the public surface.

Run ``python tools/gen_api_docs.py`` (or ``nox -s docs``) after changing a public name or a
docstring; ``tests/test_docs_api.py`` fails when docs/api.md is out of date.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from pathlib import Path
from typing import Any

MODULES = [
    ("tavus_async", "The top level"),
    ("tavus_async.errors", "Errors"),
    ("tavus_async.models", "Models"),
    ("tavus_async.interactions", "The Interactions Protocol"),
    ("tavus_async.room", "Rooms"),
    ("tavus_async.tools", "Tools"),
    ("tavus_async.webhooks", "Webhooks"),
    ("tavus_async.testing", "The simulator"),
]
RESOURCES = [
    "conversations",
    "personas",
    "replicas",
    "objectives",
    "guardrails",
    "documents",
    "videos",
    "voices",
    "pronunciation_dictionaries",
    "tools",
]


def _summary(obj: Any) -> str:
    doc = inspect.getdoc(obj) or ""
    para = doc.strip().split("\n\n", 1)[0]
    return " ".join(line.strip() for line in para.splitlines())


def _signature(obj: Any) -> str:
    try:
        sig = str(inspect.signature(obj))
    except (TypeError, ValueError):
        return "(...)"
    # Postponed annotations come back quoted; unquote them for reading.
    sig = re.sub(r"(: |-> )'([^']*)'", r"\1\2", sig)
    return sig if len(sig) < 160 else "(...)"


def _methods(cls: type) -> list[str]:
    out = []
    members: dict[str, Any] = {}
    for klass in reversed(cls.__mro__[:-1]):  # inherited first, so overrides win
        if klass.__module__.startswith("tavus_async"):
            members.update(vars(klass))
    for name, member in sorted(members.items()):
        if name.startswith("_") and name not in ("__aenter__", "__aiter__"):
            continue
        if isinstance(member, property):
            out.append(f"  - `{name}` (property): {_summary(member)}")
        elif inspect.isfunction(member):
            out.append(f"  - `{name}{_signature(member)}`: {_summary(member)}")
    return out


def render() -> str:
    lines = [
        "# API reference",
        "",
        "Generated from the docstrings by `tools/gen_api_docs.py`; `tests/test_docs_api.py` "
        "checks it is current. The README is the guide; this is the list.",
        "",
    ]
    from tavus_async import AsyncTavus

    lines += ["## `AsyncTavus` resources", ""]
    lines.append(f"`AsyncTavus{_signature(AsyncTavus.__init__)}`: {_summary(AsyncTavus)}")
    lines.append("")
    lines += [m.replace("  - ", "- ", 1) for m in _methods(AsyncTavus)]
    lines.append("")
    for res in RESOURCES:
        mod = importlib.import_module(f"tavus_async.resources.{res}")
        cls = next(
            v
            for v in vars(mod).values()
            if inspect.isclass(v)
            and v.__module__ == mod.__name__
            and not v.__name__.startswith("_")
        )
        lines += [f"### `tavus.{res}`", "", _summary(cls), ""]
        lines += [m.replace("  - ", "- ", 1) for m in _methods(cls)]
        lines.append("")
    for modname, title in MODULES:
        mod = importlib.import_module(modname)
        lines += [f"## {title}: `{modname}`", "", _summary(mod), ""]
        for name in sorted(getattr(mod, "__all__", [])):
            obj = getattr(mod, name)
            if inspect.isclass(obj):
                lines.append(f"- **`{name}`**: {_summary(obj)}")
                if modname != "tavus_async" and not issubclass(obj, BaseException):
                    lines += _methods(obj)
            elif inspect.isfunction(obj):
                lines.append(f"- **`{name}{_signature(obj)}`**: {_summary(obj)}")
            elif inspect.ismodule(obj):
                lines.append(f"- **`{name}`** (module): {_summary(obj)}")
            else:
                lines.append(f"- **`{name}`**: constant `{obj!r}`"[:200])
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    target = Path(__file__).resolve().parent.parent / "docs" / "api.md"
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
