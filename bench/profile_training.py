"""Where the time of a training step goes, stage by stage: the `tiny` model on the built-in demo data (CPU by default).

    python bench/profile_training.py                       # tiny, the demo recipe (AdamW, batch 4), after 150 iterations
    python bench/profile_training.py --bs 8 --opt sgd --lr 0.02 --set norm=none roi_sampling_ratio=2   # the old recipe

The model first trains for `--warm` iterations, so that its detections (the mask head's proposals) are those of a model
that has started to learn, then three steps are profiled with the torch profiler. Each stage is a `record_function` range
around a module's forward (trunk, FPN, heads, RoIAlign, mask head) or a function the model calls (matching, losses, mask
proposals, mask targets); the backward pass, the optimiser step and data loading are their own stages. Like
`profile_model.py` it measures no ratio and is not part of `make bench`: run it before changing anything, and after.
"""
import argparse, random, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: F401 (puts the checkout on the path)
import torch
from torch.profiler import profile, ProfilerActivity, record_function
import retinamask.model as model_module
from retinamask.model import RetinaMask, RetinaMaskConfig
from retinamask.cli import run_datasets, _setting  # _setting: the command line's --set items, checked against the config
from retinamask.dataloaders import detection_collate

FUNCTIONS = {'batch_anchor_targets': 'matching (anchor targets)', 'anchor_targets': 'matching (anchor targets)', 'focal_loss': 'focal loss', 'postprocess_detections': 'mask proposals',
             'mask_training_targets': 'mask targets', 'mask_loss': 'mask loss'}
MODULES = {'backbone.trunk': 'trunk', 'backbone.fpn': 'FPN', 'head': 'heads', 'box_loss': 'self-adjusting smooth L1',
           'pooler': 'RoIAlign', 'mask_head': 'mask head'}

def instrument(model):
    "Label every stage of `model`'s training step with a profiler range."
    for name, label in FUNCTIONS.items():
        f = getattr(model_module, name, None)  # older versions match image by image (anchor_targets)
        if f is None: continue
        def wrapped(*args, _f=f, _label=label, **kwargs):
            with record_function('## ' + _label): return _f(*args, **kwargs)
        setattr(model_module, name, wrapped)
    modules = dict(model.named_modules())
    for path, label in MODULES.items():
        module = modules.get(path)  # no pooler or mask head with masks off
        if module is None: continue
        module.register_forward_pre_hook(lambda m, i, _l=label: setattr(m, '_range', record_function('## ' + _l).__enter__()))
        module.register_forward_hook(lambda m, i, o: m._range.__exit__(None, None, None))

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--preset', default='tiny'); p.add_argument('--bs', type=int, default=4)
    p.add_argument('--opt', default='adamw', choices=['adamw', 'sgd']); p.add_argument('--lr', type=float, default=0.006)
    p.add_argument('--warm', type=int, default=150); p.add_argument('--steps', type=int, default=3)
    p.add_argument('--threads', type=int, default=None, help='torch threads (default: torch\'s)')
    p.add_argument('--set', nargs='*', default=[], type=_setting, metavar='FIELD=VALUE', help='config changes, e.g. norm=none')
    p.add_argument('--keep-denormals', action='store_true', help="don't flush denormals to zero (the learner does: FlushDenormals)")
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    torch.set_flush_denormal(not a.keep_denormals)
    changes = dict(a.set)
    torch.manual_seed(0)
    config = RetinaMaskConfig.preset(a.preset, **changes)
    train_ds, _ = run_datasets(config, 'demo')
    model = RetinaMask(RetinaMaskConfig.preset(a.preset, num_classes=len(train_ds.category_map), **changes)).train()
    params = [q for q in model.parameters() if q.requires_grad]
    opt = (torch.optim.AdamW(params, a.lr, weight_decay=0.05, fused=True) if a.opt == 'adamw'
           else torch.optim.SGD(params, a.lr, momentum=0.9, weight_decay=1e-4))
    order = list(range(len(train_ds))); random.Random(0).shuffle(order)
    def batch(i):
        with record_function('## data loading'):
            start = (i * a.bs) % (len(order) - a.bs)
            padded, targets = detection_collate([train_ds[j] for j in order[start:start + a.bs]])
            return [im[:, :h, :w] for im, t in zip(padded, targets) for h, w in [t['size']]], targets
    def step(i):
        images, targets = batch(i)
        loss = sum(model(images, targets).values())
        opt.zero_grad(set_to_none=True)
        with record_function('## backward'): loss.backward()
        with record_function('## optimiser step'): opt.step()
    start = time.perf_counter()
    for i in range(a.warm): step(i)
    warm = (time.perf_counter() - start) / max(a.warm, 1)
    instrument(model)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        start = time.perf_counter()
        for i in range(a.steps): step(a.warm + i)
        total = (time.perf_counter() - start) / a.steps
    stages = sorted((e for e in prof.key_averages() if e.key.startswith('## ')), key=lambda e: -e.cpu_time_total)
    print(f'# {a.preset}, batch {a.bs}, {a.opt} {a.lr}, {torch.get_num_threads()} threads, {changes or "preset as is"}'
          f'{", denormals kept" if a.keep_denormals else ""}\n')
    print(f'warm-up: {a.warm} iterations at {warm * 1000:.1f} ms each; profiled step {total * 1000:.1f} ms\n')
    print('| stage | ms per step | share |\n|---|---|---|')
    for e in stages:
        ms = e.cpu_time_total / 1000 / a.steps
        print(f'| {e.key[3:]} | {ms:.1f} | {ms / (total * 1000):.0%} |')
    print('\nThe largest operators:\n')
    print(prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=12, max_name_column_width=45))

if __name__ == '__main__': main()
