"""Type stubs for the compiled layer (xinit_c/_core.pyx)."""
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Final, SupportsIndex, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

#: What Generator(seed) and reseed(seed) take: what numpy.random.SeedSequence takes, or one.
_Seed: TypeAlias = int | Sequence[int] | np.random.SeedSequence | None

STREAM_VERSION: Final = 2
POSITION_END: Final[int]
DIST_UNIFORM: Final[int]
DIST_NORMAL: Final[int]
DIST_TRUNC_NORMAL: Final[int]
DIST_BITS: Final[int]
DIST_CONSTANT: Final[int]
NOGIL_MIN_ELEMENTS: Final[int]
INTERRUPT_CHECK_ELEMENTS: Final[int]
PARALLEL_MIN_ELEMENTS: Final[int]
MAX_THREADS: Final[int]
TRUNCATED_NORMAL_STD_CORRECTION: Final[float]
SCHEME_XAVIER_UNIFORM: Final[int]
SCHEME_XAVIER_NORMAL: Final[int]
SCHEME_KAIMING_UNIFORM: Final[int]
SCHEME_KAIMING_NORMAL: Final[int]
SCHEME_LECUN_UNIFORM: Final[int]
SCHEME_LECUN_NORMAL: Final[int]
SCHEME_VARIANCE_SCALING: Final[int]
_C_API: Any

_T = TypeVar("_T")

class Generator:
    def __init__(
        self,
        seed: _Seed = None,
        *,
        key: Sequence[SupportsIndex] | None = None,
        stream: SupportsIndex = 0,
        position: SupportsIndex = 0,
    ) -> None: ...
    @property
    def key(self) -> tuple[int, int]: ...
    @property
    def stream(self) -> int: ...
    @property
    def position(self) -> int: ...
    @property
    def seed_seq(self) -> np.random.SeedSequence | None: ...
    def advance(self, n_words: SupportsIndex) -> Generator: ...
    def _reserve_words(self, n_words: SupportsIndex) -> int: ...
    def spawn(self, n_children: SupportsIndex) -> list[Generator]: ...
    def reseed(self, seed: _Seed = None) -> Generator: ...
    def __copy__(self) -> Generator: ...
    def __deepcopy__(self, memo: Any) -> Generator: ...
    def __eq__(self, other: object) -> bool: ...
    # equal generators can diverge (the position moves), so they are not hashable
    __hash__: ClassVar[None]  # type: ignore[assignment]

def as_writable_array(obj: Any) -> npt.NDArray[Any]: ...
def set_num_threads(n: SupportsIndex) -> None: ...
def get_num_threads() -> int: ...
def simd_backends() -> list[str]: ...
def get_simd() -> str: ...
def set_simd(name: str) -> None: ...
def fill(
    out: npt.NDArray[Any],
    dist: int,
    a0: float = 0.0,
    a1: float = 0.0,
    a2: float = 0.0,
    a3: float = 0.0,
    generator: Generator | None = None,
    global_shape: Sequence[SupportsIndex] | SupportsIndex | None = None,
    offset: Sequence[SupportsIndex] | SupportsIndex | None = None,
    constant_bits: int = 0,
    threads: SupportsIndex | None = None,
) -> npt.NDArray[Any]: ...
def _dtype_name(dt: npt.DTypeLike) -> str | None: ...
def _dtype_max(dtype: npt.DTypeLike) -> float: ...
def _param_problem(dist: int, dtype: npt.DTypeLike, a0: float = 0.0, a1: float = 0.0, a2: float = 0.0,
                   a3: float = 0.0) -> str | None: ...
def philox4x32_10(counter: Sequence[int], key: Sequence[int]) -> tuple[int, int, int, int]: ...
def normal_cdf(x: float) -> float: ...
def inverse_normal(q: npt.ArrayLike, x_prime: npt.ArrayLike) -> npt.NDArray[Any]: ...
def in_default_fp_environment(func: Callable[..., _T], *args: Any) -> _T: ...
def small_fill(
    dist: int,
    out: object,
    generator: object,
    default_generator: Generator,
    a0: object = 0.0,
    a1: object = 0.0,
    a2: object = 0.0,
    a3: object = 0.0,
) -> npt.NDArray[Any] | None: ...
def small_fan_fill(
    scheme: int,
    out: object,
    generator: object,
    default_generator: Generator,
    layout: object,
    option: object = 1.0,
    mode: object = "fan_in",
    choice: object = None,
) -> npt.NDArray[Any] | None: ...
