"""Data parallel training under torchrun: one process per device, DistributedDataParallel, a
DistributedSampler, and the two things that make N processes train like one on the global batch.

- Batchnorm sees the global batch. On CUDA that is torch's SyncBatchNorm; on CPU processes
  (gloo), where torch 1.13's SyncBatchNorm refuses to run, each batchnorm's forward is replaced by
  one that sums its statistics over the ranks (two all-reduces forward, one backward), so the
  normalisation, the gradients and the running statistics are those of one process on the whole
  batch. docs/architecture.md, "Many devices".
- Dropout draws its mask for the whole global batch from a generator seeded by the run's seed,
  the step and the layer, and each rank keeps its own rows, so a sample's mask does not depend
  on how many processes share the batch.

Rank 0 alone writes events and checkpoints; every rank reads the cancel flag rank 0 raises,
summed into the step's loss all-reduce, so all stop after the same batch.
"""
import os
import types
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, List, Optional, Sequence, Tuple

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.utils.data import DistributedSampler

TORCHRUN_VARIABLES = ("RANK", "WORLD_SIZE", "LOCAL_RANK")


@dataclass(frozen=True)
class Ranks:
    """Where this process stands: its rank among `world_size`, its device, the backend."""

    rank: int
    world_size: int
    local_rank: int
    device: torch.device
    backend: str

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


def launched_by_torchrun() -> bool:
    return all(name in os.environ for name in TORCHRUN_VARIABLES)


def start(device: Optional[str] = None, timeout_minutes: float = 60.0) -> Ranks:
    """Joins torchrun's process group (NCCL on CUDA, gloo on the CPU); one process otherwise.

    `device` is `cuda`, `cpu` or None for CUDA where there is one. A long evaluation on rank 0
    keeps the others waiting at a barrier, hence the timeout above torch's 30 minutes.
    """
    use_cuda = torch.cuda.is_available() if device is None else device == "cuda"
    if not launched_by_torchrun():
        return Ranks(0, 1, 0, torch.device("cuda" if use_cuda else "cpu"), "none")
    rank, world_size, local_rank = (int(os.environ[name]) for name in TORCHRUN_VARIABLES)
    if use_cuda:
        if local_rank >= torch.cuda.device_count():
            raise RuntimeError(f"rank {rank} needs CUDA device {local_rank}, but torch sees {torch.cuda.device_count()}")
        torch.cuda.set_device(local_rank)
    backend = "nccl" if use_cuda else "gloo"
    if not dist.is_initialized():
        dist.init_process_group(backend, timeout=timedelta(minutes=timeout_minutes))
    return Ranks(rank, world_size, local_rank, torch.device(f"cuda:{local_rank}" if use_cuda else "cpu"), backend)


def stop() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def launch_command(python: str, module: str, args: Sequence[str], processes: int) -> List[str]:
    """`python -m convlab_torch.torchrun --standalone --nnodes 1 --nproc_per_node N -m MODULE ARGS`.

    torchrun's module form through convlab_torch.torchrun (torch 1.13's fails on Python 3.11, see
    there), with the Python that has torch rather than whichever `torchrun` is on PATH.
    `--standalone` picks a free local rendezvous port, so two runs on one machine do not collide.
    """
    return [python, "-m", "convlab_torch.torchrun", "--standalone", "--nnodes", "1", "--nproc_per_node", str(processes), "-m", module, *args]


# ---- the model -----------------------------------------------------------------------------


def prepare_model(model: nn.Module, ranks: Ranks, seed: int) -> nn.Module:
    """The model as every rank trains it: reproducible dropout always (so one process and N agree),
    global batchnorm and DistributedDataParallel when there are several ranks. Returns the module
    to call; `unwrap` gives back the one to save."""
    use_global_dropout(model, ranks, seed)
    if not ranks.distributed:
        return model
    model = use_global_batchnorm(model, ranks)
    device_ids = [ranks.device.index] if ranks.device.type == "cuda" else None
    # The batchnorm statistics are the same on every rank by construction: nothing to broadcast.
    return nn.parallel.DistributedDataParallel(model, device_ids=device_ids, broadcast_buffers=False)


def unwrap(model: nn.Module) -> nn.Module:
    return model.module if isinstance(model, nn.parallel.DistributedDataParallel) else model


def use_global_batchnorm(model: nn.Module, ranks: Ranks) -> nn.Module:
    """CUDA: torch's SyncBatchNorm for its own batchnorm classes. Otherwise (CPU, or the exported
    PartialAffineBatchNorm2d, whose γ or β alone SyncBatchNorm would drop) the forward is replaced
    in place, so the module's class and state_dict keys stay those of the exported code."""
    if ranks.device.type == "cuda":
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model) if _only_torch_batchnorms(model) else model
    group = dist.new_group(list(range(ranks.world_size)), backend=ranks.backend)
    for module in model.modules():
        if isinstance(module, _BatchNorm) and not isinstance(module, nn.SyncBatchNorm):
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


def use_global_dropout(model: nn.Module, ranks: Ranks, seed: int) -> None:
    """Every nn.Dropout draws its mask for the global batch (see the module's docstring)."""
    for index, module in enumerate(m for m in model.modules() if isinstance(m, nn.Dropout)):
        module.convlab_dropout = _DropoutState(seed, index, ranks.rank, ranks.world_size)  # type: ignore[assignment]
        module.forward = types.MethodType(_global_dropout_forward, module)


@dataclass
class _DropoutState:
    seed: int
    layer: int
    rank: int
    world_size: int
    step: int = 0


def seek_dropout(model: nn.Module, step: int) -> None:
    """Sets the step the next training forward draws masks for (after a resume)."""
    for module in unwrap(model).modules():
        state = getattr(module, "convlab_dropout", None)
        if isinstance(state, _DropoutState):
            state.step = step


def _global_dropout_forward(self: nn.Dropout, x: torch.Tensor) -> torch.Tensor:
    if not self.training or self.p == 0:
        return x
    state: _DropoutState = self.convlab_dropout  # type: ignore[assignment]
    generator = torch.Generator(device=x.device)
    generator.manual_seed(_mix(state.seed, state.step, state.layer))
    state.step += 1
    # Every rank's local batch is the same size (DistributedSampler pads), so rank r holds rows
    # r, r + W, r + 2W… of the global batch, as the sampler interleaves them.
    rows = x.shape[0] * state.world_size
    keep = torch.rand((rows,) + tuple(x.shape[1:]), generator=generator, device=x.device, dtype=torch.float32) >= self.p
    keep = keep[state.rank::state.world_size]
    return x * keep.to(x.dtype) / (1.0 - self.p)


def _mix(seed: int, step: int, layer: int) -> int:
    """A 63-bit seed from three numbers (splitmix64's finaliser), so nearby steps differ everywhere."""
    z = (seed * 0x9E3779B97F4A7C15 + step * 0xBF58476D1CE4E5B9 + layer * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return (z ^ (z >> 31)) & 0x7FFFFFFFFFFFFFFF


# ---- the data and the step -----------------------------------------------------------------


class OrderSampler(DistributedSampler):
    """A DistributedSampler over the order the runtime already chose for the epoch (its seeded
    shuffle), so N processes see the same global batches as one: rank r takes positions r, r + W…
    of the order, padded with its first examples to a multiple of W as DistributedSampler pads."""

    def __init__(self, size: int, ranks: Ranks, order: Optional[Sequence[int]] = None, seed: int = 0) -> None:
        super().__init__(range(size), num_replicas=ranks.world_size, rank=ranks.rank, shuffle=order is None, seed=seed, drop_last=False)
        self.order = list(order) if order is not None else None

    def set_order(self, order: Sequence[int]) -> None:
        if len(order) != len(self.dataset):  # type: ignore[arg-type]
            raise ValueError(f"an epoch order of {len(order)} examples for a sampler of {len(self.dataset)}")  # type: ignore[arg-type]
        self.order = list(order)

    def __iter__(self):  # type: ignore[override]
        if self.order is None:
            return super().__iter__()
        indices = self.order + self.order[: self.total_size - len(self.order)]
        return iter(indices[self.rank : self.total_size : self.num_replicas])


def local_rows(global_rows: Sequence[int], ranks: Ranks) -> List[int]:
    """This rank's share of a global batch as the sampler deals it (positions r, r + W…)."""
    return list(global_rows[ranks.rank :: ranks.world_size])


def step_totals(loss_sum: torch.Tensor, examples: int, cancel: bool, ranks: Ranks) -> Tuple[float, int, bool]:
    """The global batch's summed loss and size, and whether any rank was asked to stop, in one
    all-reduce: rank 0 reads the cancel line, and this is how every rank hears of it."""
    packed = torch.tensor([float(loss_sum.detach()), float(examples), 1.0 if cancel else 0.0], dtype=torch.float64, device=ranks.device)
    if ranks.distributed:
        dist.all_reduce(packed)
    total, count, stop_votes = packed.tolist()
    return total, int(count), stop_votes > 0


def agree(flag: bool, ranks: Ranks) -> bool:
    """True on every rank when it is true on any (an early stop decided on rank 0's evaluation)."""
    if not ranks.distributed:
        return flag
    packed = torch.tensor([1.0 if flag else 0.0], device=ranks.device)
    dist.all_reduce(packed)
    return bool(packed.item() > 0)


def barrier(ranks: Ranks) -> None:
    if ranks.distributed:
        dist.barrier()
