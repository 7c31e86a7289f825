"""The training loop: stages, epochs, batches, evaluation, schedule, checkpoints, cancel and
resume, with the engine events of src/protocol/engine.ts. Mirrors src/engine/training/trainer.ts."""
import os
import time
from typing import Any, Dict, List, Optional, Tuple

import torch

from . import checkpoints
from .augment import augment_batch, augments
from .control import EngineControl
from .data import EpochOrder, SplitArrays, SplitFiles, batch_count, make_loader
from .distribution import SingleProcess
from .events import EventWriter, rounded
from .model import apply_stage, build_model, decayed_kernels, learning_rate_of, make_optimizer, outputs_of, set_learning_rate, set_training_mode
from .objective import Objective
from .precision import autocast, grad_scaler
from .schedule import BestTracker, TrainingSchedule


class Trainer:
    def __init__(self, config: Dict[str, Any], distribution: SingleProcess, events: EventWriter, control: EngineControl) -> None:
        self.config, self.dist, self.events, self.control = config, distribution, events, control
        self.context = distribution.context
        self.device = self.context.device
        torch.manual_seed(config["seed"])
        self.model = build_model(config).to(self.device)
        self.network = distribution.wrap(self.model)
        self.stages: List[Dict[str, Any]] = config["stages"]
        self.stage = 0
        self.total_epochs = sum(s["epochs"] for s in self.stages)
        apply_stage(self.model, self.stages[0])
        self.optimizer = make_optimizer(self.model, config["optimizer"], self.stages[0]["learningRate"])
        self.decay = float(config["optimizer"]["decay"])
        self.kernels = decayed_kernels(self.model, config["kernels"])
        self.scaler = grad_scaler(config["precision"], self.device)
        weights = config["objective"].get("classWeights")
        self.objective = Objective(
            config["objective"]["kinds"], config["objective"]["lossWeights"], config["objective"]["classCount"],
            config["objective"]["labelSmoothing"], torch.tensor(weights, dtype=torch.float32) if weights else None,
        )
        self.schedule = TrainingSchedule(config.get("earlyStop"), config.get("reduceLr"))
        early = config.get("earlyStop")
        self.best = BestTracker(early["monitor"] if early else config["checkpointMonitor"], early["minDelta"] if early else 0.0)
        data = config["data"]
        self.train_split = SplitArrays(SplitFiles.from_config(data["train"]))
        self.validation = SplitArrays(SplitFiles.from_config(data["validation"])) if data.get("validation") else None
        self.test = SplitArrays(SplitFiles.from_config(data["test"]))
        self.training_seconds = 0.0
        self.workers = int(config.get("workers", 0))
        self.run_dir = config["runDir"]

    # ── stages ──────────────────────────────────────────────────────────────────────────────

    def stage_start(self, stage: int) -> int:
        return sum(s["epochs"] for s in self.stages[:stage])

    def announce_stage(self) -> None:
        if len(self.stages) == 1:
            return
        stage = self.stages[self.stage]
        self.events.emit({
            "type": "stage", "stage": self.stage + 1, "stages": len(self.stages), "name": stage["name"], "fromEpoch": self.stage_start(self.stage) + 1,
            "epochs": stage["epochs"], "learningRate": learning_rate_of(self.optimizer), "params": stage["params"],
        })

    def enter_stage(self, stage: int) -> None:
        """Thaws the stage's layers and starts a fresh optimizer at its learning rate, as Keras does on recompiling."""
        self.stage = stage
        apply_stage(self.model, self.stages[stage])
        self.optimizer = make_optimizer(self.model, self.config["optimizer"], self.stages[stage]["learningRate"])
        self.kernels = decayed_kernels(self.model, self.config["kernels"])
        self.schedule = TrainingSchedule(self.config.get("earlyStop"), self.config.get("reduceLr"))

    # ── the run ─────────────────────────────────────────────────────────────────────────────

    def run(self) -> Dict[str, Any]:
        start_epoch, skip = self.resume() if self.config.get("resume") else (0, 0)
        epochs_run, stopped_early = start_epoch, False
        if skip == 0 and start_epoch == self.stage_start(self.stage):
            self.announce_stage()
        epoch = start_epoch
        while epoch < self.total_epochs:
            if self.stage + 1 < len(self.stages) and epoch == self.stage_start(self.stage + 1):
                self.enter_stage(self.stage + 1)
                self.announce_stage()
            cancelled, batches_done, metrics = self.run_epoch(epoch, skip)
            skip = 0
            if cancelled:
                return self.cancel(epoch, batches_done)
            epochs_run = epoch + 1
            stop, rate = self.schedule.after_epoch(epoch + 1, metrics, learning_rate_of(self.optimizer))
            set_learning_rate(self.optimizer, rate)
            self.checkpoint(epoch + 1, 0, metrics)
            if stop:
                if self.stage + 1 >= len(self.stages):
                    stopped_early = True
                    break
                epoch = self.stage_start(self.stage + 1) - 1
            epoch += 1
        early = self.config.get("earlyStop")
        if early and early["restore"] and self.best.best_epoch is not None:
            checkpoints.load_weights(os.path.join(self.run_dir, "best"), self.model)
        test = self.evaluate(self.test)
        done: Dict[str, Any] = {
            "type": "done", "runDir": self.run_dir, "testAccuracy": test["accuracy"], "testLoss": test["loss"],
            "trainingSeconds": rounded(self.training_seconds), "epochsRun": epochs_run, "stoppedEarly": stopped_early,
        }
        if self.best.best_epoch is not None:
            done.update(bestEpoch=self.best.best_epoch, checkpointMonitor=self.best.monitor)
        if self.config["top5"]:
            done["testTop5"] = test["top5"]
        if self.config.get("testIsValidation"):
            done["testIsValidation"] = True
        if "mostPredicted" in test:
            done.update(testMostPredictedClass=test["mostPredicted"][0], testMostPredictedShare=test["mostPredicted"][1])
        self.events.emit(done)
        return done

    def resume(self) -> Tuple[int, int]:
        state = checkpoints.load_training(os.path.join(self.run_dir, "last"))
        epoch = int(state["epoch"])
        resumed_stage = len([s for s in range(len(self.stages)) if self.stage_start(s) <= epoch]) - 1
        if resumed_stage > 0:
            self.enter_stage(resumed_stage)
        checkpoints.load_weights(os.path.join(self.run_dir, "last"), self.model)
        # At a stage's first epoch the saved optimizer belongs to the stage before: start afresh.
        if state.get("stage", 0) == resumed_stage:
            self.optimizer.load_state_dict(state["optimizer"])
            if self.scaler is not None and state.get("scaler"):
                self.scaler.load_state_dict(state["scaler"])
            set_learning_rate(self.optimizer, float(state["learningRate"]))
            self.schedule.restore(state.get("plan", {}))
        self.best.restore(state.get("schedule", {}))
        self.training_seconds = float(state["trainingSeconds"])
        if "rng" in state:
            torch.set_rng_state(state["rng"])
        return epoch, int(state["batchesDone"])

    # ── one epoch ───────────────────────────────────────────────────────────────────────────

    def run_epoch(self, epoch: int, skip: int) -> Tuple[bool, int, Dict[str, Any]]:
        config = self.config
        global_batch = config["batch"]
        local_batch = self.dist.batch_size(global_batch)
        sampler = self.dist.train_sampler(len(self.train_split), config["seed"], epoch)
        batches = batch_count(len(self.train_split), global_batch)
        rate = learning_rate_of(self.optimizer)
        self.events.emit({"type": "epochBegin", "epoch": epoch + 1, "epochs": self.total_epochs, "learningRate": rate, "batches": batches})
        loader = make_loader(self.train_split, sampler, local_batch, self.workers, skip, pin_memory=self.device.type == "cuda")
        generator = torch.Generator()
        # Per rank under torchrun (rank 0 draws what one process draws), so ranks do not augment alike.
        generator.manual_seed((config["seed"] * 7919 + epoch + 104729 * self.context.rank) & 0xFFFFFFFF)
        augment = augments(config["augment"]) and len(self.train_split.files.shape) == 3
        set_training_mode(self.model, self.stages[self.stage])
        sums = torch.zeros(4, dtype=torch.float64, device=self.device)  # loss·n, correct, top5, n
        interval = config.get("batchEventInterval", 250) / 1000
        started = last_event = time.perf_counter()
        index = skip
        for x, labels in loader:
            index += 1
            x = x.to(self.device, non_blocking=True)
            labels = labels.to(self.device, non_blocking=True)
            if augment:
                x = augment_batch(x, config["augment"], generator)
            sums += self.step(x, labels)
            now = time.perf_counter()
            if now - last_event >= interval or index == batches:
                last_event = now
                # This process's share: a collective here would need every rank to agree on when.
                totals = sums.tolist()
                self.events.emit({
                    "type": "batch", "epoch": epoch + 1, "batch": index, "batches": batches, "loss": totals[0] / totals[3],
                    "accuracy": totals[1] / totals[3], "learningRate": learning_rate_of(self.optimizer), "examplesPerSecond": rounded(totals[3] / max(now - started, 1e-9)),
                })
            if self.dist.any(self.control.cancelled):
                self.training_seconds += time.perf_counter() - started
                totals = self.dist.sum(sums.clone()).tolist()
                return True, index, {"loss": totals[0] / max(totals[3], 1), "accuracy": totals[1] / max(totals[3], 1)}
        self.dist.after_epoch(self.model)
        seconds = time.perf_counter() - started
        self.training_seconds += seconds
        loss_sum, correct, top5, count = self.dist.sum(sums).tolist()
        metrics: Dict[str, Any] = {"loss": loss_sum / count, "accuracy": correct / count}
        if config["top5"]:
            metrics["top5"] = top5 / count
        if self.validation is not None:
            val = self.evaluate(self.validation)
            metrics.update(valLoss=val["loss"], valAccuracy=val["accuracy"])
            if config["top5"]:
                metrics["valTop5"] = val["top5"]
            if "mostPredicted" in val:
                metrics.update(valMostPredictedClass=val["mostPredicted"][0], valMostPredictedShare=val["mostPredicted"][1])
        self.events.emit({
            "type": "epochEnd", "epoch": epoch + 1, "epochs": self.total_epochs, "learningRate": learning_rate_of(self.optimizer),
            "seconds": rounded(seconds), "examplesPerSecond": rounded(count / seconds), **metrics,
        })
        return False, index, metrics

    def step(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """One optimiser step; returns this batch's [loss·n, correct, top5, n] on the device."""
        self.optimizer.zero_grad(set_to_none=True)
        with autocast(self.config["precision"], self.device):
            outputs = outputs_of(self.network(x))
            loss = self.objective.training_loss(outputs, labels)
        if self.decay > 0 and self.kernels:
            loss = loss + (self.decay / 2) * sum(k.float().pow(2).sum() for k in self.kernels)
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            loss.backward()
            self.optimizer.step()
        with torch.no_grad():
            main = outputs[0].float()
            higher = (main > main.gather(1, labels[:, None])).sum(1)
            n = labels.shape[0]
            return torch.stack([loss.detach().double() * n, (higher < 1).sum().double(), (higher < 5).sum().double(), torch.tensor(float(n), dtype=torch.float64, device=labels.device)])

    # ── evaluation ──────────────────────────────────────────────────────────────────────────

    def evaluate(self, split: SplitArrays) -> Dict[str, Any]:
        """Loss and accuracy of the main output over a whole split, in inference mode."""
        self.model.eval()
        loader = make_loader(split, EpochOrder(len(split), 0, 0, shuffle=False), max(self.config["batch"], 128), self.workers)
        loss = correct = top5 = 0.0
        count = 0
        predicted = torch.zeros(self.objective.class_count, dtype=torch.long)
        with torch.no_grad():
            for x, labels in loader:
                x, labels = x.to(self.device), labels.to(self.device)
                with autocast(self.config["precision"], self.device):
                    output = outputs_of(self.model(x))[0]
                l, c, t = self.objective.evaluation_sums(output, labels)
                loss, correct, top5, count = loss + l, correct + c, top5 + t, count + labels.shape[0]
                predicted += torch.bincount(output.argmax(1).cpu(), minlength=self.objective.class_count)
        if count == 0:
            return {"loss": float("nan"), "accuracy": float("nan"), "top5": float("nan"), "count": 0}
        most = int(predicted.argmax())
        return {"loss": loss / count, "accuracy": correct / count, "top5": top5 / count, "count": count, "mostPredicted": (most, float(predicted[most]) / count)}

    # ── checkpoints ─────────────────────────────────────────────────────────────────────────

    def training_state(self, epoch: int, batches_done: int, metrics: Optional[Dict[str, Any]]) -> Dict[str, Any]:
        state: Dict[str, Any] = {
            "epoch": epoch, "batchesDone": batches_done, "learningRate": learning_rate_of(self.optimizer),
            "trainingSeconds": self.training_seconds, "schedule": self.best.snapshot(), "stage": self.stage,
        }
        if metrics is not None:
            state["metrics"] = {k: v for k, v in metrics.items() if isinstance(v, (int, float))}
        return state

    def save(self, kind: str, epoch: int, batches_done: int, metrics: Optional[Dict[str, Any]], monitor: Optional[Dict[str, Any]] = None) -> str:
        folder = os.path.join(self.run_dir, kind)
        if self.context.is_main:
            state = self.training_state(epoch, batches_done, metrics)
            training = None
            if kind == "last":
                training = {**state, "optimizer": self.optimizer.state_dict(), "scaler": self.scaler.state_dict() if self.scaler else None,
                            "plan": self.schedule.snapshot(), "rng": torch.get_rng_state()}
            checkpoints.save(folder, self.model, state, training)
            event: Dict[str, Any] = {"type": "checkpoint", "kind": kind, "path": folder, "epoch": epoch}
            if monitor is not None:
                event["monitor"] = monitor
            self.events.emit(event)
            self.control.wait_until_saved()
        self.dist.barrier()
        return folder

    def checkpoint(self, epoch: int, batches_done: int, metrics: Dict[str, Any]) -> None:
        better = self.best.update(epoch, metrics)
        self.save("last", epoch, batches_done, metrics)
        if better:
            self.save("best", epoch, batches_done, metrics, {"name": self.best.monitor, "value": self.best.best})

    def cancel(self, epoch: int, batches_done: int) -> Dict[str, Any]:
        last = self.save("last", epoch, batches_done, None)
        event = {"type": "cancelled", "runDir": self.run_dir, "epoch": epoch + 1, "batch": batches_done, "checkpoint": last}
        self.events.emit(event)
        return event
