"Every notebook in nbs/ and nbs/tutorials/ is a pytest case: it runs top to bottom (skipping `slow` and `cuda` cells) and its tests pass."
from pathlib import Path
import pytest
from nbdev.config import get_config
import nbdev.test

ROOT = Path(__file__).resolve().parent.parent
CFG = get_config(ROOT)
NOTEBOOKS = sorted(p for pattern in ('*.ipynb', 'tutorials/*.ipynb') for p in (ROOT / 'nbs').glob(pattern) if not p.name.startswith('_'))
SKIP_FLAGS = CFG.tst_flags.split()

def test_found_notebooks():
    "Guard against a layout change that would silently leave the notebooks untested."
    assert len(NOTEBOOKS) >= 6, NOTEBOOKS

@pytest.mark.parametrize('notebook', NOTEBOOKS, ids=[str(p.relative_to(ROOT / 'nbs').with_suffix('')) for p in NOTEBOOKS])
def test_notebook(notebook):
    ok, seconds = nbdev.test.test_nb(notebook, skip_flags=SKIP_FLAGS, basepath=ROOT)
    assert ok, f'{notebook.name} failed (its traceback is printed above)'
