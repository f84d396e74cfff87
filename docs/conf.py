# Sphinx configuration of the docs site. `make docs` (tools/docs.py) stages the notebooks after nbdev's processing
# in _sphinx/src/ and builds them with this file: `sphinx-build -c docs _sphinx/src ...`. Nothing is executed:
# the pages show the outputs stored in the notebooks.
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / '_ext'))

project = 'retinamask'
author = 'retinamask developers'
copyright = 'retinamask developers'
html_title = 'retinamask'

extensions = ['myst_nb', 'sphinx.ext.mathjax']

# The notebooks' stored outputs are the pages' outputs.
nb_execution_mode = 'off'
# Markdown outputs (tables built in a notebook) are read with MyST, as Quarto reads them with pandoc.
nb_render_markdown_format = 'myst'
# $...$, $$...$$ and bare \begin{align} environments, as in Quarto.
myst_enable_extensions = ['dollarmath', 'amsmath', 'colon_fence', 'attrs_block']
myst_dmath_double_inline = True
# Anchors on every heading, spelled as pandoc spells them, so nbdev's `page.html#name` links resolve.
myst_heading_anchors = 6
myst_heading_slug_func = 'quarto_compat.pandoc_slug'
# Quarto allows a page to go from its title (H1) straight to show_doc's H3 headings.
suppress_warnings = ['myst.header']

exclude_patterns = ['_build', '**.ipynb_checkpoints']

# MathJax 4 from the site itself (copied from node_modules by tools/docs.py), fonts included: no CDN.
html_static_path = ['_static', str(ROOT / '_sphinx' / 'static')]
mathjax_path = 'mathjax/tex-chtml.js'
mathjax4_config = {'loader': {'paths': {'fonts': '[mathjax]/fonts'}}}

html_theme = 'pydata_sphinx_theme'
html_css_files = ['retinamask.css']
html_js_files = ['retinamask.js']  # a 'source' link opens the collapsed source it points to
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
html_theme_options = {
    'navbar_align': 'left',
    'header_links_before_dropdown': 4,
    'show_toc_level': 2,
    'navigation_with_keys': False,
    'secondary_sidebar_items': ['page-toc'],
    'footer_start': ['copyright'],
    'footer_center': [],
    'footer_end': ['sphinx-version'],
}
html_sidebars = {'index': []}
