"""The exported module, its trainable set per stage, and its optimizer.

The engine writes the module (src/language/pytorch) and its initial weights: ConvLab's own
seeded initialisation (and a pretrained base's weights) in PyTorch's layout, so both engines
start from the same weights for the same seed.
"""
import importlib.util
from typing import Any, Dict, Iterable, List, Sequence

import torch
from torch import nn

from . import checkpoints
from .rmsprop import TfRMSprop


def load_module_class(path: str, class_name: str) -> type:
    spec = importlib.util.spec_from_file_location("convlab_exported_model", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, class_name)


def build_model(config: Dict[str, Any]) -> nn.Module:
    model: nn.Module = load_module_class(config["module"], config["className"])()
    if config.get("initialWeights"):
        model.load_state_dict(checkpoints.read_state_dict(config["initialWeights"]))
    return model


def apply_stage(model: nn.Module, stage: Dict[str, Any]) -> None:
    """Freezes the stage's frozen tensors; trainable is everything else."""
    frozen = set(stage["frozen"])
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(name not in frozen)


def set_training_mode(model: nn.Module, stage: Dict[str, Any]) -> None:
    """Training mode, except the frozen batchnorm layers of a base, which run in inference mode."""
    model.train()
    modules = dict(model.named_modules())
    for name in stage["inferenceModules"]:
        if name in modules:
            modules[name].eval()


def make_optimizer(model: nn.Module, spec: Dict[str, Any], learning_rate: float) -> torch.optim.Optimizer:
    """The train section's optimizer over the trainable parameters. Decay is not its weight_decay:
    the loop adds decay/2 · Σw² over the kernels to the loss, as ConvLab does, so the reported loss
    is the tfjs engine's too (the gradient is the same as weight_decay on the kernels, docs/pytorch.md)."""
    groups = [p for p in model.parameters() if p.requires_grad]
    name = spec["name"]
    if name == "sgd":
        return torch.optim.SGD(groups, lr=learning_rate, momentum=spec["momentum"], nesterov=spec["nesterov"] and spec["momentum"] > 0)
    if name == "adam":
        return torch.optim.Adam(groups, lr=learning_rate, betas=(spec["beta1"], spec["beta2"]), eps=1e-7)
    if name == "rmsprop":
        # TensorFlow.js' RMSprop: ρ 0.9, ε 1e-7 inside the root, optional momentum.
        return TfRMSprop(groups, lr=learning_rate, rho=0.9, momentum=spec["momentum"], eps=1e-7)
    raise ValueError(f"unknown optimizer {name}")


def learning_rate_of(optimizer: torch.optim.Optimizer) -> float:
    return float(optimizer.param_groups[0]["lr"])


def set_learning_rate(optimizer: torch.optim.Optimizer, rate: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = rate


def outputs_of(result: Any) -> Sequence[torch.Tensor]:
    """forward's result as a list: a model with aux heads returns them all while training."""
    return list(result) if isinstance(result, (list, tuple)) else [result]


def decayed_kernels(model: nn.Module, kernels: Iterable[str]) -> List[torch.Tensor]:
    """The trainable kernels that decay applies to."""
    names = set(kernels)
    return [p for name, p in model.named_parameters() if name in names and p.requires_grad]
