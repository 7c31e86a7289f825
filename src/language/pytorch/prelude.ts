/**
 * Python helpers that an exported module includes only where it uses them: what ConvLab computes
 * and torch.nn has no single module for.
 */
export const PYTHON_HELPERS: Record<string, string> = {
  avg_pool_same: `def avg_pool_same(x: torch.Tensor, kernel: Tuple[int, int], stride: Tuple[int, int], pads: Tuple[int, int, int, int]) -> torch.Tensor:
    """TensorFlow's average pooling with uneven "same" padding: the padding is not counted."""
    total = F.avg_pool2d(F.pad(x, pads), kernel, stride)
    ones = F.pad(torch.ones_like(x[:1, :1]), pads)
    return total / F.avg_pool2d(ones, kernel, stride)`,
  PartialAffineBatchNorm2d: partialAffine('2d'),
  PartialAffineBatchNorm1d: partialAffine('1d'),
};

function partialAffine(kind: '1d' | '2d'): string {
  return `class PartialAffineBatchNorm${kind}(nn.BatchNorm${kind}):
    """Batchnorm with only one of γ (scale) and β (center), as Keras' scale=False or center=False."""

    def __init__(self, channels: int, eps: float, momentum: float, scale: bool, center: bool) -> None:
        super().__init__(channels, eps=eps, momentum=momentum, affine=False)
        if scale:
            self.weight = nn.Parameter(torch.ones(channels))
        if center:
            self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.batch_norm(x, self.running_mean, self.running_var, None, None, self.training, self.momentum, self.eps)
        shape = (1, -1) + (1,) * (x.dim() - 2)
        if self.weight is not None:
            y = y * self.weight.view(shape)
        if self.bias is not None:
            y = y + self.bias.view(shape)
        return y`;
}
