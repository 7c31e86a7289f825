"""`torchrun` for ConvLab: `python -m convlab_torch.torchrun ARGS` is `python -m
torch.distributed.run ARGS`, with one repair for torch 1.13 on Python 3.11 (Debian bookworm's
pair): there `Std.from_str("0")` returns None, because iterating an IntFlag no longer yields
its zero member, and every launch fails with "'NoneType' object has no attribute 'get'"
(meta-llama/llama#86; fixed in torch 2.0). A torch without the fault is run untouched.
"""
import sys
from typing import Any, List

from torch.distributed.elastic.multiprocessing import api


def repair() -> None:
    original = api.Std.from_str
    if original("0") is not None:
        return

    def from_str(value: str) -> Any:
        parsed = original(value)
        if parsed is None:
            return api.Std.NONE
        if isinstance(parsed, dict):
            return {rank: api.Std.NONE if std is None else std for rank, std in parsed.items()}
        return parsed

    api.Std.from_str = staticmethod(from_str)  # type: ignore[method-assign, assignment]


def main(argv: List[str]) -> None:
    repair()
    from torch.distributed import run

    run.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
