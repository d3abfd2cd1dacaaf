"""Lazy package exports: ``import tavus_async`` stays cheap until a name is used.

The pytest plugin is loaded by every pytest run in an environment where tavus-async is installed,
and importing it imports its parent packages. Their ``__init__`` modules therefore list their
exports as ordinary ``from .module import Name`` statements under ``if TYPE_CHECKING:`` (what
type checkers, editors and documentation tools read), and :func:`exports` turns that same block
into a module ``__getattr__`` (PEP 562) that imports a name's module on first use. The import
statements stay the one list of what a package exports.

Example (the end of a package ``__init__``)::

    __getattr__, __dir__ = exports(__name__, __file__, __all__)
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["exports"]


def _import_map(filename: str) -> dict[str, tuple[str, str]]:
    """``{exported name: (relative module, attribute)}`` from the ``if TYPE_CHECKING:`` imports."""
    with open(filename, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename)
    found: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if not (isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"):
            continue
        for stmt in node.body:
            if isinstance(stmt, ast.ImportFrom) and stmt.level > 0:
                module = "." * stmt.level + (stmt.module or "")
                for alias in stmt.names:
                    found[alias.asname or alias.name] = (module, alias.name)
    return found


def exports(
    package: str, filename: str, names: Sequence[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Build the ``__getattr__`` and ``__dir__`` of a package with lazy exports.

    Args:
        package: The package's ``__name__``.
        filename: The package's ``__file__`` (its ``if TYPE_CHECKING:`` imports are read).
        names: The package's ``__all__``; each must be imported in that block.

    Returns:
        ``(__getattr__, __dir__)`` for the package module.

    Raises:
        AttributeError: (from ``__getattr__``) the name is neither an export nor a submodule.
    """
    where = _import_map(filename)
    # Fails at import, not at first use: an export without an import is a packaging bug.
    missing = sorted(set(names) - set(where))
    assert not missing, f"{package}.__all__ names without an import: {missing}"
    module = importlib.import_module(package)

    def __getattr__(name: str) -> Any:
        if name in where:
            source, attr = where[name]
            value = getattr(importlib.import_module(source, package), attr)
        elif name.startswith("__"):
            # Probes such as ``__wrapped__`` are never submodules: no import attempt for them.
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        else:
            try:
                # ``tavus_async.errors`` after a bare ``import tavus_async``, as before.
                value = importlib.import_module(f"{package}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{package}.{name}":
                    raise
                raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        setattr(module, name, value)  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(module)) | set(names))

    return __getattr__, __dir__
