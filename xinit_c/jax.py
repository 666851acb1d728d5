"""JAX initializers with ``jax.nn.initializers``' names and signatures, filled by xinit-c.

Each factory here takes the arguments of its namesake in
``jax.nn.initializers`` and returns ``init(key, shape, dtype, out_sharding)``,
usable wherever JAX's is (Flax's ``kernel_init=``, for one). The numbers come
from xinit-c's fills, not from JAX's PRNG: the key is mapped to an
:class:`xinit_c.Generator` by the rule of docs/stream.md section 14
(SHA-256 of the key's data), so the same key gives the same array on every
platform and JAX version, and different keys give different arrays.

* A concrete key (an eager call): the array is filled once in host memory
  and handed to ``jax.device_put``; on a CPU device that takes the buffer
  without a copy (it is 64-byte aligned, as XLA needs for that), elsewhere it
  is the one transfer.
* A traced key (under ``jax.jit``, ``jax.vmap``, ``jax.eval_shape``): the
  same fill runs in a ``jax.pure_callback`` (sequentially over a batch of
  keys), so the result equals the eager one bit for bit. ``zeros``, ``ones``
  and ``constant`` need no callback: traced, they are ``jnp.full`` of the
  value the eager fill stores (converted and checked the same way).
* ``out_sharding=`` (a ``NamedSharding``, or a ``PartitionSpec`` under
  ``jax.set_mesh``), eager: each addressable device's block is filled from
  its global offset (``global_shape=``/``offset=``) and put on its device
  as soon as it is made, so the host holds one block at a time, plus any
  still being transferred (``jax.device_put`` is asynchronous); the result
  equals the unsharded array bit for bit.
* ``out_sharding=`` under ``jit``: the random fills stay blockwise. Inside
  ``jax.shard_map`` each device runs a callback that fills only its block,
  at the offset given by its ``axis_index`` along the mesh axes that split
  each dimension, so the whole array never passes through one device (nor
  through host memory); devices holding the same block (a replicated
  axis) each fill it. The structured fills (``orthogonal``,
  ``delta_orthogonal``: a QR of the whole matrix) are made whole by one
  callback and then constrained to the sharding, through one device.
* A shape the sharding does not split into equal blocks is refused, naming
  the initializer, before anything is filled. The blocks go to the
  sharding's memory kind: ``"pinned_host"`` eager or traced,
  ``"unpinned_host"`` eager only (under ``jit`` JAX 0.10 leaves it in
  device memory, so it is refused there).

>>> import jax, numpy as np
>>> from xinit_c import jax as xj
>>> init = xj.glorot_uniform()
>>> w = init(jax.random.key(0), (256, 128))
>>> bool((w == init(jax.random.key(0), (256, 128))).all())   # the same key, the same array
True
>>> bool((w == jax.jit(init, static_argnums=1)(jax.random.key(0), (256, 128))).all())
True
>>> bool(abs(w).max() <= np.sqrt(6 / (256 + 128)))
True
"""
from __future__ import annotations

try:
    import jax
    import jax.numpy as jnp
    from jax.sharding import NamedSharding, PartitionSpec, SingleDeviceSharding
except ImportError as exc:
    raise ImportError("xinit_c.jax needs JAX, which could not be imported: pip install 'xinit-c[jax]'") from exc

import math
import operator
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

from xinit_c import _api
from xinit_c._core import Generator
from xinit_c._fans import _is_bool, _normalize_shape
from xinit_c._streams import jax_key_stream
from xinit_c._structured import delta_orthogonal_, orthogonal_

__all__ = [
    "zeros",
    "ones",
    "constant",
    "uniform",
    "normal",
    "truncated_normal",
    "variance_scaling",
    "glorot_uniform",
    "glorot_normal",
    "xavier_uniform",
    "xavier_normal",
    "he_uniform",
    "he_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "lecun_uniform",
    "lecun_normal",
    "orthogonal",
    "delta_orthogonal",
]

_Shape: TypeAlias = Sequence[int] | int
_Axes: TypeAlias = int | Sequence[int]
_OutSharding: TypeAlias = NamedSharding | PartitionSpec | None
_Mode: TypeAlias = Literal["fan_in", "fan_out", "fan_avg", "fan_geo_avg"]
_Distribution: TypeAlias = Literal["truncated_normal", "normal", "uniform"]
_Real: TypeAlias = float | int | np.floating[Any] | np.integer[Any] | jax.Array
#: A block of the global array to fill in place: (block, generator, global shape, offset of the block).
_BlockFill: TypeAlias = Callable[[npt.NDArray[Any], Generator, tuple[int, ...], tuple[int, ...]], object]
#: A whole array to fill in place from a generator (the structured fills, which cannot fill a block alone).
_WholeFill: TypeAlias = Callable[[npt.NDArray[Any], Generator], object]

_Factory = TypeVar("_Factory", bound=Callable[..., Any])

#: The key implementations whose data section 14 reads, and the words each holds.
_KEY_WORDS = {"threefry2x32": 2, "rbg": 4, "unsafe_rbg": 4}
#: XLA's CPU client takes a host buffer without copying it when it is aligned to this (its minimum alignment).
_ALIGNMENT = 64

# jax 0.10 leaves these unannotated; their types as this module calls them
_with_sharding_constraint: Callable[[jax.Array, NamedSharding], jax.Array] = jax.lax.with_sharding_constraint
_reshard: Callable[[jax.Array, NamedSharding], jax.Array] = jax.sharding.reshard
_shape_dtype_struct: Callable[[tuple[int, ...], np.dtype[Any]], Any] = jax.ShapeDtypeStruct
_replicated_spec: Callable[[], PartitionSpec] = PartitionSpec

#: What every factory returns: ``init(key, shape, dtype=<the factory's>, out_sharding=None)``.
Initializer: TypeAlias = jax.nn.initializers.Initializer


# --------------------------------------------------------------------------
# arguments
# --------------------------------------------------------------------------

def _named(func: str, exc: Exception) -> Exception:
    """A fill's TypeError or ValueError, led by the initializer the caller called."""
    return _api._named(f"xinit_c.jax.{func}", exc)


def _shape(func: str, shape: object) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)) and not _is_bool(shape):
        shape = (shape,)
    try:
        return _normalize_shape(shape)
    except (TypeError, ValueError) as exc:
        raise _named(func, exc) from None


def _dtype(func: str, dtype: npt.DTypeLike | None) -> np.dtype[Any]:
    """The dtype JAX would make: None is the default float dtype; float64 is float32 unless x64 is on."""
    try:
        return np.dtype(jax.dtypes.canonicalize_dtype(float if dtype is None else dtype))
    except TypeError:
        raise TypeError(f"xinit_c.jax.{func}: dtype {dtype!r} is not a dtype") from None


def _key_words(func: str, key: Any) -> Any:
    """The key's data as uint32 words (docs/stream.md section 14): numpy or jax, concrete or traced."""
    if isinstance(key, jax.Array) and jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        impl = str(jax.random.key_impl(key))
        if impl not in _KEY_WORDS:
            raise ValueError(f"xinit_c.jax.{func}: keys of the {impl!r} implementation are not taken; use "
                             f"{', '.join(_KEY_WORDS)} (docs/stream.md section 14)")
        data: Any = jax.random.key_data(key)
    elif isinstance(key, (jax.Array, np.ndarray)):
        data = key
        if data.dtype != np.uint32 or data.shape[-1:] not in ((2,), (4,)):
            raise TypeError(f"xinit_c.jax.{func}: a legacy key must be a uint32 array of shape (2,) or (4,), got "
                            f"{data.dtype} of shape {data.shape}")
    else:
        raise TypeError(f"xinit_c.jax.{func}: key must be a JAX PRNG key (jax.random.key) or a legacy uint32 key "
                        f"(jax.random.PRNGKey), got {type(key).__name__}")
    if data.ndim != 1:
        raise ValueError(f"xinit_c.jax.{func} accepts a single key, but was given a key array of shape "
                         f"{tuple(data.shape[:-1])} != (). Use jax.vmap for batching.")
    return data


def _generator(words: npt.ArrayLike) -> Generator:
    key, stream = jax_key_stream(np.asarray(words).tolist())
    return Generator(key=key, stream=stream)


def _is_traced(value: object) -> bool:
    return isinstance(value, jax.core.Tracer)


def _named_sharding(func: str, out_sharding: object) -> NamedSharding | None:
    """``out_sharding`` as a NamedSharding, a PartitionSpec resolved against the mesh set by ``jax.set_mesh``
    (its devices for an eager call, its abstract form under tracing), as JAX's own initializers resolve it."""
    if out_sharding is None:
        return None
    if isinstance(out_sharding, NamedSharding):
        return out_sharding
    if not isinstance(out_sharding, PartitionSpec):
        raise TypeError(f"xinit_c.jax.{func}: out_sharding must be a NamedSharding, a PartitionSpec or None, got "
                        f"{type(out_sharding).__name__}")
    mesh = jax.sharding.get_abstract_mesh()
    if mesh.empty:
        raise ValueError(f"xinit_c.jax.{func}: a PartitionSpec out_sharding needs a mesh: pass a NamedSharding or "
                         f"set one with jax.set_mesh; got {out_sharding}")
    return NamedSharding(mesh, out_sharding)


# --------------------------------------------------------------------------
# building the array
# --------------------------------------------------------------------------

def _host_empty(shape: tuple[int, ...], dtype: np.dtype[Any]) -> npt.NDArray[Any]:
    """An uninitialised C-order array aligned for XLA's CPU client, which then adopts it without a copy."""
    nbytes = math.prod(shape) * dtype.itemsize
    raw = np.empty(nbytes + _ALIGNMENT, np.uint8)
    start = -raw.ctypes.data % _ALIGNMENT
    return raw[start:start + nbytes].view(dtype).reshape(shape)


class _Fill:
    """One initializer's fill: blockwise (any block from its global offset) or whole (structured)."""

    def __init__(self, func: str, block: _BlockFill | None = None, whole: _WholeFill | None = None,
                 check: Callable[[tuple[int, ...], np.dtype[Any]], None] | None = None,
                 constant: Any = None) -> None:
        self.func = func
        self.block = block
        self.whole = whole
        self.check_whole = check
        #: zeros, ones, constant: the value, which a traced call broadcasts with jnp.full (no host callback)
        self.constant = constant

    def check(self, shape: tuple[int, ...], dtype: np.dtype[Any]) -> None:
        """Every refusal of the real fill, before any array is made or any callback is staged: a blockwise fill
        of an empty block of the global shape runs all its checks and writes nothing."""
        try:
            if self.block is not None:
                empty = tuple(0 for _ in shape) if shape else ()
                self.block(np.empty(empty, dtype), Generator(key=(0, 0)), shape, tuple(0 for _ in shape))
            elif self.check_whole is not None:
                self.check_whole(shape, dtype)
        except (TypeError, ValueError) as exc:
            raise _named(self.func, exc) from None

    def host(self, words: npt.ArrayLike | None, shape: tuple[int, ...], dtype: np.dtype[Any]) -> npt.NDArray[Any]:
        """The whole array in host memory."""
        out = _host_empty(shape, dtype)
        generator = Generator(key=(0, 0)) if words is None else _generator(words)
        if self.block is not None:
            self.block(out, generator, shape, tuple(0 for _ in shape))
        else:
            assert self.whole is not None
            self.whole(out, generator)
        return out

    def constant_value(self, dtype: np.dtype[Any]) -> npt.NDArray[Any]:
        """The constant as the eager fill stores it in ``dtype`` (numpy's conversion, checked), unbroadcast."""
        return _api.constant_(np.empty(np.shape(self.constant), dtype), self.constant)

    def traced_blocks(self, words: Any, shape: tuple[int, ...], dtype: np.dtype[Any], sharding: NamedSharding,
                      block_shape: tuple[int, ...]) -> jax.Array:
        """A blockwise fill under tracing: each device's callback fills only its own block, from the block's
        global offset, so no device (and no host buffer) ever holds the whole array.

        Inside ``shard_map`` a device's block index along a dimension split over mesh axes ``(a, b, ...)`` is
        ``axis_index(a)``, then ``* size(b) + axis_index(b)`` and so on (the first axis major, as JAX lays out a
        dimension split over several axes); its offset is that index times the block's size there."""
        assert self.block is not None
        block = self.block
        mesh = sharding.mesh
        axis_size = dict(zip(mesh.axis_names, mesh.axis_sizes))
        spec = tuple(sharding.spec) + (None,) * (len(shape) - len(sharding.spec))
        axes_of = [() if entry is None else (entry,) if isinstance(entry, str) else tuple(entry) for entry in spec]

        def fill_block(device_words: npt.NDArray[Any], block_index: npt.NDArray[Any]) -> npt.NDArray[Any]:
            out = _host_empty(block_shape, dtype)
            block(out, _generator(device_words), shape,
                  tuple(int(index) * size for index, size in zip(block_index.tolist(), block_shape)))
            return out

        def on_each_device(device_words: jax.Array) -> jax.Array:
            indices = []
            for axes in axes_of:
                index = jnp.int32(0)
                for name in axes:
                    index = index * axis_size[name] + jax.lax.axis_index(name)
                indices.append(index)
            block_index = jnp.stack(indices) if indices else jnp.zeros((0,), jnp.int32)
            made: jax.Array = jax.pure_callback(fill_block, _shape_dtype_struct(block_shape, dtype), device_words,
                                                block_index, vmap_method="sequential")
            return made

        blocks: jax.Array = jax.shard_map(on_each_device, mesh=mesh, in_specs=_replicated_spec(),
                                          out_specs=sharding.spec)(words)
        return blocks

    def sharded(self, words: npt.ArrayLike | None, shape: tuple[int, ...], dtype: np.dtype[Any],
                sharding: NamedSharding) -> jax.Array:
        """The global array, made block by block on the devices this process addresses.

        Not ``jax.make_array_from_callback``: it gathers every device's host block in a list before one
        batched transfer, so all the blocks would sit in host memory at once. Here each distinct block is
        filled, put on every device that holds it, and dropped before the next one is made."""
        generator = None if words is None else _generator(words)
        devices_of: dict[tuple[tuple[int, int], ...], list[Any]] = {}
        for device, index in sharding.addressable_devices_indices_map(shape).items():
            assert index is not None   # a NamedSharding's index map has every addressable device's block
            bounds = tuple(part.indices(size)[:2] for part, size in zip(index, shape))
            devices_of.setdefault(bounds, []).append(device)
        # the structured fills factor the whole matrix (a QR): made once, each block is cut from it
        whole = self.host(words, shape, dtype) if self.block is None else None
        arrays: list[jax.Array] = []
        for bounds, devices in devices_of.items():
            block = _host_empty(tuple(stop - start for start, stop in bounds), dtype)
            if whole is not None:
                block[...] = whole[tuple(slice(start, stop) for start, stop in bounds)]
            else:
                assert self.block is not None
                self.block(block, Generator(key=(0, 0)) if generator is None else generator.__copy__(), shape,
                           tuple(start for start, _ in bounds))
            # on CPU: adopted, not copied; in the sharding's memory kind (device, pinned_host, unpinned_host)
            arrays.extend(jax.device_put(block, SingleDeviceSharding(device, memory_kind=sharding.memory_kind))
                          for device in devices)
            del block
        return jax.make_array_from_single_device_arrays(shape, sharding, arrays)


def _block_shape(func: str, sharding: NamedSharding, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of each device's block, checked before anything is filled: JAX's shardings split a
    dimension only into equal blocks."""
    try:
        block_shape: tuple[int, ...] = sharding.shard_shape(shape)
    except ValueError as exc:
        raise ValueError(f"xinit_c.jax.{func}: out_sharding {sharding.spec} does not split shape {shape} into "
                         f"equal blocks over the mesh {dict(zip(sharding.mesh.axis_names, sharding.mesh.axis_sizes))}"
                         f" (each split dimension must be a multiple of the number of its blocks)") from exc
    return block_shape


def _in_memory_kind(func: str, traced: jax.Array, sharding: NamedSharding) -> jax.Array:
    """A traced result, made in device memory, moved to the sharding's memory kind. Only "pinned_host" is
    taken: JAX 0.10's ``device_put`` under ``jit`` leaves an array asked for in "unpinned_host" in device
    memory (measured on the CPU backend), which would silently not be what was asked."""
    if sharding.memory_kind in (None, "device"):
        return traced
    if sharding.memory_kind != "pinned_host":
        raise ValueError(f"xinit_c.jax.{func}: out_sharding in memory kind {sharding.memory_kind!r} is not taken "
                         f"under jit (JAX places a traced array only in 'device' or 'pinned_host' memory); call "
                         f"the initializer eagerly, or pass jit's out_shardings=")
    moved: jax.Array = jax.device_put(traced, sharding)
    return moved


def _constrained(traced: jax.Array, sharding: NamedSharding) -> jax.Array:
    """A traced result laid out as ``sharding`` asks: ``with_sharding_constraint`` on a mesh of Auto axes,
    ``reshard`` on one of Explicit axes (which JAX wants under ``jax.set_mesh``), as each mode takes it."""
    if sharding.mesh.abstract_mesh.are_all_axes_auto:
        return _with_sharding_constraint(traced, sharding)
    return _reshard(traced, sharding)


def _initializer(fill: _Fill, default_dtype: npt.DTypeLike | None, uses_key: bool = True) -> Initializer:
    """The ``init(key, shape, dtype, out_sharding)`` of ``fill``, as JAX's factories return it."""
    func = fill.func

    def init(key: Any, shape: _Shape, dtype: npt.DTypeLike | None = default_dtype,
             out_sharding: _OutSharding = None) -> jax.Array:
        shape = _shape(func, shape)
        dt = _dtype(func, dtype)
        sharding = _named_sharding(func, out_sharding)
        words = _key_words(func, key) if uses_key else None
        fill.check(shape, dt)
        block_shape = None if sharding is None else _block_shape(func, sharding, shape)
        if _is_traced(words) or (not uses_key and _is_traced(key)):
            traced: jax.Array
            if fill.constant is not None:   # a broadcast XLA makes on each device: no callback, nothing to move
                traced = jnp.full(shape, fill.constant_value(dt), dt)
                laid_out = traced if sharding is None else _constrained(traced, sharding)
            elif sharding is not None and fill.block is not None:
                assert block_shape is not None
                laid_out = fill.traced_blocks(words, shape, dt, sharding, block_shape)
            else:   # the structured fills: the whole array from one callback, then laid out as asked
                traced = jax.pure_callback(lambda w: fill.host(w, shape, dt), _shape_dtype_struct(shape, dt), words,
                                           vmap_method="sequential")
                laid_out = traced if sharding is None else _constrained(traced, sharding)
            return laid_out if sharding is None else _in_memory_kind(func, laid_out, sharding)
        host_words = None if words is None else np.asarray(words)
        if sharding is None:
            placed: jax.Array = jax.device_put(fill.host(host_words, shape, dt))
            return placed
        if not isinstance(sharding.mesh, jax.sharding.Mesh):   # a PartitionSpec under an abstract mesh only
            concrete = jax.sharding.get_mesh()
            if concrete.empty:
                raise ValueError(f"xinit_c.jax.{func}: an eager call needs the devices of the mesh: set it with "
                                 f"jax.set_mesh or pass a NamedSharding of a concrete Mesh")
            sharding = NamedSharding(concrete, sharding.spec)
        return fill.sharded(host_words, shape, dt, sharding)

    init.__name__ = init.__qualname__ = func
    return init


def _real(func: str, name: str, value: object) -> float:
    try:
        return _api._real(f"xinit_c.jax.{func}", name, value)
    except TypeError:
        raise TypeError(f"xinit_c.jax.{func}: {name} must be a real number, got {type(value).__name__}") from None


# --------------------------------------------------------------------------
# the factories
# --------------------------------------------------------------------------

def _constant_fill(func: str, value: Any) -> _Fill:
    def block(out: npt.NDArray[Any], generator: Generator, global_shape: tuple[int, ...],
              offset: tuple[int, ...]) -> object:
        return _api.constant_(out, value, global_shape=global_shape, offset=offset)
    return _Fill(func, block, constant=value)


_zeros = _initializer(_constant_fill("zeros", 0), None, uses_key=False)
_ones = _initializer(_constant_fill("ones", 1), None, uses_key=False)


def zeros(key: Any, shape: _Shape, dtype: npt.DTypeLike | None = None,
          out_sharding: _OutSharding = None) -> jax.Array:
    """An array of zeros (``jax.nn.initializers.zeros``); the key is not used.

    Parameters
    ----------
    key : object
        Ignored, as JAX ignores it (a traced key makes the result traced).
    shape : sequence of int
    dtype : dtype, optional
        float16, bfloat16, float32, float64, complex64, complex128, bool, int8
        to int64 or uint8 to uint64 (:func:`xinit_c.constant_`'s; not float8
        or int4); ``None``: JAX's default float dtype.
    out_sharding : NamedSharding or PartitionSpec, optional
        Made block by block, as the module's notes say.

    Returns
    -------
    jax.Array

    Raises
    ------
    TypeError
        A bad shape, dtype or ``out_sharding``.
    ValueError
        A negative dimension; a PartitionSpec without a mesh; a sharding
        that does not split the shape into equal blocks.

    Examples
    --------
    >>> import jax
    >>> zeros(jax.random.key(0), (2, 3)).tolist()
    [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    return _zeros(key, shape, dtype, out_sharding)


def ones(key: Any, shape: _Shape, dtype: npt.DTypeLike | None = None,
         out_sharding: _OutSharding = None) -> jax.Array:
    """An array of ones (``jax.nn.initializers.ones``); the key is not used.

    Parameters
    ----------
    key : object
        Ignored, as JAX ignores it (a traced key makes the result traced).
    shape : sequence of int
    dtype : dtype, optional
        float16, bfloat16, float32, float64, complex64, complex128, bool, int8
        to int64 or uint8 to uint64 (:func:`xinit_c.constant_`'s; not float8
        or int4); ``None``: JAX's default float dtype.
    out_sharding : NamedSharding or PartitionSpec, optional

    Returns
    -------
    jax.Array

    Raises
    ------
    TypeError
        A bad shape, dtype or ``out_sharding``.
    ValueError
        A negative dimension; a PartitionSpec without a mesh; a sharding
        that does not split the shape into equal blocks.

    Examples
    --------
    >>> import jax
    >>> ones(jax.random.key(0), (3,), "int32").tolist()
    [1, 1, 1]
    """
    return _ones(key, shape, dtype, out_sharding)


def constant(value: npt.ArrayLike, dtype: npt.DTypeLike | None = None) -> Initializer:
    """An initializer of arrays full of ``value`` (``jax.nn.initializers.constant``), through :func:`xinit_c.constant_`.

    ``value`` may be an array that broadcasts to the shape; it is stored as
    numpy converts it to the dtype, and a value the dtype cannot hold
    (``300`` in int8, a complex value in a real dtype) is refused when called.

    Parameters
    ----------
    value : number or array_like
    dtype : dtype, optional
        The initializer's default dtype: as for :func:`zeros`; ``None``: JAX's
        default float dtype.

    Returns
    -------
    Initializer
        ``init(key, shape, dtype=dtype, out_sharding=None)``; the key is not used.

    Raises
    ------
    TypeError
        ``value`` is not numbers.

    Examples
    --------
    >>> import jax
    >>> constant(-7)(jax.random.key(42), (2, 3)).tolist()
    [[-7.0, -7.0, -7.0], [-7.0, -7.0, -7.0]]
    """
    held = np.array(value)   # a copy: later changes to the caller's array must not change the initializer
    if held.dtype.kind not in "biufc":
        raise TypeError(f"xinit_c.jax.constant: value must be numbers, got {held.dtype}")
    return _initializer(_constant_fill("constant", held if held.ndim else held.item()), dtype, uses_key=False)


def uniform(scale: _Real = 1e-2, dtype: npt.DTypeLike | None = None) -> Initializer:
    """An initializer of ``U[0, scale)`` arrays (``jax.nn.initializers.uniform``), through :func:`xinit_c.uniform_`.

    .. math:: w \\sim U(0, \\text{scale})

    :func:`xinit_c.uniform_` with ``low = 0``, ``high = scale``: its values lie in
    ``[0, scale]`` (the upper end only where rounding to the dtype reaches it).

    Parameters
    ----------
    scale : float, default 0.01
        The upper bound: finite and >= 0.
    dtype : dtype, optional
        float16, bfloat16, float32 or float64; ``None``: JAX's default float dtype.

    Returns
    -------
    Initializer

    Raises
    ------
    TypeError
        ``scale`` is not a real number.
    ValueError
        ``scale`` is negative or not finite.

    Examples
    --------
    >>> import jax
    >>> w = uniform(10.0)(jax.random.key(42), (2, 3))         # a (2, 3) float32 array in [0, 10]
    >>> w.shape, str(w.dtype), bool(((0 <= w) & (w <= 10)).all())
    ((2, 3), 'float32', True)
    """
    high = _real("uniform", "scale", scale)
    if not 0 <= high < math.inf:
        raise ValueError(f"xinit_c.jax.uniform: scale must be finite and >= 0, got {high}")

    def block(out: npt.NDArray[Any], generator: Generator, global_shape: tuple[int, ...],
              offset: tuple[int, ...]) -> object:
        return _api.uniform_(out, 0.0, high, generator=generator, global_shape=global_shape, offset=offset)
    return _initializer(_Fill("uniform", block), dtype)


def normal(stddev: _Real = 1e-2, dtype: npt.DTypeLike | None = None) -> Initializer:
    """An initializer of ``N(0, stddev^2)`` arrays (``jax.nn.initializers.normal``), through :func:`xinit_c.normal_`.

    .. math:: w \\sim N(0, \\text{stddev}^2)

    For a complex dtype the real and imaginary parts are independent, each of
    variance ``stddev^2 / 2`` (JAX's complex normal).

    Parameters
    ----------
    stddev : float, default 0.01
        Finite and >= 0.
    dtype : dtype, optional
        float16, bfloat16, float32, float64, complex64 or complex128; ``None``:
        JAX's default float dtype.

    Returns
    -------
    Initializer

    Raises
    ------
    TypeError
        ``stddev`` is not a real number.
    ValueError
        ``stddev`` is negative or not finite.

    Examples
    --------
    >>> import jax
    >>> w = normal(5.0)(jax.random.key(42), (1000, 100))       # a (1000, 100) array of std 5
    >>> bool(abs(float(w.std()) - 5.0) < 0.05)
    True
    """
    std = _real("normal", "stddev", stddev)
    _api._nonnegative("xinit_c.jax.normal", "stddev", std)

    def block(out: npt.NDArray[Any], generator: Generator, global_shape: tuple[int, ...],
              offset: tuple[int, ...]) -> object:
        return _api.normal_(out, 0.0, std, generator=generator, global_shape=global_shape, offset=offset)
    return _initializer(_Fill("normal", block), dtype)


def truncated_normal(stddev: _Real = 1e-2, dtype: npt.DTypeLike | None = None, lower: _Real = -2.0,
                     upper: _Real = 2.0) -> Initializer:
    """An initializer of truncated normal arrays (``jax.nn.initializers.truncated_normal``), through :func:`xinit_c.trunc_normal_`.

    .. math:: w = \\text{stddev} \\cdot z, \\quad z \\sim N(0, 1) \\text{ truncated to } [\\text{lower}, \\text{upper}]

    :func:`xinit_c.trunc_normal_` with mean 0, std ``stddev`` and the bounds
    ``lower * stddev``, ``upper * stddev``. As in JAX, ``stddev`` is the std
    before truncation (no correction).

    Parameters
    ----------
    stddev : float, default 0.01
        Finite and >= 0.
    dtype : dtype, optional
        float16, bfloat16, float32 or float64; ``None``: JAX's default float dtype.
    lower, upper : float, default -2.0 and 2.0
        The bounds in units of ``stddev``, ``lower < upper``.

    Returns
    -------
    Initializer

    Raises
    ------
    TypeError
        An argument is not a real number.
    ValueError
        ``stddev`` is negative or not finite; ``lower >= upper``.

    Examples
    --------
    >>> import jax
    >>> w = truncated_normal(5.0)(jax.random.key(42), (2, 3))  # a (2, 3) array in [-10, 10]
    >>> w.shape, bool((abs(w) <= 10).all())
    ((2, 3), True)
    """
    std = _api._nonnegative("xinit_c.jax.truncated_normal", "stddev", _real("truncated_normal", "stddev", stddev))
    low = _real("truncated_normal", "lower", lower)
    high = _real("truncated_normal", "upper", upper)
    if not low < high:
        raise ValueError(f"xinit_c.jax.truncated_normal: need lower < upper, got lower={low}, upper={high}")

    def block(out: npt.NDArray[Any], generator: Generator, global_shape: tuple[int, ...],
              offset: tuple[int, ...]) -> object:
        return _api.trunc_normal_(out, 0.0, std, low * std, high * std, generator=generator,
                                  global_shape=global_shape, offset=offset)
    return _initializer(_Fill("truncated_normal", block), dtype)


def _variance_scaling(func: str, scale: _Real, mode: _Mode, distribution: _Distribution, in_axis: _Axes,
                      out_axis: _Axes, batch_axis: _Axes, dtype: npt.DTypeLike | None) -> Initializer:
    checked_scale = _api._variance_scaling_options(f"xinit_c.jax.{func}", scale, mode, distribution)[0]

    def block(out: npt.NDArray[Any], generator: Generator, global_shape: tuple[int, ...],
              offset: tuple[int, ...]) -> object:
        return _api.variance_scaling_(out, checked_scale, mode, distribution, generator=generator,
                                      global_shape=global_shape,
                                      offset=offset, layout="jax", in_axis=in_axis, out_axis=out_axis,
                                      batch_axis=batch_axis)
    return _initializer(_Fill(func, block), dtype)


def variance_scaling(scale: _Real, mode: _Mode, distribution: _Distribution, in_axis: _Axes = -2,
                     out_axis: _Axes = -1, batch_axis: _Axes = (),
                     dtype: npt.DTypeLike | None = None) -> Initializer:
    """An initializer whose variance is ``scale / n`` (``jax.nn.initializers.variance_scaling``), through :func:`xinit_c.variance_scaling_`.

    .. math:: \\sigma^2 = \\frac{\\text{scale}}{n}, \\qquad n = \\text{fan\\_in},\\ \\text{fan\\_out},\\
              \\frac{\\text{fan\\_in} + \\text{fan\\_out}}{2} \\text{ or } \\sqrt{\\text{fan\\_in}\\,\\text{fan\\_out}}

    The fans are the products of the sizes over ``in_axis`` and ``out_axis``,
    times the sizes of the axes in no group (the receptive field);
    ``batch_axis`` is left out. ``"truncated_normal"``: a normal truncated at
    two standard deviations, scaled so that the variance is ``scale / n``;
    ``"normal"``: ``N(0, scale / n)``; ``"uniform"``: ``U(-l, l)``,
    ``l = sqrt(3 scale / n)``. Complex dtypes take JAX's complex forms
    (:func:`xinit_c.variance_scaling_` says where its truncated one corrects
    JAX's constant).

    Parameters
    ----------
    scale : float
        Finite and >= 0.
    mode : {"fan_in", "fan_out", "fan_avg", "fan_geo_avg"}
    distribution : {"truncated_normal", "normal", "uniform"}
    in_axis, out_axis : int or sequence of int, default -2 and -1
    batch_axis : int or sequence of int, default ()
    dtype : dtype, optional
        float16, bfloat16, float32, float64, complex64 or complex128; ``None``:
        JAX's default float dtype.

    Returns
    -------
    Initializer

    Raises
    ------
    TypeError
        ``scale`` is not a real number.
    ValueError
        ``scale`` is negative or not finite; an unknown ``mode`` or
        ``distribution``. At the call: an axis out of range or repeated, fewer
        than 2 dimensions with the default ``in_axis``.

    Examples
    --------
    >>> import jax
    >>> init = variance_scaling(2.0, "fan_in", "uniform")
    >>> w = init(jax.random.key(0), (3, 3, 64, 128))   # a conv kernel: fan_in = 3 * 3 * 64
    >>> bool(abs(w).max() <= (3 * 2.0 / (9 * 64)) ** 0.5)
    True
    """
    return _variance_scaling("variance_scaling", scale, mode, distribution, in_axis, out_axis, batch_axis, dtype)


def _preset(law: str, scale: float, mode: _Mode, distribution: _Distribution,
            aliases: str = "") -> Callable[[_Factory], _Factory]:
    """The docstring of a :func:`variance_scaling` preset; the presets share their parameters."""
    def document(factory: _Factory) -> _Factory:
        name = factory.__name__
        factory.__doc__ = f"""{law} (``jax.nn.initializers.{name}``{aliases}).

    :func:`variance_scaling` with ``scale={scale}``, ``mode="{mode}"``,
    ``distribution="{distribution}"``.

    Parameters
    ----------
    in_axis, out_axis : int or sequence of int, default -2 and -1
    batch_axis : int or sequence of int, default ()
    dtype : dtype, optional
        float16, bfloat16, float32, float64, complex64 or complex128; ``None``:
        JAX's default float dtype.

    Returns
    -------
    Initializer

    Raises
    ------
    ValueError
        At the call: an axis out of range or repeated, fewer than 2
        dimensions with the default ``in_axis``.

    Examples
    --------
    >>> import jax
    >>> {name}()(jax.random.key(0), (64, 32)).shape           # (in, out)
    (64, 32)
    """
        return factory
    return document


@_preset("Glorot (Xavier) uniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out))", 1.0, "fan_avg", "uniform",
         ", alias ``xavier_uniform``")
def glorot_uniform(in_axis: _Axes = -2, out_axis: _Axes = -1, batch_axis: _Axes = (),
                   dtype: npt.DTypeLike | None = None) -> Initializer:
    return _variance_scaling("glorot_uniform", 1.0, "fan_avg", "uniform", in_axis, out_axis, batch_axis, dtype)


@_preset("Glorot (Xavier) normal: a truncated normal of variance 2 / (fan_in + fan_out)", 1.0, "fan_avg",
         "truncated_normal", ", alias ``xavier_normal``")
def glorot_normal(in_axis: _Axes = -2, out_axis: _Axes = -1, batch_axis: _Axes = (),
                  dtype: npt.DTypeLike | None = None) -> Initializer:
    return _variance_scaling("glorot_normal", 1.0, "fan_avg", "truncated_normal", in_axis, out_axis, batch_axis,
                             dtype)


@_preset("He (Kaiming) uniform: U(-l, l), l = sqrt(6 / fan_in)", 2.0, "fan_in", "uniform",
         ", alias ``kaiming_uniform``")
def he_uniform(in_axis: _Axes = -2, out_axis: _Axes = -1, batch_axis: _Axes = (),
               dtype: npt.DTypeLike | None = None) -> Initializer:
    return _variance_scaling("he_uniform", 2.0, "fan_in", "uniform", in_axis, out_axis, batch_axis, dtype)


@_preset("He (Kaiming) normal: a truncated normal of variance 2 / fan_in", 2.0, "fan_in", "truncated_normal",
         ", alias ``kaiming_normal``")
def he_normal(in_axis: _Axes = -2, out_axis: _Axes = -1, batch_axis: _Axes = (),
              dtype: npt.DTypeLike | None = None) -> Initializer:
    return _variance_scaling("he_normal", 2.0, "fan_in", "truncated_normal", in_axis, out_axis, batch_axis, dtype)


@_preset("LeCun uniform: U(-l, l), l = sqrt(3 / fan_in)", 1.0, "fan_in", "uniform")
def lecun_uniform(in_axis: _Axes = -2, out_axis: _Axes = -1, batch_axis: _Axes = (),
                  dtype: npt.DTypeLike | None = None) -> Initializer:
    return _variance_scaling("lecun_uniform", 1.0, "fan_in", "uniform", in_axis, out_axis, batch_axis, dtype)


@_preset("LeCun normal: a truncated normal of variance 1 / fan_in", 1.0, "fan_in", "truncated_normal")
def lecun_normal(in_axis: _Axes = -2, out_axis: _Axes = -1, batch_axis: _Axes = (),
                 dtype: npt.DTypeLike | None = None) -> Initializer:
    return _variance_scaling("lecun_normal", 1.0, "fan_in", "truncated_normal", in_axis, out_axis, batch_axis, dtype)


xavier_uniform = glorot_uniform
xavier_normal = glorot_normal
kaiming_uniform = he_uniform
kaiming_normal = he_normal


def _column_axis(func: str, column_axis: object) -> int:
    if _is_bool(column_axis) or not hasattr(column_axis, "__index__"):
        raise TypeError(f"xinit_c.jax.{func}: column_axis must be an integer, got {type(column_axis).__name__}")
    return operator.index(column_axis)


def orthogonal(scale: _Real = 1.0, column_axis: int = -1, dtype: npt.DTypeLike | None = None) -> Initializer:
    """An initializer of (semi-)orthogonal matrices times ``scale`` (``jax.nn.initializers.orthogonal``), through :func:`xinit_c.orthogonal_`.

    .. math:: W = \\text{scale} \\cdot Q, \\qquad Q^T Q = I \\text{ or } Q Q^T = I

    The shape is read as an ``(n_rows, n_cols)`` matrix with
    ``n_cols = shape[column_axis]`` and ``n_rows`` the product of the other
    sizes, filled by :func:`xinit_c.orthogonal_` (a QR of a normal matrix,
    whose bits depend on the LAPACK build), reshaped to the other axes plus
    the columns, and the columns moved back to ``column_axis``. A QR needs
    the whole matrix: with ``out_sharding`` it is made once and cut into the
    blocks (JAX's own refuses ``out_sharding`` here).

    Parameters
    ----------
    scale : float, default 1.0
    column_axis : int, default -1
        The axis holding the columns.
    dtype : dtype, optional
        float16, bfloat16, float32 or float64; ``None``: JAX's default float dtype.

    Returns
    -------
    Initializer

    Raises
    ------
    TypeError
        ``scale`` is not a real number; ``column_axis`` is not an integer.
    ValueError
        At the call: fewer than 2 dimensions; ``column_axis`` out of range;
        ``scale`` not finite or overflowing the dtype.

    Examples
    --------
    >>> import jax, numpy as np
    >>> q = np.asarray(orthogonal()(jax.random.key(0), (6, 3), "float32"), np.float64)   # W^T W = I
    >>> bool(np.allclose(q.T @ q, np.eye(3), atol=1e-5))
    True
    """
    gain = _real("orthogonal", "scale", scale)
    axis = _column_axis("orthogonal", column_axis)

    def matrix_view(out: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
        """(the (n_rows, n_cols) matrix to fill, the array whose columns axis is last, seen as out)."""
        columns_last = np.moveaxis(out, axis, -1)
        rows = math.prod(columns_last.shape[:-1])
        return np.empty((rows, out.shape[axis]), out.dtype), columns_last

    def check(shape: tuple[int, ...], dtype: np.dtype[Any]) -> None:
        if len(shape) < 2:
            raise ValueError(f"orthogonal initializer requires at least a 2D shape, got {shape}")
        if not -len(shape) <= axis < len(shape):
            raise ValueError(f"column_axis {axis} is out of range for a {len(shape)}-D shape")
        orthogonal_(np.empty((0, 1), dtype), gain, generator=Generator(key=(0, 0)))   # the dtype's and gain's checks

    def whole(out: npt.NDArray[Any], generator: Generator) -> object:
        if out.size == 0:
            return out
        if axis in (-1, out.ndim - 1):   # the matrix is out itself, seen as (n_rows, n_cols)
            return orthogonal_(out.reshape(-1, out.shape[-1]), gain, generator=generator)
        matrix, columns_last = matrix_view(out)
        orthogonal_(matrix, gain, generator=generator)
        # the columns go back to column_axis: one copy of the array, on top of the QR's own float64 matrices
        columns_last[...] = matrix.reshape(columns_last.shape)
        return out
    return _initializer(_Fill("orthogonal", whole=whole, check=check), dtype)


def delta_orthogonal(scale: _Real = 1.0, column_axis: int = -1,
                     dtype: npt.DTypeLike | None = None) -> Initializer:
    """An initializer of delta-orthogonal convolution kernels (``jax.nn.initializers.delta_orthogonal``), through :func:`xinit_c.delta_orthogonal_`.

    .. math:: W[\\text{centre}] = \\text{scale} \\cdot M, \\quad M M^T = I, \\qquad W = 0 \\text{ elsewhere}

    For a kernel of shape ``(*spatial, c_in, c_out)``, ``c_in <= c_out``:
    ``centre = [(k - 1) // 2 for k in spatial]`` and ``M`` is
    :func:`orthogonal`'s ``(c_in, c_out)`` matrix for ``column_axis``. As for
    :func:`orthogonal`, a sharded call makes the whole kernel once and cuts it.

    Parameters
    ----------
    scale : float, default 1.0
    column_axis : int, default -1
        -2, -1, 0 or 1: the axis of the ``(c_in, c_out)`` matrix holding its columns.
    dtype : dtype, optional
        float16, bfloat16, float32 or float64; ``None``: JAX's default float dtype.

    Returns
    -------
    Initializer

    Raises
    ------
    TypeError
        ``scale`` is not a real number; ``column_axis`` is not an integer.
    ValueError
        ``column_axis`` is not -2, -1, 0 or 1. At the call: a shape that is not
        3-, 4- or 5-D, or with ``shape[-1] < shape[-2]``.

    Examples
    --------
    >>> import jax, numpy as np
    >>> w = np.asarray(delta_orthogonal()(jax.random.key(0), (3, 3, 4, 8)), np.float64)   # a 3x3 kernel, 4 -> 8
    >>> bool(np.allclose(w[1, 1] @ w[1, 1].T, np.eye(4), atol=1e-5)), int(np.count_nonzero(w[0]))
    (True, 0)
    """
    gain = _real("delta_orthogonal", "scale", scale)
    axis = _column_axis("delta_orthogonal", column_axis)
    if not -2 <= axis <= 1:
        raise ValueError(f"xinit_c.jax.delta_orthogonal: column_axis must be -2, -1, 0 or 1 (an axis of the "
                         f"(shape[-2], shape[-1]) matrix), got {axis}")

    def check(shape: tuple[int, ...], dtype: np.dtype[Any]) -> None:
        # an empty kernel of the same rank and channels runs every check of the fill and writes nothing
        delta_orthogonal_(np.empty((0, *shape[1:]) if shape else (), dtype), gain, axis, generator=Generator(key=(0, 0)))

    def whole(out: npt.NDArray[Any], generator: Generator) -> object:
        return delta_orthogonal_(out, gain, axis, generator=generator)
    return _initializer(_Fill("delta_orthogonal", whole=whole, check=check), dtype)
