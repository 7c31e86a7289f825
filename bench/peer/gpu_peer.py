"""The PyTorch peer of bench:gpu: training images/s of the networks bench/networks/ pins, built
from torchvision as the samples describe them (ResNet-18, GoogLeNet, ResNet-50, VGG16; LeNet-5 in
the samples' modern form), Adam 1e-3, cross-entropy, the loss read back every step as a trainer
does. Fixed warm-up and measured steps; the median of REPEATS repetitions.

Usage: python3 gpu_peer.py --device cuda|cpu [--strict-fp32] [--warmup N] [--steps N]
       [--repeats N] NAME:BATCH...
Prints one JSON line per case: {"model", "batch", "device", "strictFp32", "imagesPerSecond",
"repetitions", "torch"}.
"""
import argparse
import json
import statistics
import time
from typing import Callable, Dict, List, Tuple

import torch
import torch.nn as nn
import torchvision


def lenet5() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


# name -> (constructor, input shape C×H×W, classes), as bench/networks/ defines them.
NETWORKS: Dict[str, Tuple[Callable[[], nn.Module], Tuple[int, int, int], int]] = {
    'LeNet5': (lenet5, (1, 28, 28), 10),
    'ResNet18Cifar': (lambda: torchvision.models.resnet18(num_classes=10), (3, 32, 32), 10),
    'GoogLeNetCifar': (lambda: torchvision.models.googlenet(num_classes=10, aux_logits=False, init_weights=True), (3, 32, 32), 10),
    'ResNet50': (lambda: torchvision.models.resnet50(num_classes=1000), (3, 224, 224), 1000),
    'VGG16': (lambda: torchvision.models.vgg16(num_classes=1000), (3, 224, 224), 1000),
}


def synchronize(device: str) -> None:
    if device == 'cuda':
        torch.cuda.synchronize()


def images_per_second(name: str, batch: int, device: str, warmup: int, steps: int) -> float:
    make, shape, classes = NETWORKS[name]
    model = make().to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(batch, *shape, device=device)
    y = torch.randint(0, classes, (batch,), device=device)

    def step() -> float:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(warmup):
        step()
    synchronize(device)
    started = time.perf_counter()
    for _ in range(steps):
        step()
    synchronize(device)
    return batch * steps / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--device', choices=['cuda', 'cpu'], required=True)
    parser.add_argument('--strict-fp32', action='store_true', help='no TF32 tensor cores in cuDNN or matmul')
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--steps', type=int, default=20)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('cases', nargs='+', help='NAME:BATCH')
    args = parser.parse_args()
    if args.device == 'cuda' and not torch.cuda.is_available():
        raise SystemExit('torch.cuda.is_available() is False: no CUDA device for the peer')
    if args.strict_fp32:
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
    torch.manual_seed(0)
    for case in args.cases:
        name, batch_text = case.split(':')
        if name not in NETWORKS:
            raise SystemExit(f'unknown network {name}; known: {", ".join(NETWORKS)}')
        rates: List[float] = [images_per_second(name, int(batch_text), args.device, args.warmup, args.steps) for _ in range(args.repeats)]
        print(json.dumps({
            'model': name, 'batch': int(batch_text), 'device': args.device, 'strictFp32': args.strict_fp32,
            'imagesPerSecond': round(statistics.median(rates), 1), 'repetitions': [round(r, 1) for r in rates],
            'torch': torch.__version__,
        }), flush=True)


if __name__ == '__main__':
    main()
