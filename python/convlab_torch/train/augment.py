"""The train section's augmentations on a batch (NCHW, on its device), as src/engine/training/
augment.ts does them: flips, then one affine warp per example (rotation, zoom, shift, shear, and
the padded random crop as a whole-pixel shift with zeros coming in), sampled bilinearly."""
import math
from typing import Any, Dict

import torch
import torch.nn.functional as F


def augments(spec: Dict[str, Any]) -> bool:
    return bool(spec["flip"] or spec["vflip"] or spec["crop"] > 0 or spec["rotate"] > 0 or spec["zoom"] > 0 or spec["shift"] > 0 or spec["shear"] > 0)


def augment_batch(x: torch.Tensor, spec: Dict[str, Any], generator: torch.Generator) -> torch.Tensor:
    n, _, h, w = x.shape

    def uniform(limit: float) -> torch.Tensor:
        return (torch.rand(n, generator=generator) * 2 - 1) * limit

    if spec["flip"]:
        chosen = (torch.rand(n, generator=generator) < 0.5).to(x.device)
        x = torch.where(chosen[:, None, None, None], x.flip(3), x)
    if spec["vflip"]:
        chosen = (torch.rand(n, generator=generator) < 0.5).to(x.device)
        x = torch.where(chosen[:, None, None, None], x.flip(2), x)
    if not (spec["crop"] > 0 or spec["shift"] > 0 or spec["rotate"] > 0 or spec["zoom"] > 0 or spec["shear"] > 0):
        return x
    dx = torch.zeros(n)
    dy = torch.zeros(n)
    if spec["crop"] > 0:
        dx = torch.round(uniform(spec["crop"]))
        dy = torch.round(uniform(spec["crop"]))
    if spec["shift"] > 0:
        dx = dx + uniform(spec["shift"]) * w
        dy = dy + uniform(spec["shift"]) * h
    angle = uniform(spec["rotate"]) * math.pi / 180
    shear = uniform(spec["shear"]) * math.pi / 180
    zoom = 1 + uniform(spec["zoom"]) if spec["zoom"] > 0 else torch.ones(n)
    cos, sin, tan = torch.cos(angle), torch.sin(angle), torch.tan(shear)
    a = cos / zoom
    b = (sin + tan * cos) / zoom
    c = -sin / zoom
    d = (cos - tan * sin) / zoom
    cx, cy = (w - 1) / 2, (h - 1) / 2
    tx = cx - a * (cx + dx) - b * (cy + dy)
    ty = cy - c * (cx + dx) - d * (cy + dy)
    ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij")
    sx = a[:, None, None] * xs + b[:, None, None] * ys + tx[:, None, None]
    sy = c[:, None, None] * xs + d[:, None, None] * ys + ty[:, None, None]
    # Pixel coordinates to grid_sample's [-1, 1], pixel centres at the ends (align_corners).
    grid = torch.stack((2 * sx / max(w - 1, 1) - 1, 2 * sy / max(h - 1, 1) - 1), dim=-1).to(x.device, x.dtype)
    padding = "zeros" if spec["crop"] > 0 else "border"
    return F.grid_sample(x, grid, mode="bilinear", padding_mode=padding, align_corners=True)
