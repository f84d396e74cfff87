"""Is the model fed? Throughput of the training data pipeline against the training step that consumes it.

    python bench/data_loading.py        # CPU: 320 px, batch 2, 0 workers; GPU: 800 px, batch 8, 0 and 8 workers

The pipeline is `retinamask train`'s on the built-in 'demo' data: decode the JPEG, the COCO masks, resize to the
training size (shorter side 800 on a GPU; 320 on the CPU, where r50 at 800 is too slow to time), flip, collate into
a padded batch and move it to the device (fastai `DataLoader`). 'ours' is the time per batch of the loader alone,
'reference' the time of one training step of RetinaMask r50 on such a batch: a ratio below 1 means loading keeps up.
With 0 workers loading and training run one after the other, so the step really takes their sum; with workers, the
loader runs beside the model and only the ratio matters.
"""
import itertools, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, main_for, take_turns
import torch
from retinamask.model import RetinaMask, RetinaMaskConfig
from retinamask.cli import run_datasets
from retinamask.dataloaders import detection_dataloaders
from train_step import trainer

def loader_ms(loader, batches) -> float:
    "Milliseconds per batch over `batches` batches, after the first (workers start, caches warm)."
    it = iter(loader)
    next(it)
    start = time.perf_counter()
    n = sum(1 for _ in itertools.islice(it, batches))
    return 1e3 * (time.perf_counter() - start) / max(n, 1)

def run(args) -> list:
    device = torch.device(args.device)
    gpu = device.type == 'cuda'
    side, batch = (800, 8) if gpu else (320, 2)
    config = RetinaMaskConfig.preset('r50', num_classes=3, train_min_sizes=(side,), min_size=side, max_size=side)
    train_ds, valid_ds = run_datasets(config, 'demo')
    batches = 4 if args.quick else (20 if gpu else 10)
    rows = []
    for workers in ((0, 8) if gpu else (0,)):
        dls = detection_dataloaders(train_ds, valid_ds, bs=batch, num_workers=workers, device=device)
        ms = loader_ms(dls.train, batches)
        images, targets = next(iter(dls.train))
        images = [im[:, :h, :w] for im, t in zip(images, targets) for h, w in [t['size']]]
        targets = [{k: v for k, v in t.items() if k in ('boxes', 'labels', 'masks', 'iscrowd')} for t in targets]
        step = take_turns({'step': trainer(RetinaMask(config).to(device), images, targets, amp=False)}, device,
                          1 if not gpu else 3, 2 if args.quick or not gpu else 10)['step']
        rows.append(Row('data_loading', f'demo data at {side} px, batch {batch}, {workers} workers', ms, 1e3 * step,
                        'r50 training step', 1.0, note=f'{1e3 * batch / ms:.1f} images/s loaded, {batch / step:.1f} images/s trained'))
    if not gpu: rows.append(Row('data_loading', 'demo data at 800 px, batch 8, 0 and 8 workers', note='skipped: no GPU'))
    return rows

if __name__ == '__main__': main_for(run, 'Data loading: the training pipeline against the training step')
