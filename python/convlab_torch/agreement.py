"""Runs a batch of exported modules for ConvLab's agreement tests, in one process.

python3 -m convlab_torch.agreement JOBS.json RESULTS.json

Each job names an exported module (or a torchvision network), ConvLab's weights for it and an
input. For each, this builds the module, counts its parameters, loads ConvLab's weights and
writes the logits (direction 1); then randomises the module itself, writes its state_dict and
its logits (direction 2), for the TypeScript side to import and compare.
"""
import importlib.util
import json
import sys
import traceback
from typing import Any, Dict, List

import torch
from torch import nn

from . import safetensors
from .randomise import randomise


def build(job: Dict[str, Any]) -> nn.Module:
    if "torchvision" in job:
        import torchvision

        options = dict(job.get("options", {}))
        return getattr(torchvision.models, job["torchvision"])(weights=None, **options)
    spec = importlib.util.spec_from_file_location(f"exported_{job['name']}", job["module"])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, job["className"])()


def outputs_of(model: nn.Module, image: torch.Tensor) -> List[torch.Tensor]:
    with torch.no_grad():
        if hasattr(model, "forward_all"):
            return list(model.forward_all(image))  # type: ignore[operator]
        result = model(image)
        return [result] if isinstance(result, torch.Tensor) else [result[0]]


def save_outputs(outputs: List[torch.Tensor], path: str) -> None:
    safetensors.save({f"output_{i}": o.float() for i, o in enumerate(outputs)}, path)


def run(job: Dict[str, Any]) -> Dict[str, Any]:
    torch.manual_seed(job.get("seed", 0))
    model = build(job).eval()
    image = safetensors.load(job["input"])["input"]
    report: Dict[str, Any] = {"name": job["name"], "parameters": sum(p.numel() for p in model.parameters())}
    if "weights" in job:
        state = safetensors.load(job["weights"])
        model.load_state_dict(state, strict=True)
        save_outputs(outputs_of(model, image), job["out"] + ".ours.safetensors")
        report["ours"] = job["out"] + ".ours.safetensors"
    randomise(model, job.get("seed", 0) + 1)
    safetensors.save(model.state_dict(), job["out"] + ".theirs-weights.safetensors")
    save_outputs(outputs_of(model, image), job["out"] + ".theirs.safetensors")
    report["theirsWeights"] = job["out"] + ".theirs-weights.safetensors"
    report["theirs"] = job["out"] + ".theirs.safetensors"
    return report


def main(argv: List[str]) -> int:
    torch.set_num_threads(max(1, torch.get_num_threads()))
    with open(argv[1], encoding="utf-8") as source:
        jobs = json.load(source)
    reports = []
    for job in jobs:
        try:
            reports.append(run(job))
        except Exception:  # a failing job is reported; the batch goes on
            reports.append({"name": job["name"], "error": traceback.format_exc()})
    with open(argv[2], "w", encoding="utf-8") as out:
        json.dump(reports, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
