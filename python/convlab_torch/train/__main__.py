"""`python -m convlab_torch.train CONFIG.json`: one training run (one rank of it under torchrun)."""
import json
import signal
import sys
import traceback
from typing import List

from .context import context_from_environment
from .control import EngineControl
from .distribution import SingleProcess
from ..distributed import DataParallel, launched_by_torchrun
from .events import EventWriter
from .loop import Trainer


def main(argv: List[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write("usage: python -m convlab_torch.train CONFIG.json\n")
        return 2
    with open(argv[1]) as source:
        config = json.load(source)
    if not sys.stdin.isatty():
        # Ctrl+C in a terminal reaches the whole process group: the engine turns it into the
        # cancel line, which finishes the batch and saves last/, so the runtime does not die of it.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    context = context_from_environment(config.get("device", "auto"))
    events = EventWriter(context)
    distribution = DataParallel(context) if launched_by_torchrun() else SingleProcess(context)
    control = EngineControl(listen=context.is_main)
    try:
        result = Trainer(config, distribution, events, control).run()
    except Exception as error:  # reported as the run's error event; the stack goes to stderr
        traceback.print_exc()
        events.emit({"type": "error", "message": f"PyTorch training failed: {type(error).__name__}: {error}"})
        return 1
    finally:
        distribution.close()
    # torchrun calls any exit but 0 a failure and reports it as one: a cancel is not.
    return 0 if result["type"] == "done" or launched_by_torchrun() else 130


if __name__ == "__main__":
    sys.exit(main(sys.argv))
