"""ConvLab's PyTorch training runtime: runs an exported module as a .cnn file's train section says.

`python -m convlab_torch.train CONFIG.json`, started by the engine (src/engine/pytorch/training/),
which validates every event this prints and turns its checkpoints into ConvLab's format.
"""
