"""RMSprop as TensorFlow.js (and Keras) computes it, which the tfjs engine runs: ε inside the
square root, `moment = momentum · moment + lr · g / sqrt(ms + ε)`. PyTorch's RMSprop adds ε
outside the root, which for gradients near sqrt(ε) changes the first steps by a large factor."""
from typing import Any, Callable, Iterable, Optional

import torch


class TfRMSprop(torch.optim.Optimizer):
    def __init__(self, params: Iterable[torch.Tensor], lr: float, rho: float = 0.9, momentum: float = 0.0, eps: float = 1e-7) -> None:
        super().__init__(params, {"lr": lr, "rho": rho, "momentum": momentum, "eps": eps})

    @torch.no_grad()
    def step(self, closure: Optional[Callable[[], Any]] = None) -> Any:
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["mean_square"] = torch.zeros_like(p)
                    state["moment"] = torch.zeros_like(p)
                mean_square, moment = state["mean_square"], state["moment"]
                mean_square.mul_(group["rho"]).addcmul_(p.grad, p.grad, value=1 - group["rho"])
                update = p.grad / (mean_square + group["eps"]).sqrt()
                moment.mul_(group["momentum"]).add_(update, alpha=group["lr"])
                p.sub_(moment)
        return loss
