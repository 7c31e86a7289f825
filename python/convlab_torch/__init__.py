"""ConvLab's PyTorch side: safetensors by hand, .pt conversion, and the agreement checks."""
