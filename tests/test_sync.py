"The committed package and notebooks are exactly what `nbdev-export` and `nbdev-clean` produce."
import shutil, subprocess, sys, filecmp
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

def _tree(folder, pattern):
    return sorted(p.relative_to(folder) for p in folder.rglob(pattern) if '.ipynb_checkpoints' not in p.parts)

def test_export_and_clean_leave_no_diff(tmp_path):
    for name in ('pyproject.toml', 'README.md'): shutil.copy(ROOT / name, tmp_path / name)
    for name in ('nbs', 'retinamask'):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns('__pycache__', '.ipynb_checkpoints'))
    for tool in ('nbdev-export', 'nbdev-clean'):
        subprocess.run([str(BIN / tool)], cwd=tmp_path, check=True, capture_output=True)
    for folder, pattern in (('retinamask', '*.py'), ('nbs', '*.ipynb')):
        ours, fresh = _tree(ROOT / folder, pattern), _tree(tmp_path / folder, pattern)
        assert ours == fresh, f'{folder}/: files differ: {set(ours) ^ set(fresh)}; run `make export`'
        changed = [str(p) for p in ours if not filecmp.cmp(ROOT / folder / p, tmp_path / folder / p, shallow=False)]
        assert not changed, f'{folder}/ is out of sync with the notebooks: {changed}; run `make export` and commit'

def test_readme_is_current():
    subprocess.run([sys.executable, str(ROOT / 'tools' / 'readme.py'), '--check'], check=True)
