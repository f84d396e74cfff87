"""Inference latency of RetinaMask (`r50`) against torchvision's RetinaNet-R50-FPN, in one run.

    python bench/inference.py              # CPU: one 512 x 512 image; GPU (if any): one 800 x 1333 image
    python bench/inference.py --size 640 640 --runs 9

Both models have random weights and the score threshold at 0, so that the post-processing handles full candidate
sets: 1000 candidates per level, per-class NMS at 0.4, 100 detections per image, in both models. With masks on,
RetinaMask also runs its mask head on the top 50 detections and pastes the 50 masks into the image.

The reference is torchvision's `RetinaNet` in the layout `retinanet_resnet50_fpn` builds when it loads ImageNet
weights (trunk with `FrozenBatchNorm2d`, stem and res2 frozen: what a user deploys, and the layout of our `r50`),
here with random weights since this machine has no internet. A second row times
`retinanet_resnet50_fpn(weights=None, weights_backbone=None)` itself, which switches its trunk to trainable
`BatchNorm2d` (no other difference). Box coders are set to RetinaMask's weights (10, 10, 5, 5), which changes no cost.
Its transform is set to the image's size, so it resizes by a factor of 1 (an interpolation it always runs).
Timings: `torch.inference_mode`, warm-up runs, then the median of several rounds in which the models take turns.
Targets: masks off <= 1.0x torchvision's latency, masks on <= 1.15x.
"""
import argparse, statistics, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import torch
import torchvision
from torchvision.ops import FrozenBatchNorm2d
from torchvision.models.detection.backbone_utils import _resnet_fpn_extractor
from torchvision.models.detection._utils import BoxCoder
from torchvision.ops.feature_pyramid_network import LastLevelP6P7
from retinamask.boxes import BOX_WEIGHTS
from retinamask.model import RetinaMask, RetinaMaskConfig

TARGETS = {'RetinaMask r50, masks off': 1.0, 'RetinaMask r50, masks on': 1.15}

SETTINGS = dict(score_thresh=0.0, nms_thresh=0.4, detections_per_img=100, topk_candidates=1000)

def torchvision_retinanet(size):
    "torchvision's RetinaNet-R50-FPN (pretrained layout, random weights) with RetinaMask's inference settings."
    backbone = _resnet_fpn_extractor(torchvision.models.resnet50(norm_layer=FrozenBatchNorm2d), 3,
                                     returned_layers=[2, 3, 4], extra_blocks=LastLevelP6P7(256, 256))
    model = torchvision.models.detection.RetinaNet(backbone, num_classes=80, min_size=min(size), max_size=max(size), **SETTINGS)
    model.box_coder = BoxCoder(BOX_WEIGHTS)
    return model

def torchvision_retinanet_bn(size):
    "`retinanet_resnet50_fpn(weights=None, weights_backbone=None)` as built: trainable BatchNorm in the trunk."
    model = torchvision.models.detection.retinanet_resnet50_fpn(num_classes=80, weights=None, weights_backbone=None,
                                                                min_size=min(size), max_size=max(size), **SETTINGS)
    model.box_coder = BoxCoder(BOX_WEIGHTS)
    return model

def latencies(models, image, device, warmup, runs):
    "Median seconds of a forward pass on [image] and the last output, per model; models take turns, so load drifts hit all alike."
    sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)
    times, outputs = {name: [] for name in models}, {}
    with torch.inference_mode():
        for name, model in models.items():
            for _ in range(warmup): model([image])
        for _ in range(runs):
            for name, model in models.items():
                sync(); start = time.perf_counter()
                outputs[name] = model([image])[0]
                sync(); times[name].append(time.perf_counter() - start)
    return {name: (statistics.median(t), outputs[name]) for name, t in times.items()}

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--size', type=int, nargs=2, default=None, help='image height and width (default: 512 512 on CPU, 800 1333 on GPU)')
    parser.add_argument('--runs', type=int, default=7, help='timed runs per model (the median is reported)')
    parser.add_argument('--warmup', type=int, default=2, help='untimed runs per model first')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    args = parser.parse_args()
    device = torch.device(args.device)
    size = tuple(args.size or ((800, 1333) if device.type == 'cuda' else (512, 512)))
    torch.manual_seed(0)
    image = torch.rand(3, *size, device=device)
    models = {'torchvision RetinaNet': torchvision_retinanet(size),
              'torchvision retinanet_resnet50_fpn(weights=None)': torchvision_retinanet_bn(size)}
    for masks in (False, True):
        models[f"RetinaMask r50, masks {'on' if masks else 'off'}"] = RetinaMask(RetinaMaskConfig.preset('r50', mask_on=masks, score_thresh=0.))
    results = latencies({name: model.to(device).eval() for name, model in models.items()}, image, device, args.warmup, args.runs)
    reference = results['torchvision RetinaNet'][0]
    threads = f', {torch.get_num_threads()} threads' if device.type == 'cpu' else ''
    print(f'Inference latency, one {size[0]} x {size[1]} image, {device.type}{threads}, torch {torch.__version__}, '
          f'median of {args.runs} rounds after {args.warmup} warm-up runs\n')
    print('| model | detections | masks | latency (ms) | ratio | target |')
    print('|---|---|---|---|---|---|')
    failed = []
    for name, (seconds, out) in results.items():
        ratio = seconds / reference
        target = TARGETS.get(name)
        masks = int(out['masks'].flatten(1).amax(1).gt(0).sum()) if 'masks' in out else '-'
        mark = '' if target is None else (f'<= {target:.2f}x ' + ('met' if ratio <= target else 'MISSED'))
        if target is not None and ratio > target: failed.append(name)
        print(f"| {name} | {len(out['boxes'])} | {masks} | {1000 * seconds:.0f} | {ratio:.2f}x | {mark} |")
    if failed: print(f"\nTargets missed: {', '.join(failed)} (the mask head's cost is fixed per detection; see the model notebook).")

if __name__ == '__main__':
    main()
