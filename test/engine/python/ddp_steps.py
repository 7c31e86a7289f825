"""A few SGD steps of a small model with batchnorm and dropout, under torchrun through the
runtime's DataParallel (convlab_torch.distributed), or alone through its SingleProcess with
torch's own batchnorm: what test/engine/pytorch-distributed.test.ts compares.

Rank 0 prints one JSON line per step ({"type": "step", "step", "loss"}: the global batch's) and
reads the cancel line on stdin (the runtime's EngineControl); on cancel every rank stops after
the same batch, rank 0 saves a checkpoint and prints {"type": "cancelled", "step"}; --resume
continues from it. Every rank says on stderr at which step it stopped.
"""
import argparse
import json
import os
import sys
import time
from typing import List

import torch
from torch import nn

from convlab_torch import distributed
from convlab_torch.train.context import context_from_environment
from convlab_torch.train.control import EngineControl
from convlab_torch.train.distribution import SingleProcess

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


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=16, help="the global batch")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--step-delay", type=float, default=0.0)
    args = parser.parse_args(argv)

    context = context_from_environment("cpu")
    spread = distributed.DataParallel(context) if distributed.launched_by_torchrun() else SingleProcess(context)
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
        torch.set_rng_state(saved["rng"])
        step = saved["step"]
    if isinstance(spread, SingleProcess):
        # torch's own batchnorm, and the masks the ranks draw, so only the batchnorm policy differs.
        distributed.use_global_dropout(model, context)
    trained = spread.wrap(model)
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    local_batch = spread.batch_size(args.batch)
    steps_per_epoch = EXAMPLES // args.batch
    control = EngineControl(listen=context.is_main)

    trained.train()
    stopped = False
    while step < args.epochs * steps_per_epoch and not stopped:
        epoch, within = divmod(step, steps_per_epoch)
        indices = list(spread.train_sampler(EXAMPLES, args.seed, epoch))
        for batch in range(within, steps_per_epoch):
            rows = indices[batch * local_batch : (batch + 1) * local_batch]
            optimizer.zero_grad()
            loss_sum = loss_fn(trained(data[rows]), labels[rows])
            (loss_sum / len(rows)).backward()
            optimizer.step()
            step += 1
            total, count = spread.sum(torch.tensor([float(loss_sum.detach()), float(len(rows))], dtype=torch.float64)).tolist()
            if context.is_main:
                print(json.dumps({"type": "step", "step": step, "loss": total / count}), flush=True)
            stopped = spread.any(control.cancelled)
            if stopped:
                break
            time.sleep(args.step_delay)
    # One write per line: print() writes the text and the newline apart, and two ranks share stderr.
    sys.stderr.write(f"rank {context.rank} of {context.world_size} stopped after step {step}\n")
    sys.stderr.flush()
    if context.is_main:
        weights = distributed.unwrap(trained).state_dict()
        torch.save({"model": weights, "optimizer": optimizer.state_dict(), "step": step, "rng": torch.get_rng_state()}, args.checkpoint + ".tmp")
        os.replace(args.checkpoint + ".tmp", args.checkpoint)
        statistics = {name: tensor.tolist() for name, tensor in weights.items() if "running_" in name}
        print(json.dumps({"type": "cancelled" if stopped else "done", "step": step, "statistics": statistics}), flush=True)
    spread.barrier()
    spread.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
