"""Where this process stands among its peers: one process, or one rank of a torchrun job.

torchrun sets RANK, WORLD_SIZE and LOCAL_RANK; without them the run is a single process. Only
rank 0 prints events and writes files; distributed.py (DDP) builds on this.
"""
import os
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class RunContext:
    rank: int
    world_size: int
    local_rank: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


def pick_device(requested: str, local_rank: int) -> torch.device:
    """`auto`: this rank's CUDA device, else MPS, else the CPU; otherwise the device named."""
    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", local_rank % torch.cuda.device_count())
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if requested == "cuda":
        return torch.device("cuda", local_rank % max(1, torch.cuda.device_count()))
    return torch.device(requested)


def context_from_environment(requested_device: str) -> RunContext:
    rank = int(os.environ.get("RANK", "0"))
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    return RunContext(rank, world_size, local_rank, pick_device(requested_device, local_rank))
