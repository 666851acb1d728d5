"""Type stubs for xinit_c/_api.py: it is compiled by Cython, where inline annotations would become checks."""
from collections.abc import Sequence
from typing import (Any, Final, Literal, Protocol, SupportsComplex, SupportsFloat, SupportsIndex, TypeAlias, TypedDict,
                    TypeVar)

import numpy as np
from typing_extensions import Buffer, NotRequired

from xinit_c._core import Generator as Generator
from xinit_c._core import _Seed
from xinit_c._fans import _Layout, _Mode, _Nonlinearity

__all__ = [
    "Generator",
    "default_generator",
    "manual_seed",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "lecun_uniform_",
    "lecun_normal_",
    "variance_scaling_",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "zeros_",
    "ones_",
    "constant_",
    "random_bits_",
    "describe",
]

class _Tensor(Protocol):
    """A torch.Tensor (or DTensor), recognised without torch installed."""
    def data_ptr(self) -> int: ...
    def dim(self) -> int: ...

# numpy's stubs give ndarray __buffer__ only on Python >= 3.12, so it is named as well as Buffer
# (bytearray, memoryview, mmap, array.array).
_Out = TypeVar("_Out", bound=np.ndarray[Any, Any] | Buffer | _Tensor)

# The Literal aliases spell out the runtime tuples; tests/test_typing.py keeps them equal.
_KaimingMode: TypeAlias = Literal["fan_in", "fan_out"]
_Distribution: TypeAlias = Literal["truncated_normal", "normal", "untruncated_normal", "uniform"]
_FanBased: TypeAlias = Literal[
    "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "lecun_uniform", "lecun_normal",
    "variance_scaling",
]
#: A number as the fills read it: float(value).
_Real: TypeAlias = SupportsFloat
#: What constant_ stores: one number (complex for a complex buffer), or an array of them that broadcasts.
_ConstantValue: TypeAlias = SupportsFloat | SupportsComplex | complex | np.ndarray[Any, Any] | Sequence[Any]
_Fan: TypeAlias = int | np.integer[Any]
_Shape: TypeAlias = SupportsIndex | Sequence[SupportsIndex]
_Offset: TypeAlias = SupportsIndex | tuple[SupportsIndex, ...] | list[SupportsIndex]
#: One axis or several (their product), as compute_fans takes them.
_Axes: TypeAlias = SupportsIndex | Sequence[SupportsIndex]
#: normal_'s mean: real, or complex for a complex buffer.
_Mean: TypeAlias = SupportsFloat | complex | np.complexfloating[Any, Any]

class _Description(TypedDict):
    fan_in: int
    fan_out: int
    distribution: Literal["uniform", "normal", "trunc_normal"]
    low: NotRequired[float]
    high: NotRequired[float]
    mean: NotRequired[float]
    std: NotRequired[float]
    a: NotRequired[float]
    b: NotRequired[float]

TRUNCATED_NORMAL_STD_CORRECTION: Final[float]
DISTRIBUTIONS: Final[tuple[_Distribution, ...]]
KAIMING_MODES: Final[tuple[_KaimingMode, ...]]
FAN_BASED: Final[tuple[_FanBased, ...]]
SIMD_ENVIRONMENT_VARIABLE: Final[str]

def default_generator() -> Generator: ...
def manual_seed(seed: _Seed) -> Generator: ...
def describe(
    init: _FanBased,
    shape: Sequence[SupportsIndex],
    *,
    layout: _Layout = "torch",
    fan_in: _Fan | None = None,
    fan_out: _Fan | None = None,
    in_axis: _Axes | None = None,
    out_axis: _Axes | None = None,
    batch_axis: _Axes | None = (),
    **options: Any,
) -> _Description: ...
def xavier_uniform_(
    out: _Out,
    gain: _Real = 1.0,
    *,
    generator: Generator | None = None,
    global_shape: _Shape | None = None,
    offset: _Offset | None = None,
    threads: SupportsIndex | None = None,
    layout: _Layout = "torch",
    fan_in: _Fan | None = None,
    fan_out: _Fan | None = None,
) -> _Out: ...
def xavier_normal_(
    out: _Out,
    gain: _Real = 1.0,
    *,
    generator: Generator | None = None,
    global_shape: _Shape | None = None,
    offset: _Offset | None = None,
    threads: SupportsIndex | None = None,
    layout: _Layout = "torch",
    fan_in: _Fan | None = None,
    fan_out: _Fan | None = None,
) -> _Out: ...
def kaiming_uniform_(
    out: _Out,
    a: float = 0,
    mode: _KaimingMode = "fan_in",
    nonlinearity: _Nonlinearity = "leaky_relu",
    *,
    generator: Generator | None = None,
    global_shape: _Shape | None = None,
    offset: _Offset | None = None,
    threads: SupportsIndex | None = None,
    layout: _Layout = "torch",
    fan_in: _Fan | None = None,
    fan_out: _Fan | None = None,
) -> _Out: ...
def kaiming_normal_(
    out: _Out,
    a: float = 0,
    mode: _KaimingMode = "fan_in",
    nonlinearity: _Nonlinearity = "leaky_relu",
    *,
    generator: Generator | None = None,
    global_shape: _Shape | None = None,
    offset: _Offset | None = None,
    threads: SupportsIndex | None = None,
    layout: _Layout = "torch",
    fan_in: _Fan | None = None,
    fan_out: _Fan | None = None,
) -> _Out: ...
def variance_scaling_(
    out: _Out,
    scale: _Real = 1.0,
    mode: _Mode = "fan_in",
    distribution: _Distribution = "truncated_normal",
    *,
    generator: Generator | None = None,
    global_shape: _Shape | None = None,
    offset: _Offset | None = None,
    threads: SupportsIndex | None = None,
    layout: _Layout = "torch",
    fan_in: _Fan | None = None,
    fan_out: _Fan | None = None,
    in_axis: _Axes | None = None,
    out_axis: _Axes | None = None,
    batch_axis: _Axes | None = (),
) -> _Out: ...
def lecun_uniform_(
    out: _Out,
    *,
    generator: Generator | None = None,
    global_shape: _Shape | None = None,
    offset: _Offset | None = None,
    threads: SupportsIndex | None = None,
    layout: _Layout = "torch",
    fan_in: _Fan | None = None,
    fan_out: _Fan | None = None,
) -> _Out: ...
def lecun_normal_(
    out: _Out,
    *,
    generator: Generator | None = None,
    global_shape: _Shape | None = None,
    offset: _Offset | None = None,
    threads: SupportsIndex | None = None,
    layout: _Layout = "torch",
    fan_in: _Fan | None = None,
    fan_out: _Fan | None = None,
) -> _Out: ...
def uniform_(
    out: _Out,
    low: _Real = 0.0,
    high: _Real = 1.0,
    *,
    generator: Generator | None = None,
    global_shape: _Shape | None = None,
    offset: _Offset | None = None,
    threads: SupportsIndex | None = None,
) -> _Out: ...
def normal_(
    out: _Out,
    mean: _Mean = 0.0,
    std: _Real = 1.0,
    *,
    generator: Generator | None = None,
    global_shape: _Shape | None = None,
    offset: _Offset | None = None,
    threads: SupportsIndex | None = None,
) -> _Out: ...
def trunc_normal_(
    out: _Out,
    mean: _Real = 0.0,
    std: _Real = 1.0,
    a: _Real = -2.0,
    b: _Real = 2.0,
    *,
    generator: Generator | None = None,
    global_shape: _Shape | None = None,
    offset: _Offset | None = None,
    threads: SupportsIndex | None = None,
) -> _Out: ...
def zeros_(
    out: _Out,
    *,
    generator: Generator | None = None,
    global_shape: _Shape | None = None,
    offset: _Offset | None = None,
    threads: SupportsIndex | None = None,
) -> _Out: ...
def ones_(
    out: _Out,
    *,
    generator: Generator | None = None,
    global_shape: _Shape | None = None,
    offset: _Offset | None = None,
    threads: SupportsIndex | None = None,
) -> _Out: ...
def constant_(
    out: _Out,
    val: _ConstantValue,
    *,
    generator: Generator | None = None,
    global_shape: _Shape | None = None,
    offset: _Offset | None = None,
    threads: SupportsIndex | None = None,
) -> _Out: ...
def random_bits_(
    out: _Out,
    *,
    generator: Generator | None = None,
    global_shape: _Shape | None = None,
    offset: _Offset | None = None,
    threads: SupportsIndex | None = None,
) -> _Out: ...

# The private helpers xinit_c._structured shares with the fills above.
_CONSTANT_DTYPES: Final[str]
def _buffer(func: str, out: object, global_shape: object, offset: object) -> tuple[np.ndarray[Any, Any], Any, Any]: ...
def _value_kind(dtype: np.dtype[Any]) -> Literal["float", "complex", "integer", "bool"] | None: ...
def _check_written_by_numpy(func: str, arr: np.ndarray[Any, Any], threads: SupportsIndex | None) -> None: ...
def _generator(func: str, generator: object) -> Generator: ...
def _named(func: str, exc: Exception) -> Exception: ...
def _real(func: str, name: str, value: object) -> float: ...
def _finite(func: str, name: str, value: object) -> float: ...
def _nonnegative(func: str, name: str, value: object) -> float: ...
def _is_bool(value: object) -> bool: ...
def _variance_scaling_options(func: str, scale: object = 1.0, mode: object = "fan_in",
                              distribution: object = "truncated_normal") -> tuple[float, str, str]: ...
