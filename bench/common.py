"""Shared helpers of the benchmark suite: the machine's name, timing, result rows and the one Markdown table.

Every case module (`roi_align`, `inference`, `train_step`, `data_loading`, `coco_eval`, `time_to_accuracy`) has
`run(args) -> list[Row]` and runs alone as `python bench/NAME.py`; `python bench/run.py` (or `make bench`) runs them all and
writes bench/results/<machine>.md. A ratio is always ours / reference of a time (lower is better), measured in the same run,
with the two taking turns so that load drifts hit both alike. Cases that need a CUDA GPU return 'skipped: no GPU' rows.
"""
import argparse, os, platform, re, statistics, sys, time
from dataclasses import dataclass
from pathlib import Path
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))
import torch

@dataclass
class Row:
    "One line of the results table: times in ms (or other units), ratio = ours / reference."
    case:str  # e.g. 'inference'
    setting:str  # e.g. 'masks off, 800x1333, batch 1, fp32'
    ours:float|None = None  # our time (or other figure: see unit)
    reference:float|None = None  # the reference's figure
    reference_name:str = ''  # what the reference is
    target:float|None = None  # ratio must be <= target
    unit:str = 'ms'
    note:str = ''  # 'skipped: no GPU', peak memory, a check that failed ...

    @property
    def ratio(self): return None if self.ours is None or not self.reference else self.ours / self.reference

    @property
    def met(self):
        if self.target is None or self.ratio is None: return ''
        return 'yes' if self.ratio <= self.target else 'NO'

def has_gpu() -> bool: return torch.cuda.is_available() and os.environ.get('TRITON_INTERPRET') != '1'

def skipped(case, setting, reference_name='', target=None, why='skipped: no GPU', unit='ms') -> Row:
    "A row for a case this machine cannot run: no number, the reason in the note."
    return Row(case, setting, reference_name=reference_name, target=target, unit=unit, note=why)

def cpu_name() -> str:
    "The CPU's model name from /proc/cpuinfo (Linux) or platform."
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'): return line.split(':', 1)[1].strip()
    except OSError: pass
    return platform.processor() or platform.machine()

def machine() -> str:
    "The machine in words: GPU name if there is one, else the CPU and its thread count."
    if has_gpu(): return f'{torch.cuda.get_device_name()} (+ {cpu_name()}, {os.cpu_count()} cores)'
    return f'{cpu_name()}, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads'

def machine_slug() -> str:
    "File-name form of the machine: 'nvidia-h100-80gb-hbm3', 'cpu-amd-epyc-2c' ..."
    name = torch.cuda.get_device_name() if has_gpu() else f'cpu-{cpu_name()}-{os.cpu_count()}c'
    return re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')

def versions() -> str:
    import torchvision
    return f'torch {torch.__version__}, torchvision {torchvision.__version__}, python {platform.python_version()}'

def sync(device):
    if torch.device(device).type == 'cuda': torch.cuda.synchronize()

def take_turns(fns:dict, device, warmup:int=1, runs:int=3) -> dict:
    "Median seconds of each zero-argument function; the functions take turns in every round."
    times = {k: [] for k in fns}
    for _ in range(warmup):
        for f in fns.values(): f()
    for _ in range(runs):
        for k, f in fns.items():
            sync(device); start = time.perf_counter()
            f()
            sync(device); times[k].append(time.perf_counter() - start)
    return {k: statistics.median(t) for k, t in times.items()}

def fmt(v, unit='ms'):
    if v is None: return '-'
    if unit == 'ms': return f'{v:.3f}' if v < 1 else f'{v:.1f}' if v < 100 else f'{v:.0f}'
    return f'{v:.3g}'

def table(rows:list) -> str:
    "The one results table, in Markdown."
    lines = ['| case | setting | ours | reference | unit | ratio | target | met? | note |', '|---|---|---|---|---|---|---|---|---|']
    for r in rows:
        ref = f'{fmt(r.reference, r.unit)} ({r.reference_name})' if r.reference is not None else (r.reference_name or '-')
        ratio = '-' if r.ratio is None else f'{r.ratio:.2f}' if r.ratio >= 0.1 else f'{r.ratio:.2g}'
        target = f'<= {r.target:.2f}' if r.target is not None else '-'
        lines.append(f'| {r.case} | {r.setting} | {fmt(r.ours, r.unit)} | {ref} | {r.unit} | {ratio} | {target} | {r.met} | {r.note} |')
    return '\n'.join(lines)

def report(rows:list, title:str, seconds:float=None) -> str:
    "Header (machine, versions, when) and the table."
    when = time.strftime('%Y-%m-%d %H:%M')
    took = f'; the suite ran in {seconds:.0f} s' if seconds is not None else ''
    return (f'# {title}\n\nMachine: {machine()}. {versions()}. Measured {when}{took}.\n'
            f'ratio = ours / reference (times: lower is better); targets are ratios.\n\n{table(rows)}\n')

def parser(description) -> argparse.ArgumentParser:
    "The options every case understands."
    p = argparse.ArgumentParser(description=description)
    p.add_argument('--quick', action='store_true', help='fewest repeats (a smoke test, not a measurement)')
    p.add_argument('--device', default='cuda' if has_gpu() else 'cpu', help="'cuda' or 'cpu'")
    return p

def main_for(run, description):
    "Run one case alone: parse the options, print its table."
    args = parser(description).parse_args()
    start = time.perf_counter()
    print(report(run(args), description, time.perf_counter() - start))
