"""Build the documentation website from the notebooks, without Quarto: `make docs`.

1. nbdev's own processing, `nbdev.serve.proc_nbs`, into _proc/ (directives applied, hidden cells dropped, `show_doc`
   cells added for every exported name, names in backticks linked), as for nbdev-docs, except two steps:
   `exec_show_docs` (it re-runs import and exported cells, which is slow and fails on cells that mix imports with other
   code) and `rm_export` (it drops the exported cells, and with them the code the notebooks teach).
2. Each processed notebook is staged in _sphinx/src/ as a MyST-NB page, named as nbdev names it (`losses.html`
   for 03_losses.ipynb) and with Quarto's Markdown (front matter, callouts, attributes) turned into MyST.
   Every exported name gets an API entry made here from the package's own objects (the notebooks are already
   exported): signature, docstring, a table of its parameters (name, type, default, docment), and for a class an entry
   per method. The exported cell that defines it follows, collapsible and highlighted; the entry's "source" link
   points there. Exported cells that define no public name (imports, constants, private helpers, kernels) are shown
   as code, as in the notebook.
   Top-level notebooks, in file-name order, make the "Library" section; each folder (nbs/tutorials/) its own.
3. `sphinx-build -W --keep-going` (warnings are errors) with docs/conf.py writes the site; it is copied to _site/.

    python tools/docs.py   # build _site/; exit 1 on any problem (the site is still written, for a look)
"""
import html, inspect, json, os, re, shutil, subprocess, sys, warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / 'nbs'
WORK = ROOT / '_sphinx'
SRC, STATIC, HTML, DOCTREES = WORK / 'src', WORK / 'static', WORK / 'html', WORK / 'doctrees'
SITE = ROOT / '_site'
MATHJAX = ROOT / 'node_modules' / 'mathjax'
FONT = ROOT / 'node_modules' / '@mathjax' / 'mathjax-newcm-font'
SECTION_TITLES = {'': 'Library'}  # a folder's section is titled after the folder (`tutorials` -> Tutorials)

sys.path.insert(0, str(ROOT / 'docs' / '_ext'))
os.environ.setdefault('OMP_NUM_THREADS', '1')  # importing the package for show_doc must not spin threads

problems = []  # every notebook or page that could not be built; reported at the end, and the exit status is 1

# --- 1. nbdev's processing ----------------------------------------------------------------------------------

def notebooks():
    "The notebooks nbdev documents, as paths relative to nbs/: index first, then folders, each in file-name order."
    from nbdev.doclinks import nbglob
    rels = sorted(Path(p).relative_to(NBS) for p in nbglob(NBS, func=Path))
    return sorted(rels, key=lambda r: (r != Path('index.ipynb'), len(r.parts) > 1, str(r.parent), r.name))

def process(rels):
    "Run `proc_nbs` (without `exec_show_docs` and `rm_export`) on each notebook, so that one that fails does not stop the others."
    import nbdev.processors as procs
    from nbdev.serve import proc_nbs
    base = procs.FilterDefaults.base_procs
    left_out = {procs.exec_show_docs, procs.rm_export}
    procs.FilterDefaults.base_procs = lambda self: [p for p in base(self) if p not in left_out]
    done = []
    for rel in rels:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')  # "cells containing imports and other code": only exec_show_docs cares
                cache = proc_nbs(str(NBS), n_workers=0, file_glob=rel.name)
            done.append((rel, json.loads((cache / rel).read_text())))
        except Exception as e:
            problems.append(f'nbs/{rel}: nbdev could not process it: {type(e).__name__}: {e}')
    return done

# --- 2. staging: nbdev's Quarto Markdown to MyST ---------------------------------------------------------------

def src(cell): return ''.join(cell.get('source', ''))

def md_cell(text): return {'cell_type': 'markdown', 'metadata': {}, 'source': text}

def front_matter(cell):
    "The YAML front matter nbdev makes of a notebook's heading, as a dict."
    import yaml
    return yaml.safe_load(src(cell).strip().strip('-')) or {}

def page_name(rel, meta):
    "Where nbdev's Quarto site puts a notebook (03_losses.ipynb -> losses), relative to the site root."
    out = meta.get('output-file')
    return (rel.parent / Path(out).stem).as_posix() if out else rel.with_suffix('').as_posix()

_re_directive = re.compile(r'^\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')

def split_directives(code):
    "Quarto/nbdev `#| key: value` lines at the top of a code cell, as a dict, and the code without them."
    lines, dirs = code.splitlines(), {}
    while lines and (m := _re_directive.match(lines[0])):
        dirs[m.group(1)] = m.group(2).lower() or 'true'
        lines.pop(0)
    return dirs, '\n'.join(lines).strip('\n')

_CALLOUTS = {'note': 'note', 'tip': 'tip', 'warning': 'warning', 'important': 'important', 'caution': 'caution'}
_re_fence_open = re.compile(r'^(:{3,})\s*\{(.*)\}\s*$')
_re_fence_close = re.compile(r'^(:{3,})\s*$')

def quarto_divs(text):
    "Quarto's fenced divs: callouts become MyST admonitions; other divs (`::: {.column-margin}` ...) their content."
    out, stack, in_code = [], [], False
    for line in text.split('\n'):
        if line.lstrip().startswith(('```', '~~~')): in_code = not in_code
        if in_code: out.append(line); continue
        if m := _re_fence_open.match(line):
            attrs = m.group(2)
            kind = re.search(r'\.callout-(\w+)', attrs)
            if kind:
                title = re.search(r'title\s*=\s*"([^"]*)"', attrs)
                name = _CALLOUTS.get(kind.group(1), 'note')
                out.append(f':::{{admonition}} {title.group(1)}\n:class: {name}' if title else f':::{{{name}}}')
                stack.append(True)
            else: stack.append(False)
            continue
        if _re_fence_close.match(line) and stack:
            if stack.pop(): out.append(':::')
            continue
        out.append(line)
    return '\n'.join(out)

_re_heading_attrs = re.compile(r'^(#{1,6} .*?)[ \t]*\{([^}\n]*)\}[ \t]*$', re.M)

def heading_attrs(text):
    "Pandoc attributes on headings: `{#id}` becomes a MyST target; classes (`.unnumbered`, `.anchored`) go."
    def repl(m):
        ident = re.search(r'#([\w:.-]+)', m.group(2))
        return (f'({ident.group(1)})=\n' if ident else '') + m.group(1)
    return _re_heading_attrs.sub(repl, text)

def local_links(text, page, pages, anchors, doc_url):
    "Links to nbdev's published site or to notebooks, as links to this site's pages (which MyST then checks)."
    depth = page.count('/')
    def target(name, anchor):
        if name not in pages: return None
        # nbdev links every exported name, also methods that have no show_doc entry: those go to the page
        keep = anchor and anchor in anchors.get(pages[name], ())
        return '../' * depth + pages[name] + '.ipynb' + (f'#{anchor}' if keep else '')
    def site_link(m):
        t = target(m.group(1), m.group(2))
        return f']({t})' if t else m.group(0)
    text = re.sub(r'\]\(' + re.escape(doc_url) + r'([\w/.-]+?)\.html(?:#([^)\s]*))?\)', site_link, text)
    def nb_link(m):
        rel = os.path.normpath((Path(page).parent / m.group(1)).as_posix()).replace(os.sep, '/')
        t = target('nb:' + rel, m.group(2))
        return f']({t})' if t else m.group(0)
    text = re.sub(r'\]\((?!\w+:)([\w/.-]+?\.ipynb)(?:#([^)\s]*))?\)', nb_link, text)
    # Quarto's cross-references to a section of the same page (@sec-setup): MyST links that show its title
    return re.sub(r'(?<![\w@`])@((?:sec|fig|tbl|eq)-[\w-]+)',
                  lambda m: f'[](#{m.group(1)})' if m.group(1) in anchors.get(page, ()) else m.group(0), text)

def headings(text):
    "The anchors of a page's Markdown: its headings' (as pandoc spells them) and its `(target)=` lines."
    from quarto_compat import pandoc_slug  # docs/_ext/: the slugs the site's headings get (docs/conf.py)
    found, in_code = set(), False
    for line in text.split('\n'):
        if line.lstrip().startswith(('```', '~~~')): in_code = not in_code
        if in_code: continue
        if m := re.match(r'^#{1,6} (.*)', line):
            plain = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', m.group(1)).replace('`', '').replace('*', '')
            found.add(pandoc_slug(plain))
        elif m := re.match(r'^\(([\w:.-]+)\)=\s*$', line): found.add(m.group(1))
    return found

def pandoc_markdown(text):
    "nbdev's Quarto Markdown as MyST (links are made local later, when every page's anchors are known)."
    text = text.replace('<!-- WARNING: THIS FILE WAS AUTOGENERATED! DO NOT EDIT! -->', '')
    text = re.sub(r'(\]\([^)\s]*\))\{[^}\n]*\}', r'\1', text)  # link attributes: {target="_blank" ...}
    return heading_attrs(quarto_divs(text))

_re_show_doc = re.compile(r'^show_doc\((.*)\)\s*$')

def with_lazy_imports(render, line, namespace, tries=5):
    """`render()`, after importing the modules a signature names but its module imports only inside functions.

    A plotting function of a torch-only module imports matplotlib when called (STYLE.md) and says it returns
    `'matplotlib.axes.Axes'`; evaluating that annotation in the module fails, as `matplotlib` is not defined
    there. Here (this process only) such a module is imported into the module's namespace, and rendering retried.
    """
    import importlib
    for _ in range(tries):
        try: return render()
        except (NameError, AttributeError) as e:
            obj = eval(_re_show_doc.match(line).group(1).split(',')[0], namespace)
            mod = sys.modules.get(getattr(obj, '__module__', None) or '')
            if isinstance(e, NameError) and mod and e.name:
                name = e.name
                try: vars(mod).setdefault(name, importlib.import_module(name))
                except ImportError: raise e from None
            elif isinstance(e, AttributeError) and inspect.ismodule(getattr(e, 'obj', None)):
                try: importlib.import_module(f'{e.obj.__name__}.{e.name}')  # `matplotlib.axes`: a submodule
                except ImportError: raise e from None
            else: raise
    return render()

def type_name(anno) -> str:
    "An annotation as a reader writes it: `Tensor`, `float | None`, `dict`; '' for none."
    if anno is inspect.Parameter.empty or anno is inspect.Signature.empty: return ''
    if isinstance(anno, str): return anno
    if anno is None or anno is type(None): return 'None'
    if isinstance(anno, type) and not getattr(anno, '__args__', None): return anno.__qualname__
    text = re.sub(r'\b(?:typing|torch|collections\.abc|pathlib)\.', '', str(anno))
    text = re.sub(r'\bretinamask(?:\.\w+)*\.(?=[A-Z_])', '', text)  # our own classes by their names, as the pages name them
    return text.replace(' | ', '|').replace('|', ' | ')

def default_text(value) -> str:
    "A default as code ('' for none), shortened when long."
    if value is inspect.Parameter.empty: return ''
    if inspect.isclass(value) or inspect.isroutine(value): return value.__qualname__  # not `<class '...'>`
    text = repr(value)
    if text.startswith('<'): return f'{type(value).__name__}(...)'  # an object without a repr Python could read
    return text if len(text) <= 48 else text[:45] + '...'

def table_text(text) -> str:
    "Text for a Markdown table cell: one line, pipes escaped."
    return ' '.join(str(text or '').split()).replace('|', r'\|')

def code_span(text) -> str:
    "`text` as inline code, safe inside a table cell."
    return f'`{table_text(text)}`' if text else ''

def parameter_docs(obj) -> dict:
    "The docments of the parameters (and of the result) of a function, method, property or class, less `self`."
    from fastcore.docments import docments
    import dataclasses
    if isinstance(obj, property): obj = obj.fget
    if inspect.isclass(obj) and not dataclasses.is_dataclass(obj):
        if '__init__' not in vars(obj): return {}  # inherits its parameters: nothing of its own to document
        obj = obj.__init__
    try: docs = docments(obj if inspect.isclass(obj) else inspect.unwrap(obj), full=True)
    except (TypeError, ValueError, OSError): return {}
    return {k: v for k, v in docs.items() if k not in ('self', 'cls')}

def signature_text(name, obj, kind) -> str:
    "How the entry is called, one parameter per line when long: `match_anchors(anchors, gt_boxes, pos_thresh=0.5)`."
    if kind == 'property': return f'{name}  # property'
    target = obj.__init__ if kind == 'class' and '__init__' in vars(obj) else obj
    try: sig = inspect.signature(target)
    except (TypeError, ValueError): return name
    params = [p for n, p in sig.parameters.items() if n not in ('self', 'cls')]
    parts, star = [], False
    for p in params:
        if p.kind is p.KEYWORD_ONLY and not star: parts.append('*'); star = True
        if p.kind is p.VAR_POSITIONAL: star = True
        parts.append(str(p.replace(annotation=p.empty, default=p.empty)) +
                     ('' if p.default is p.empty else '=' + default_text(p.default)))
    head = f'class {name}' if kind == 'class' else name
    if kind == 'class' and len(parts) > 8: return f'{head}(...)  # {len(parts)} parameters, below'
    one_line = f'{head}({", ".join(parts)})'
    return one_line if len(one_line) <= 88 else head + '(\n' + ''.join(f'    {a},\n' for a in parts) + ')'

def param_table(docs) -> str:
    "The parameters (and what is returned) as a Markdown table: name, type, default, the docment."
    rows = [f'| {code_span(n)} | {table_text(type_name(d.get("anno", inspect.Parameter.empty)))} | '
            f'{code_span(default_text(d.get("default", inspect.Parameter.empty)))} | {table_text(d.get("docment"))} |'
            for n, d in docs.items() if n != 'return']
    ret = docs.get('return') or {}
    if type_name(ret.get('anno', inspect.Parameter.empty)) or ret.get('docment'):
        rows.append(f'| **returns** | {table_text(type_name(ret.get("anno", inspect.Parameter.empty)))} | | '
                    f'{table_text(ret.get("docment"))} |')
    if not rows: return ''
    return '\n'.join(['| Parameter | Type | Default | Details |', '|---|---|---|---|', *rows])

def entry_kind(obj) -> str:
    "'property', 'class' or 'function' (a method too)."
    if isinstance(obj, property): return 'property'
    if inspect.isclass(obj): return 'class'
    return 'function'

def class_methods(cls, skip) -> list:
    "A class's own public methods and properties, in the order the class defines them, less those in `skip`."
    out = []
    for n, v in vars(cls).items():
        if n.startswith('_') or f'{cls.__name__}.{n}' in skip: continue
        if isinstance(v, (staticmethod, classmethod)): v = getattr(cls, n)
        if isinstance(v, property) or (callable(v) and inspect.isfunction(inspect.unwrap(v))): out.append((n, v))
    return out

def api_entry(name, obj, source_id, skip=(), level=3) -> str:
    "The Markdown of one API entry: heading, the link to its source, signature, docstring, parameter table, methods."
    from nbdev.doclinks import NbdevLookup
    kind = entry_kind(obj)
    docs = parameter_docs(obj)
    n_params = sum(1 for k in docs if k != 'return')
    label = {'class': 'class', 'property': 'property'}.get(kind, 'method' if '.' in name else 'function')
    marker = (f'<div class="api-entry" data-name="{html.escape(name)}" data-kind="{label}" data-params="{n_params}">'
              f'<span class="api-kind">{label}</span>'
              + (f'<a class="showdoc-source" href="#{source_id}">source</a>' if source_id else '') + '</div>')
    doc = inspect.getdoc(obj.fget if kind == 'property' else obj) or ''
    parts = [f'{"#" * level} {name}', marker, f'```python\n{signature_text(name, obj, kind)}\n```',
             NbdevLookup().linkify(doc), param_table(docs)]
    if kind == 'class':
        for m, v in class_methods(obj, skip):
            parts.append(api_entry(f'{name}.{m}', v, source_id, level=level + 1))
    return '\n\n'.join(p for p in parts if p)

def source_block(code, source_id, names, rel) -> str:
    "An exported cell's code, highlighted, in a collapsible block the entries' 'source' links open (one line of HTML)."
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer
    body = highlight(code, PythonLexer(), HtmlFormatter(cssclass='highlight'))
    label = ', '.join(f'<code>{html.escape(n)}</code>' for n in names)
    block = (f'<details class="api-source" id="{source_id}"><summary>Source of {label} '
             f'<span class="api-source-file">(nbs/{html.escape(rel.as_posix())})</span></summary>'
             f'<div class="highlight-python notranslate">{body}</div></details>')
    return block.replace('\n', '&#10;')  # one line: a blank line of code would end Markdown's HTML block

def show_doc_names(code) -> list:
    "The names the `show_doc(...)` lines of a cell document."
    return [_re_show_doc.match(l).group(1).split(',')[0].strip() for l in filter(None, code.splitlines())]

def api_markdown(code, namespace, source_id, skip) -> str:
    "The API entries of a cell of `show_doc(...)` lines."
    parts = []
    for line, name in zip(filter(None, code.splitlines()), show_doc_names(code)):
        obj = eval(name, namespace)
        level = 4 if '.' in name else 3  # a method documented on its own (`@patch`) sits under its class
        parts.append(with_lazy_imports(lambda: api_entry(name, obj, source_id, skip, level), line, namespace))
    return '\n\n'.join(parts)

def module_namespace(default_exp):
    "The names a notebook's show_doc cells refer to: its module's, else retinamask.core's (tutorials)."
    import importlib
    names = dict(vars(importlib.import_module('retinamask.core')))
    if default_exp: names.update(vars(importlib.import_module(f'retinamask.{default_exp}')))
    return names

def default_exp(rel):
    "The module a notebook exports to (its `#| default_exp` cell), or None."
    for cell in json.loads((NBS / rel).read_text())['cells']:
        if cell['cell_type'] == 'code' and (m := re.search(r'^#\|\s*default_exp\s+(\S+)', src(cell), re.M)): return m.group(1)

def output_markdown(cell):
    "The Markdown a cell's outputs print (`#| output: asis`)."
    texts = []
    for o in cell.get('outputs', []):
        if o.get('output_type') == 'stream': texts.append(''.join(o.get('text', '')))
        elif 'text/markdown' in o.get('data', {}): texts.append(''.join(o['data']['text/markdown']))
    return '\n\n'.join(t.strip('\n') for t in texts if t.strip())

_EXPORTED, _HIDDEN = {'export', 'exports', 'exporti'}, {'hide', 'default_exp'}

def is_show_doc(cell) -> bool:
    "A code cell of `show_doc(...)` lines only (as nbdev adds them after every exported cell)."
    if cell['cell_type'] != 'code': return False
    lines = [l for l in split_directives(src(cell))[1].splitlines() if l.strip()]
    return bool(lines) and all(_re_show_doc.match(l) for l in lines)

def unique_id(base, taken) -> str:
    "`base`, or `base-2`, `base-3` ... if a page already has it."
    ident, k = base, 1
    while ident in taken: k += 1; ident = f'{base}-{k}'
    taken.add(ident)
    return ident

def stage_notebook(rel, nb, meta):
    "The processed notebook as a MyST-NB page: MyST Markdown, directives applied, API entries and their source."
    from quarto_compat import pandoc_slug
    cells, namespace, source_ids = [], None, set()
    nb_cells = nb['cells']
    shown = {n for c in nb_cells if is_show_doc(c) for n in show_doc_names(split_directives(src(c))[1])}
    i = 0
    while i < len(nb_cells):
        cell = nb_cells[i]
        i += 1
        text = src(cell)
        if cell['cell_type'] == 'raw':
            if text.startswith('---'):  # nbdev's front matter: the page title and its one-line summary
                title = f"# {meta['title']}" if meta.get('title') else ''
                lead = f"{{.lead}}\n{meta['description']}" if meta.get('description') else ''
                cells.append(md_cell('\n\n'.join(filter(None, [title, lead]))))
            continue
        if cell['cell_type'] == 'markdown':
            text = pandoc_markdown(text)
            if text.strip(): cells.append(md_cell(text))
            continue
        dirs, code = split_directives(text)
        if dirs.keys() & _HIDDEN or (not code and not cell.get('outputs')): continue
        exported = bool(dirs.keys() & _EXPORTED)
        entries = [code] if is_show_doc(cell) else []  # a show_doc cell of its own documents a name from elsewhere
        while exported and i < len(nb_cells) and is_show_doc(nb_cells[i]):  # nbdev put them after the exported cell
            entries.append(split_directives(src(nb_cells[i]))[1])
            i += 1
        if exported and not entries:  # imports, constants, private helpers, kernels: code, as the notebook shows it
            cells.append({**cell, 'source': code, 'metadata': {}, 'outputs': []})
            continue
        if entries:
            names = [n for e in entries for n in show_doc_names(e)]
            source_id = unique_id('source-' + pandoc_slug(names[0]), source_ids) if exported else None
            try:
                if namespace is None: namespace = module_namespace(default_exp(rel))
                cells.append(md_cell('\n\n'.join(api_markdown(e, namespace, source_id, shown) for e in entries)))
            except Exception as e:
                problems.append(f'nbs/{rel}: `{entries[0]}` failed: {type(e).__name__}: {e} (API entries are made from '
                                'the exported package: run nbdev-export; names in a signature must exist in its module)')
                continue
            if exported: cells.append(md_cell(source_block(code, source_id, names, rel)))
            continue
        echo = dirs.get('echo', 'true') != 'false'
        if dirs.get('output') == 'asis':
            if echo: cells.append({**cell, 'source': code, 'outputs': [], 'execution_count': None})
            if md := output_markdown(cell): cells.append(md_cell(pandoc_markdown(md)))
            continue
        tags = [t for t, on in [('remove-input', not echo), ('remove-output', dirs.get('output') == 'false')] if on]
        metadata = {'tags': tags} if tags else {}
        cells.append({**cell, 'source': code, 'metadata': metadata})
    if not any(c['cell_type'] == 'markdown' and re.match(r'# ', src(c)) for c in cells):
        cells.insert(0, md_cell(f'# {rel.stem}'))  # no title yet (a notebook being written): its file name, as Quarto
    return cells

def notebook(cells):
    "A notebook of these cells, numbered, for MyST-NB."
    metadata = {'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'},
                'language_info': {'name': 'python', 'pygments_lexer': 'ipython3'}}
    cells = [{**c, 'id': f'cell-{i}'} for i, c in enumerate(cells)]
    return {'cells': cells, 'metadata': metadata, 'nbformat': 4, 'nbformat_minor': 5}

def title_of(meta, page): return meta.get('title') or page.rsplit('/', 1)[-1]

def toctree(pages):
    "A hidden toctree (the site's navigation) of these pages, or (page, metadata) pairs, relative to their folder."
    names = [p if isinstance(p, str) else p[0].rsplit('/', 1)[-1] for p in pages]
    return '\n'.join(['```{toctree}', ':hidden:', ':maxdepth: 1', ''] + names + ['```'])

def section_page(entries, title):
    "A section's page (MyST Markdown): its pages with their one-line summaries, and its toctree."
    lines = [f'# {title}', '']
    for page, meta in entries:
        desc = meta.get('description', '')
        lines.append(f'- [{title_of(meta, page)}]({page.rsplit("/", 1)[-1]}.ipynb)' + (f': {desc}' if desc else ''))
    return '\n'.join(lines + ['', toctree(entries), ''])

def markdown_outputs(cell, fix):
    "A code cell with `fix` applied to its Markdown outputs (tables a notebook prints, whose names nbdev linked)."
    def output(o):
        md = o.get('data', {}).get('text/markdown')
        if md is None: return o
        return {**o, 'data': {**o['data'], 'text/markdown': fix(md if isinstance(md, str) else ''.join(md))}}
    return {**cell, 'outputs': [output(o) for o in cell.get('outputs', [])]} if cell.get('outputs') else cell

def write_if_changed(path, text):
    "Write only what changed, so that Sphinx rebuilds only the pages whose notebooks changed."
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text: path.write_text(text)
    return path

def stage(processed):
    "Write _sphinx/src/: one page per notebook, a page per section, the landing page's toctree, assets."
    from nbdev.config import get_config
    cfg = get_config()
    doc_url = cfg.doc_host.rstrip('/') + '/' + cfg.doc_baseurl.strip('/') + '/'
    metas = {rel: next((front_matter(c) for c in nb['cells'] if c['cell_type'] == 'raw' and src(c).startswith('---')), {})
             for rel, nb in processed}
    pages = {rel: page_name(rel, metas[rel]) for rel, _ in processed}
    if len(set(pages.values())) < len(pages):  # two notebooks nbdev would publish under one name
        pages = {rel: rel.with_suffix('').as_posix() for rel in pages}
    # a link may name a page as nbdev publishes it (losses.html) or as a notebook (03_losses.ipynb)
    lookup = {**{p: p for p in pages.values()}, **{'nb:' + rel.as_posix(): p for rel, p in pages.items()}}
    staged = {pages[rel]: stage_notebook(rel, nb, metas[rel]) for rel, nb in processed}
    anchors = {page: set().union(*(headings(src(c)) for c in cells if c['cell_type'] == 'markdown'))
               for page, cells in staged.items()}
    written, sections = set(), {}
    for rel, _ in processed:  # top-level notebooks make the Library section, a folder's its own section
        if pages[rel].rsplit('/', 1)[-1] != 'index':
            sections.setdefault(rel.parent.as_posix().strip('.'), []).append((pages[rel], metas[rel]))
    if 'index' not in staged:
        problems.append('nbs/index.ipynb: missing or not processed, so the site has no landing page')
        staged['index'] = [md_cell('# retinamask')]
    tocs = []
    for folder, entries in sections.items():
        section = f'{folder}/index' if folder else 'library'
        if section in staged: staged[section].append(md_cell(toctree(entries)))  # the folder has an index notebook
        else:
            title = SECTION_TITLES.get(folder, folder.replace('_', ' ').title())
            written.add(write_if_changed(SRC / f'{section}.md', section_page(entries, title)))
        tocs.append(section)
    staged['index'].append(md_cell(toctree(tocs)))
    for page, cells in staged.items():
        fix = lambda text: local_links(text, page, lookup, anchors, doc_url)
        cells = [{**c, 'source': fix(src(c))} if c['cell_type'] == 'markdown' else markdown_outputs(c, fix) for c in cells]
        written.add(write_if_changed(SRC / f'{page}.ipynb', json.dumps(notebook(cells), indent=1)))
    for f in NBS.rglob('*'):  # pictures and data a notebook's Markdown refers to
        rel = f.relative_to(NBS)
        if f.is_file() and f.suffix.lower() in {'.png', '.jpg', '.jpeg', '.gif', '.svg', '.webp'} \
                and not any(p.startswith(('.', '_')) for p in rel.parts):
            written.add(SRC / rel)
            if not (SRC / rel).exists() or (SRC / rel).stat().st_mtime < f.stat().st_mtime:
                (SRC / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(f, SRC / rel)
    for f in SRC.rglob('*'):  # pages of notebooks that were removed
        if f.is_file() and f not in written: f.unlink()

def stage_mathjax():
    "MathJax 4 and its font, from node_modules/ (`npm ci`), into the site's _static/mathjax/."
    if not (MATHJAX / 'tex-chtml.js').exists() or not FONT.exists():
        problems.append('node_modules/mathjax is missing: run `npm ci` (make docs does)')
        return
    dest = STATIC / 'mathjax'
    version = json.loads((MATHJAX / 'package.json').read_text())['version']
    stamp = dest / '.version'
    if stamp.exists() and stamp.read_text() == version: return
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    shutil.copy2(MATHJAX / 'tex-chtml.js', dest)
    shutil.copy2(MATHJAX / 'LICENSE', dest)
    for part in ['a11y', 'input', 'output', 'ui', 'sre', 'adaptors']:  # what tex-chtml.js loads on demand
        if (MATHJAX / part).exists(): shutil.copytree(MATHJAX / part, dest / part)
    shutil.copytree(FONT / 'chtml', dest / 'fonts' / 'mathjax-newcm-font' / 'chtml')
    shutil.copy2(FONT / 'chtml.js', dest / 'fonts' / 'mathjax-newcm-font')
    stamp.write_text(version)

# --- 3. Sphinx ----------------------------------------------------------------------------------------------

def sphinx():
    "Build the site; warnings are errors. A failed build forgets its cache, so the next one shows them again."
    cmd = [sys.executable, '-m', 'sphinx', '-b', 'html', '-c', str(ROOT / 'docs'), '-d', str(DOCTREES),
           '-W', '--keep-going', '-q', '-j', '1', str(SRC), str(HTML)]
    shutil.rmtree(HTML, ignore_errors=True)  # every page is rebuilt anyway; this drops the pages of removed notebooks
    if subprocess.run(cmd, cwd=ROOT).returncode:
        shutil.rmtree(DOCTREES, ignore_errors=True)
        problems.append('sphinx-build reported the warnings above (they are errors)')
    if (HTML / 'index.html').exists():
        shutil.rmtree(SITE, ignore_errors=True)
        shutil.copytree(HTML, SITE, ignore=shutil.ignore_patterns('.buildinfo', '.doctrees', '_sources'))

def main():
    rels = notebooks()
    stage(process(rels))
    stage_mathjax()
    sphinx()
    if problems:
        print('\nThe docs site has problems:', *problems, sep='\n  ', file=sys.stderr)
        sys.exit(1)
    print(f'Site: {SITE}/index.html ({len(rels)} notebooks)')

if __name__ == '__main__': main()
