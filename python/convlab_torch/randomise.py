"""Randomised weights for agreement checks: every tensor gets values a swap would betray."""
import math

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


@torch.no_grad()
def randomise(model: nn.Module, seed: int) -> None:
    """He-uniform kernels, small random biases, and batchnorm's γ, β, mean and variance all random."""
    generator = torch.Generator().manual_seed(seed)

    def uniform(tensor: torch.Tensor, low: float, high: float) -> None:
        tensor.copy_(torch.rand(tensor.shape, generator=generator) * (high - low) + low)

    for module in model.modules():
        if isinstance(module, _BatchNorm):
            if module.weight is not None:
                uniform(module.weight, 0.5, 1.5)
            if module.bias is not None:
                uniform(module.bias, -0.2, 0.2)
            if module.running_mean is not None and module.running_var is not None:
                uniform(module.running_mean, -0.2, 0.2)
                uniform(module.running_var, 0.5, 1.5)
            continue
        for name, parameter in module.named_parameters(recurse=False):
            if parameter.dim() > 1:
                fan_in = parameter[0].numel()
                bound = math.sqrt(6.0 / fan_in)
                uniform(parameter, -bound, bound)
            else:
                uniform(parameter, -0.2, 0.2)
