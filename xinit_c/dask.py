"""Lazy dask arrays of initialised weights, identical for every chunking.

Each block is filled by the C kernel as its block of the whole tensor
(``global_shape=``, ``offset=``), so the values do not depend on the chunks,
the scheduler or the number of workers: ``xavier_uniform((50000, 1024),
chunks=...).compute()`` equals ``xinit_c.xavier_uniform_`` on one array with
the same generator state. Building the array takes the generator's current
position and moves it past the tensor, like an eager fill would.

    >>> import numpy as np, xinit_c as xi
    >>> from xinit_c import dask as xd
    >>> w = xd.xavier_normal((4000, 512), chunks=(1000, 256), generator=xi.Generator(0))
    >>> xd.to_npy(w, "w.npy")   # written block by block, never whole in memory   # doctest: +SKIP
"""
import dask.array as da
import numpy as np

from xinit_c import _api

__all__ = ["to_npy"]


def _fill_block(fill_name, dtype, global_shape, state, kwargs, block_info=None):
    info = block_info[None]
    out = np.empty(info["chunk-shape"], dtype)
    key, stream, position = state
    generator = _api.Generator(key=key, stream=stream, position=position)
    offset = tuple(start for start, _ in info["array-location"])
    getattr(_api, fill_name)(out, generator=generator, global_shape=global_shape, offset=offset, threads=1,
                             **kwargs)
    return out


def _lazy(fill_name):
    fill = getattr(_api, fill_name)

    def make(shape, chunks="auto", generator=None, dtype=np.float32, **kwargs):
        shape = tuple(int(n) for n in shape)
        dtype = np.dtype(dtype)
        generator = _api.default_generator() if generator is None else generator
        # fill an empty block of the same tensor from a copy of the generator: it
        # validates everything now (not inside a worker later) and moves the copy
        # exactly as far as the whole fill moves the generator
        state = (generator.key, generator.stream, generator.position)
        probe = _api.Generator(key=state[0], stream=state[1], position=state[2])
        fill(np.empty((0,) * len(shape), dtype), generator=probe, global_shape=shape,
             offset=(0,) * len(shape), **kwargs)
        generator.advance(probe.position - state[2])
        chunks = da.core.normalize_chunks(chunks, shape, dtype=dtype)
        return da.map_blocks(_fill_block, fill_name, dtype, shape, state, kwargs, chunks=chunks, dtype=dtype,
                             meta=np.empty((0,) * len(shape), dtype))

    name = fill_name.rstrip("_")
    make.__name__ = make.__qualname__ = name
    make.__doc__ = (f"A lazy dask array of ``shape`` filled as ``xinit_c.{fill_name}`` would fill it.\n\n"
                    f"``chunks`` as dask takes them; ``**kwargs`` are {fill_name}'s (gain, mode, std, ...).")
    return make


for _fill in ("xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "lecun_uniform_",
              "lecun_normal_", "variance_scaling_", "uniform_", "normal_", "trunc_normal_"):
    globals()[_fill.rstrip("_")] = _lazy(_fill)
    __all__.append(_fill.rstrip("_"))


def to_npy(array, path):
    """Write a dask array to a new .npy file block by block through a memory map."""
    out = np.lib.format.open_memmap(path, mode="w+", dtype=array.dtype, shape=array.shape)
    da.store(array, out, lock=False, scheduler="threads")
    out.flush()
    return path
