"""Fetches a torchvision network's published ImageNet weights and writes its state_dict.

python3 -m convlab_torch.torchvision_weights NAME OUT.safetensors

torchvision itself fetches the file (torch.hub's cache, $TORCH_HOME/hub/checkpoints, is read
first, so a file placed there works offline) and builds the network with it, which is what drops
GoogLeNet's auxiliary heads; the state_dict is written as safetensors for ConvLab to import.
"""
import json
import os
import sys
from typing import List

import torch
import torchvision

from . import safetensors

# What the published weights expect of their input, for the message ConvLab prints.
_NOTES = {
    "googlenet": "its published weights turn on transform_input, which turns ImageNet-normalised input "
    "into [-1, 1]: give the model 'normalize tf' in its data line",
}


def main(argv: List[str]) -> int:
    if len(argv) != 3:
        sys.stderr.write(__doc__ or "")
        return 2
    _, name, target = argv
    try:
        weights = torchvision.models.get_model_weights(name).DEFAULT
    except (ValueError, KeyError):
        sys.stderr.write(f"torchvision has no network called {name!r}\n")
        return 1
    cache = os.path.join(torch.hub.get_dir(), "checkpoints", os.path.basename(weights.url))
    try:
        model = getattr(torchvision.models, name)(weights=weights)
    except OSError as error:  # URLError and its kin: offline, and not in the cache
        sys.stderr.write(
            f"cannot fetch {weights.url} ({error}); offline, download it elsewhere and place it at {cache}, then run this again\n"
        )
        return 3
    staging = target + ".part"
    safetensors.save(model.state_dict(), staging, {"source": weights.url, "torchvision": torchvision.__version__})
    os.replace(staging, target)
    meta = {"url": weights.url, "cache": cache, "note": _NOTES.get(name, ""), "categories": len(weights.meta.get("categories", []))}
    sys.stdout.write(json.dumps(meta) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
