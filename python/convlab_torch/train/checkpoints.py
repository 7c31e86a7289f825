"""`last/` and `best/` as PyTorch sees them: `state_dict.pt` (torch.save, for
`model.load_state_dict(torch.load(...))`), `state_dict.safetensors` (which the engine converts
into ConvLab's model.json and weights.bin in the same folder), `state.json` (the training state
in the tfjs engine's shape) and, in last/, `training.pt` (optimizer, scaler, random state) to resume.
Each folder is written beside its place and renamed into it, so it is never half-written."""
import json
import os
import shutil
from typing import Any, Dict, Optional

import torch
from torch import nn

from .. import safetensors

STATE_DICT = "state_dict.pt"
SAFETENSORS = "state_dict.safetensors"
TRAINING = "training.pt"
STATE = "state.json"


def read_state_dict(path: str) -> Dict[str, torch.Tensor]:
    if path.endswith(".safetensors"):
        return safetensors.load(path)
    return torch.load(path, map_location="cpu")


def save(folder: str, model: nn.Module, state: Dict[str, Any], training: Optional[Dict[str, Any]]) -> None:
    staging, previous = folder + ".writing", folder + ".previous"
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging)
    weights = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    torch.save(weights, os.path.join(staging, STATE_DICT))
    safetensors.save({k: v.float() if v.is_floating_point() else v for k, v in weights.items()}, os.path.join(staging, SAFETENSORS), {"format": "pt"})
    with open(os.path.join(staging, STATE), "w") as out:
        json.dump(state, out, indent=2)
    if training is not None:
        torch.save(training, os.path.join(staging, TRAINING))
    shutil.rmtree(previous, ignore_errors=True)
    if os.path.exists(folder):
        os.replace(folder, previous)
    os.replace(staging, folder)
    shutil.rmtree(previous, ignore_errors=True)


def readable(folder: str) -> str:
    """The folder, or its previous copy when a crash came between the two renames."""
    if os.path.exists(os.path.join(folder, STATE_DICT)):
        return folder
    if os.path.exists(os.path.join(folder + ".previous", STATE_DICT)):
        return folder + ".previous"
    raise FileNotFoundError(f"{folder}: no PyTorch checkpoint here ({STATE_DICT} is missing)")


def load_weights(folder: str, model: nn.Module) -> None:
    model.load_state_dict(torch.load(os.path.join(readable(folder), STATE_DICT), map_location="cpu"))


def load_training(folder: str) -> Dict[str, Any]:
    return torch.load(os.path.join(readable(folder), TRAINING), map_location="cpu")
