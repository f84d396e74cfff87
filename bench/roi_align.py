"""RoIAlign benchmark: our Triton kernels against torchvision on a GPU; on the CPU, the separable products against torchvision.

    python bench/roi_align.py            # the suite's rows, then the detailed table (per level, floors, errors)
    python bench/roi_align.py --device cpu   # the CPU cases only (what a machine without a GPU runs)

Cases (an 800 x 1344 input: P3 100 x 168, P4 50 x 84, P5 25 x 42, 256 channels):
inference 1 image x 50 RoIs and 8 x 100; training 2 x 150 and 8 x 150. For each case, in float32 and bfloat16
(torchvision under autocast, which computes its RoIAlign in float32):
- per level: `roi_align` (Triton) against `torchvision.ops.roi_align`, all the case's RoIs pooled from that level;
- fused: `MultiLevelRoIAlign` (one launch for P3-P5) against `torchvision.ops.MultiScaleRoIAlign`;
forward, and forward + backward. Times are medians of `triton.testing.do_bench`. `speedup` = torchvision / ours.
`floor` is the memory-traffic floor: bytes that must move (feature pixels the samples touch, each read once, plus the
output; for forward + backward also the gradient read, float32 read-modify-write of the touched pixels, the zeroing
of the float32 gradient buffers and their cast) divided by the copy bandwidth measured in the same run.
The maps are NCHW, as the FPN makes them, so every call of ours includes the channels-last copy (its estimate is a column).
The deterministic backward (torch.use_deterministic_algorithms(True)) is timed against the atomic one and against the
atomic time plus the traffic its records are estimated to add (`deterministic_extra_bytes`); its two runs must give the
same bits.
Targets: fused forward + backward at 8 x 150 at least 2x faster than MultiScaleRoIAlign; forward within 2x of the floor.
Without a CUDA GPU the GPU rows say so.

On the CPU (always run): `roi_align`'s backends 'separable' (two matrix products per image) against 'torchvision' at the maps
the model pools from: the tiny preset's P3 (4 images, 32 channels, 16 x 16, 76 RoIs, sampling ratio 1), r50's P3 at the
CPU training benchmark's 320 x 320 and r50's P3, P4 and P5 at 800 x 1344 (256 channels, 2 x 100 RoIs, sampling ratio 2), with a
gradient (forward + backward, training) and without (forward, inference), in float32 with torch's default threads. Each row
says which backend 'auto' picks there; the target is that with a gradient its pick is never much slower than the faster of
the two (without one it keeps torchvision, whose forward is cheap).
"""
import math, sys, time
from collections import OrderedDict
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, has_gpu, skipped, take_turns, main_for, report
import torch
import torchvision
import triton
from retinamask.roi_align import roi_align, MultiLevelRoIAlign, level_for_boxes, sample_grid, corner_weights, rois_from_boxes, _check_backend

IMAGE = (800, 1344)
STRIDES = (8, 16, 32)
CHANNELS = 256
CASES = [('inference', 1, 50), ('inference', 8, 100), ('training', 2, 150), ('training', 8, 150)]
OUTPUT, SAMPLING = 14, 2

def median_ms(fn): return triton.testing.do_bench(fn, warmup=25, rep=200, return_mode='median')

def copy_bandwidth():
    "Bytes per millisecond of a large device-to-device copy (read + write)."
    src = torch.empty(1 << 28, dtype=torch.uint8, device='cuda')
    dst = torch.empty_like(src)
    return 2 * src.numel() / median_ms(lambda: dst.copy_(src))

def random_boxes(images, per_image, seed, image=IMAGE, sides=(16, 800), device='cuda'):
    "Per-image boxes with log-uniform sizes (by default 16..800 px, so that all three levels are used) and aspect ratios 1:2..2:1."
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(images):
        side = torch.exp(torch.empty(per_image).uniform_(math.log(sides[0]), math.log(sides[1]), generator=g))
        ratio = torch.exp(torch.empty(per_image).uniform_(-math.log(2), math.log(2), generator=g))
        w, h = side / ratio.sqrt(), side * ratio.sqrt()
        cx, cy = torch.rand(per_image, generator=g) * image[1], torch.rand(per_image, generator=g) * image[0]
        out.append(torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1).to(device))
    return out

def touched_pixels(rois, shape, scale):
    "Distinct (image, y, x) feature pixels that RoIAlign's samples read."
    _, _, H, W = shape
    ys, xs, in_y, in_x, _ = sample_grid(rois, OUTPUT, scale, SAMPLING, aligned=False)
    y_lo, y_hi, _, _, ok_y = corner_weights(ys, H)
    x_lo, x_hi, _, _, ok_x = corner_weights(xs, W)
    n = rois[:, 0].long()
    keys = []
    for yi in (y_lo, y_hi):
        for xi in (x_lo, x_hi):
            valid = (ok_y & in_y)[:, :, :, None, None] & (ok_x & in_x)[:, None, None, :, :]
            key = (n[:, None, None, None, None] * H + yi[:, :, :, None, None]) * W + xi[:, None, None, :, :]
            keys.append(key[valid])
    return torch.cat(keys).unique().numel()

def floor_ms(maps, rois, levels, dtype, bandwidth, backward):
    "Memory-traffic floor of one call, in milliseconds."
    size = torch.finfo(dtype).bits // 8
    touched = sum(touched_pixels(rois[levels == l], m.shape, 1 / s) for l, (m, s) in enumerate(zip(maps, STRIDES)))
    out_bytes = len(rois) * CHANNELS * OUTPUT * OUTPUT * size
    fwd = touched * CHANNELS * size + out_bytes
    if not backward: return fwd / bandwidth
    full = sum(m.numel() for m in maps)
    bwd = out_bytes + touched * CHANNELS * 8 + full * 4 + (full * (4 + size) if dtype != torch.float32 else 0)
    return (fwd + bwd) / bandwidth

def copy_ms(maps, bandwidth):
    "The channels-last copy the op makes of NCHW maps (read and written once), in milliseconds."
    return 2 * sum(m.numel() * m.element_size() for m in maps) / bandwidth

def deterministic_extra_bytes(rois:int, maps:list, dtype) -> int:
    "Memory traffic the deterministic backward adds to the atomic one: its records built, sorted and read, less what it saves."
    E = rois * (OUTPUT * SAMPLING) ** 2 * 4  # a record per (bin, sample, corner)
    size = torch.finfo(dtype).bits // 8
    build = E * (4 + 4 + 14)  # pixel keys (int32) and weights written; the zero-weight test (bool) and the key select
    sort = E * (4 * 2 * (4 + 8) + 4)  # four 8-bit radix passes over int32 keys with int64 indices, read and written; a histogram
    gather = E * (4 + 12 + 4) + E * (12 + 4) + E * 16  # bins expanded and gathered by index, weights gathered, the pairs stacked
    read = E * 8  # the gather kernel reads each record once
    full = sum(m.numel() for m in maps)
    saved = full * 4 + (full * (4 + size) if dtype != torch.float32 else 0)  # no zeroed float32 buffer, no cast to bfloat16
    return build + sort + gather + read - saved

def rel_err(a, b): return ((a.float() - b.float()).abs().max() / b.float().abs().max()).item()

def run_case(kind, images, per_image, dtype, bandwidth, rows):
    "Time one case (images x RoIs per image) in one dtype; append the table rows."
    torch.manual_seed(0)
    maps = [torch.randn(images, CHANNELS, math.ceil(IMAGE[0] / s), math.ceil(IMAGE[1] / s), device='cuda', dtype=dtype)
            for s in STRIDES]
    boxes = random_boxes(images, per_image, seed=images * 1000 + per_image)
    rois = rois_from_boxes(boxes)
    levels = level_for_boxes(rois[:, 1:]) - 3
    autocast = torch.autocast('cuda', dtype=torch.bfloat16, enabled=dtype == torch.bfloat16)
    name = f'{kind} {images}x{per_image}'
    dname = str(dtype).replace('torch.', '')

    def time_pair(label, ours_fn, ref_fn, floor_fwd, floor_bwd, inputs):
        "Check ours against torchvision, then time both, forward and forward + backward."
        check = rel_err(ours_fn(), ref_fn().to(dtype))
        for mode, floor in (('fwd', floor_fwd), ('fwd+bwd', floor_bwd)):
            if mode == 'fwd':
                ours, ref = median_ms(ours_fn), median_ms(ref_fn)
            else:
                for t in inputs: t.requires_grad_(True)
                g = torch.randn_like(ours_fn())
                ours = median_ms(lambda: torch.autograd.grad(ours_fn(), inputs, g))
                ref = median_ms(lambda: torch.autograd.grad(ref_fn(), inputs, g.to(ref_fn().dtype)))
                for t in inputs: t.requires_grad_(False)
            rows.append((name, label, dname, mode, ours, ref, ref / ours, floor, ours / floor, check, copy_ms(inputs, bandwidth)))

    for l, (m, s) in enumerate(zip(maps, STRIDES)):
        one_level = torch.zeros_like(levels)  # every RoI pooled from this map
        def ours_fn(m=m, s=s): return roi_align(m, rois, OUTPUT, 1 / s, SAMPLING, aligned=False)
        def ref_fn(m=m, s=s):
            with autocast: return torchvision.ops.roi_align(m, rois, OUTPUT, 1 / s, SAMPLING, aligned=False)
        time_pair(f'P{l + 3} per level', ours_fn, ref_fn, floor_ms([m], rois, one_level, dtype, bandwidth, False),
                  floor_ms([m], rois, one_level, dtype, bandwidth, True), [m])

    pooler = MultiLevelRoIAlign(OUTPUT, SAMPLING, aligned=False)
    tv = torchvision.ops.MultiScaleRoIAlign(['p3', 'p4', 'p5'], OUTPUT, SAMPLING)
    def fused(): return pooler(maps, boxes)
    def fused_ref():
        with autocast: return tv(OrderedDict(zip(['p3', 'p4', 'p5'], maps)), boxes, [IMAGE] * images)
    time_pair('fused P3-P5', fused, fused_ref, floor_ms(maps, rois, levels, dtype, bandwidth, False),
              floor_ms(maps, rois, levels, dtype, bandwidth, True), maps)

    # The deterministic backward against the atomic one, and against the atomic one plus the traffic it is estimated to add
    for t in maps: t.requires_grad_(True)
    g = torch.randn_like(fused())
    atomic = median_ms(lambda: torch.autograd.grad(fused(), maps, g))
    atomic_grads = torch.autograd.grad(fused(), maps, g)
    torch.use_deterministic_algorithms(True)
    try:
        det = median_ms(lambda: torch.autograd.grad(fused(), maps, g))
        det_grads = [torch.autograd.grad(fused(), maps, g) for _ in range(2)]
    finally: torch.use_deterministic_algorithms(False)
    for t in maps: t.requires_grad_(False)
    assert all(torch.equal(a, b) for a, b in zip(*det_grads)), 'the deterministic backward gave two different gradients'
    check = max(rel_err(a, b) for a, b in zip(det_grads[0], atomic_grads))
    estimate = atomic + deterministic_extra_bytes(len(rois), maps, dtype) / bandwidth
    rows.append((name, 'fused deterministic', dname, 'fwd+bwd', det, atomic, atomic / det, estimate, det / estimate, check, copy_ms(maps, bandwidth)))

def detailed_table(rows, bandwidth) -> str:
    "Every timing of the run: per level and fused, with the memory floor and the error against torchvision."
    lines = [f'RoIAlign on {torch.cuda.get_device_name()} (triton {triton.__version__}); copy bandwidth {bandwidth / 1e6:.0f} GB/s', '',
             "'fused deterministic': ours under torch.use_deterministic_algorithms(True) against ours with atomics (the reference "
             "column), and against the atomic time plus the traffic the records are estimated to add (the floor column); its "
             "error is against the atomic gradient, and two runs gave the same bits. 'NHWC copy': the channels-last copy of the "
             "NCHW maps that every call makes, at the copy bandwidth (included in ours).", '',
             '| case | op | dtype | pass | ours ms | reference ms | speedup | floor ms | ours / floor | max rel err | NHWC copy ms (est) |',
             '|---|---|---|---|---|---|---|---|---|---|---|']
    lines += ['| {} | {} | {} | {} | {:.3f} | {:.3f} | {:.2f}x | {:.3f} | {:.2f} | {:.1e} | {:.3f} |'.format(*r) for r in rows]
    return '\n'.join(lines)

# (name, images, channels, map height and width, stride, RoIs per image, image size, box sides, sampling ratio)
CPU_CASES = [('tiny P3', 4, 32, (16, 16), 8, 19, (128, 128), (8, 128), 1),
             ('r50 P3 at 320x320', 2, 256, (40, 40), 8, 100, (320, 320), (16, 224), 2),
             ('r50 P3 at 800x1344', 2, 256, (100, 168), 8, 100, IMAGE, (16, 224), 2),
             ('r50 P4 at 800x1344', 2, 256, (50, 84), 16, 100, IMAGE, (224, 448), 2),
             ('r50 P5 at 800x1344', 2, 256, (25, 42), 32, 100, IMAGE, (448, 800), 2)]
AUTO_TARGET = 1.2  # 'auto' may pick the slower backend only where the two are this close

def run_cpu(args) -> list:
    "Rows: 'separable' against 'torchvision' on the CPU, with and without a gradient, and what 'auto' picks."
    rows, picks = [], []
    warmup, runs = (1, 2) if args.quick else (2, 7)
    for name, images, channels, (H, W), stride, per_image, image, sides, sr in CPU_CASES:
        torch.manual_seed(0)
        x = torch.randn(images, channels, H, W)
        rois = rois_from_boxes(random_boxes(images, per_image, seed=per_image, image=image, sides=sides, device='cpu'))
        for grad in (True, False):
            x.requires_grad_(grad)
            g = torch.randn(len(rois), channels, OUTPUT, OUTPUT)
            def call(backend):
                out = roi_align(x, rois, OUTPUT, 1 / stride, sr, True, backend=backend)
                return (lambda: torch.autograd.grad(out, x, g)) if grad else (lambda: out)
            fns = {b: (lambda b=b: call(b)()) for b in ('separable', 'torchvision')}
            check = rel_err(*(roi_align(x.detach(), rois, OUTPUT, 1 / stride, sr, True, backend=b) for b in fns))
            with torch.set_grad_enabled(grad):
                t = take_turns(fns, 'cpu', warmup, runs)
                pick = _check_backend('auto', x, (OUTPUT, OUTPUT), sr)
            setting = f"{name}: {images}x{channels}x{H}x{W}, {len(rois)} RoIs, sr {sr}, {'fwd+bwd' if grad else 'fwd'}"
            rows.append(Row('roi_align cpu', f'separable, {setting}', 1e3 * t['separable'], 1e3 * t['torchvision'], 'torchvision',
                            note=f"auto picks {pick}; max rel err {check:.1e}"))
            if grad: picks.append((t[pick] / min(t.values()), setting, pick, 1e3 * t[pick], 1e3 * min(t.values())))
        x.requires_grad_(False)
    worst = max(picks)
    rows.append(Row('roi_align cpu', f"auto's pick with a gradient against the faster backend, worst case ({worst[1]}: {worst[2]})", worst[3], worst[4],
                    'the faster', AUTO_TARGET))
    return rows

TARGET_CASE = ('training 8x150', 'float32', 'fwd+bwd')  # the RoIAlign issue: fused fwd+bwd >= 2x faster than torchvision

def run(args) -> list:
    "The suite's rows: fused P3-P5 against MultiScaleRoIAlign per case, dtype and pass; the worst forward against its floor."
    cpu_rows = run_cpu(args)
    if not has_gpu() or args.device != 'cuda':
        return cpu_rows + [skipped('roi_align', f'fused P3-P5, {kind} {n}x{k}, fp32/bf16, fwd and fwd+bwd', 'MultiScaleRoIAlign',
                        0.5 if (kind, n, k) == ('training', 8, 150) else None) for kind, n, k in CASES] + \
               [skipped('roi_align', 'fused fwd, worst case against the memory floor', 'floor', 2.0),
                skipped('roi_align', 'fused P3-P5 deterministic backward, training 8x150, fp32/bf16, fwd+bwd', 'ours, atomic')]
    bandwidth = copy_bandwidth()
    detail = []
    for kind, images, per_image in CASES:
        for dtype in (torch.float32, torch.bfloat16):
            run_case(kind, images, per_image, dtype, bandwidth, detail)
    rows = []
    for case, op, dname, mode, ours, ref, _, floor, over_floor, err, _ in detail:
        if op == 'fused deterministic' and case == TARGET_CASE[0]:
            rows.append(Row('roi_align', f'fused P3-P5 deterministic backward, {case}, {dname}, fwd+bwd', ours, ref, 'ours, atomic',
                            note=f'estimated from its extra traffic: {floor:.3f} ms; max rel err {err:.1e}, bit-identical runs'))
        if op != 'fused P3-P5': continue
        target = 0.5 if (case, dname, mode) == TARGET_CASE else None
        rows.append(Row('roi_align', f'fused P3-P5, {case}, {dname}, {mode}', ours, ref, 'MultiScaleRoIAlign', target,
                        note=f'floor {floor:.3f} ms; max rel err {err:.1e}'))
    worst = max((r for r in detail if r[1] == 'fused P3-P5' and r[3] == 'fwd'), key=lambda r: r[8])
    rows.append(Row('roi_align', f'fused fwd, worst case against the memory floor ({worst[0]}, {worst[2]})', worst[4], worst[7],
                    'floor', 2.0, note='floor: bytes that must move / copy bandwidth'))
    if not hasattr(args, 'details'): args.details = []
    args.details.append(('RoIAlign in detail', detailed_table(detail, bandwidth)))
    return cpu_rows + rows

if __name__ == '__main__':
    args = __import__('common').parser('RoIAlign: Triton kernels against torchvision').parse_args()
    rows = run(args)
    print(report(rows, 'RoIAlign: Triton kernels against torchvision'))
    for title, text in getattr(args, 'details', []): print(f'## {title}\n\n{text}')
