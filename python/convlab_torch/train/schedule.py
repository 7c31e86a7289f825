"""Early stopping, reduce-LR-on-plateau and the best-checkpoint tracker, as
src/engine/training/schedule.ts decides them (Keras' callbacks)."""
import math
from typing import Any, Dict, Optional, Tuple


def monitored(metrics: Dict[str, Any], monitor: str) -> Optional[float]:
    if monitor == "val_loss":
        return metrics.get("valLoss", metrics.get("loss"))
    if monitor == "val_accuracy":
        return metrics.get("valAccuracy", metrics.get("accuracy"))
    return metrics.get(monitor)


class BestTracker:
    def __init__(self, monitor: str, min_delta: float = 0.0) -> None:
        self.monitor = monitor
        self.min_delta = min_delta
        self.best: Optional[float] = None
        self.best_epoch: Optional[int] = None
        self.since_best = 0

    def update(self, epoch: int, metrics: Dict[str, Any]) -> bool:
        value = monitored(metrics, self.monitor)
        if value is None or math.isnan(value):
            self.since_best += 1
            return False
        lower = self.monitor.endswith("loss")
        improved = self.best is None or (value < self.best - self.min_delta if lower else value > self.best + self.min_delta)
        if improved:
            self.best, self.best_epoch, self.since_best = value, epoch, 0
        else:
            self.since_best += 1
        return improved

    def snapshot(self) -> Dict[str, Any]:
        return {"best": self.best, "bestEpoch": self.best_epoch, "sinceBest": self.since_best}

    def restore(self, state: Dict[str, Any]) -> None:
        self.best, self.best_epoch, self.since_best = state.get("best"), state.get("bestEpoch"), state.get("sinceBest", 0)


class TrainingSchedule:
    def __init__(self, early_stop: Optional[Dict[str, Any]], reduce_lr: Optional[Dict[str, Any]]) -> None:
        self.early_spec, self.reduce_spec = early_stop, reduce_lr
        self.early = BestTracker(early_stop["monitor"], early_stop["minDelta"]) if early_stop else None
        self.plateau = BestTracker(reduce_lr["monitor"]) if reduce_lr else None

    def after_epoch(self, epoch: int, metrics: Dict[str, Any], learning_rate: float) -> Tuple[bool, float]:
        lr = learning_rate
        if self.plateau and self.reduce_spec:
            self.plateau.update(epoch, metrics)
            if self.plateau.since_best >= self.reduce_spec["patience"] and lr > self.reduce_spec["min"]:
                lr = max(self.reduce_spec["min"], lr * self.reduce_spec["factor"])
                self.plateau.since_best = 0
        stop = False
        if self.early and self.early_spec:
            self.early.update(epoch, metrics)
            stop = self.early.since_best >= self.early_spec["patience"]
        return stop, lr

    def snapshot(self) -> Dict[str, Any]:
        return {"early": self.early.snapshot() if self.early else None, "plateau": self.plateau.snapshot() if self.plateau else None}

    def restore(self, state: Dict[str, Any]) -> None:
        if self.early and state.get("early"):
            self.early.restore(state["early"])
        if self.plateau and state.get("plateau"):
            self.plateau.restore(state["plateau"])
