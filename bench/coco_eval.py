"""COCO evaluation time: `evaluate_coco(..., backend='faster_coco_eval')` against pycocotools, on the synthetic validation set.

    python bench/coco_eval.py          # the 'demo' validation set (160 images); --setting hard for 300 larger ones

The results evaluated are made from the ground truth, so that they look like a good detector's: every object found
once with a jittered box (and its own mask), a duplicate of some objects with a looser box, and false positives, all
with random scores. Both backends evaluate the same records (bbox and segm, the way `COCOEvaluation` calls it after
every epoch), with the ground truth handed over as a pycocotools COCO, so the faster backend's time includes building its
own index. The row's note checks that both report the same AP.
"""
import random, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, main_for, parser, report
from pycocotools import mask as mask_utils
from retinamask.synthetic import synthetic_dataset, synthetic_config
from retinamask.evaluation import evaluate_coco

def fake_results(coco, seed=0):
    "bbox and segm result records that score well but not perfectly."
    rng = random.Random(seed)
    bbox, segm = [], []
    cats = coco.getCatIds()
    for img in coco.dataset['images']:
        h, w = img['height'], img['width']
        anns = coco.loadAnns(coco.getAnnIds(imgIds=img['id']))
        records = []
        for a in anns:
            x, y, bw, bh = a['bbox']
            for spread in (0.05, 0.25)[:1 + (rng.random() < 0.3)]:  # the object, sometimes a looser duplicate
                j = lambda v: v + rng.gauss(0, spread) * max(bw, bh)
                records.append((a['category_id'], [j(x), j(y), bw * (1 + rng.gauss(0, spread)), bh * (1 + rng.gauss(0, spread))], coco.annToRLE(a)))
        for _ in range(3):  # false positives
            bw, bh = rng.uniform(8, w / 2), rng.uniform(8, h / 2)
            x, y = rng.uniform(0, w - bw), rng.uniform(0, h - bh)
            rle = mask_utils.frPyObjects([[x, y, x + bw, y, x + bw, y + bh, x, y + bh]], h, w)[0]
            records.append((rng.choice(cats), [x, y, bw, bh], rle))
        for cat, box, rle in records:
            score = rng.random()
            bbox.append(dict(image_id=img['id'], category_id=cat, bbox=[round(v, 2) for v in box], score=score))
            segm.append(dict(image_id=img['id'], category_id=cat, score=score,
                             segmentation=dict(size=rle['size'], counts=rle['counts'].decode() if isinstance(rle['counts'], bytes) else rle['counts'])))
    return bbox, segm

def run(args) -> list:
    setting = getattr(args, 'setting', 'demo')
    coco = synthetic_dataset('val', synthetic_config(setting)).coco
    bbox, segm = fake_results(coco)
    repeats = 1 if args.quick else 3
    times, ap = {}, {}
    for backend in ('pycocotools', 'faster_coco_eval') * repeats:  # taking turns
        start = time.perf_counter()
        out = evaluate_coco(coco, bbox, segm, backend=backend)
        times.setdefault(backend, []).append(time.perf_counter() - start)
        ap[backend] = (out['bbox']['AP'], out['segm']['AP'])
    same = all(abs(a - b) < 1e-6 for a, b in zip(ap['pycocotools'], ap['faster_coco_eval']))
    t = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
    note = (f"{len(coco.dataset['images'])} images, {len(bbox)} detections; bbox/segm AP {ap['pycocotools'][0]:.4f}/{ap['pycocotools'][1]:.4f} "
            + ('equal in both' if same else f"DIFFERENT: faster_coco_eval {ap['faster_coco_eval'][0]:.4f}/{ap['faster_coco_eval'][1]:.4f}"))
    return [Row('coco_eval', f'bbox + segm, synthetic {setting} val', 1e3 * t['faster_coco_eval'], 1e3 * t['pycocotools'],
                'pycocotools', 1.0, note=note)]

if __name__ == '__main__':
    p = parser('COCO evaluation: faster-coco-eval against pycocotools')
    p.add_argument('--setting', default='demo', help="built-in dataset setting: 'demo' or 'hard'")
    args = p.parse_args()
    print(report(run(args), 'COCO evaluation: faster-coco-eval against pycocotools'))
