"""Inference latency of RetinaMask r50, detection-only and with masks, against torchvision's RetinaNet and Mask R-CNN.

    python bench/inference.py                 # CPU: one 512 x 512 image; GPU: 800 x 1333, batch 1 and 8
    python bench/inference.py --quick

All models have random weights and the score threshold at 0, so that post-processing handles full candidate sets in
every model (trained weights would threshold most candidates away): 1000 candidates per level, per-class NMS at 0.4,
100 detections per image. RetinaMask with masks runs its mask head on its top 50 detections (the paper's setting) and
pastes them; Mask R-CNN runs its mask head on all 100 (its only setting). torchvision's models are built in the layout
`*_resnet50_fpn` has around ImageNet weights (FrozenBatchNorm2d, stem and res2 frozen: our r50's layout); their
transform is set to the image's size, so nothing is resized differently. `torch.inference_mode`, warm-up, then the
median of rounds in which the models take turns. On a GPU, one more row counts the host synchronisations of a forward
pass (`torch.cuda.set_sync_debug_mode`), and one times the detection-only model with `torch.compile` on the backbone
and heads.
"""
import sys, warnings
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, has_gpu, skipped, take_turns, main_for
import torch
import references
from retinamask.model import RetinaMask, RetinaMaskConfig

def ours(mask_on):
    return RetinaMask(RetinaMaskConfig.preset('r50', mask_on=mask_on, score_thresh=0.))

def count_syncs(fn) -> int:
    "Host synchronisations the CUDA runtime reports while `fn` runs."
    torch.cuda.synchronize()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        torch.cuda.set_sync_debug_mode('warn')
        try: fn()
        finally: torch.cuda.set_sync_debug_mode(0)
    return sum('synchroniz' in str(w.message).lower() for w in caught)

def run(args) -> list:
    device = torch.device(args.device)
    gpu = device.type == 'cuda'
    size = (800, 1333) if gpu else (512, 512)
    batches = (1, 8) if gpu else (1,)
    warmup, runs = (1, 2) if args.quick else ((3, 10) if gpu else (1, 5))
    torch.manual_seed(0)
    models = {'retinanet': references.retinanet(size), 'maskrcnn': references.maskrcnn(size),
              'retinanet_as_built': references.retinanet_as_built(size), 'off': ours(False), 'on': ours(True)}
    models = {k: m.to(device).eval() for k, m in models.items()}
    rows, place = [], f'{size[0]}x{size[1]}'
    for batch in batches:
        images = [torch.rand(3, *size, device=device) for _ in range(batch)]
        outputs = {}
        def call(name):
            def f(): outputs[name] = models[name](images)
            return f
        with torch.inference_mode():
            t = take_turns({k: call(k) for k in models}, device, warmup, runs)
        dets = {k: sum(len(o['boxes']) for o in v) for k, v in outputs.items()}
        setting = f'{place}, batch {batch}, fp32'
        rows += [Row('inference', f'masks off, {setting}', 1e3 * t['off'], 1e3 * t['retinanet'], 'tv RetinaNet', 1.0,
                     note=f"detections {dets['off']} / {dets['retinanet']}"),
                 Row('inference', f'masks on, {setting}', 1e3 * t['on'], 1e3 * t['maskrcnn'], 'tv Mask R-CNN', 1.0,
                     note=f"detections {dets['on']} / {dets['maskrcnn']}; masks for 50 / 100 per image"),
                 Row('inference', f'masks on vs RetinaNet, {setting}', 1e3 * t['on'], 1e3 * t['retinanet'], 'tv RetinaNet',
                     note='the cost of the masks'),
                 Row('inference', f'tv as built (trainable BN) vs frozen layout, {setting}', 1e3 * t['retinanet_as_built'],
                     1e3 * t['retinanet'], 'tv RetinaNet', note='retinanet_resnet50_fpn(weights=None) against the reference')]
    if not gpu:
        for batch in (1, 8):
            rows.append(skipped('inference', f'masks off / on, 800x1333, batch {batch}, fp32', 'tv RetinaNet / Mask R-CNN', 1.0))
        rows.append(skipped('inference', 'host syncs per forward, masks off / on', 'tv RetinaNet / Mask R-CNN', unit='syncs'))
        rows.append(skipped('inference', 'masks off, torch.compile(backbone, head), 800x1333, batch 1', 'eager'))
        return rows
    images = [torch.rand(3, *size, device=device)]
    with torch.inference_mode():
        syncs = {k: count_syncs(lambda: models[k](images)) for k in ('off', 'retinanet', 'on', 'maskrcnn')}
    rows += [Row('inference', 'host syncs per forward, masks off, batch 1', syncs['off'], syncs['retinanet'], 'tv RetinaNet', unit='syncs'),
             Row('inference', 'host syncs per forward, masks on, batch 1', syncs['on'], syncs['maskrcnn'], 'tv Mask R-CNN', unit='syncs')]
    try:  # the convolutions dominate: compile the backbone and heads (fixed input size), keep post-processing eager
        compiled = ours(False).to(device).eval()
        compiled.backbone = torch.compile(compiled.backbone)
        compiled.head = torch.compile(compiled.head)
        eager = models['off']
        with torch.inference_mode():
            t = take_turns({'compiled': lambda: compiled(images), 'eager': lambda: eager(images)}, device, warmup + 2, runs)
        rows.append(Row('inference', f'masks off, torch.compile(backbone, head), {place}, batch 1', 1e3 * t['compiled'],
                        1e3 * t['eager'], 'eager', 1.0))
    except Exception as e:  # report, never hide: a failed compile is a result too
        rows.append(Row('inference', f'masks off, torch.compile(backbone, head), {place}, batch 1', note=f'failed: {type(e).__name__}: {str(e)[:80]}'))
    return rows

if __name__ == '__main__': main_for(run, 'Inference latency: RetinaMask r50 against torchvision')
