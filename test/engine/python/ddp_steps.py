"""A few SGD steps of a small model with batchnorm and dropout, in one process or under torchrun,
through convlab_torch.distributed: what test/engine/pytorch-distributed.test.ts compares.

Rank 0 prints one JSON line per step ({"type": "step", "step", "loss"}) and reads the cancel
line on stdin; on cancel every rank stops after the same batch, rank 0 saves a checkpoint and
prints {"type": "cancelled", "step"}; --resume continues from it. Every rank says on stderr at
which step it stopped.
"""
import argparse
import json
import os
import sys
import threading
import time
from typing import List

import torch
from torch import nn

from convlab_torch import distributed

EXAMPLES = 64


def small_model() -> nn.Module:
    torch.manual_seed(1234)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, bias=False),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(4 * 8 * 8, 16),
        nn.BatchNorm1d(16),
        nn.ReLU(),
        nn.Dropout(0.4),
        nn.Linear(16, 3),
    )


def watch_stdin(flag: threading.Event) -> None:
    for line in sys.stdin:
        try:
            if json.loads(line).get("type") == "cancel":
                flag.set()
                return
        except ValueError:
            continue


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=16, help="the global batch")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--step-delay", type=float, default=0.0)
    args = parser.parse_args(argv)

    ranks = distributed.start("cpu")
    torch.manual_seed(args.seed)
    data = torch.randn(EXAMPLES, 1, 8, 8)
    labels = torch.randint(0, 3, (EXAMPLES,))
    model = small_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    step = 0
    if args.resume:
        saved = torch.load(args.checkpoint)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        step = saved["step"]
    trained = distributed.prepare_model(model, ranks, args.seed)
    distributed.seek_dropout(trained, step)
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    if args.batch % ranks.world_size:
        raise SystemExit(f"the global batch {args.batch} does not split over {ranks.world_size} processes")
    local_batch = args.batch // ranks.world_size
    steps_per_epoch = EXAMPLES // args.batch
    sampler = distributed.OrderSampler(EXAMPLES, ranks)
    cancel = threading.Event()
    if ranks.is_main:
        threading.Thread(target=watch_stdin, args=(cancel,), daemon=True).start()

    trained.train()
    stopped = False
    while step < args.epochs * steps_per_epoch and not stopped:
        epoch, within = divmod(step, steps_per_epoch)
        sampler.set_order(torch.randperm(EXAMPLES, generator=torch.Generator().manual_seed(args.seed + epoch)).tolist())
        indices = list(sampler)
        for batch in range(within, steps_per_epoch):
            rows = indices[batch * local_batch : (batch + 1) * local_batch]
            optimizer.zero_grad()
            loss_sum = loss_fn(trained(data[rows]), labels[rows])
            (loss_sum / len(rows)).backward()
            optimizer.step()
            step += 1
            total, count, stopped = distributed.step_totals(loss_sum, len(rows), cancel.is_set(), ranks)
            if ranks.is_main:
                print(json.dumps({"type": "step", "step": step, "loss": total / count}), flush=True)
            if stopped:
                break
            time.sleep(args.step_delay)
    print(f"rank {ranks.rank} of {ranks.world_size} stopped after step {step}", file=sys.stderr, flush=True)
    if ranks.is_main:
        weights = distributed.unwrap(trained).state_dict()
        torch.save({"model": weights, "optimizer": optimizer.state_dict(), "step": step}, args.checkpoint + ".tmp")
        os.replace(args.checkpoint + ".tmp", args.checkpoint)
        statistics = {name: tensor.tolist() for name, tensor in weights.items() if "running_" in name}
        print(json.dumps({"type": "cancelled" if stopped else "done", "step": step, "statistics": statistics}), flush=True)
    distributed.barrier(ranks)
    distributed.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
