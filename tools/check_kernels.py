"""Compile RoIAlign's Triton kernels for real GPUs on any machine, read their machine code, and fail on what makes them slow.

    python tools/check_kernels.py              # every configuration the code launches, for sm_90 and sm_80
    python tools/check_kernels.py --quick      # the model's training path in float32, two tiles (what CI runs)
    python tools/check_kernels.py --out FILE   # also write the tables as Markdown

No GPU or driver is needed: `triton.compile` runs the ptxas that ships in the triton wheel, and cuobjdump (also in the
wheel) turns the binary into SASS. The configurations are not listed by hand: each setting below (the model's pooler for
every preset, the mask-target crops, plain `roi_align` calls) calls retinamask.roi_align's own implementation on meta
tensors with the kernels replaced by recorders, so what is compiled is exactly what that code would launch: the same
arguments, the same Triton specialisation, every autotune tile.

Each compiled kernel fails the check on: a compile error; any register spill; a fenced (MEMBAR, CCTL) or
value-returning (ATOM) atomic where an accumulation needs only a reduction (RED); any atomic in the deterministic
backward; a barrier or shared-memory access inside a loop; global loads narrower than 64 bits inside the loop of a
kernel that reads many channels (one channel has nothing to vectorise); occupancy below 25%.

Why 25%: the kernels are memory-bound gathers. To keep an H100's 3.35 TB/s busy across 600 ns of DRAM latency, each of
its 132 SMs needs about 3.35e12 * 600e-9 / 132 = 15 KB of loads in flight (Little's law). A warp issues its four
corner loads together, 32 threads x 16 B each = 2 KB; 16 warps per SM (25% of 64) have 32 KB in flight, twice what
is needed, while 12.5% would leave no margin for loads that miss their sector or wait on the address arithmetic.
"""
import argparse, contextlib, dataclasses, io, math, os, re, subprocess, sys, tempfile, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
if os.environ.get('TRITON_INTERPRET') == '1':
    sys.exit('check_kernels compiles the real kernels: run it without TRITON_INTERPRET=1.')
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))
import torch
import triton
import triton.language as tl
from triton import knobs
from triton.backends.compiler import GPUTarget
from triton.compiler import ASTSource, make_backend
from triton.runtime.autotuner import Autotuner
from triton.runtime.jit import JITFunction, create_function_from_signature
import retinamask.roi_align as ra

ARCHS = (90, 80)
MIN_OCCUPANCY = 0.25  # see the module docstring
# Per-SM limits of the CUDA occupancy calculator (compute capability 8.0 and 9.0)
LIMITS = {80: dict(regs=65536, warps=64, blocks=32, smem=167936), 90: dict(regs=65536, warps=64, blocks=32, smem=233472)}
RESERVED_SMEM = 1024  # bytes the driver keeps per block on sm_80 and later
IMAGE = (800, 1344)  # an 800 x 1333 COCO image padded to a multiple of 32: P3 100 x 168, P4 50 x 84, P5 25 x 42
ROIS = 64  # only sizes the grid, which the compiled code does not depend on

# ---------------------------------------------------------------------------------------------------------------------
# What the code launches

@dataclasses.dataclass(frozen=True)
class Setting:
    "One way the library calls RoIAlign: who calls it, on what maps, and which passes run."
    name:str  # e.g. 'pooler r50'
    channels:int
    shapes:tuple  # (N, H, W) per map, finest first
    scales:tuple  # spatial scale per map
    dtype:torch.dtype
    layout:str  # 'NCHW' or 'NHWC': the layout the caller's maps have
    output_size:tuple
    sampling_ratio:int
    aligned:bool
    passes:tuple  # of 'fwd', 'bwd', 'bwd det'

    @property
    def vectorisable(self): return self.channels >= 8

    def label(self): return f'{self.name}, {self.layout} {str(self.dtype)[6:]}, {self.output_size[0]}x{self.output_size[1]}, sr {self.sampling_ratio}, aligned={self.aligned}'

def _levels(strides, images=2):
    return tuple((images, math.ceil(IMAGE[0] / s), math.ceil(IMAGE[1] / s)) for s in strides), tuple(1 / s for s in strides)

def settings(quick:bool=False) -> list:
    "Every setting the model (all presets), the mask targets and plain roi_align calls use; `quick`: the r50 training path in float32."
    from retinamask.model import RetinaMaskConfig, PRESETS
    dtypes = (torch.float32,) if quick else (torch.float32, torch.bfloat16, torch.float16)
    out, seen = [], set()
    for preset in (['r50'] if quick else list(PRESETS)):
        c = RetinaMaskConfig.preset(preset)
        if not c.mask_on: continue
        key = (c.fpn_channels, c.roi_output_size, c.roi_sampling_ratio, c.roi_aligned, tuple(c.mask_strides))
        if key in seen: continue
        seen.add(key)
        shapes, scales = _levels(c.mask_strides)
        for dtype in dtypes:
            for layout in (('NCHW',) if quick else ('NCHW', 'NHWC')):  # the FPN's maps are NCHW; NHWC from a channels-last model
                for aligned in ((c.roi_aligned,) if quick else (True, False)):
                    out.append(Setting(f'pooler {preset}', c.fpn_channels, shapes, scales, dtype, layout, (c.roi_output_size,) * 2,
                                       c.roi_sampling_ratio, aligned, ('fwd', 'bwd', 'bwd det')))
        if not quick:  # mask targets: one-channel masks at image resolution, adaptive sampling, no gradient
            out.append(Setting('mask targets', 1, ((16,) + IMAGE,), (1.0,), torch.float32, 'NCHW', (c.mask_resolution,) * 2, 0, True, ('fwd',)))
    if not quick:
        shapes, scales = _levels((16,))
        for dtype in (torch.float32, torch.bfloat16, torch.float64):  # torchvision's usual call: 7 x 7, adaptive sampling
            out.append(Setting('roi_align', 256, shapes, scales, dtype, 'NCHW', (7, 7), -1, False, ('fwd', 'bwd', 'bwd det')))
    return list(dict.fromkeys(out))

@dataclasses.dataclass
class Launch:
    "One recorded kernel launch: the kernel object as the module defines it, its arguments and keyword arguments."
    kernel:object
    args:tuple
    kwargs:dict

    @property
    def fn(self): return self.kernel.fn if isinstance(self.kernel, Autotuner) else self.kernel

    @property
    def configs(self):
        "The tiles this launch can run with: the autotuner's configurations, or the launch's own."
        if not isinstance(self.kernel, Autotuner): return [None]
        prune = getattr(self.kernel, 'early_config_prune', None)
        configs = self.kernel.configs
        if prune:
            named = dict(zip(self.fn.arg_names, self.args))
            configs = prune(configs, named, **self.kwargs)
        return list(configs)

class _Recorder:
    "Stands in for a Triton kernel: `kernel[grid](*args, **kwargs)` records the launch instead of running it."
    def __init__(self, kernel, launches): self.kernel, self.launches = kernel, launches
    def __getitem__(self, grid): return lambda *args, **kwargs: self.launches.append(Launch(self.kernel, args, kwargs))

@contextlib.contextmanager
def recording():
    "Replace every Triton kernel of retinamask.roi_align by a recorder; yield the list the launches go to."
    launches, saved = [], {}
    for name, obj in vars(ra).items():
        if isinstance(obj, (Autotuner, JITFunction)): saved[name] = obj
    try:
        for name, obj in saved.items(): setattr(ra, name, _Recorder(obj, launches))
        if hasattr(ra, '_wrap'): saved['_wrap'] = ra._wrap; ra._wrap = lambda kernel: kernel
        yield launches
    finally:
        for name, obj in saved.items(): setattr(ra, name, obj)

def _maps(s:Setting, device):
    fmt = torch.channels_last if s.layout == 'NHWC' else torch.contiguous_format
    return [torch.empty((n, s.channels, h, w), dtype=s.dtype, device=device).contiguous(memory_format=fmt) for n, h, w in s.shapes]

@contextlib.contextmanager
def _capability(arch):
    "Make torch.cuda.get_device_capability answer for a GPU of compute capability `arch` (the launch code asks it)."
    saved = torch.cuda.get_device_capability
    torch.cuda.get_device_capability = lambda device=None: divmod(arch, 10)
    try: yield
    finally: torch.cuda.get_device_capability = saved

def record(s:Setting, pass_:str, arch:int) -> list:
    "The launches one pass of one setting makes on a GPU of compute capability `arch`, through the library's own implementation."
    # Meta tensors have shapes, dtypes, strides and (offset) addresses but no values. The deterministic backward computes its
    # records from the RoIs' values (an adaptive grid's size, too), so it runs on the CPU, with zero-size RoIs.
    device = 'cpu' if pass_ == 'bwd det' else 'meta'
    maps = _maps(s, device)
    rois = torch.zeros((ROIS, 5), dtype=torch.promote_types(s.dtype, torch.float32), device=device)
    levels = torch.zeros(ROIS, dtype=torch.int32, device=device)
    geometry = (list(s.scales), list(s.output_size), s.sampling_ratio, s.aligned)
    with recording() as launches, _capability(arch):
        if pass_ == 'fwd': ra._roi_align_forward(rois, levels, maps, *geometry)
        else:
            grad_out = torch.empty((ROIS, s.channels, *s.output_size), dtype=s.dtype, device=device).contiguous(memory_format=torch.channels_last)
            ra._roi_align_backward(grad_out, rois, levels, maps, *geometry, deterministic=pass_ == 'bwd det')
    return launches

# ---------------------------------------------------------------------------------------------------------------------
# Compiling

def _tool(name):
    path = Path(triton.__file__).parent / 'backends' / 'nvidia' / 'bin' / name
    return str(path) if path.exists() else name

def compile_launch(launch:Launch, config, arch:int) -> dict:
    "Compile one launch with one tile for one architecture as Triton's launcher would; the PTX, SASS and ptxas's report."
    target = GPUTarget('cuda', arch, 32)
    backend = make_backend(target)
    fn = launch.fn
    kwargs = {**launch.kwargs, **(config.all_kwargs() if config is not None else {})}
    binder = create_function_from_signature(fn.signature, fn.params, backend)
    bound, specialization, options = binder(*launch.args, **kwargs)
    options, signature, constexprs, attrs = fn._pack_args(backend, kwargs, bound, specialization, options)
    log = io.StringIO()
    with contextlib.redirect_stdout(log), knobs.compilation.scope(), knobs.nvidia.scope():
        knobs.compilation.always_compile = True  # a cached binary would skip ptxas and its report
        knobs.nvidia.dump_ptxas_log = True
        kernel = triton.compile(ASTSource(fn, signature, constexprs, attrs), target=target, options=options.__dict__)
    with tempfile.NamedTemporaryFile(suffix='.cubin') as f:
        f.write(kernel.asm['cubin']); f.flush()
        usage = subprocess.run([_tool('cuobjdump'), '--dump-resource-usage', f.name], capture_output=True, text=True).stdout
        sass = subprocess.run([_tool('cuobjdump'), '-sass', f.name], capture_output=True, text=True).stdout
    return dict(ttgir=kernel.asm['ttgir'], ptx=kernel.asm['ptx'], sass=sass, usage=usage, ptxas=log.getvalue(), shared=kernel.metadata.shared,
                num_warps=kernel.metadata.num_warps)

# ---------------------------------------------------------------------------------------------------------------------
# Reading the machine code

SASS_LINE = re.compile(r'^\s*/\*([0-9a-f]{4,})\*/\s+(?:@!?U?P\w+\s+)?([A-Z][A-Z0-9_.]*)\s*([^;]*);')
def parse_sass(sass:str) -> list:
    "(address, opcode, operands) of every instruction."
    return [(int(m[1], 16), m[2], m[3]) for m in map(SASS_LINE.match, sass.splitlines()) if m]

def loops(instrs) -> list:
    "Address ranges [start, end] of the loops: a branch back to an earlier address closes one (the exit trap's self-branch is no loop)."
    out = []
    for addr, op, args in instrs:
        if op.split('.')[0] == 'BRA':
            target = re.search(r'0x([0-9a-f]+)', args)
            if target and int(target[1], 16) < addr: out.append((int(target[1], 16), addr))
    return out

def load_bytes(op):
    "Bytes one thread moves with a global load or store opcode."
    parts = op.split('.')
    for width, nbytes in (('128', 16), ('64', 8), ('U16', 2), ('S16', 2), ('U8', 1), ('S8', 1)):
        if width in parts: return nbytes
    return 4

KINDS = {'LDG': 'ldg', 'STG': 'stg', 'ATOM': 'atom', 'ATOMG': 'atom', 'RED': 'red', 'REDG': 'red', 'MEMBAR': 'membar',
         'FENCE': 'membar', 'CCTL': 'cctl', 'BAR': 'bar', 'STS': 'sts', 'LDS': 'lds', 'LDSM': 'lds', 'STSM': 'sts',
         'STL': 'stl', 'LDL': 'ldl'}

def occupancy(regs:int, smem:int, warps:int, arch:int) -> float:
    "Resident warps per SM / the most an SM holds, as CUDA's occupancy calculator computes it (registers allocated per warp in 256s)."
    lim = LIMITS[arch]
    regs_per_warp = math.ceil(regs * 32 / 256) * 256
    blocks = min(lim['blocks'], lim['warps'] // warps, (lim['regs'] // regs_per_warp) // warps,
                 lim['smem'] // (math.ceil(smem / 128) * 128 + RESERVED_SMEM))
    return blocks * warps / lim['warps']

def analyse(compiled:dict, arch:int) -> dict:
    "Registers, spills, shared memory, occupancy and instruction counts, whole kernel and inside loops."
    usage = re.search(r'REG:(\d+) STACK:(\d+) SHARED:(\d+) LOCAL:(\d+)', compiled['usage'])
    regs, stack, static_smem, local = map(int, usage.groups())
    spill = re.findall(r'(\d+) bytes spill stores, (\d+) bytes spill loads', compiled['ptxas'])
    spill_st, spill_ld = (max(int(a) for a, _ in spill), max(int(b) for _, b in spill)) if spill else (0, 0)
    smem = static_smem + compiled['shared']
    instrs = parse_sass(compiled['sass'])
    regions = loops(instrs)
    in_loop = lambda addr: any(a <= addr <= b for a, b in regions)
    counts, loop_counts, loop_loads = {}, {}, {}
    for addr, op, _ in instrs:
        if op == 'NOP': continue
        kind = KINDS.get(op.split('.')[0])
        counts['instr'] = counts.get('instr', 0) + 1
        if kind: counts[kind] = counts.get(kind, 0) + 1
        if kind and in_loop(addr):
            loop_counts[kind] = loop_counts.get(kind, 0) + 1
            if kind == 'ldg': loop_loads[load_bytes(op)] = loop_loads.get(load_bytes(op), 0) + 1
    warps = compiled['num_warps']
    return dict(regs=regs, spill_st=spill_st, spill_ld=spill_ld, stack=stack, local=local, smem=smem, warps=warps,
                occupancy=occupancy(regs, smem, warps, arch), counts=counts, loop=loop_counts, loop_loads=loop_loads, loops=len(regions))

def problems(a:dict, s:Setting, pass_:str) -> list:
    "What in one compiled kernel breaks the rules of the module docstring."
    c, lp, out = a['counts'], a['loop'], []
    if pass_ == 'bwd det' and (c.get('atom') or c.get('red')):
        out.append(f"atomics in the deterministic backward: {c.get('atom', 0)} ATOM, {c.get('red', 0)} RED")
    elif c.get('atom') or c.get('red'):
        if c.get('membar') or c.get('cctl'): out.append(f"fenced atomics: {c.get('membar', 0)} MEMBAR, {c.get('cctl', 0)} CCTL")
        if c.get('atom'): out.append(f"value-returning atomics: {c['atom']} ATOM where a reduction (RED) will do")
    if a['spill_st'] or a['spill_ld'] or a['local']: out.append(f"spills: {a['spill_st']} B stored, {a['spill_ld']} B loaded")
    if lp.get('bar') or lp.get('sts') or lp.get('lds'):
        out.append(f"shared memory in a loop: {lp.get('bar', 0)} BAR, {lp.get('sts', 0)} STS, {lp.get('lds', 0)} LDS")
    narrow = sum(n for nbytes, n in a['loop_loads'].items() if nbytes < 8)
    if s.vectorisable and narrow:
        out.append(f"scalar loads in the hot loop: {narrow} of {sum(a['loop_loads'].values())} narrower than 64 bits")
    if a["occupancy"] < MIN_OCCUPANCY: out.append(f"occupancy: {a['occupancy']:.1%} < {MIN_OCCUPANCY:.0%}")
    return out

# ---------------------------------------------------------------------------------------------------------------------
# The check checked: kernels written to have each problem must fail with it

@triton.jit
def _fenced_atomics(x_ptr, n, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    for i in range(n): tl.atomic_add(x_ptr + i * BLOCK + offs, 1.0)  # the default sem='acq_rel': fenced

@triton.jit
def _reduce_in_loop(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    rows, cols = tl.arange(0, BLOCK)[:, None], tl.arange(0, BLOCK)[None, :]
    acc = tl.zeros([BLOCK], dtype=tl.float32)
    for i in range(n): acc += tl.sum(tl.load(x_ptr + i * BLOCK * BLOCK + rows * BLOCK + cols), axis=0)  # across warps: shared memory
    tl.store(out_ptr + tl.arange(0, BLOCK), acc)

@triton.jit
def _strided_loads(x_ptr, out_ptr, n, stride, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    acc = tl.zeros([BLOCK], dtype=tl.float32)
    for i in range(n): acc += tl.load(x_ptr + i + offs * stride)  # threads `stride` elements apart: one element each
    tl.store(out_ptr + offs, acc)

@triton.jit
def _many_live_values(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    acc = tl.zeros([BLOCK], dtype=tl.float32)
    for i in range(n): acc += tl.load(x_ptr + i * BLOCK + offs)
    tl.store(out_ptr + offs, acc)

def _meta(*shape): return torch.empty(shape, device='meta')

SELF_TESTS = [  # (kernel, args, constexprs and options, setting's channels, pass, the problem it must show)
    (_fenced_atomics, (_meta(1024), 8), dict(BLOCK=256), 256, 'bwd', 'fenced atomics'),
    (_fenced_atomics, (_meta(1024), 8), dict(BLOCK=256), 256, 'bwd', 'value-returning atomics'),
    (_fenced_atomics, (_meta(1024), 8), dict(BLOCK=256), 256, 'bwd det', 'atomics in the deterministic backward'),
    (_reduce_in_loop, (_meta(1 << 16), _meta(64), 8), dict(BLOCK=64, num_warps=4), 256, 'fwd', 'shared memory in a loop'),
    (_strided_loads, (_meta(1 << 16), _meta(256), 8, 200), dict(BLOCK=256), 256, 'fwd', 'scalar loads in the hot loop'),
    (_many_live_values, (_meta(1 << 16), _meta(4096), 8), dict(BLOCK=4096, num_warps=1, maxnreg=32), 256, 'fwd', 'spills'),
    (_many_live_values, (_meta(1 << 20), _meta(32768), 8), dict(BLOCK=32768, num_warps=8), 256, 'fwd', 'occupancy'),
]

def self_test(arch:int=90, log=print) -> bool:
    "Compile each kernel of SELF_TESTS and check that the check names its problem; also the occupancy arithmetic by hand."
    ok = True
    # Hand-worked: 64 registers x 32 threads = 2048 per warp, 32 warps fit in 65536: 8 blocks of 4 warps = 50%;
    # 255 registers round up to 256 x 32 = 8192 per warp, 8 warps fit: one block of 8 warps = 12.5%.
    for args, expected in (((64, 0, 4, 90), 0.5), ((255, 0, 8, 90), 0.125), ((32, 100_000, 4, 80), 1 * 4 / 64)):
        got = occupancy(*args)
        ok &= got == expected
        log(f"  occupancy{args} = {got:.4f} (by hand {expected:.4f}){'' if got == expected else '  WRONG'}")
    s = Setting('self-test', 256, (), (), torch.float32, 'NHWC', (1, 1), 2, True, ())
    for kernel, args, kwargs, channels, pass_, expected in SELF_TESTS:
        found = problems(analyse(compile_launch(Launch(kernel, args, kwargs), None, arch), arch), dataclasses.replace(s, channels=channels), pass_)
        hit = any(p.startswith(expected) for p in found)
        ok &= hit
        log(f"  {kernel.__name__} ({pass_}): {'caught' if hit else 'MISSED'} {expected!r}; found {found}")
    return ok

# ---------------------------------------------------------------------------------------------------------------------
# The run

def _tile(config, launch):
    kw = {**launch.kwargs, **(config.all_kwargs() if config is not None else {})}
    blocks = 'x'.join(str(v) for k, v in kw.items() if k.startswith('BLOCK'))
    return f"{blocks}/{kw.get('num_warps', 4)}w"

def _signature_key(launch, config):
    "What Triton specialises on (dtypes, 16-byte alignment, integers equal to 1 or divisible by 16, constexprs): equal keys, one binary."
    def norm(v):
        if isinstance(v, torch.Tensor): return ('tensor', v.dtype, v.data_ptr() % 16 == 0)
        if isinstance(v, bool): return v
        if isinstance(v, int): return ('int', v == 1, v % 16 == 0)
        if isinstance(v, float): return 'float'
        return v
    return (launch.fn.__name__, tuple(map(norm, launch.args)), tuple(sorted(launch.kwargs.items())),
            repr(config.all_kwargs()) if config is not None else None)

_JOBS = []  # (setting, pass, launch, config, arch) of the run, set before the workers fork

def _work(i):
    s, pass_, launch, config, arch = _JOBS[i]
    start = time.perf_counter()
    try: a = analyse(compile_launch(launch, config, arch), arch); err = None
    except Exception as e: a, err = None, f'{type(e).__name__}: {str(e).splitlines()[0][:200]}'
    return i, a, err, time.perf_counter() - start

def run(quick:bool=False, archs=ARCHS, jobs:int=1, log=print) -> list:
    "Compile and check every configuration; one row (dict) per distinct binary."
    groups = {}
    for s in settings(quick):
        for pass_ in s.passes:
            for arch in archs:
                for launch in record(s, pass_, arch):
                    configs = launch.configs
                    if quick and len(configs) > 2: configs = [configs[0], configs[-1]]  # the smallest and the largest tile
                    for config in configs:
                        key = (_signature_key(launch, config), arch, pass_)
                        groups.setdefault(key, [s, pass_, launch, config, arch, []])[5].append(s)
    _JOBS[:] = [tuple(g[:5]) for g in groups.values()]
    used_by = [g[5] for g in groups.values()]
    log(f'{len(_JOBS)} kernels to compile ({len(settings(quick))} settings, archs {", ".join(f"sm_{a}" for a in archs)}, {jobs} jobs)')
    rows, start = [], time.perf_counter()
    pool = ProcessPoolExecutor(jobs, mp_context=__import__('multiprocessing').get_context('fork')) if jobs > 1 else None
    results = pool.map(_work, range(len(_JOBS))) if pool else map(_work, range(len(_JOBS)))
    for n, (i, a, err, seconds) in enumerate(results, 1):
        s, pass_, launch, config, arch = _JOBS[i]
        found = [f'compile error: {err}'] if err else []
        if a: found = sorted({p for user in used_by[i] for p in problems(a, user, pass_)})
        rows.append(dict(kernel=launch.fn.__name__, pass_=pass_, dtype=str(s.dtype)[6:], tile=_tile(config, launch), arch=arch,
                         used_by=sorted({u.label() for u in used_by[i]}), a=a, problems=found))
        if n % 20 == 0 or n == len(_JOBS): log(f'  {n}/{len(_JOBS)} compiled, {time.perf_counter() - start:.0f} s')
    if pool: pool.shutdown()
    return rows

def _fmt_loop(a):
    lp = a['loop']
    loads = ' '.join(f'{n}x{b}B' for b, n in sorted(a['loop_loads'].items(), reverse=True)) or '-'
    return loads, f"{lp.get('bar', 0)}/{lp.get('sts', 0) + lp.get('lds', 0)}"

def table(rows) -> str:
    "Every compiled kernel: resources, instruction counts and what the check found."
    lines = ['| kernel | pass | dtype | tile | arch | regs | spill st/ld B | smem B | occupancy | instr | RED / ATOM / MEMBAR / CCTL | '
             'loop loads (count x width) | loop BAR / shared | problems |', '|' + '---|' * 14]
    for r in rows:
        a = r['a']
        if a is None:
            lines.append(f"| {r['kernel']} | {r['pass_']} | {r['dtype']} | {r['tile']} | sm_{r['arch']} |" + ' - |' * 8 + f" {'; '.join(r['problems'])} |")
            continue
        c = a['counts']
        loads, shared = _fmt_loop(a)
        lines.append(f"| {r['kernel']} | {r['pass_']} | {r['dtype']} | {r['tile']} | sm_{r['arch']} | {a['regs']} | {a['spill_st']}/{a['spill_ld']} | "
                     f"{a['smem']} | {a['occupancy']:.1%} | {c.get('instr', 0)} | {c.get('red', 0)} / {c.get('atom', 0)} / {c.get('membar', 0)} / "
                     f"{c.get('cctl', 0)} | {loads} | {shared} | {'; '.join(r['problems']) or 'ok'} |")
    return '\n'.join(lines)

def summary(rows) -> str:
    "One line per kernel, pass and dtype: the worst of its tiles and architectures."
    groups = {}
    for r in rows: groups.setdefault((r['kernel'], r['pass_'], r['dtype']), []).append(r)
    lines = ['| kernel | pass | dtype | binaries | failing | regs (max) | spill st/ld B (max) | smem B (max) | occupancy (min) | '
             'RED / ATOM / MEMBAR (max) | loop loads < 8 B (max) | loop BAR / shared (max) | problems found |', '|' + '---|' * 13]
    for (kernel, pass_, dtype), rs in groups.items():
        ok = [r['a'] for r in rs if r['a']]
        kinds = sorted({p.split(':')[0] for r in rs for p in r['problems']})
        if not ok:
            lines.append(f"| {kernel} | {pass_} | {dtype} | {len(rs)} | {len(rs)} |" + ' - |' * 7 + f" {', '.join(kinds)} |"); continue
        mx = lambda f: max(f(a) for a in ok)
        lines.append(f"| {kernel} | {pass_} | {dtype} | {len(rs)} | {sum(bool(r['problems']) for r in rs)} | {mx(lambda a: a['regs'])} | "
                     f"{mx(lambda a: a['spill_st'])}/{mx(lambda a: a['spill_ld'])} | {mx(lambda a: a['smem'])} | "
                     f"{min(a['occupancy'] for a in ok):.1%} | {mx(lambda a: a['counts'].get('red', 0))} / {mx(lambda a: a['counts'].get('atom', 0))} / "
                     f"{mx(lambda a: a['counts'].get('membar', 0))} | {mx(lambda a: sum(n for b, n in a['loop_loads'].items() if b < 8))} | "
                     f"{mx(lambda a: a['loop'].get('bar', 0))} / {mx(lambda a: a['loop'].get('sts', 0) + a['loop'].get('lds', 0))} | "
                     f"{', '.join(kinds) or 'none'} |")
    return '\n'.join(lines)

def report(rows, seconds, quick) -> str:
    failing = sum(bool(r['problems']) for r in rows)
    head = (f"RoIAlign kernels compiled for {', '.join(f'sm_{a}' for a in sorted({r['arch'] for r in rows}, reverse=True))} "
            f"(triton {triton.__version__}, torch {torch.__version__}{', --quick' if quick else ''}): {len(rows)} binaries, "
            f"{failing} with problems; {seconds:.0f} s.")
    return f"{head}\n\n{summary(rows)}\n\n<details><summary>every binary</summary>\n\n{table(rows)}\n\n</details>\n"

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--quick', action='store_true', help="the r50 model's training path in float32, two tiles")
    p.add_argument('--arch', type=int, nargs='*', default=list(ARCHS), help='compute capabilities (default 90 80)')
    p.add_argument('--jobs', type=int, default=1, help='compiles in parallel')
    p.add_argument('--out', help='write the report (Markdown) to this file')
    p.add_argument('--self-test', action='store_true', help='first check that the check catches each problem in kernels written to have it')
    args = p.parse_args(argv)
    log = lambda m: print(m, file=sys.stderr, flush=True)
    if args.self_test:
        log('self-test:')
        if not self_test(log=log): return 2
    start = time.perf_counter()
    rows = run(args.quick, tuple(args.arch), args.jobs, log=log)
    text = report(rows, time.perf_counter() - start, args.quick)
    print(text)
    if args.out: Path(args.out).write_text(text)
    return 1 if any(r['problems'] for r in rows) else 0

if __name__ == '__main__': sys.exit(main())
