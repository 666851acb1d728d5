"""Small models shared by tests/test_torch_models.py and the distributed ranks (tests/distributed/)."""
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, width: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.up = nn.Linear(width, 3 * width)
        self.down = nn.Linear(3 * width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.down(torch.relu(self.up(self.norm(x))))


class Tiny(nn.Module):
    """An embedding, blocks keyed "0", "1", ... (a pipeline stage deletes the others) and a norm."""

    def __init__(self, n_layers: int, width: int = 6, vocab: int = 11) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, width, padding_idx=0)
        self.layers = nn.ModuleDict({str(i): Block(width) for i in range(n_layers)})
        self.norm = nn.BatchNorm1d(width)


#: A whole-tensor rule on sharded weights (each rank computes the full matrix and keeps its block) and an
#: element-wise one, so both paths of materialize_ meet DTensors.
WHOLE_TENSOR_OVERRIDES = {"layers.1.up.weight": ("orthogonal", {"gain": 2.0}),
                          "layers.2.down.weight": ("trunc_normal", {"std": 0.5}),
                          "*.bias": ("uniform", {"low": -0.1, "high": 0.1})}

__all__ = ["Block", "Tiny", "WHOLE_TENSOR_OVERRIDES"]
