"Test-session setup shared by every test file."
import os
import torch

# Without a GPU the Triton kernels run in Triton's interpreter, on the CPU. The variable must be set before
# retinamask.roi_align is first imported (triton.jit reads it when the kernels are defined).
if not torch.cuda.is_available(): os.environ.setdefault('TRITON_INTERPRET', '1')
