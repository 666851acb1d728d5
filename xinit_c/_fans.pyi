"""Type stubs for xinit_c/_fans.py: it is compiled by Cython, where inline annotations would become checks."""
from collections.abc import Sequence
from typing import Final, Literal, SupportsIndex, TypeAlias

__all__ = ["LAYOUTS", "MODES", "NONLINEARITIES", "compute_fans", "calculate_gain", "fan_for_mode"]

# The Literal aliases spell out the runtime tuples below; tests/test_typing.py keeps them equal.
_Layout: TypeAlias = Literal["torch", "keras", "jax"]
_Mode: TypeAlias = Literal["fan_in", "fan_out", "fan_avg", "fan_geo_avg"]
_Nonlinearity: TypeAlias = Literal[
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "sigmoid", "tanh", "relu", "leaky_relu", "selu",
]
#: One axis or several (their product).
_Axes: TypeAlias = SupportsIndex | Sequence[SupportsIndex]

LAYOUTS: Final[tuple[_Layout, ...]]
MODES: Final[tuple[_Mode, ...]]
NONLINEARITIES: Final[tuple[_Nonlinearity, ...]]

def compute_fans(
    shape: Sequence[SupportsIndex],
    layout: _Layout = "torch",
    *,
    in_axis: _Axes | None = None,
    out_axis: _Axes | None = None,
    batch_axis: _Axes | None = (),
) -> tuple[int, int]: ...
def calculate_gain(nonlinearity: _Nonlinearity, param: float | None = None) -> float: ...
def fan_for_mode(fan_in: float, fan_out: float, mode: _Mode) -> float: ...

# for the package's other modules (xinit_c.initializers): the checks compute_fans makes
def _normalize_shape(shape: object) -> tuple[int, ...]: ...
def _is_bool(value: object) -> bool: ...
