"""Runs a few training steps of an exported module with its own make_optimizer, for the test
that ConvLab and PyTorch compute the same update (weight decay's factor included).

python3 -m convlab_torch.train_steps MODULE.py CLASS WEIGHTS.safetensors BATCH.safetensors STEPS OUT.safetensors
"""
import importlib.util
import sys
from typing import List

import torch
from torch import nn

from . import safetensors


def main(argv: List[str]) -> int:
    _, path, class_name, weights, batch, steps, out = argv
    spec = importlib.util.spec_from_file_location("exported", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = getattr(module, class_name)()
    model.load_state_dict(safetensors.load(weights))
    model.train()
    data = safetensors.load(batch)
    optimizer = module.make_optimizer(model)
    loss = nn.CrossEntropyLoss(label_smoothing=module.LABEL_SMOOTHING)
    for _ in range(int(steps)):
        optimizer.zero_grad()
        loss(model(data["x"]), data["y"]).backward()
        optimizer.step()
    safetensors.save(model.state_dict(), out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
