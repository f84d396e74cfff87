"""Check that `nbdev-docs` (Quarto) can process every notebook, including its `exec_show_docs` step.

`exec_show_docs` re-runs, in a fresh kernel, only some cells of a notebook: every exported cell, every cell with an
import statement anywhere in it, and every `show_doc` cell. A cell of that kind that uses a name defined in any other
cell fails with NameError, and nbdev-docs fails for the whole notebook. `tools/docs.py` leaves that step out; this
script runs nbdev's full processing (what `proc_nbs` runs on each file, into a scratch folder, so _proc/ is left
alone), each notebook in its own Python process (a fresh kernel, as nbdev-docs has).

    python tools/check_showdocs.py [NOTEBOOK ...]   # default: every nbs/**/*.ipynb; exit 1 if any fails
"""
import os, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT/'nbs'

# What one child process runs: nbdev-docs' per-notebook step (`nbdev.serve_drv.main`, as `proc_nbs` calls it).
CHILD = """
import sys, warnings
from pathlib import Path
import nbdev.serve_drv
from nbdev.processors import FilterDefaults
warnings.simplefilter('ignore')  # "cells containing imports and other code" warnings: the errors are what matter
nbdev.serve_drv.main((Path(sys.argv[1]), Path(sys.argv[2]), FilterDefaults))
"""

def check(nb:Path, out:Path) -> tuple: # (ok, seconds, last lines of the error)
    "Process `nb` with nbdev's full docs pipeline in a fresh Python process."
    env = {**os.environ, 'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '1'), 'MPLBACKEND': 'Agg'}
    start = time.time()
    r = subprocess.run([sys.executable, '-c', CHILD, str(nb), str(out/nb.name)], cwd=ROOT, env=env,
                       capture_output=True, text=True)
    err = r.stderr.strip().splitlines()
    # The processor's message ("Error in cell N : <source> <Exception>: ...") follows the last traceback line.
    i = max((k for k, l in enumerate(err) if l.startswith('Exception: Error')), default=max(len(err)-15, 0))
    return r.returncode == 0, time.time()-start, '\n'.join(err[i:])

def main(args):
    nbs = [Path(a).resolve() for a in args] or sorted(p for p in NBS.rglob('*.ipynb')
                                                     if not any(s.startswith(('.', '_')) for s in p.relative_to(NBS).parts))
    failed = []
    with tempfile.TemporaryDirectory() as d:
        for nb in nbs:
            ok, secs, err = check(nb, Path(d))
            rel = nb.relative_to(ROOT) if nb.is_relative_to(ROOT) else nb
            print(f"{'ok  ' if ok else 'FAIL'} {rel} ({secs:.0f} s)", flush=True)
            if not ok:
                failed.append(rel)
                print('    ' + err.replace('\n', '\n    '), flush=True)
    print(f'{len(nbs)-len(failed)} of {len(nbs)} notebooks pass exec_show_docs' +
          (': failing ' + ', '.join(map(str, failed)) if failed else ''))
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
