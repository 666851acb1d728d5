"""Model construction with torch.nn.init and with xinit_c.torch.patched(), in one process.

    python benchmarks/model_init.py [--threads 1 2] [--repeats 5] [--models linear-1gb gpt-normal gpt-trunc]

Models (float32):
  linear-1gb   16 nn.Linear(4096, 4096): 1.07 GB, each weight kaiming_uniform_(a=sqrt(5)) and bias uniform_ by
               reset_parameters.
  gpt-normal   a GPT-2-small-sized stack (12 blocks, d=768, vocab 50257, context 1024: 124M parameters) built
               from nn.Linear/nn.Embedding/nn.LayerNorm, then nanoGPT's _init_weights applied through
               torch.nn.init: normal_(0, 0.02) on Linear and Embedding weights (residual projections
               0.02 / sqrt(2 * n_layer)), zeros_ on biases. Construction is both passes, as in nanoGPT.
  gpt-trunc    the same with trunc_normal_(std, a=-2 std, b=2 std) instead of normal_.

Each timed construction is the whole ``build()`` call (torch.empty of every parameter, the first touch of its
pages, every init); the model is freed between samples, so every sample pays the page faults again, in both
columns alike. Two further rows explain the ratio: "reinit" runs the same init calls again on the built model
(pages resident: the fills alone), and "first touch" times torch.empty + zero_() of the same bytes (allocation
and page faults, the floor under any construction). torch's own THP_MEM_ALLOC_ENABLE=1 (read when torch loads)
makes its allocator back large tensors with transparent huge pages where the kernel allows it (madvise mode),
which cuts that floor for both columns alike: run the script once without and once with it. The thread count applies to both torch
(torch.set_num_threads) and xinit_c (xinit_c.set_num_threads). Samples alternate between the two columns.
"""
from __future__ import annotations

import argparse
import gc
import math
import os
import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
from torch import nn  # noqa: E402

import xinit_c as xi  # noqa: E402
from xinit_c import torch as xt  # noqa: E402


def linear_1gb() -> nn.Module:
    return nn.Sequential(*[nn.Linear(4096, 4096) for _ in range(16)])


class Block(nn.Module):
    def __init__(self, d: int) -> None:
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.c_attn, self.attn_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.c_fc, self.mlp_proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)


class GPT(nn.Module):
    def __init__(self, trunc: bool, n_layer: int = 12, d: int = 768, vocab: int = 50257, context: int = 1024) -> None:
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, d), nn.Embedding(context, d)
        self.h = nn.ModuleList(Block(d) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(d)
        self.trunc, self.n_layer = trunc, n_layer
        self.residual_projections = {id(m) for block in self.h for m in (block.attn_proj, block.mlp_proj)}
        self.apply(self._init_weights)

    def _init_weights(self, module: nn.Module) -> None:
        # nanoGPT's scheme, called through the torch.nn.init module as user code calls it
        if isinstance(module, (nn.Linear, nn.Embedding)):
            std = 0.02 / math.sqrt(2 * self.n_layer) if id(module) in self.residual_projections else 0.02
            if self.trunc:
                torch.nn.init.trunc_normal_(module.weight, 0.0, std, -2 * std, 2 * std)
            else:
                torch.nn.init.normal_(module.weight, 0.0, std)
            if isinstance(module, nn.Linear) and module.bias is not None:
                torch.nn.init.zeros_(module.bias)


MODELS = {
    "linear-1gb": linear_1gb,
    "gpt-normal": lambda: GPT(trunc=False),
    "gpt-trunc": lambda: GPT(trunc=True),
}


def reinit(model: nn.Module) -> None:
    """The model's init calls again, on its resident parameters."""
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Embedding, nn.LayerNorm)):
            module.reset_parameters()
    if isinstance(model, GPT):
        model.apply(model._init_weights)


def timed(call) -> float:
    """Seconds of call(); what it returns is freed after the clock stops (freeing a model unmaps its pages)."""
    start = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - start
    del result
    return seconds


def construction(name: str, patched: bool) -> float:
    build = MODELS[name]
    if patched:
        with xt.patched():
            seconds = timed(build)
    else:
        seconds = timed(build)
    gc.collect()
    return seconds


def reinit_time(model: nn.Module, patched: bool) -> float:
    if patched:
        with xt.patched():
            return timed(lambda: reinit(model))
    return timed(lambda: reinit(model))


def first_touch(shapes: list[torch.Size]) -> float:
    return timed(lambda: [torch.empty(shape).zero_() for shape in shapes])


def alternate(sample, repeats: int) -> tuple[list[float], list[float]]:
    """`repeats` samples of sample(False) and sample(True), interleaved, after one untimed warm-up of each."""
    sample(False), sample(True)
    plain, patched = [], []
    for i in range(repeats):
        for use_patch in ((False, True) if i % 2 == 0 else (True, False)):
            (patched if use_patch else plain).append(sample(use_patch))
    return plain, patched


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    args = parser.parse_args()

    print(f"torch {torch.__version__}, xinit_c {xi.__version__} (SIMD {xi.get_simd()}), "
          f"{args.repeats} samples per number (medians), seconds; "
          f"THP_MEM_ALLOC_ENABLE={os.environ.get('THP_MEM_ALLOC_ENABLE', 'unset')}")
    header = f"{'model':<11} {'what':<12} {'threads':>7} {'torch':>9} {'xinit_c':>9} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    for threads in args.threads:
        torch.set_num_threads(threads)
        xi.set_num_threads(threads)
        for name in args.models:
            plain, patched = alternate(lambda use_patch: construction(name, use_patch), args.repeats)
            model = MODELS[name]()
            again_plain, again_patched = alternate(lambda use_patch: reinit_time(model, use_patch), args.repeats)
            shapes = [p.shape for p in model.parameters()]
            gigabytes = sum(p.numel() for p in model.parameters()) * 4 / 1e9
            del model
            gc.collect()
            touch = statistics.median(first_touch(shapes) for _ in range(args.repeats))
            for what, torch_s, xinit_s in (("construct", plain, patched), ("reinit", again_plain, again_patched)):
                t, x = statistics.median(torch_s), statistics.median(xinit_s)
                print(f"{name:<11} {what:<12} {threads:>7} {t:>9.3f} {x:>9.3f} {t / x:>6.2f}x")
            print(f"{name:<11} {'first touch':<12} {threads:>7} {touch:>9.3f} {'':>9} {'':>7}   "
                  f"({gigabytes:.2f} GB: torch.empty + zero_)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
