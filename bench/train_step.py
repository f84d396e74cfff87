"""Training step time (forward, backward, optimiser) of RetinaMask r50 against torchvision's RetinaNet and Mask R-CNN.

    python bench/train_step.py          # CPU: 320 x 320, batch 2, fp32; GPU: 800 x 1333, batch 2 and 8, fp32 and bf16
    python bench/train_step.py --quick

Every model gets the same images and the same 8 objects per image (random boxes with rectangular masks; torchvision's
Mask R-CNN's labels shifted by one for its background class), random weights, and the same optimiser (SGD, momentum 0.9, weight
decay 1e-4, a tiny learning rate so that the models do not drift while timed). torchvision's models are built in the
layout our r50 has (FrozenBatchNorm2d, stem and res2 frozen) and their transform is set to the image size. Mixed
precision is bf16 autocast (no loss scaling needed). RetinaMask trains with its defaults: mask proposals are its own
detections above 0.05 (none, with a fresh head) plus the ground truth. On a GPU the suite also reports the peak memory of
one step and the host synchronisations per step.
"""
import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, skipped, take_turns, main_for
import torch
import references
from inference import count_syncs
from retinamask.model import RetinaMask, RetinaMaskConfig

OBJECTS = 8

def make_batch(batch, size, device, seed=0):
    "Images in [0, 1] and target dicts (0-based labels, as ours and torchvision's RetinaNet take them) with rectangular masks."
    g = torch.Generator().manual_seed(seed)
    h, w = size
    images, targets = [], []
    for _ in range(batch):
        images.append(torch.rand(3, h, w, generator=g))
        xy = torch.rand(OBJECTS, 2, generator=g) * torch.tensor([w, h]) * 0.75
        wh = (torch.rand(OBJECTS, 2, generator=g) * 0.35 + 0.05) * torch.tensor([w, h])
        boxes = torch.cat([xy, torch.minimum(xy + wh, torch.tensor([w - 1., h - 1.]))], 1).round()
        masks = torch.zeros(OBJECTS, h, w, dtype=torch.uint8)
        for k, (x1, y1, x2, y2) in enumerate(boxes.long().tolist()): masks[k, y1:y2, x1:x2] = 1
        targets.append(dict(boxes=boxes, labels=torch.randint(0, 80, (OBJECTS,), generator=g), masks=masks))
    move = lambda t: {k: v.to(device) for k, v in t.items()}
    return [im.to(device) for im in images], [move(t) for t in targets]

def trainer(model, images, targets, amp):
    "A zero-argument training step of `model` on fixed inputs."
    model.train()
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1e-5, momentum=0.9, weight_decay=1e-4)
    device_type = images[0].device.type
    def step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast(device_type, dtype=torch.bfloat16, enabled=amp):
            losses = model(images, targets)
        sum(losses.values()).backward()
        opt.step()
    return step

def build(size, device):
    torch.manual_seed(0)
    models = {'on': RetinaMask(RetinaMaskConfig.preset('r50')), 'off': RetinaMask(RetinaMaskConfig.preset('r50', mask_on=False)),
              'retinanet': references.retinanet(size, score_thresh=0.05), 'maskrcnn': references.maskrcnn(size, score_thresh=0.05)}
    return {k: m.to(device) for k, m in models.items()}

def run(args) -> list:
    device = torch.device(args.device)
    gpu = device.type == 'cuda'
    size = (800, 1333) if gpu else (320, 320)
    settings = [(b, amp) for b in (2, 8) for amp in (False, True)] if gpu else [(2, False)]
    warmup, runs = (1, 2) if args.quick else ((3, 10) if gpu else (1, 3))
    models = build(size, device)
    rows = []
    for batch, amp in settings:
        images, targets = make_batch(batch, size, device)
        tv_targets = [dict(t, labels=t['labels'] + 1) for t in targets]
        steps = {k: trainer(m, images, tv_targets if k == 'maskrcnn' else targets, amp) for k, m in models.items()}
        t = take_turns(steps, device, warmup, runs)
        setting = f"{size[0]}x{size[1]}, batch {batch}, {'bf16 autocast' if amp else 'fp32'}"
        rows += [Row('train_step', f'with masks, {setting}', 1e3 * t['on'], 1e3 * t['maskrcnn'], 'tv Mask R-CNN', 1.0),
                 Row('train_step', f'with masks vs RetinaNet, {setting}', 1e3 * t['on'], 1e3 * t['retinanet'], 'tv RetinaNet', 1.3),
                 Row('train_step', f'masks off, {setting}', 1e3 * t['off'], 1e3 * t['retinanet'], 'tv RetinaNet', note='RetinaNet against RetinaNet')]
        if gpu:
            peak = {}
            for k, step in steps.items():
                torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
                step(); torch.cuda.synchronize()
                peak[k] = torch.cuda.max_memory_allocated() / 2 ** 30
            rows += [Row('train_step', f'peak memory with masks, {setting}', peak['on'], peak['maskrcnn'], 'tv Mask R-CNN', unit='GiB'),
                     Row('train_step', f'peak memory masks off, {setting}', peak['off'], peak['retinanet'], 'tv RetinaNet', unit='GiB')]
            if batch == 8 and not amp:
                syncs = {k: count_syncs(steps[k]) for k in ('on', 'maskrcnn', 'retinanet')}
                rows += [Row('train_step', f'host syncs per step with masks, {setting}', syncs['on'], syncs['maskrcnn'], 'tv Mask R-CNN', unit='syncs'),
                         Row('train_step', f'host syncs per step with masks vs RetinaNet, {setting}', syncs['on'], syncs['retinanet'], 'tv RetinaNet', unit='syncs')]
    if not gpu:
        for batch in (2, 8):
            for precision in ('fp32', 'bf16 autocast'):
                rows.append(skipped('train_step', f'with masks, 800x1333, batch {batch}, {precision} (+ peak memory)', 'tv Mask R-CNN / RetinaNet', 1.0))
        rows.append(skipped('train_step', 'host syncs per step, batch 8', 'tv Mask R-CNN / RetinaNet', unit='syncs'))
    return rows

if __name__ == '__main__': main_for(run, 'Training step: RetinaMask r50 against torchvision')
