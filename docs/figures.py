"""Draw the README's pictures (needs matplotlib): python docs/figures.py

* docs/histograms.png: uniform, normal and truncated normal fills against the
  exact densities;
* docs/activations.png: Glorot & Bengio's motivating experiment, the standard
  deviation of the activations layer by layer in a deep tanh and a deep
  sigmoid network initialised with Xavier, with N(0, 1), and with small
  constant weights.
"""
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

import xinit_c as xi  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent


def histograms():
    n = 1 << 22
    cases = [
        ("xavier_uniform_ (fans 256, 256)", xi.xavier_uniform_(np.empty((n // 256, 256), np.float32),
                                                               fan_in=256, fan_out=256, generator=xi.Generator(1)),
         stats.uniform(-np.sqrt(6 / 512), 2 * np.sqrt(6 / 512))),
        ("normal_(std=1)", xi.normal_(np.empty(n, np.float32), generator=xi.Generator(2)), stats.norm()),
        ("trunc_normal_(a=-2, b=2)", xi.trunc_normal_(np.empty(n, np.float32), generator=xi.Generator(3)),
         stats.truncnorm(-2, 2)),
    ]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    for ax, (title, values, target) in zip(axes, cases):
        values = values.ravel().astype(np.float64)
        ax.hist(values, bins=120, density=True, color="#d62728", alpha=0.55, label=f"xinit_c, {n:,} draws")
        grid = np.linspace(values.min() - 0.1 * values.std(), values.max() + 0.1 * values.std(), 600)
        ax.plot(grid, target.pdf(grid), color="black", lw=1.3, label="exact density")
        ax.set_title(title)
        ax.legend(fontsize=8, loc="lower center")
    fig.suptitle("Fills against their exact densities (float32)")
    fig.tight_layout()
    fig.savefig(HERE / "histograms.png", dpi=110)


def activations():
    layers, width, batch = 12, 512, 2000
    rng = xi.Generator(4)
    x0 = xi.normal_(np.empty((batch, width)), generator=rng)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    for ax, (name, act) in zip(axes, [("tanh", np.tanh), ("sigmoid", lambda z: 1 / (1 + np.exp(-z)))]):
        gain = xi.calculate_gain(name)
        schemes = {
            "Xavier uniform, gain 1": lambda w: xi.xavier_uniform_(w, generator=rng),
            f"Xavier uniform, calculate_gain('{name}') = {gain:.3g}":
                lambda w: xi.xavier_uniform_(w, gain=gain, generator=rng),
            "N(0, 1)": lambda w: xi.normal_(w, generator=rng),
            "constant 0.01 (every unit identical)": lambda w: xi.constant_(w, 0.01),
        }
        for label, init in schemes.items():
            x, stds = x0, []
            for _ in range(layers):
                w = init(np.empty((width, width)))
                x = act(x @ w.T)
                stds.append(x.std())
            ax.plot(range(1, layers + 1), stds, marker="o", label=label)
        ax.set_yscale("log")
        ax.set_xlabel("layer")
        ax.set_ylabel("std of activations")
        ax.set_title(f"{layers} {name} layers of width {width}")
        ax.legend(fontsize=8)
    fig.suptitle("Std of the activations by layer: N(0, 1) saturates, constant weights never break the "
                 "symmetry, Xavier keeps a usable scale")
    fig.tight_layout()
    fig.savefig(HERE / "activations.png", dpi=110)


if __name__ == "__main__":
    histograms()
    activations()
    print("wrote", HERE / "histograms.png", "and", HERE / "activations.png")
