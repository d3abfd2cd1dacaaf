"""Sphinx configuration of the tavus-async documentation site (``nox -s docs`` builds it).

Sphinx rather than mkdocs because the docstrings are reStructuredText (``:class:`` roles,
``::`` literal blocks, Google-style sections): autodoc and napoleon render them as written and
turn the roles into links. The guides are Markdown (MyST), like the README. The API reference
pages are generated at build time from the package's ``__all__`` lists by
``tools/gen_api_docs.py``, so a new public name needs no edit here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tools"))

import gen_api_docs  # noqa: E402

import tavus_async  # noqa: E402

project = "tavus-async"
author = "tavus-async contributors"
copyright = "tavus-async contributors"
release = tavus_async.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
# docs/api.md is the one-page Markdown reference for GitHub readers; the site has its own.
exclude_patterns = ["_build", "api.md"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True
autodoc_class_signature = "mixed"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
# "Attributes:" sections become field lists, so they do not duplicate the autodoc'd fields.
napoleon_use_ivar = True
python_use_unqualified_type_names = True
add_module_names = False

# Type hints in signatures are cross-referenced by fuzzy search, which finds several targets
# for a bare ``type`` (``Tool.type``, ``PronunciationRule.type``) or a name two modules export
# (the model ``Replica`` and the simulator's); the link then goes to the first. Not an error.
suppress_warnings = ["ref.python"]

html_theme = "furo"
html_title = f"tavus-async {release}"
html_static_path: list[str] = []


def _write_reference(app: Any) -> None:
    gen_api_docs.render_sphinx(Path(app.srcdir) / "reference")


def setup(app: Any) -> None:
    app.connect("builder-inited", _write_reference)
