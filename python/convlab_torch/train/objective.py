"""The loss and metrics of src/engine/training/objective.ts: cross-entropy per output (logits, or
probabilities where the model ends in another activation), label smoothing ε spread over all
classes, class weights as a per-example factor of a plain mean, aux heads by their weights.
L2 decay is not here: it is the optimizer's weight_decay on the kernels (docs/pytorch.md)."""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F


@dataclass
class Objective:
    kinds: List[str]
    loss_weights: List[float]
    class_count: int
    label_smoothing: float
    class_weights: Optional[torch.Tensor]

    def per_output(self, output: torch.Tensor, kind: str, labels: torch.Tensor, smoothing: float, weights: Optional[torch.Tensor]) -> torch.Tensor:
        output = output.float()
        if kind == "logits":
            per_example = F.cross_entropy(output, labels, reduction="none", label_smoothing=smoothing)
        else:
            target = F.one_hot(labels, self.class_count).float()
            if smoothing > 0:
                target = target * (1 - smoothing) + smoothing / self.class_count
            per_example = -(target * output.clamp(1e-7, 1 - 1e-7).log()).sum(-1)
        if weights is not None:
            per_example = per_example * weights.to(output.device)[labels]
        return per_example.mean()

    def training_loss(self, outputs: Sequence[torch.Tensor], labels: torch.Tensor) -> torch.Tensor:
        total = torch.zeros((), device=labels.device)
        for index, output in enumerate(outputs):
            total = total + self.per_output(output, self.kinds[index], labels, self.label_smoothing, self.class_weights) * self.loss_weights[index]
        return total

    def evaluation_sums(self, output: torch.Tensor, labels: torch.Tensor) -> Tuple[float, float, float]:
        """Loss × count (unweighted, unsmoothed), top-1 hits, top-5 hits of the main output."""
        loss = self.per_output(output, self.kinds[0], labels, 0.0, None) * labels.shape[0]
        correct, top5 = hits(output, labels)
        return float(loss), correct, top5


def hits(output: torch.Tensor, labels: torch.Tensor) -> Tuple[float, float]:
    """Top-1 and top-5 hits: the rank of the true class is how many classes score strictly higher."""
    output = output.float()
    label_score = output.gather(1, labels[:, None])
    higher = (output > label_score).sum(1)
    return float((higher < 1).sum()), float((higher < 5).sum())
