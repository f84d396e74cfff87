"""The compiled-kernel check as a benchmark case: tools/check_kernels.py on every configuration the code launches.

    python bench/kernel_check.py            # the full set, compiled on all cores (no GPU needed; minutes on a laptop)
    python bench/kernel_check.py --quick    # the small set CI runs

The row counts binaries with a problem (spills, fenced or value-returning atomics, atomics in the deterministic backward,
shared memory in a loop, scalar loads in the hot loop, occupancy below 25%): the target ratio is 0. `bench/run.py` appends
the check's tables (a summary, then every binary's registers, spills, shared memory, occupancy and instruction counts)
to the results file.
"""
import os, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'tools'))
from common import Row, skipped, report

def run(args) -> list:
    "One row: RoIAlign binaries with problems / binaries compiled; the check's report goes to args.details."
    if os.environ.get('TRITON_INTERPRET') == '1':
        return [skipped('kernel_check', 'RoIAlign kernels compiled for sm_90 and sm_80', 'binaries', 0.0, why='skipped: TRITON_INTERPRET=1', unit='binaries')]
    import check_kernels
    start = time.perf_counter()
    rows = check_kernels.run(quick=args.quick, jobs=os.cpu_count() or 1, log=lambda m: print(f'   {m}', flush=True))
    failing = sum(bool(r['problems']) for r in rows)
    if not hasattr(args, 'details'): args.details = []
    args.details.append(('Compiled RoIAlign kernels (tools/check_kernels.py)', check_kernels.report(rows, time.perf_counter() - start, args.quick)))
    kinds = sorted({p.split(':')[0] for r in rows for p in r['problems']})
    return [Row('kernel_check', f"RoIAlign kernels compiled for sm_90 and sm_80{' (--quick set)' if args.quick else ''}: binaries with problems",
                failing, len(rows), 'binaries compiled', 0.0, unit='binaries', note=', '.join(kinds) or 'none found')]

if __name__ == '__main__':
    args = __import__('common').parser(__doc__.splitlines()[0]).parse_args()
    rows = run(args)
    print(report(rows, 'Compiled RoIAlign kernels'))
    for title, text in getattr(args, 'details', []): print(f'## {title}\n\n{text}')
