"""How the work is shared between processes. One process here; distributed.py (torchrun, DDP)
implements the same methods over torch.distributed."""
from typing import Optional

import torch
from torch import nn
from torch.utils.data import Sampler

from .context import RunContext
from .data import EpochOrder


class SingleProcess:
    def __init__(self, context: RunContext) -> None:
        self.context = context

    def wrap(self, model: nn.Module) -> nn.Module:
        """What the training step calls: the model itself (DDP wraps it)."""
        return model

    def train_sampler(self, count: int, seed: int, epoch: int) -> Sampler:
        """This process's share of an epoch's shuffled examples: all of them."""
        return EpochOrder(count, seed, epoch, shuffle=True)

    def batch_size(self, global_batch: int) -> int:
        """Examples per step in this process: the whole batch."""
        return global_batch

    def sum(self, values: torch.Tensor) -> torch.Tensor:
        """Sums of metrics over the processes."""
        return values

    def any(self, flag: bool) -> bool:
        """True when any process says so (a cancel seen by one stops all)."""
        return flag

    def barrier(self) -> None:
        pass

    def after_epoch(self, model: nn.Module) -> None:
        """Where replicas would reconcile state that is not averaged by the gradients (batchnorm)."""

    def close(self) -> None:
        pass


def single_process(context: RunContext, _: Optional[object] = None) -> SingleProcess:
    return SingleProcess(context)
