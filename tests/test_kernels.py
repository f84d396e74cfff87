"""The compiled-kernel check (tools/check_kernels.py) on a small set: it catches each problem in kernels written to have it,
and the RoIAlign kernels the r50 model's training path launches (float32, two tiles, sm_90 and sm_80) pass it.

It compiles real GPU code, so it runs in a subprocess without TRITON_INTERPRET (which conftest.py sets for this one).
The full set (every preset, dtype, layout, `aligned` and tile) runs in `make bench`."""
import os, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent

@pytest.fixture(scope='module')
def check():
    env = {k: v for k, v in os.environ.items() if k != 'TRITON_INTERPRET'}
    return subprocess.run([sys.executable, str(ROOT / 'tools' / 'check_kernels.py'), '--self-test', '--quick'], env=env,
                          capture_output=True, text=True, timeout=1200)

def test_check_catches_each_problem(check):
    assert 'self-test:' in check.stderr, check.stderr[-3000:]
    assert check.returncode != 2, 'the check missed a problem it is for:\n' + check.stderr[-3000:]
    for problem in ('fenced atomics', 'value-returning atomics', 'atomics in the deterministic backward', 'shared memory in a loop',
                    'scalar loads in the hot loop', 'spills', 'occupancy'):
        assert f"caught '{problem}" in check.stderr, problem

def test_launched_kernels_pass(check):
    assert check.returncode == 0, check.stdout[-4000:] + check.stderr[-2000:]
    assert ', 0 with problems' in check.stdout
    for kernel in ('_roi_align_fwd_kernel', '_roi_align_bwd_kernel', '_gather_grad_kernel'): assert kernel in check.stdout
