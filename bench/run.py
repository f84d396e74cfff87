"""Run every benchmark case, print one table of ratios and write it to bench/results/<machine>.md.

    python bench/run.py             # or: make bench
    python bench/run.py --quick     # a smoke test of every case (fewest repeats; not a measurement)
    python bench/run.py --only inference train_step

Each case also runs alone (python bench/inference.py ...). A case that fails is reported as a row and makes the
command exit with status 1 after the table is written; cases that need a GPU report 'skipped: no GPU' rows on a CPU.
"""
import sys, time, traceback
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, parser, report, machine_slug
import roi_align, kernel_check, inference, train_step, data_loading, coco_eval, time_to_accuracy

CASES = {'roi_align': roi_align, 'kernel_check': kernel_check, 'inference': inference, 'train_step': train_step,
         'data_loading': data_loading, 'coco_eval': coco_eval, 'time_to_accuracy': time_to_accuracy}

def main():
    p = parser(__doc__.splitlines()[0])
    p.add_argument('--only', nargs='*', choices=list(CASES), help='run only these cases')
    p.add_argument('--out', default=None, help='results file (default bench/results/<machine>.md)')
    args = p.parse_args()
    args.details = []  # (title, Markdown) sections the cases add: the RoIAlign timings on a GPU, the compiled-kernel check
    rows, failed, start = [], [], time.perf_counter()
    for name in args.only or CASES:
        case_start = time.perf_counter()
        print(f'== {name}', flush=True)
        try: rows += CASES[name].run(args)
        except Exception as e:
            traceback.print_exc()
            failed.append(name)
            rows.append(Row(name, 'the whole case', note=f'failed: {type(e).__name__}: {str(e)[:100]}'))
        print(f'   {time.perf_counter() - case_start:.0f} s', flush=True)
    title = 'Benchmarks' + (' (--quick: smoke test, not a measurement)' if args.quick else '')
    text = report(rows, title, time.perf_counter() - start)
    for section, detail in args.details: text += f'\n## {section}\n\n{detail}\n'
    out = Path(args.out) if args.out else Path(__file__).resolve().parent / 'results' / f'{machine_slug()}.md'
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text)
    print(f'written to {out}')
    if failed: sys.exit(f'cases failed: {", ".join(failed)}')

if __name__ == '__main__': main()
