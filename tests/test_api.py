"The public API: everything is reachable from retinamask.core, and every exported callable documents itself."
import inspect
import pytest
from fastcore.docments import docments
import retinamask.core as core

CALLABLES = [(name, getattr(core, name)) for name in core.__all__ if callable(getattr(core, name))]

def test_core_reaches_every_part():
    for part in core.PARTS:
        missing = [n for n in part.__all__ if not hasattr(core, n)]
        assert not missing, f'{part.__name__} names missing from retinamask.core: {missing}'
    assert len(core.__all__) == len(set(core.__all__)), 'two parts export the same name'

def test_geometry_modules_need_no_fastai_or_matplotlib():
    "These modules must import on a GPU machine that has only torch, torchvision and triton."
    import subprocess, sys
    code = ('import sys; sys.modules["fastai"] = None; sys.modules["matplotlib"] = None; '
            'import retinamask.core')
    subprocess.run([sys.executable, '-c', code], check=True)

@pytest.mark.parametrize('name,obj', CALLABLES, ids=[n for n, _ in CALLABLES])
def test_documented(name, obj):
    assert inspect.getdoc(obj), f'{name} has no docstring'
    target = obj.__init__ if inspect.isclass(obj) else obj
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    params = [n for n, p in inspect.signature(target).parameters.items() if n != 'self' and p.kind not in variadic]
    docs = docments(target, full=True)
    undocumented = [p for p in params if not docs[p]['docment']]
    assert not undocumented, f'{name}: parameters without a docment comment: {undocumented}'
