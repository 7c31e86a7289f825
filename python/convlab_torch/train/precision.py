"""`precision fp32|bf16|fp16`: autocast around the forward pass and the loss; fp16 also scales
the loss (GradScaler) so small gradients do not underflow. The engine refuses fp16 without CUDA
and bf16 where the device has no bf16 autocast before the run starts."""
import contextlib
from typing import ContextManager, Optional

import torch


def autocast(precision: str, device: torch.device) -> ContextManager[object]:
    if precision == "fp32":
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.autocast(device_type=device.type, dtype=dtype)


def grad_scaler(precision: str, device: torch.device) -> Optional["torch.cuda.amp.GradScaler"]:
    if precision == "fp16" and device.type == "cuda":
        return torch.cuda.amp.GradScaler()
    return None
