"""Unit tests of python/convlab_torch/train, run by test/engine/pytorch-runtime.test.ts."""
import os
import tempfile
import unittest

import numpy as np
import torch
from torch import nn

from convlab_torch.train import checkpoints
from convlab_torch.train.augment import augment_batch, augments
from convlab_torch.train.data import EpochOrder, SplitArrays, SplitFiles, make_loader
from convlab_torch.train.objective import Objective, hits
from convlab_torch.train.precision import autocast
from convlab_torch.train.schedule import TrainingSchedule
from convlab_torch.train.seeded import seeded_random

NONE = {"flip": False, "vflip": False, "crop": 0, "rotate": 0, "zoom": 0, "shift": 0, "shear": 0}


def images(n: int = 16, c: int = 3, h: int = 9, w: int = 11) -> torch.Tensor:
    return torch.arange(n * c * h * w, dtype=torch.float32).reshape(n, c, h, w) % 97 + 1


def generator(seed: int = 1) -> torch.Generator:
    g = torch.Generator()
    g.manual_seed(seed)
    return g


class AugmentTest(unittest.TestCase):
    def test_nothing_asked_changes_nothing(self) -> None:
        x = images()
        self.assertFalse(augments(NONE))
        self.assertTrue(torch.equal(augment_batch(x, NONE, generator()), x))

    def test_flips_mirror_some_examples_exactly(self) -> None:
        for key, dim in (("flip", 3), ("vflip", 2)):
            x = images()
            y = augment_batch(x, {**NONE, key: True}, generator())
            flipped = [torch.equal(y[i], x[i].flip(dim - 1)) for i in range(len(x))]
            kept = [torch.equal(y[i], x[i]) for i in range(len(x))]
            self.assertTrue(all(f or k for f, k in zip(flipped, kept)), key)
            self.assertTrue(any(flipped) and any(kept), f"{key}: about half flipped")

    def test_crop_is_a_whole_pixel_shift_with_zeros_coming_in(self) -> None:
        x = images()
        y = augment_batch(x, {**NONE, "crop": 2}, generator())
        for i in range(len(x)):
            matches = []
            for dy in range(-2, 3):
                for dx in range(-2, 3):
                    shifted = torch.zeros_like(x[i])
                    h, w = x.shape[2], x.shape[3]
                    shifted[:, max(0, dy):h + min(0, dy), max(0, dx):w + min(0, dx)] = x[i][:, max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)]
                    matches.append(torch.allclose(y[i], shifted, atol=1e-4))
            self.assertTrue(any(matches), f"example {i} is a shifted copy")

    def test_rotate_zoom_shift_shear_warp_each_example_and_fill_from_the_border(self) -> None:
        for key, value in (("rotate", 20), ("zoom", 0.2), ("shift", 0.2), ("shear", 15)):
            x = images()
            y = augment_batch(x, {**NONE, key: value}, generator())
            self.assertEqual(y.shape, x.shape)
            changed = sum(not torch.allclose(y[i], x[i]) for i in range(len(x)))
            self.assertGreater(changed, len(x) // 2, key)
            self.assertGreater(float(y.min()), 0.5, f"{key}: no zeros come in (nearest fill)")


class ObjectiveTest(unittest.TestCase):
    def test_smoothing_and_class_weights_as_tensorflow_computes_them(self) -> None:
        torch.manual_seed(0)
        logits, labels = torch.randn(6, 4), torch.tensor([0, 1, 2, 3, 1, 0])
        weights = torch.tensor([1.0, 2.0, 0.5, 1.0])
        objective = Objective(["logits"], [1.0], 4, 0.2, weights)
        target = torch.nn.functional.one_hot(labels, 4).float() * 0.8 + 0.05
        expected = (-(target * logits.log_softmax(1)).sum(1) * weights[labels]).mean()
        self.assertAlmostEqual(float(objective.training_loss([logits], labels)), float(expected), places=5)

    def test_aux_heads_add_by_their_weight_and_probabilities_are_clipped(self) -> None:
        logits, labels = torch.randn(5, 3), torch.tensor([0, 1, 2, 0, 1])
        probabilities = torch.softmax(torch.randn(5, 3), 1)
        objective = Objective(["logits", "probabilities"], [1.0, 0.3], 3, 0.0, None)
        expected = nn.functional.cross_entropy(logits, labels) + 0.3 * nn.functional.nll_loss(probabilities.clamp(1e-7, 1 - 1e-7).log(), labels)
        self.assertAlmostEqual(float(objective.training_loss([logits, probabilities], labels)), float(expected), places=5)

    def test_top5_counts_the_classes_strictly_above(self) -> None:
        output = torch.tensor([[0.0, 1, 2, 3, 4, 5, 6], [6.0, 5, 4, 3, 2, 1, 0]])
        self.assertEqual(hits(output, torch.tensor([1, 0])), (1.0, 1.0))


class ScheduleTest(unittest.TestCase):
    def test_early_stopping_and_reduce_on_plateau_as_keras_decides(self) -> None:
        schedule = TrainingSchedule({"patience": 2, "minDelta": 0.0, "monitor": "val_loss", "restore": True}, {"factor": 0.5, "patience": 1, "min": 0.02, "monitor": "val_loss"})
        decisions = [schedule.after_epoch(e + 1, {"loss": 1.0, "valLoss": v}, lr) for e, (v, lr) in enumerate([(1.0, 0.1), (0.9, 0.1), (0.95, 0.1), (0.95, 0.05)])]
        self.assertEqual([d[1] for d in decisions], [0.1, 0.1, 0.05, 0.025])
        self.assertEqual([d[0] for d in decisions], [False, False, False, True])


class DataTest(unittest.TestCase):
    def test_batches_of_the_prepared_arrays_in_torch_order(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            x = np.arange(5 * 2 * 3 * 2, dtype="<f4").reshape(5, 2, 3, 2)
            x.tofile(os.path.join(folder, "x.f32"))
            np.array([4, 3, 2, 1, 0], dtype="<i4").tofile(os.path.join(folder, "y.i32"))
            split = SplitArrays(SplitFiles(os.path.join(folder, "x.f32"), os.path.join(folder, "y.i32"), 5, (2, 3, 2)))
            batches = list(make_loader(split, EpochOrder(5, 0, 0, shuffle=False), 2, 0, skip_batches=1))
            self.assertEqual([b[1].tolist() for b in batches], [[2, 1], [0]])
            self.assertTrue(torch.equal(batches[0][0][0], torch.from_numpy(x[2]).permute(2, 0, 1)))

    def test_an_epoch_visits_the_examples_in_the_tfjs_engine_s_order(self) -> None:
        # src/engine/data/random.ts: shuffleInPlace(0..19, seededRandom(42 + 3)), and three draws.
        self.assertEqual(list(EpochOrder(20, 42, 3, True)), [1, 12, 5, 18, 4, 3, 13, 2, 10, 11, 8, 16, 9, 19, 15, 7, 6, 14, 17, 0])
        draw = seeded_random(0xDEADBEEF)
        self.assertEqual([draw(), draw(), draw()], [0.9413696140982211, 0.26719574979506433, 0.772033357527107])

    def test_an_epoch_order_is_the_seed_and_epoch_s(self) -> None:
        self.assertEqual(list(EpochOrder(50, 3, 1, True)), list(EpochOrder(50, 3, 1, True)))
        self.assertNotEqual(list(EpochOrder(50, 3, 1, True)), list(EpochOrder(50, 3, 2, True)))


class CheckpointTest(unittest.TestCase):
    def test_a_checkpoint_is_replaced_whole(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            model = nn.Linear(3, 2)
            target = os.path.join(folder, "last")
            for epoch in (1, 2):
                checkpoints.save(target, model, {"epoch": epoch}, {"epoch": epoch})
            self.assertEqual(sorted(os.listdir(folder)), ["last"])
            self.assertEqual(checkpoints.load_training(target)["epoch"], 2)
            copy = nn.Linear(3, 2)
            checkpoints.load_weights(target, copy)
            self.assertTrue(torch.equal(copy.weight, model.weight))


class PrecisionTest(unittest.TestCase):
    def test_bf16_autocast_runs_on_the_cpu(self) -> None:
        layer = nn.Linear(4, 2)
        with autocast("bf16", torch.device("cpu")):
            self.assertEqual(layer(torch.randn(3, 4)).dtype, torch.bfloat16)
        with autocast("fp32", torch.device("cpu")):
            self.assertEqual(layer(torch.randn(3, 4)).dtype, torch.float32)


if __name__ == "__main__":
    unittest.main()
