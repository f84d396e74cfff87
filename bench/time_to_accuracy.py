"""Time to accuracy on the built-in `demo` data: the `tiny` RetinaMask against a torchvision RetinaNet built on the same trunk.

    python bench/time_to_accuracy.py                 # both models, 8 epochs each, a curve point every half epoch
    python bench/time_to_accuracy.py --quick         # a smoke test: 40 iterations, 16 validation images
    python bench/time_to_accuracy.py --models ours --epochs 4 --lr 0.006   # one model, e.g. to tune a recipe

The two detectors share everything a training run has apart from the detector itself:
- the trunk (`narrow_resnet` of the `tiny` preset, trainable BatchNorm) and the FPN width (32 channels, P3-P7, P6 from P5),
  the anchors (9 per position, base sizes 16 to 256), two convolutions per head tower, GroupNorm where ours has it;
- the data: every batch is loaded once (the `tiny` preset's training transforms, random flips) and stepped by both models in
  turn, so they see the same images in the same order, and the loading time is counted for both;
- the recipe: AdamW (fused), one-cycle schedule (fastai's: cosine warm-up over the first quarter from lr / 25, cosine
  annealing to lr / 1e5, beta1 0.95 -> 0.85 -> 0.95), weight decay 0.05 on weights only, batch 4, the same number of iterations.
  Each model's learning rate is its best of a sweep (BENCHMARKS.md lists the sweep);
- the process: denormal floats flushed to zero for the whole race, as `retinamask train` does while fitting (the learner's
  `FlushDenormals`); the setting is the CPU's, so it applies to both models (`--keep-denormals` to measure without it).
torchvision's RetinaNet keeps its own matching (IoU 0.5 / 0.4 with low-quality matches), focal loss normalisation and L1 box
loss with box-coder weights (1, 1, 1, 1), and has no mask head: those, and what RetinaMask adds (best matching, the
self-adjusting smooth L1, the mask head's supervision of the shared features), are the difference being measured.

Training time stops while a model is evaluated (pycocotools box AP on the 160 validation images, at the model's own
thresholds); the curve is AP against that training time. Reported: seconds to box AP 0.5 for both (interpolated between
the curve's points) and their ratio (target <= 0.8), box AP after 60 s of training for both, and the picture
bench/results/<machine>-time_to_accuracy.png.
"""
import math, random, sys, time
from functools import partial
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, parser, report, machine_slug
import torch
from torch import nn
import torchvision
from torchvision.models.detection import RetinaNet
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.retinanet import RetinaNetHead
from torchvision.ops.feature_pyramid_network import FeaturePyramidNetwork, LastLevelP6P7
from retinamask.model import RetinaMask, RetinaMaskConfig, predict
from retinamask.backbone import ResNetTrunk, GroupNorm  # GroupNorm: torch's, also for single-value groups (a 1x1 P7)
from retinamask.cli import run_datasets, QUICK, _setting  # _setting: the command line's --set items, checked against the config
from retinamask.dataloaders import detection_collate
from retinamask.evaluation import detections_to_coco, evaluate_coco

TARGET_AP = 0.5
LR = {'ours': 0.012, 'torchvision': 0.012}  # each model's best rate over this 8-epoch race (sweeps in BENCHMARKS.md)

class TorchvisionBackbone(nn.Module):
    "The `tiny` trunk with torchvision's FPN (P6 from P5, as ours): what torchvision's RetinaNet takes as a backbone."
    def __init__(self, c:RetinaMaskConfig):
        super().__init__()
        self.trunk = ResNetTrunk(c.backbone, c.weights, c.trunk_norm, c.freeze_at, c.trunk_widths, c.trunk_blocks)
        norm = partial(GroupNorm, 32) if c.norm == 'gn' else None
        self.fpn = FeaturePyramidNetwork(self.trunk.out_channels, c.fpn_channels, LastLevelP6P7(c.fpn_channels, c.fpn_channels),
                                         norm_layer=norm)
        self.out_channels = c.fpn_channels

    def forward(self, x): return self.fpn(dict(zip(('c3', 'c4', 'c5'), self.trunk(x))))

def torchvision_retinanet(c:RetinaMaskConfig) -> RetinaNet:
    "torchvision's RetinaNet with our `tiny` trunk, FPN width, anchors, head depth and normalisation, thresholds and image size."
    sizes = tuple(tuple(s * k for k in c.anchor_scales) for s in c.anchor_sizes)
    anchors = AnchorGenerator(sizes, (tuple(c.anchor_ratios),) * len(sizes))
    head = RetinaNetHead(c.fpn_channels, len(c.anchor_scales) * len(c.anchor_ratios), c.num_classes,
                         norm_layer=partial(GroupNorm, 32) if c.norm == 'gn' else None)
    for sub in (head.classification_head, head.regression_head): sub.conv = sub.conv[:c.head_convs]  # torchvision builds 4
    return RetinaNet(TorchvisionBackbone(c), c.num_classes, min_size=c.min_size, max_size=c.max_size, image_mean=list(c.pixel_mean),
                     image_std=list(c.pixel_std), anchor_generator=anchors, head=head, score_thresh=c.score_thresh,
                     nms_thresh=c.nms_thresh, detections_per_img=c.detections_per_image, topk_candidates=c.topk_per_level)

def one_cycle(it:int, total:int, lr:float, pct:float=0.25, div:float=25., final_div:float=1e5) -> tuple:
    "fastai's one-cycle learning rate and beta1 at iteration `it` of `total`."
    cos = lambda a, b, f: b + (a - b) * (1 + math.cos(math.pi * f)) / 2
    warm = max(1, round(total * pct))
    if it < warm: f = it / warm; return cos(lr / div, lr, f), cos(0.95, 0.85, f)
    f = (it - warm) / max(1, total - warm); return cos(lr, lr / div / final_div, f), cos(0.85, 0.95, f)

def adamw(model, lr, wd=0.05):
    "AdamW with weight decay on the weights only (biases and normalisation weights get none)."
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.ndim > 1]
    rest = [p for p in params if p.ndim <= 1]
    return torch.optim.AdamW([dict(params=decay, weight_decay=wd), dict(params=rest, weight_decay=0.)], lr=lr, fused=True)

def box_ap(model, valid_ds, n, masks=False) -> tuple:
    "pycocotools box AP (and mask AP) of `model` on the first `n` validation images."
    bbox, segm = [], []
    for s in range(0, n, 16):
        items = [valid_ds[i] for i in range(s, min(s + 16, n))]
        dets = predict(model, [im for im, _ in items])
        b, m = detections_to_coco(dets, [t['image_id'] for _, t in items], valid_ds.category_map)
        bbox += b; segm += m
    ids = [valid_ds[i][1]['image_id'] for i in range(n)]
    r = evaluate_coco(valid_ds.coco, bbox, segm if masks else None, image_ids=ids)
    return r['bbox']['AP'], (r['segm']['AP'] if masks else None)

def crossing(curve:list, key:str='box', level:float=TARGET_AP):
    "Training seconds at which `key` first reaches `level`, linearly interpolated between curve points; None if never."
    prev = dict(seconds=0., **{key: 0.})
    for point in curve:
        if point[key] >= level:
            f = (level - prev[key]) / max(point[key] - prev[key], 1e-12)
            return prev['seconds'] + f * (point['seconds'] - prev['seconds'])
        prev = point
    return None

def at_seconds(curve:list, seconds:float, key:str='box'):
    "`key` after `seconds` of training, linearly interpolated; None beyond the curve."
    prev = dict(seconds=0., **{key: 0.})
    for point in curve:
        if point['seconds'] >= seconds:
            f = (seconds - prev['seconds']) / max(point['seconds'] - prev['seconds'], 1e-12)
            return prev[key] + f * (point[key] - prev[key])
        prev = point
    return None

def race(names=('ours', 'torchvision'), epochs:int=8, bs:int=4, lrs:dict=None, evals_per_epoch:int=2, n_val:int=160,
         iterations:int=None, seed:int=0, changes:dict=None, log=print) -> dict:
    "Train the models side by side on the same batches; {name: [curve points]} of training seconds and AP."
    changes = changes or {}
    torch.manual_seed(seed); random.seed(seed)
    config = RetinaMaskConfig.preset(QUICK['preset'], **changes)
    train_ds, valid_ds = run_datasets(config, QUICK['data'])
    config = RetinaMaskConfig.preset(QUICK['preset'], num_classes=len(train_ds.category_map), **changes)
    lrs = {**LR, **(lrs or {})}
    models = {}
    for name in names:
        torch.manual_seed(seed)  # the same trunk initialisation for both
        models[name] = (RetinaMask(config) if name == 'ours' else torchvision_retinanet(config)).train()
    opts = {name: adamw(m, lrs[name]) for name, m in models.items()}
    per_epoch = len(train_ds) // bs
    total = iterations or epochs * per_epoch
    every = max(1, per_epoch // evals_per_epoch) if iterations is None else max(1, total // 4)
    seconds = {name: 0. for name in models}
    curves = {name: [] for name in models}
    order, it = [], 0
    while it < total:
        if not order: order = list(range(len(train_ds))); random.Random(seed * 1000 + it).shuffle(order)
        start = time.perf_counter()
        samples = [train_ds[i] for i in order[:bs]]; order = order[bs:]
        padded, targets = detection_collate(samples, config.size_divisible)
        images = [im[:, :h, :w] for im, t in zip(padded, targets) for h, w in [t['size']]]
        load = time.perf_counter() - start
        for name, model in models.items():
            lr, beta1 = one_cycle(it, total, lrs[name])
            for g in opts[name].param_groups: g['lr'], g['betas'] = lr, (beta1, g['betas'][1])
            start = time.perf_counter()
            loss = sum(model(images, targets).values())
            opts[name].zero_grad(set_to_none=True); loss.backward(); opts[name].step()
            seconds[name] += time.perf_counter() - start + load
            if not math.isfinite(loss.item()): raise FloatingPointError(f'{name}: loss {loss.item()} at iteration {it}')
        it += 1
        if it % every == 0 or it == total:
            for name, model in models.items():
                box, mask = box_ap(model, valid_ds, min(n_val, len(valid_ds)), masks=name == 'ours')
                model.train()
                curves[name].append(dict(iteration=it, seconds=round(seconds[name], 2), box=box, **({'mask': mask} if mask is not None else {})))
                log(f'  {name:12s} it {it:5d}  {seconds[name]:6.1f} s  box AP {box:.3f}' + (f'  mask AP {mask:.3f}' if mask is not None else ''))
    return curves

def plot_curves(curves:dict, path, target:float=TARGET_AP):
    "AP against training seconds, one line per model (and ours' mask AP), with the target and the 60-second mark."
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, curve in curves.items():
        xs = [0] + [p['seconds'] for p in curve]
        ax.plot(xs, [0] + [p['box'] for p in curve], marker='o', ms=3, label=f'{name}: box AP')
        if curve and 'mask' in curve[0]: ax.plot(xs, [0] + [p['mask'] for p in curve], ls='--', label=f'{name}: mask AP')
    ax.axhline(target, color='grey', lw=0.8); ax.axvline(60, color='grey', lw=0.8, ls=':')
    ax.set(xlabel='training seconds (evaluation excluded)', ylabel='COCO AP@[.5:.95], demo validation',
           title='Time to accuracy on the built-in data (CPU)', ylim=(0, 1))
    ax.legend(); fig.savefig(path, dpi=100, bbox_inches='tight'); plt.close(fig)

def run(args) -> list:
    "The case's rows; it measures the CPU whatever the machine (a GPU run of the demo recipe is not its question)."
    quick = args.quick
    names = getattr(args, 'models', None) or ('ours', 'torchvision')
    lrs = {n: getattr(args, 'lr', None) for n in names if getattr(args, 'lr', None)}
    torch.set_flush_denormal(not getattr(args, 'keep_denormals', False))  # as retinamask train does while fitting
    try: curves = race(names, epochs=getattr(args, 'epochs', 8), iterations=40 if quick else None, n_val=16 if quick else 160, lrs=lrs,
                       changes=dict(getattr(args, 'set', None) or []), seed=getattr(args, 'seed', 0))
    finally: torch.set_flush_denormal(False)
    picture = Path(__file__).resolve().parent / 'results' / f'{machine_slug()}-time_to_accuracy.png'
    picture.parent.mkdir(parents=True, exist_ok=True)
    plot_curves(curves, picture)
    rows = []
    t = {n: crossing(c) for n, c in curves.items()}
    if len(curves) == 2:
        note = ('; '.join(f"{n}: {'not reached' if t[n] is None else f'{t[n]:.0f} s'}" for n in curves) +
                f'; curve: bench/results/{picture.name}')
        both = t['ours'] is not None and t['torchvision'] is not None
        rows.append(Row('time_to_accuracy', f'seconds to box AP {TARGET_AP}, demo data, tiny, batch 4',
                        t['ours'], t['torchvision'] if both else None, 'tv RetinaNet, same trunk', 0.8, 's', note))
    for n, c in curves.items():
        ap60 = at_seconds(c, 60)
        rows.append(Row('time_to_accuracy', f'{n}: box AP after 60 s' + (', mask AP' if 'mask' in c[-1] else ''), ap60,
                        None, '', None, 'AP', f"final ({c[-1]['seconds']:.0f} s): box {c[-1]['box']:.3f}" +
                        (f", mask {c[-1]['mask']:.3f}" if 'mask' in c[-1] else '') +
                        (f"; mask AP after 60 s {at_seconds(c, 60, 'mask'):.3f}" if 'mask' in c[-1] and at_seconds(c, 60, 'mask') is not None else '')))
    return rows

if __name__ == '__main__':
    p = parser(__doc__.splitlines()[0])
    p.add_argument('--models', nargs='+', choices=['ours', 'torchvision'])
    p.add_argument('--epochs', type=int, default=8)
    p.add_argument('--lr', type=float, help='learning rate of every model run (default: each model\'s best, LR)')
    p.add_argument('--seed', type=int, default=0, help='seeds both models\' weights and the batch order')
    p.add_argument('--set', nargs='*', default=[], type=_setting, metavar='FIELD=VALUE', help="changes to the preset's config, e.g. mask_resolution=14")
    p.add_argument('--keep-denormals', action='store_true', help="compute denormal floats (the CPU's default; slow on x86)")
    args = p.parse_args()
    start = time.perf_counter()
    print(report(run(args), __doc__.splitlines()[0], time.perf_counter() - start))
