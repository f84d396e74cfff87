"""The torch profiler's view of one RetinaMask r50 inference pass and one training step: what dominates.

    python bench/profile_model.py                  # CPU: 320 px; GPU: 800 x 1333, with CUDA times
    python bench/profile_model.py --size 512 --batch 2 --rows 30

Not part of `make bench` (it measures no ratio); run it before changing anything, and after.
"""
import argparse, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import has_gpu
import torch
from torch.profiler import profile, ProfilerActivity
from retinamask.model import RetinaMask, RetinaMaskConfig
from train_step import make_batch, trainer

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--device', default='cuda' if has_gpu() else 'cpu')
    p.add_argument('--size', type=int, nargs='+', default=None, help='image side(s): H [W]')
    p.add_argument('--batch', type=int, default=2)
    p.add_argument('--rows', type=int, default=20)
    args = p.parse_args()
    device = torch.device(args.device)
    size = tuple(args.size * 2 if args.size and len(args.size) == 1 else args.size or ((800, 1333) if device.type == 'cuda' else (320, 320)))
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == 'cuda' else [])
    sort = 'cuda_time_total' if device.type == 'cuda' else 'cpu_time_total'
    torch.manual_seed(0)
    model = RetinaMask(RetinaMaskConfig.preset('r50', score_thresh=0.)).to(device).eval()
    images, targets = make_batch(args.batch, size, device)
    with torch.inference_mode():
        model(images)
        with profile(activities=activities) as prof: model(images)
    print(f'# inference, masks on, {size[0]}x{size[1]}, batch {args.batch}, {device.type}\n')
    print(prof.key_averages().table(sort_by=sort, row_limit=args.rows, max_name_column_width=50))
    step = trainer(RetinaMask(RetinaMaskConfig.preset('r50')).to(device), images, targets, amp=False)
    step()
    with profile(activities=activities) as prof: step()
    print(f'# training step, masks on, {size[0]}x{size[1]}, batch {args.batch}, {device.type}\n')
    print(prof.key_averages().table(sort_by=sort, row_limit=args.rows, max_name_column_width=50))

if __name__ == '__main__': main()
