"The public API: everything is reachable from retinamask.core, and every exported callable documents itself."
import dataclasses, importlib, inspect, subprocess, sys
import pytest
from fastcore.docments import docments
import retinamask.core as core

CALLABLES = [(name, getattr(core, name)) for name in core.__all__ if callable(getattr(core, name))]
# Modules that must import on a GPU machine that has only torch, torchvision and triton (no fastai, no matplotlib).
TORCH_ONLY = [p.__name__ for p in core.PARTS if p.__name__.split('.')[-1] not in core.FASTAI_PARTS]

def test_core_reaches_every_part():
    for part in core.PARTS:
        missing = [n for n in part.__all__ if not hasattr(core, n)]
        assert not missing, f'{part.__name__} names missing from retinamask.core: {missing}'
    assert len(core.__all__) == len(set(core.__all__)), 'two parts export the same name'

@pytest.mark.parametrize('module', TORCH_ONLY)
def test_module_needs_no_fastai_or_matplotlib(module):
    code = f'import sys; sys.modules["fastai"] = None; sys.modules["matplotlib"] = None; import {module}'
    subprocess.run([sys.executable, '-c', code], check=True)

def _documented_signature(obj):
    "The callable whose parameters the docs describe: a class's __init__, a dataclass's fields, or the function."
    if dataclasses.is_dataclass(obj): return obj, [f.name for f in dataclasses.fields(obj)]
    if inspect.isclass(obj) and '__init__' not in vars(obj): return obj, []  # inherits its parameters; nothing of its own
    target = obj.__init__ if inspect.isclass(obj) else obj
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return target, [n for n, p in inspect.signature(target).parameters.items() if n != 'self' and p.kind not in variadic]

@pytest.mark.parametrize('name,obj', CALLABLES, ids=[n for n, _ in CALLABLES])
def test_documented(name, obj):
    assert inspect.getdoc(obj), f'{name} has no docstring'
    target, params = _documented_signature(obj)
    docs = docments(target, full=True)
    undocumented = [p for p in params if not docs[p]['docment']]
    assert not undocumented, f'{name}: parameters without a docment comment: {undocumented}'
