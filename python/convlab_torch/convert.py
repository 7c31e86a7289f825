"""Converts a state_dict between .pt/.pth (torch.save) and .safetensors.

python3 -m convlab_torch.convert to-safetensors IN.pt OUT.safetensors
python3 -m convlab_torch.convert to-pt IN.safetensors OUT.pt
"""
import os
import sys
from collections import OrderedDict
from typing import Dict, List

import torch

from . import safetensors


class NotAStateDict(ValueError):
    """The file holds something other than a mapping of names to tensors."""


def read_pt(path: str) -> Dict[str, torch.Tensor]:
    """A state_dict from torch.save: plain, or under "state_dict"/"model" as training scripts save it."""
    try:
        # weights_only (torch >= 1.13): a pickle may run code; a state_dict needs none.
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many kinds for a file it cannot read
        raise NotAStateDict(f"torch.load cannot read it ({type(error).__name__}: {error})") from error
    if isinstance(loaded, torch.nn.Module):
        loaded = loaded.state_dict()
    if isinstance(loaded, dict) and not all(isinstance(v, torch.Tensor) for v in loaded.values()):
        for key in ("state_dict", "model_state_dict", "model"):
            if isinstance(loaded.get(key), dict):
                loaded = loaded[key]
                break
    if not isinstance(loaded, dict) or not loaded:
        raise NotAStateDict(f"not a state_dict: it holds a {type(loaded).__name__}")
    others = [k for k, v in loaded.items() if not isinstance(v, torch.Tensor)]
    if others:
        raise NotAStateDict(f"not a state_dict: {others[0]!r} is a {type(loaded[others[0]]).__name__}, not a tensor")
    return OrderedDict((k, v.float() if v.is_floating_point() else v) for k, v in loaded.items())


def main(argv: List[str]) -> int:
    if len(argv) != 4 or argv[1] not in ("to-safetensors", "to-pt"):
        sys.stderr.write(__doc__ or "")
        return 2
    _, direction, source, target = argv
    try:
        if direction == "to-safetensors":
            safetensors.save(read_pt(source), target)
        else:
            staging = target + ".writing"
            torch.save(OrderedDict(safetensors.load(source)), staging)
            os.replace(staging, target)
    except (NotAStateDict, safetensors.SafetensorsError, OSError) as error:
        sys.stderr.write(f"{error}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
