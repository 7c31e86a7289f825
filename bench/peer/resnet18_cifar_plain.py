"""The plain PyTorch peer of bench/resnet18-torchrun.bench.ts: samples/resnet18.cnn's
ResNet18Cifar as a PyTorch user writes it, reading the same CIFAR-10 files ConvLab reads.

- The network: torchvision's resnet18(num_classes=10), the topology ResNet18Cifar is written
  after (7×7 stem, max pool, four stages; 32×32 inputs).
- The recipe of the sample's train section: SGD lr 0.1, momentum 0.9, weight decay 5e-4,
  batch 128, cross-entropy, horizontal flips and a random crop of 32 from the image padded by 4.
- The data: ../shared/data/cifar10/cifar10-jpg.tar.gz (train/<class>/*.jpg), decoded once into
  memory as a uint8 tensor on the device, as a tuned script keeps CIFAR-10; each batch is
  augmented and normalised on the device. The decoding is timed apart from the epochs.
- Timed: each epoch's training steps (the loss read back every step as a trainer reports it),
  synchronised at its end, without evaluation, as ConvLab's epochEnd `seconds` is.

Usage: python3 resnet18_cifar_plain.py ARCHIVE [--epochs 3] [--batch 128] [--limit N]
       [--device auto|cuda|cpu] [--seed 42]
Prints one JSON line per epoch: {"epoch", "seconds", "imagesPerSecond", "loss", "accuracy"},
after one {"load": seconds, "images", "device", "torch"}.
"""
import argparse
import io
import json
import tarfile
import time
from typing import List, Tuple

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from PIL import Image

MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2470, 0.2435, 0.2616)


def read_training_images(archive: str, limit: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """train/<class>/*.jpg in sorted class order (ImageFolder's, CIFAR-10's label order)."""
    members: List[Tuple[str, str, bytes]] = []
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            parts = member.name.strip("./").split("/")
            if member.isfile() and len(parts) >= 3 and parts[-3] == "train" and parts[-1].lower().endswith(".jpg"):
                members.append((parts[-2], parts[-1], tar.extractfile(member).read()))  # type: ignore[union-attr]
    members.sort()
    classes = sorted({c for c, _, _ in members})
    if limit and limit < len(members):
        # Every k-th image: all classes, as ConvLab's limit keeps them.
        step = len(members) / limit
        members = [members[int(i * step)] for i in range(limit)]
    images = np.stack([np.asarray(Image.open(io.BytesIO(body)).convert("RGB")) for _, _, body in members])
    labels = np.array([classes.index(c) for c, _, _ in members], dtype=np.int64)
    return torch.from_numpy(images).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(labels)


def augment(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Flip half the batch, then a random 32×32 crop of each image padded by 4 with zeros."""
    n, _, h, w = x.shape
    flip = torch.rand(n, generator=generator, device=x.device) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    padded = F.pad(x, (4, 4, 4, 4))
    c = x.shape[1]
    dy = torch.randint(0, 9, (n,), generator=generator, device=x.device)
    dx = torch.randint(0, 9, (n,), generator=generator, device=x.device)
    rows = (torch.arange(h, device=x.device)[None, :] + dy[:, None])[:, None, :, None].expand(n, c, h, w + 8)
    cols = (torch.arange(w, device=x.device)[None, :] + dx[:, None])[:, None, None, :].expand(n, c, h, w)
    return padded.gather(2, rows).gather(3, cols)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("archive")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else "cpu" if args.device == "auto" else args.device)
    torch.manual_seed(args.seed)

    started = time.perf_counter()
    images, labels = read_training_images(args.archive, args.limit)
    images, labels = images.to(device), labels.to(device)
    print(json.dumps({"load": round(time.perf_counter() - started, 2), "images": len(labels), "device": str(device), "torch": torch.__version__}), flush=True)

    model = torchvision.models.resnet18(num_classes=10).to(device).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    loss_fn = torch.nn.CrossEntropyLoss()
    mean = torch.tensor(MEAN, device=device)[None, :, None, None]
    std = torch.tensor(STD, device=device)[None, :, None, None]
    generator = torch.Generator(device=device)
    generator.manual_seed(args.seed)
    count = len(labels)
    for epoch in range(1, args.epochs + 1):
        order = torch.randperm(count, generator=generator, device=device)
        loss_sum = correct = 0.0
        if device.type == "cuda":
            torch.cuda.synchronize()
        begun = time.perf_counter()
        for start in range(0, count, args.batch):
            rows = order[start : start + args.batch]
            x = (augment(images[rows].float() / 255, generator) - mean) / std
            y = labels[rows]
            optimizer.zero_grad(set_to_none=True)
            output = model(x)
            loss = loss_fn(output, y)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(rows)
            correct += float((output.argmax(1) == y).sum())
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - begun
        print(json.dumps({"epoch": epoch, "seconds": round(seconds, 3), "imagesPerSecond": round(count / seconds, 1), "loss": loss_sum / count, "accuracy": correct / count}), flush=True)


if __name__ == "__main__":
    main()
