"""Data parallel training under torchrun: one process per device, DistributedDataParallel, a
DistributedSampler, and the two things that make N processes train like one on the global batch.

- Batchnorm sees the global batch. On CUDA that is torch's SyncBatchNorm; on CPU processes
  (gloo), where torch 1.13's SyncBatchNorm refuses to run, each batchnorm's forward is replaced by
  one that sums its statistics over the ranks (two all-reduces forward, one backward), so the
  normalisation, the gradients and the running statistics are those of one process on the whole
  batch. docs/architecture.md, "Many devices".
- Dropout draws its mask for the whole global batch, seeded from torch's CPU generator (which
  every rank advances alike and last/ saves), and each rank keeps its own rows, so a sample's
  mask does not depend on how many processes share the batch.

Rank 0 alone writes events and checkpoints and reads the cancel line; every rank asks after each
batch whether any rank was cancelled (`any`), so all stop after the same batch.
"""
import os
import types
from datetime import timedelta
from typing import Any, Iterator, Optional, Sequence, Tuple

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.utils.data import DistributedSampler, Sampler

from .train.context import RunContext
from .train.data import EpochOrder


def launched_by_torchrun() -> bool:
    return all(name in os.environ for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR"))


class DataParallel:
    """The runtime's distribution (train/distribution.py's SingleProcess, over torch.distributed):
    one process of a torchrun job, NCCL between CUDA devices, gloo between CPU processes.

    A long evaluation (every rank evaluates the whole split) or rank 0 waiting for the engine to
    convert a checkpoint keeps the others at a barrier, hence a timeout above torch's 30 minutes.
    """

    def __init__(self, context: RunContext, timeout_minutes: float = 120.0) -> None:
        self.context = context
        self.backend = "nccl" if context.device.type == "cuda" else "gloo"
        if context.device.type == "cuda":
            torch.cuda.set_device(context.device)
        if not dist.is_initialized():
            dist.init_process_group(self.backend, timeout=timedelta(minutes=timeout_minutes))
        # Batchnorm's all-reduces run inside forward and backward, beside DDP's own gradient
        # buckets: a group of their own keeps the two streams of collectives apart.
        self.batchnorm_group = dist.new_group(list(range(context.world_size)), backend=self.backend)

    def wrap(self, model: nn.Module) -> nn.Module:
        """DDP over the model with global batchnorm and dropout.

        DDP synchronises only the parameters that require gradients when it is built, and a
        fine-tuning stage thaws a frozen base later: so every parameter is registered, and while
        some are frozen DDP is told to expect parameters without gradients.
        """
        prepared = use_global_batchnorm(model, self.context, self.batchnorm_group)
        use_global_dropout(prepared, self.context)
        device_ids = [self.context.device.index] if self.context.device.type == "cuda" else None
        frozen = [p for p in prepared.parameters() if not p.requires_grad]
        for parameter in frozen:
            parameter.requires_grad_(True)
        try:
            # The batchnorm statistics are the same on every rank by construction: nothing to broadcast.
            return nn.parallel.DistributedDataParallel(prepared, device_ids=device_ids, broadcast_buffers=False, find_unused_parameters=bool(frozen))
        finally:
            for parameter in frozen:
                parameter.requires_grad_(False)

    def train_sampler(self, count: int, seed: int, epoch: int) -> Sampler:
        return OrderSampler(count, self.context, list(EpochOrder(count, seed, epoch, shuffle=True)))

    def batch_size(self, global_batch: int) -> int:
        if global_batch % self.context.world_size:
            raise ValueError(f"batch {global_batch} does not split over {self.context.world_size} processes: make it a multiple of {self.context.world_size}")
        return global_batch // self.context.world_size

    def sum(self, values: torch.Tensor) -> torch.Tensor:
        dist.all_reduce(values)
        return values

    def any(self, flag: bool) -> bool:
        """Every rank asks each batch: rank 0 reads the cancel line, and this is how the others hear it."""
        packed = torch.tensor([1.0 if flag else 0.0], device=self.context.device)
        dist.all_reduce(packed)
        return bool(packed.item() > 0)

    def barrier(self) -> None:
        dist.barrier()

    def after_epoch(self, model: nn.Module) -> None:
        """Nothing to reconcile: global batchnorm keeps the running statistics equal on every rank."""

    def close(self) -> None:
        if dist.is_initialized():
            dist.destroy_process_group()


# ---- the model -----------------------------------------------------------------------------


def unwrap(model: nn.Module) -> nn.Module:
    return model.module if isinstance(model, nn.parallel.DistributedDataParallel) else model


def use_global_batchnorm(model: nn.Module, context: RunContext, group: Any) -> nn.Module:
    """CUDA: torch's SyncBatchNorm for its own batchnorm classes. Otherwise (CPU, or the exported
    PartialAffineBatchNorm2d, whose γ or β alone SyncBatchNorm would drop) the forward is replaced
    in place, so the module's class and state_dict keys stay those of the exported code."""
    if context.world_size == 1:
        return model  # one process: torch's own batchnorm is already the global one
    if context.device.type == "cuda" and _only_torch_batchnorms(model):
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model, group)
    for module in model.modules():
        if isinstance(module, _BatchNorm) and not isinstance(module, nn.SyncBatchNorm) and not hasattr(module, "convlab_global"):
            module.convlab_global = True  # type: ignore[assignment]
            module.forward = types.MethodType(_global_batchnorm_forward(group), module)
    return model


def _only_torch_batchnorms(model: nn.Module) -> bool:
    plain = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)
    return all(type(m) in plain for m in model.modules() if isinstance(m, _BatchNorm))


def _global_batchnorm_forward(group: Any):
    def forward(self: _BatchNorm, x: torch.Tensor) -> torch.Tensor:
        if not self.training and self.track_running_stats:
            return type(self).forward(self, x)
        dtype = x.dtype
        normalized, mean, var, count = _GlobalNormalize.apply(x.float(), self.eps, group)
        if self.track_running_stats and self.running_mean is not None and self.running_var is not None:
            with torch.no_grad():
                self.num_batches_tracked.add_(1)
                factor = self.momentum if self.momentum is not None else 1.0 / float(self.num_batches_tracked)
                unbiased = var * (count / max(count - 1.0, 1.0))
                self.running_mean.mul_(1 - factor).add_(mean, alpha=factor)
                self.running_var.mul_(1 - factor).add_(unbiased, alpha=factor)
        shape = (1, -1) + (1,) * (x.dim() - 2)
        y = normalized
        if self.weight is not None:
            y = y * self.weight.view(shape)
        if self.bias is not None:
            y = y + self.bias.view(shape)
        return y.to(dtype)

    return forward


class _GlobalNormalize(torch.autograd.Function):
    """(x - mean) / sqrt(var + eps) with the mean and variance of every rank's batch together.

    Backward needs the global means of the incoming gradient and of its product with x̂, as the
    single-process formula does: gx = (g - mean(g) - x̂·mean(g·x̂)) / sqrt(var + eps).
    """

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, eps: float, group: Any) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, float]:  # type: ignore[override]
        dims = [0] + list(range(2, x.dim()))
        shape = (1, -1) + (1,) * (x.dim() - 2)
        channels = x.shape[1]
        local = torch.cat([x.sum(dims), x.new_tensor([x.numel() / channels])])
        dist.all_reduce(local, group=group)
        count = float(local[-1])
        mean = local[:-1] / count
        centered = x - mean.view(shape)
        # Two passes, as one process computes it, rather than E[x²] − E[x]², which cancels badly.
        squares = (centered * centered).sum(dims)
        dist.all_reduce(squares, group=group)
        var = squares / count
        invstd = torch.rsqrt(var + eps)
        normalized = centered * invstd.view(shape)
        ctx.save_for_backward(normalized, invstd)
        ctx.group, ctx.count = group, count
        ctx.mark_non_differentiable(mean, var)
        return normalized, mean, var, count

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor, *_: Any) -> Tuple[Optional[torch.Tensor], None, None]:  # type: ignore[override]
        normalized, invstd = ctx.saved_tensors
        dims = [0] + list(range(2, grad.dim()))
        shape = (1, -1) + (1,) * (grad.dim() - 2)
        channels = grad.shape[1]
        sums = torch.cat([grad.sum(dims), (grad * normalized).sum(dims)])
        dist.all_reduce(sums, group=ctx.group)
        mean_grad, mean_grad_x = (sums / ctx.count).split(channels)
        gx = (grad - mean_grad.view(shape) - normalized * mean_grad_x.view(shape)) * invstd.view(shape)
        return gx, None, None


def use_global_dropout(model: nn.Module, context: RunContext) -> None:
    """Every nn.Dropout draws its mask for the global batch (see the module's docstring)."""
    for module in model.modules():
        if isinstance(module, nn.Dropout) and not hasattr(module, "convlab_ranks"):
            module.convlab_ranks = (context.rank, context.world_size)  # type: ignore[assignment]
            module.forward = types.MethodType(_global_dropout_forward, module)


def _global_dropout_forward(self: nn.Dropout, x: torch.Tensor) -> torch.Tensor:
    if not self.training or self.p == 0:
        return x
    rank, world_size = self.convlab_ranks  # type: ignore[misc]
    # One number from torch's CPU generator seeds the mask: every rank draws the same number (they
    # consume that generator alike), and last/ saves its state, so a resumed run draws on as if
    # never stopped.
    generator = torch.Generator(device=x.device)
    generator.manual_seed(int(torch.randint(0, 2**62, (1,))))
    # Every rank's local batch is the same size (the sampler pads), so rank r holds rows r, r + W,
    # r + 2W… of the global batch, as the sampler deals them.
    rows = x.shape[0] * world_size
    keep = torch.rand((rows,) + tuple(x.shape[1:]), generator=generator, device=x.device) >= self.p
    return x * keep[rank::world_size].to(x.dtype) / (1.0 - self.p)


# ---- the data and the step -----------------------------------------------------------------


class OrderSampler(DistributedSampler):
    """A DistributedSampler over the order the runtime chose for the epoch (its seeded shuffle),
    so N processes see the global batches one process sees: rank r takes positions r, r + W… of
    the order, padded with its first examples to a multiple of W as DistributedSampler pads."""

    def __init__(self, size: int, context: RunContext, order: Sequence[int]) -> None:
        super().__init__(range(size), num_replicas=context.world_size, rank=context.rank, shuffle=False, drop_last=False)
        if len(order) != size:
            raise ValueError(f"an epoch order of {len(order)} examples for a sampler of {size}")
        self.order = list(order)

    def __iter__(self) -> Iterator[int]:  # type: ignore[override]
        indices = self.order + self.order[: self.total_size - len(self.order)]
        return iter(indices[self.rank : self.total_size : self.num_replicas])
