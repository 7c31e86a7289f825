"""The examples of each split, as the engine prepared them: float32 NHWC arrays, already
normalised, and int32 labels, memory-mapped (docs/architecture.md says why Node prepares them).

The loader is built from a sampler, so a distributed run passes a DistributedSampler instead.
"""
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch.utils.data import BatchSampler, DataLoader, Dataset, Sampler

from .seeded import shuffled


@dataclass(frozen=True)
class SplitFiles:
    examples: str
    labels: str
    count: int
    shape: Tuple[int, ...]

    @staticmethod
    def from_config(entry: Dict[str, Any]) -> "SplitFiles":
        return SplitFiles(entry["examples"], entry["labels"], int(entry["count"]), tuple(int(n) for n in entry["shape"]))


class SplitArrays(Dataset):
    """Batches by index list: one fancy-indexed read per batch, in PyTorch's NCHW order."""

    def __init__(self, files: SplitFiles) -> None:
        self.files = files
        self._x: Optional[np.ndarray] = None
        self.labels = torch.from_numpy(np.fromfile(files.labels, dtype="<i4").astype(np.int64))
        if len(self.labels) != files.count:
            raise ValueError(f"{files.labels}: {len(self.labels)} labels for {files.count} examples")

    def _examples(self) -> np.ndarray:
        # Opened lazily so each DataLoader worker maps the file itself.
        if self._x is None:
            self._x = np.memmap(self.files.examples, dtype="<f4", mode="r", shape=(self.files.count, *self.files.shape))
        return self._x

    def __len__(self) -> int:
        return self.files.count

    def __getitem__(self, indices: Sequence[int]) -> Tuple[torch.Tensor, torch.Tensor]:
        order = np.asarray(indices, dtype=np.int64)
        x = torch.from_numpy(np.ascontiguousarray(self._examples()[order]))
        if x.dim() == 4:
            x = x.permute(0, 3, 1, 2).contiguous()
        return x, self.labels[order]


class EpochOrder(Sampler):
    """The examples in a seeded random order for one epoch, the tfjs engine's (seed + epoch), or in order."""

    def __init__(self, count: int, seed: int, epoch: int, shuffle: bool) -> None:
        self.count, self.seed, self.epoch, self.shuffle = count, seed, epoch, shuffle

    def __iter__(self) -> Iterator[int]:
        if not self.shuffle:
            return iter(range(self.count))
        return iter(shuffled(self.count, self.seed + self.epoch))

    def __len__(self) -> int:
        return self.count


class SkippingBatches(Sampler):
    """A batch sampler that leaves out the batches an interrupted epoch already ran (resume)."""

    def __init__(self, batches: BatchSampler, skip: int) -> None:
        self.batches, self.skip = batches, skip

    def __iter__(self) -> Iterator[List[int]]:
        for index, batch in enumerate(self.batches):
            if index >= self.skip:
                yield batch

    def __len__(self) -> int:
        return max(0, len(self.batches) - self.skip)


def make_loader(split: SplitArrays, sampler: Sampler, batch_size: int, workers: int, skip_batches: int = 0, pin_memory: bool = False) -> DataLoader:
    """The one place a loader is built: batches of `sampler`'s indices, read by `workers` processes."""
    batches = SkippingBatches(BatchSampler(sampler, batch_size, drop_last=False), skip_batches)
    return DataLoader(split, sampler=batches, batch_size=None, num_workers=workers, pin_memory=pin_memory, persistent_workers=False)


def batch_count(examples: int, batch_size: int) -> int:
    return (examples + batch_size - 1) // batch_size
