"""Sphinx configuration of the pidkit site (``make docs`` builds it into ``site/``).

Why Sphinx and not MkDocs Material: our users read numpy, scipy, scikit-learn and PyTorch
documentation, which are Sphinx sites with the PyData theme; our docstrings are numpydoc, which
Sphinx renders natively (numpydoc, autosummary) while mkdocstrings' numpy parser loses
sections; myst-nb executes notebooks and MyST-Markdown notebooks at build time and keeps their
outputs and figures; sphinx-argparse documents both command lines from their parsers; and the
existing Markdown pages are read as they are by myst-parser.

Everything that lists code is generated from the code at build time:

* ``_ext/api_pages.py`` writes one page per name in ``pidkit.__all__``, ``pidkit.utils.__all__``
  (the helpers for code built on pidkit) and ``pidkit_distill.__all__`` (into ``api/generated/``,
  git-ignored);
* ``_ext/distill_reference.py`` renders the methods registry (parameters and presets of every
  registered method) and the configuration keys (``pidkit_distill.config.config_fields()``);
* ``api/cli.md`` renders both parsers with sphinx-argparse;
* ``_ext/error_messages.py`` runs the bad inputs of ``errors.md`` and shows what they raised.

Build settings that keep it honest: ``-W --keep-going`` (every warning fails the build),
``nitpicky`` (every cross-reference to a pidkit object must resolve; names of other libraries are
ignored below because intersphinx cannot reach the network here), notebooks executed every build
(no cache) with a per-cell timeout, and a cell error fails the build.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

# The code documented is the checkout's, also inside the notebook kernels (child processes).
sys.path[:0] = [str(ROOT), str(DOCS / "_ext")]
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
# Kernels draw with matplotlib's inline backend (what puts figures in the pages), which an
# inherited MPLBACKEND (Agg on headless machines) would replace; and no progress bars.
os.environ.pop("MPLBACKEND", None)
os.environ["TQDM_DISABLE"] = "1"
# tqdm.auto (imported by pidkit_distill) warns in a kernel without ipywidgets that it cannot draw
# notebook bars; the pages draw no bars, so the warning would only print a site-packages path.
os.environ["PYTHONWARNINGS"] = ",".join(
    filter(None, [os.environ.get("PYTHONWARNINGS"), "ignore:IProgress not found"])
)

project = "pidkit"
author = "the pidkit developers"
copyright = "the pidkit developers"
release = version = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_nb",
    "sphinxarg.ext",
    "sphinx_copybutton",
    "api_pages",
    "distill_reference",
    "docstring_backslashes",
    "error_messages",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["README.md", "_build", "**.ipynb_checkpoints", "jupyter_execute"]
# Quotes and ellipses only: the default also turns "--" into an en dash, so the options in the
# command lines' help (rendered as text) read "–json", which a shell refuses when pasted.
smartquotes_action = "qe"
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["pidkit.css"]

# --- API pages --------------------------------------------------------------------------------
api_packages = ["pidkit", "pidkit.utils", "pidkit_distill"]
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
autosummary_generate = False  # api_pages writes the pages itself
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()
add_module_names = False

# Every reference to a pidkit object must resolve; other libraries' names cannot (no network).
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|np|scipy|sklearn|torch|nn|joblib|cvxpy|dit|pathlib|collections|typing)\..*"),
    (r"py:.*", r"(Tensor|Module|ndarray|ArrayLike|Path|Callable|Iterator|Mapping|Sequence|Any)"),
]

# --- Notebooks (myst-nb) ----------------------------------------------------------------------
nb_execution_mode = "force"  # no cache: every build runs every notebook against today's code
nb_execution_timeout = 300  # seconds per cell
nb_execution_raise_on_error = False  # a failing cell is a warning (an error under -W)
nb_execution_show_tb = True
nb_merge_streams = True
nb_render_markdown_format = "myst"  # Markdown outputs (tables) parsed like the pages
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3

# --- Link check: internal links only (the build machine has no network) -------------------------
linkcheck_ignore = [r"https?://.*", r"mailto:.*"]

# --- HTML -------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "pidkit"
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"index": []}
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True

# numpydoc reports a malformed docstring section (say "Example" for "Examples") with a Python
# UserWarning that -W does not see, and drops the section from the page: make it an error.
warnings.filterwarnings("error", category=UserWarning, module=r"numpydoc\.docscrape")
