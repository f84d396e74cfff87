"""Write README.md from nbs/index.ipynb without Quarto.

nbdev-readme needs Quarto, which these machines lack. This script runs nbdev's own notebook processing
(`nbdev.serve.proc_nbs`, which applies the same processors as the docs build: directives removed, hidden
cells dropped) and renders the processed landing page as Markdown: markdown cells as they are, code cells
as Python blocks followed by their stored text output.

    python tools/readme.py          # write README.md
    python tools/readme.py --check  # exit 1 if README.md is not what index.ipynb gives
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def processed_notebook(name='index.ipynb'):
    "The landing page after nbdev's processing, as a dict."
    from nbdev.serve import proc_nbs
    cache = proc_nbs(str(ROOT / 'nbs'), n_workers=0, file_glob=name)
    return json.loads((cache / name).read_text())

def output_text(output):
    "The text an output shows: a stream, or the plain-text form of a result."
    if output.get('output_type') == 'stream': return ''.join(output.get('text', ''))
    return ''.join(output.get('data', {}).get('text/plain', ''))

def front_matter(src):
    "Title and one-line summary from the YAML front matter nbdev makes of a notebook's heading."
    import yaml
    meta = yaml.safe_load(src.strip().strip('-')) or {}
    return '\n\n'.join(filter(None, [f"# {meta['title']}" if meta.get('title') else '',
                                       f"> {meta['description']}" if meta.get('description') else '']))

def notebook_links(markdown):
    "Links between notebooks (`01_anchors.ipynb`, relative to nbs/) as links from the repository root, where README.md is."
    return re.sub(r'\]\((?!\w+:|/|#)([\w/.-]+\.ipynb)', r'](nbs/\1', markdown)

def to_markdown(nb):
    "Markdown for the cells of a processed notebook."
    parts = []
    for cell in nb['cells']:
        src = ''.join(cell['source']).strip()
        if not src: continue
        if cell['cell_type'] == 'raw' and src.startswith('---'): parts.append(front_matter(src))
        elif cell['cell_type'] == 'markdown': parts.append(notebook_links(src))
        elif cell['cell_type'] == 'code':
            parts.append(f'```python\n{src}\n```')
            text = ''.join(output_text(o) for o in cell.get('outputs', [])).strip('\n')
            if text: parts.append(f'```\n{text}\n```')
    return '\n\n'.join(parts) + '\n'

def main(argv):
    text = to_markdown(processed_notebook())
    readme = ROOT / 'README.md'
    if '--check' in argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit('README.md is out of date with nbs/index.ipynb: run `make readme`.')
        return
    readme.write_text(text)

if __name__ == '__main__': main(sys.argv[1:])
