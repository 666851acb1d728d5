# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
# cython: cdivision=True, freethreading_compatible=True
"""The compiled layer: the Generator and the in-place fill of numpy arrays.

Validation happens here, with the GIL held, before anything is written and
before the generator moves; the fill itself runs in the C core without the GIL.
"""
cimport cython
cimport numpy as cnp
from libc.math cimport isfinite, sqrt
from libc.stdint cimport uint32_t, uint64_t, int64_t

from xinit_c.xinit cimport *

cdef extern from "Python.h":
    int PyErr_CheckSignals() except -1
    object PyCapsule_New(void *pointer, const char *name, void *destructor)

cdef extern from "xinit_c.h":
    const char *XINIT_C_CAPSULE_NAME

cdef extern from "xinit.h":
    const void *xinit_c_api_table()
    double xi_dtype_max(int dtype)

cdef extern from "fpenv.h" nogil:
    ctypedef struct xi_fpenv:
        pass
    void xi_fpenv_enter_default(xi_fpenv *saved)
    void xi_fpenv_restore(const xi_fpenv *saved)
    double xi_fpenv_fence(double x)

#: The C API table (xinit_c/include/xinit_c.h) for C, Cython and other
#: extensions: PyCapsule_Import("xinit_c._C_API", 0).
_C_API = PyCapsule_New(<void *>xinit_c_api_table(), XINIT_C_CAPSULE_NAME, NULL)

import math
import os

import numpy as np

from xinit_c._fans import calculate_gain

cnp.import_array()

DEF MAX_DIMS = 64

#: The version of the stream contract (docs/stream.md) these kernels implement:
#: the same (key, stream, position) gives the same bits within one version.
STREAM_VERSION = 2

#: Words of the stream: positions run over [0, 2**66].
POSITION_END = 1 << 66
_U64 = 1 << 64
_INT63 = 1 << 63

DIST_UNIFORM = XI_UNIFORM
DIST_NORMAL = XI_NORMAL
DIST_TRUNC_NORMAL = XI_TRUNC_NORMAL
DIST_BITS = XI_BITS
DIST_CONSTANT = XI_CONSTANT

_DTYPE_NAMES = ("float16", "bfloat16", "float32", "float64", "uint32", "uint64")

_READ_ONLY = "the output array is read-only (its writeable flag is False): pass a writable array"


cdef inline int _dtype_code(cnp.dtype dt):
    """The xi_dtype of a numpy dtype, or -1."""
    cdef char kind = dt.kind
    cdef Py_ssize_t size = dt.itemsize
    if kind == b'f':
        if size == 2:
            return XI_FLOAT16
        if size == 4:
            return XI_FLOAT32
        if size == 8:
            return XI_FLOAT64
    elif kind == b'u':
        if size == 4:
            return XI_UINT32
        if size == 8:
            return XI_UINT64
    elif kind == b'V' and size == 2 and (<object>dt).names is None and (<object>dt).name == "bfloat16":
        return XI_BFLOAT16
    return -1


cdef bint _elements_disjoint(int ndim, const int64_t *shape, const int64_t *strides,
                             Py_ssize_t itemsize) noexcept:
    """A sufficient test that no two elements share a byte: taken by growing
    |stride|, each dimension's step clears everything the smaller ones span.
    Every layout numpy's slicing, transposing and reshaping makes passes."""
    cdef int order[64]
    cdef int count = 0, i, j, d
    cdef int64_t span = itemsize, step
    for d in range(ndim):
        if shape[d] > 1:
            order[count] = d
            count += 1
    for i in range(1, count):           # insertion sort by |stride|, at most 64 entries
        d = order[i]
        j = i - 1
        while j >= 0 and _abs64(strides[order[j]]) > _abs64(strides[d]):
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = d
    for i in range(count):
        step = _abs64(strides[order[i]])
        if step < span:
            return False
        span += step * (shape[order[i]] - 1)
    return True


cdef inline int64_t _abs64(int64_t x) noexcept:
    return -x if x < 0 else x


def _dtype_name(dt):
    """The element type's name as the kernels know it, or None."""
    cdef int code = _dtype_code(np.dtype(dt))
    return _DTYPE_NAMES[code] if code >= 0 else None


def as_writable_array(obj):
    """View ``obj`` as a numpy array without copying it, or raise.

    TypeError when numpy cannot view the object in place (writing into a copy
    would silently lose the values), ValueError when the view is read-only.
    """
    cdef cnp.ndarray arr
    if isinstance(obj, cnp.ndarray):
        arr = obj
    else:
        try:
            arr = np.asarray(obj, copy=False)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"cannot fill a {type(obj).__name__} in place: numpy cannot view it "
                "without a copy (pass a numpy array or a writable buffer)") from exc
    if not cnp.PyArray_ISWRITEABLE(arr):
        raise ValueError(_READ_ONLY)
    return arr


cdef class Generator:
    """Generator(seed=None, *, key=None, stream=0, position=0)
--

    A position in the Philox4x32-10 counter-based stream of ``docs/stream.md``.

    Each fill reserves the words it needs, ``w * N`` for a logical tensor of
    ``N`` elements of ``w`` words, and moves the position past them; element
    ``k`` takes the words at ``position + w*k``. Reservation is atomic, so a
    generator can be shared between threads: every call gets its own range.
    Copies and pickles carry the whole state (a checkpoint resumes exactly).

    Parameters
    ----------
    seed : None, int, sequence of int or numpy.random.SeedSequence
        The key is ``SeedSequence(seed).generate_state(2, dtype=uint32)``;
        ``None`` draws fresh entropy from the OS.
    key : (int, int), optional
        The two 32-bit key words, instead of a seed.
    stream : int, default 0
        64-bit stream id: the upper half of the Philox counter. Different
        streams with the same key are independent sequences.
    position : int, default 0
        Word position to start at, in ``[0, 2**66]``.

    Raises
    ------
    TypeError
        ``seed`` is not something ``numpy.random.SeedSequence`` takes (a float
        or a string); ``key`` is not a pair of integers; ``stream`` or
        ``position`` is not an integer.
    ValueError
        Both ``seed`` and ``key`` are given; a negative seed; a key word outside
        ``[0, 2**32)``, ``stream`` outside ``[0, 2**64)`` or ``position`` outside
        ``[0, 2**66]``.

    Examples
    --------
    >>> g = Generator(1234)
    >>> g.position, g.stream
    (0, 0)
    >>> g.advance(8).position
    8
    >>> Generator(key=(1, 2), stream=3)
    Generator(key=(0x00000001, 0x00000002), stream=3, position=0)
    """
    cdef xi_stream _stream
    cdef xi_position _position
    cdef object _seed_seq
    cdef cython.pymutex _lock

    def __init__(self, seed=None, *, key=None, stream=0, position=0):
        cdef object seed_seq = None
        if key is not None:
            if seed is not None:
                raise ValueError("give either seed or key, not both")
            key = _check_key(key)
        else:
            if isinstance(seed, np.random.SeedSequence):
                seed_seq = seed
            else:
                seed_seq = np.random.SeedSequence(seed)
            state = seed_seq.generate_state(2, dtype=np.uint32)
            key = (int(state[0]), int(state[1]))
        self._set(key, _check_int("stream", stream, _U64 - 1), _check_int("position", position, POSITION_END), seed_seq)

    cdef _set(self, key, stream, position, seed_seq):
        with self._lock:
            self._stream.key[0] = key[0]
            self._stream.key[1] = key[1]
            self._stream.stream = stream
            self._position.lo = position & (_U64 - 1)
            self._position.hi = position >> 64
            self._seed_seq = seed_seq

    cdef bint try_reserve(self, uint64_t words, xi_position *start) noexcept:
        """Take ``words`` words from the current position, atomically; False, and
        the position unmoved, where the stream has fewer left. start is the
        position either way."""
        cdef xi_position end
        cdef int status
        with self._lock:
            start[0] = self._position
            end = self._position
            status = xi_position_add(&end, words)
            if status == XI_OK:
                self._position = end
        return status == XI_OK

    cdef int reserve(self, uint64_t words, xi_position *start) except -1:
        """try_reserve(), raising where the stream has fewer words left."""
        if not self.try_reserve(words, start):
            raise ValueError(
                f"the fill needs {words} words from position {_position_int(start[0])}, "
                f"past the end of the stream (2**66 words); use another key or stream")
        return 0

    cdef xi_stream stream_struct(self):
        return self._stream

    @property
    def key(self):
        """The two 32-bit key words ``(k0, k1)``."""
        return (int(self._stream.key[0]), int(self._stream.key[1]))

    @property
    def stream(self):
        """The 64-bit stream id."""
        return int(self._stream.stream)

    @property
    def position(self):
        """The word position of the next fill, in ``[0, 2**66]``."""
        with self._lock:
            pos = self._position
        return _position_int(pos)

    @property
    def seed_seq(self):
        """The numpy SeedSequence the key came from (None for an explicit key)."""
        return self._seed_seq

    def advance(self, n_words):
        """Move the position by ``n_words`` words (may be negative); returns self.

        Parameters
        ----------
        n_words : int
            How far to move: ``position`` becomes ``position + n_words``.

        Returns
        -------
        Generator
            This generator, moved.

        Raises
        ------
        TypeError
            ``n_words`` is not an integer.
        ValueError
            The new position would be outside ``[0, 2**66]``; the position is then
            unchanged.

        Examples
        --------
        >>> g = Generator(0).advance(512 * 256)   # skip one float32 fill of a (512, 256) tensor
        >>> g.position
        131072
        >>> g.advance(-131072).position
        0
        """
        n_words = _check_int("n_words", n_words, None, allow_negative=True)
        with self._lock:
            new = _position_int(self._position) + n_words
            ok = 0 <= new <= POSITION_END
            if ok:
                self._position.lo = new & (_U64 - 1)
                self._position.hi = new >> 64
        if not ok:
            raise ValueError(f"advance({n_words}) leaves the stream: positions run over [0, 2**66]")
        return self

    def _reserve_words(self, n_words):
        """Take ``n_words`` words atomically, as a fill does, and return the position of the first.

        For the fills of xinit_c._structured that draw their words in more than
        one part: reading the position and advancing it separately would let
        another thread's fill take the same words in between."""
        cdef xi_position start
        self.reserve(_check_int("n_words", n_words, None), &start)
        return _position_int(start)

    def spawn(self, n_children):
        """``n_children`` independent generators, from the seed sequence's children.

        A generator made from an explicit key spawns from
        ``SeedSequence([k0, k1, stream % 2**32, stream >> 32])``. Each call
        returns new children (the spawn count is part of the state that
        copies and pickles carry).

        Parameters
        ----------
        n_children : int
            How many, >= 0.

        Returns
        -------
        list of Generator
            Each at stream 0, position 0, with its own key.

        Raises
        ------
        TypeError
            ``n_children`` is not an integer.
        ValueError
            ``n_children`` is negative.

        Examples
        --------
        >>> workers = Generator(1234).spawn(4)   # one per data-loader worker
        >>> len(workers), len({w.key for w in workers})
        (4, 4)
        """
        n_children = _check_int("n_children", n_children, None)
        with self._lock:
            if self._seed_seq is None:
                s = self._stream.stream
                self._seed_seq = np.random.SeedSequence(
                    [self._stream.key[0], self._stream.key[1], s & 0xffffffff, s >> 32])
            children = self._seed_seq.spawn(n_children)
        return [Generator(child) for child in children]

    def reseed(self, seed=None):
        """Restart from ``seed`` (as the constructor), stream 0, position 0; returns self.

        Parameters
        ----------
        seed : None, int, sequence of int or numpy.random.SeedSequence
            As for :class:`Generator`; ``None`` draws fresh entropy from the OS.

        Returns
        -------
        Generator
            This generator, reseeded.

        Raises
        ------
        TypeError, ValueError
            ``seed`` is not something ``numpy.random.SeedSequence`` takes (a float
            or a negative integer, for example); the generator is then unchanged.

        Examples
        --------
        >>> g = Generator(0).advance(100)
        >>> g.reseed(0) == Generator(0)
        True
        """
        fresh = Generator(seed)
        self._set(fresh.key, 0, 0, fresh.seed_seq)
        return self

    def __getstate__(self):
        with self._lock:
            seed_seq = self._seed_seq
            pos = self._position
        if seed_seq is not None:
            seed_seq = _copy_seed_seq(seed_seq)
        return (self.key, self.stream, _position_int(pos), seed_seq)

    def __setstate__(self, state):
        key, stream, position, seed_seq = state
        self._set(_check_key(key), _check_int("stream", stream, _U64 - 1),
                  _check_int("position", position, POSITION_END), seed_seq)

    def __reduce__(self):
        return (_new_generator, (), self.__getstate__())

    def __copy__(self):
        clone = Generator.__new__(Generator)
        clone.__setstate__(self.__getstate__())
        return clone

    def __deepcopy__(self, memo):
        return self.__copy__()

    def __eq__(self, other):
        if not isinstance(other, Generator):
            return NotImplemented
        return (self.key, self.stream, self.position) == (other.key, other.stream, other.position)

    __hash__ = None

    def __repr__(self):
        return f"Generator(key=({self._stream.key[0]:#010x}, {self._stream.key[1]:#010x}), stream={self.stream}, position={self.position})"


def _new_generator():
    return Generator.__new__(Generator)


def _copy_seed_seq(seed_seq):
    return np.random.SeedSequence(seed_seq.entropy, spawn_key=seed_seq.spawn_key,
                                  pool_size=seed_seq.pool_size,
                                  n_children_spawned=seed_seq.n_children_spawned)


cdef object _position_int(xi_position pos):
    return (<object>pos.hi << 64) | <object>pos.lo


def _check_int(name, value, maximum, allow_negative=False):
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    value = value.__index__()
    if (value < 0 and not allow_negative) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be in [0, {maximum}], got {value}"
                         if maximum is not None else f"{name} must be >= 0, got {value}")
    return value


def _check_key(key):
    try:
        k0, k1 = key
    except (TypeError, ValueError):
        raise TypeError(f"key must be a pair of 32-bit integers, got {key!r}") from None
    return (_check_int("key[0]", k0, 0xffffffff), _check_int("key[1]", k1, 0xffffffff))


cdef int64_t _logical_layout(cnp.ndarray arr, global_shape, offset,
                             int64_t *logical_strides, int64_t *logical_base) except -1:
    """Logical strides and base index of the buffer within its logical tensor.

    Returns the number of elements of the logical tensor. Raises ValueError
    if the global shape and offset do not contain the buffer."""
    cdef int ndim = cnp.PyArray_NDIM(arr)
    cdef cnp.npy_intp *shape = cnp.PyArray_DIMS(arr)
    cdef int d
    cdef int64_t count = 1
    cdef object total, stride, base
    if global_shape is None:
        if offset is not None:
            raise ValueError("offset= needs global_shape=")
        for d in range(ndim - 1, -1, -1):
            logical_strides[d] = count
            count *= shape[d]
        logical_base[0] = 0
        return count
    gshape = _check_shape(global_shape)
    total = 1
    for g in gshape:
        total *= g
    if total >= _INT63:
        raise ValueError(f"global_shape {gshape} has {total} elements, more than 2**63 - 1")
    if not (offset is None or isinstance(offset, (tuple, list)) or hasattr(offset, "__index__")):
        raise TypeError(f"offset must be a tuple of integers, one per dimension (or, for a 1-D buffer, one "
                        f"integer: a flat offset), got {type(offset).__name__} {offset!r}")
    if ndim == 1 and (len(gshape) != 1 or not isinstance(offset, tuple)) and _is_flat_offset(offset):
        # a flat range [offset, offset + n) of the global C-order tensor
        start = 0 if offset is None else _check_int("offset", offset, None)
        if start + shape[0] > total:
            raise ValueError(f"a buffer of {shape[0]} elements at flat offset {start} does not fit "
                             f"in global_shape {gshape} ({total} elements)")
        logical_strides[0] = 1
        logical_base[0] = start
        return total
    if len(gshape) != ndim:
        raise ValueError(f"global_shape {gshape} has {len(gshape)} dimensions, the buffer {ndim} "
                         "(or give a 1-D buffer and one flat offset)")
    if offset is None:
        offsets = (0,) * ndim
    else:
        if not isinstance(offset, (tuple, list)):
            raise ValueError(f"offset must be a tuple of {ndim} integers for a {ndim}-D buffer, got {offset!r}")
        offsets = tuple(_check_int("offset", o, None) for o in offset)
        if len(offsets) != ndim:
            raise ValueError(f"offset {offsets} has {len(offsets)} entries, the buffer {ndim} dimensions")
    stride = 1
    base = 0
    for d in range(ndim - 1, -1, -1):
        if offsets[d] + shape[d] > gshape[d]:
            raise ValueError(f"a buffer of shape {(<object>arr).shape} at offset {offsets} does not fit "
                             f"in global_shape {gshape} (axis {d})")
        logical_strides[d] = stride
        base += offsets[d] * stride
        stride *= gshape[d]
    logical_base[0] = base
    return total


cdef bint _is_flat_offset(offset):
    return offset is None or (not isinstance(offset, (tuple, list)) and hasattr(offset, "__index__"))


def _check_shape(shape):
    if hasattr(shape, "__index__"):
        shape = (shape,)
    try:
        return tuple(_check_int("global_shape entry", s, None) for s in shape)
    except TypeError:
        raise TypeError(f"global_shape must be a tuple of non-negative integers, got {shape!r}") from None


def _dtype_max(dtype):
    """The largest finite value of a float dtype, the C core's limit for the fill's parameters."""
    return xi_dtype_max(_dtype_code(np.dtype(dtype)))


_PARAMETER_NAMES = {XI_UNIFORM: ("low", "high"), XI_NORMAL: ("mean", "std"), XI_TRUNC_NORMAL: ("mean", "std")}


def _param_problem(int dist, dtype, double a0=0.0, double a1=0.0, double a2=0.0, double a3=0.0):
    """Why the C core refuses these parameters for a float dtype, or None when it accepts them.

    The C core decides (xi_params_init); this only names the cause, by the
    conditions of src/params.c, so the two cannot disagree on what passes."""
    cdef xi_params params
    cdef int code = _dtype_code(np.dtype(dtype))
    cdef int status = xi_params_init(&params, dist, code, a0, a1, a2, a3)
    if status == XI_OK:
        return None
    if status == XI_ERR_TAIL:
        return _tail_problem(code, a0, a1, a2, a3)
    if status != XI_ERR_PARAM:
        return f"the C core refuses the fill (status {status})"
    limit = xi_dtype_max(code)
    for name, value in zip(_PARAMETER_NAMES[dist], (a0, a1)):
        if not math.isfinite(value):
            return f"{name} must be finite, got {value!r}"
        if not -limit <= value <= limit:
            return (f"{name} = {value!r} overflows {_DTYPE_NAMES[code]}, whose largest finite value is "
                    f"{limit:.8g}")
    if dist == XI_UNIFORM:
        return f"low must be <= high, got low={a0!r}, high={a1!r}"
    if a1 < 0.0:
        return f"std must be >= 0, got {a1!r}"
    return f"need a < b (or a == b with std = 0), and neither NaN: got a={a2!r}, b={a3!r}"


def _tail_problem(int code, double mean, double std, double a, double b):
    alpha = (a - mean) / std
    beta = (b - mean) / std
    # src/params.c measures from the side of the mean the interval's centre lies on
    distance = alpha if alpha + beta > 0.0 else -beta
    return (f"the truncation interval [a, b] = [{a!r}, {b!r}] begins {distance:.6g} standard deviations from "
            f"the mean (mean={mean!r}, std={std!r}), too far in the tail for {_DTYPE_NAMES[code]}: at most 10 "
            "for float32/float16/bfloat16, 37 for float64")


def _available_cpus():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


cdef unsigned _default_threads = _available_cpus()

#: Fills of fewer elements keep the GIL (like numpy, for calls of a few microseconds).
NOGIL_MIN_ELEMENTS = 16384

#: Large fills look for Ctrl-C after every so many elements (tens of
#: milliseconds of work at most). On KeyboardInterrupt the buffer holds a
#: prefix of the fill in its own C order and the generator has already moved
#: past the whole fill, as if the call had completed.
INTERRUPT_CHECK_ELEMENTS = 1 << 22

#: Uniform fills smaller than this many elements per thread stay on fewer
#: threads (normal and truncated normal: a quarter of it).
PARALLEL_MIN_ELEMENTS = XI_PARALLEL_MIN_ELEMENTS
MAX_THREADS = 256

#: The thread counts set_num_threads(n) and a fill's threads= accept.
THREADS_ACCEPTED = f"an integer in [1, {MAX_THREADS}]"
_FILL_THREADS_ACCEPTED = f"None (the default, get_num_threads()) or {THREADS_ACCEPTED}"


def set_num_threads(n):
    """Set how many threads a large fill uses when ``threads=`` is not given.

    The output does not depend on it: thread counts change speed only. Fills
    below ``PARALLEL_MIN_ELEMENTS`` elements per thread (a quarter of that for
    normal and truncated normal) use fewer threads.

    Parameters
    ----------
    n : int
        From 1 to 256 (``MAX_THREADS``).

    Returns
    -------
    None

    Raises
    ------
    TypeError
        ``n`` is not an integer.
    ValueError
        ``n`` is outside 1 to 256; the setting is then unchanged.

    Examples
    --------
    >>> before = get_num_threads()
    >>> set_num_threads(2)
    >>> get_num_threads()
    2
    >>> set_num_threads(before)
    """
    global _default_threads
    _default_threads = _check_threads("set_num_threads: n", n, THREADS_ACCEPTED)


def get_num_threads():
    """How many threads a large fill uses when ``threads=`` is not given.

    At import, the number of CPUs this process may run on; see
    :func:`set_num_threads`.

    Returns
    -------
    int
        From 1 to 256.

    Examples
    --------
    >>> 1 <= get_num_threads() <= MAX_THREADS
    True
    """
    return _default_threads


cdef unsigned _check_threads(name, n, accepted) except 0:
    if isinstance(n, bool) or not hasattr(n, "__index__"):
        raise TypeError(f"{name} must be {accepted}, got {type(n).__name__} {n!r}")
    n = n.__index__()
    if not 1 <= n <= MAX_THREADS:
        raise ValueError(f"{name} must be {accepted}, got {n}")
    return n


def fill(out, int dist, double a0=0.0, double a1=0.0, double a2=0.0, double a3=0.0,
         Generator generator=None, global_shape=None, offset=None, uint64_t constant_bits=0,
         threads=None):
    """Fill ``out`` in place; see the public functions for the meaning.

    ``out`` must already be a writable ndarray (``as_writable_array``). The
    generator is only needed for random distributions.
    """
    cdef cnp.ndarray arr = out
    cdef cnp.dtype descr = <cnp.dtype>cnp.PyArray_DESCR(arr)
    cdef int dtype = _dtype_code(descr)
    cdef int ndim = cnp.PyArray_NDIM(arr)
    cdef cnp.npy_intp *dims = cnp.PyArray_DIMS(arr)
    cdef cnp.npy_intp *mem_strides = cnp.PyArray_STRIDES(arr)
    cdef int64_t shape[MAX_DIMS]
    cdef int64_t strides[MAX_DIMS]
    cdef int64_t logical_strides[MAX_DIMS]
    cdef int64_t logical_base = 0
    cdef xi_params params
    cdef xi_position start
    cdef xi_stream stream
    cdef uint64_t words
    cdef int64_t total, size, begin, end
    cdef int status, d, byteswap
    cdef char *data = <char *>cnp.PyArray_DATA(arr)
    cdef unsigned nthreads = _default_threads if threads is None else _check_threads(
        "threads", threads, _FILL_THREADS_ACCEPTED)

    if not cnp.PyArray_ISWRITEABLE(arr):
        raise ValueError(_READ_ONLY)
    if dtype < 0:
        expected = "uint32 or uint64" if dist == XI_BITS else "float16, bfloat16, float32 or float64"
        raise TypeError(f"cannot fill an array of dtype {arr.dtype}: expected {expected}")
    if dist == XI_CONSTANT:
        status = xi_params_constant(&params, dtype, constant_bits)
    else:
        status = xi_params_init(&params, dist, dtype, a0, a1, a2, a3)
    if status == XI_ERR_KIND:
        expected = "uint32 or uint64" if dist == XI_BITS else "float16, bfloat16, float32 or float64"
        raise TypeError(f"cannot fill an array of dtype {arr.dtype}: expected {expected}")
    if status != XI_OK:
        raise ValueError(_param_problem(dist, descr, a0, a1, a2, a3))
    cdef bint empty = False
    cdef bint broadcast = False
    for d in range(ndim):
        shape[d] = dims[d]
        strides[d] = mem_strides[d]
        empty = empty or dims[d] == 0
        broadcast = broadcast or (dims[d] > 1 and mem_strides[d] == 0)
    if broadcast and not empty:
        raise ValueError("cannot fill a broadcast view (stride 0): it would write the same "
                         "element many times")
    if not empty and not _elements_disjoint(ndim, shape, strides, descr.itemsize):
        raise ValueError("cannot fill a view whose elements may overlap in memory (as_strided?): "
                         "the values would depend on the order of the writes")
    byteswap = 0 if cnp.PyArray_ISNOTSWAPPED(arr) else 1
    total = _logical_layout(arr, global_shape, offset, logical_strides, &logical_base)
    words = xi_words_per_element(&params) * <uint64_t>total
    start.lo = 0
    start.hi = 0
    if words:
        if generator is None:
            raise TypeError("a random fill needs a Generator")
        generator.reserve(words, &start)
        stream = generator.stream_struct()
    size = cnp.PyArray_SIZE(arr)
    if size < NOGIL_MIN_ELEMENTS:
        # a few microseconds: releasing the GIL would cost more than it frees
        status = xi_fill_strided(&stream, start, &params, data, ndim, shape, strides,
                                 logical_strides, logical_base, byteswap, nthreads)
    else:
        # in pieces, looking for Ctrl-C between them; each piece writes what
        # the whole fill would write there
        for begin in range(0, size, INTERRUPT_CHECK_ELEMENTS):
            end = min(begin + INTERRUPT_CHECK_ELEMENTS, size)
            with nogil:
                status = xi_fill_strided_range(&stream, start, &params, data, ndim, shape, strides,
                                               logical_strides, logical_base, byteswap, begin, end,
                                               nthreads)
            if status != XI_OK:
                break
            PyErr_CheckSignals()
    if status != XI_OK:
        raise RuntimeError(f"internal error: fill failed with status {status}")
    return out


# ---------------------------------------------------------------- small calls
#
# The common call on a small array costs about a microsecond through the
# general path (xinit_c._api's checks and helpers, then fill()), more than
# numpy's own random(out=w); here it is one compiled call. small_fill and
# small_fan_fill take only what they can do without raising: a numpy array
# (no subclass), C-contiguous, aligned, native-endian and writable, of 1 to
# NOGIL_MIN_ELEMENTS - 1 elements, an xinit_c.Generator or None, and options of
# type float or int (as float() converts them) that the general path accepts.
# Anything else returns None and the caller takes the general path, whose
# errors are then the only ones. What they compute is what the general path
# computes, operation for operation (fans below 2**14 make every integer
# exact as a double), in the default floating-point environment.

#: Keras' correction from a unit normal truncated at +-2 to unit variance:
#: the standard deviation of that truncated normal
#: (keras/src/initializers/random_initializers.py, VarianceScaling).
TRUNCATED_NORMAL_STD_CORRECTION = 0.87962566103423978
cdef double _TRUNCATED_NORMAL_STD_CORRECTION = TRUNCATED_NORMAL_STD_CORRECTION

cdef enum _Scheme:
    _XAVIER_UNIFORM, _XAVIER_NORMAL, _KAIMING_UNIFORM, _KAIMING_NORMAL, _LECUN_UNIFORM, _LECUN_NORMAL, \
        _VARIANCE_SCALING

# the fan-based initialisers, as xinit_c._api names them to small_fan_fill
SCHEME_XAVIER_UNIFORM = _XAVIER_UNIFORM
SCHEME_XAVIER_NORMAL = _XAVIER_NORMAL
SCHEME_KAIMING_UNIFORM = _KAIMING_UNIFORM
SCHEME_KAIMING_NORMAL = _KAIMING_NORMAL
SCHEME_LECUN_UNIFORM = _LECUN_UNIFORM
SCHEME_LECUN_NORMAL = _LECUN_NORMAL
SCHEME_VARIANCE_SCALING = _VARIANCE_SCALING

# _fans.MODES and _api.DISTRIBUTIONS, as codes
cdef enum _Mode:
    _FAN_IN, _FAN_OUT, _FAN_AVG, _FAN_GEO_AVG
cdef enum _Distribution:
    _TRUNCATED, _UNIFORM, _UNTRUNCATED
cdef dict _MODE_CODES = {"fan_in": _FAN_IN, "fan_out": _FAN_OUT, "fan_avg": _FAN_AVG, "fan_geo_avg": _FAN_GEO_AVG}
cdef dict _DISTRIBUTION_CODES = {"truncated_normal": _TRUNCATED, "uniform": _UNIFORM, "normal": _UNTRUNCATED,
                                 "untruncated_normal": _UNTRUNCATED}

cdef int _SMALL_FLAGS = cnp.NPY_ARRAY_C_CONTIGUOUS | cnp.NPY_ARRAY_ALIGNED | cnp.NPY_ARRAY_WRITEABLE
cdef Py_ssize_t _SMALL_LIMIT = NOGIL_MIN_ELEMENTS


cdef inline int _small_dtype(out) except -2:
    """The xi_dtype of out when the small path takes the array as it is, else -1."""
    cdef cnp.ndarray arr
    cdef Py_ssize_t size
    if not cnp.PyArray_CheckExact(out):
        return -1
    arr = <cnp.ndarray>out
    size = cnp.PyArray_SIZE(arr)
    if (cnp.PyArray_FLAGS(arr) & _SMALL_FLAGS) != _SMALL_FLAGS or size == 0 or size >= _SMALL_LIMIT \
            or not cnp.PyArray_ISNOTSWAPPED(arr):
        return -1
    return _dtype_code(<cnp.dtype>cnp.PyArray_DESCR(arr))


cdef inline Generator _small_generator(generator, Generator default_generator):
    if generator is None:
        return default_generator
    if type(generator) is Generator:
        return <Generator>generator
    return None


cdef inline bint _small_real(value, double *result):
    """A float, or an int as float() converts it (False where it overflows); nothing else."""
    if type(value) is float:
        result[0] = value
        return True
    if type(value) is int:
        try:
            result[0] = value
        except OverflowError:
            return False
        return True
    return False


cdef inline int _code(dict codes, name) noexcept:
    """The code of a mode or distribution name, or -1 (an unhashable or other name)."""
    if type(name) is not str:
        return -1
    code = codes.get(name)
    return -1 if code is None else <int>code


cdef inline bint _fans_of(cnp.ndarray arr, layout, int64_t *fan_in, int64_t *fan_out):
    """_fans.compute_fans(arr.shape, layout), or False where it would raise."""
    cdef int ndim = cnp.PyArray_NDIM(arr), d
    cdef cnp.npy_intp *dims = cnp.PyArray_DIMS(arr)
    cdef int64_t receptive = 1
    if layout == "torch":
        if ndim < 2:
            return False
        for d in range(2, ndim):
            receptive *= dims[d]
        fan_in[0] = dims[1] * receptive
        fan_out[0] = dims[0] * receptive
        return True
    if layout != "keras" and layout != "jax":
        return False
    if ndim < 2:
        if layout == "jax":
            return False
        fan_in[0] = fan_out[0] = 1 if ndim == 0 else dims[0]
        return True
    for d in range(ndim - 2):
        receptive *= dims[d]
    fan_in[0] = dims[ndim - 2] * receptive
    fan_out[0] = dims[ndim - 1] * receptive
    return True


cdef inline double _mode_fan(double fan_in, double fan_out, int mode) noexcept:
    """_fans.fan_for_mode."""
    if mode == _FAN_IN:
        return fan_in
    if mode == _FAN_OUT:
        return fan_out
    if mode == _FAN_AVG:
        return (fan_in + fan_out) / 2.0
    return sqrt(fan_in * fan_out)


cdef object _small_run(cnp.ndarray out, int dtype, Generator generator, int dist,
                       double a0, double a1, double a2, double a3):
    """fill(out, dist, a0, a1, a2, a3, generator), or None where the C core refuses the
    parameters or the stream has too few words left (the generator then unmoved)."""
    cdef xi_params params
    cdef xi_position start
    cdef xi_stream stream
    cdef size_t n = <size_t>cnp.PyArray_SIZE(out)
    if xi_params_init(&params, dist, dtype, a0, a1, a2, a3) != XI_OK:
        return None
    if not generator.try_reserve(xi_words_per_element(&params) * <uint64_t>n, &start):
        return None
    stream = generator.stream_struct()
    xi_fill_contiguous(&stream, start, &params, cnp.PyArray_DATA(out), n)
    return out


def small_fill(int dist, out, generator, Generator default_generator, a0=0.0, a1=0.0, a2=0.0, a3=0.0):
    """uniform_(out, a0, a1), normal_(out, a0, a1), trunc_normal_(out, a0, a1, a2, a3) or
    random_bits_(out) (dist), with generator None meaning default_generator: out, or None where
    the general path must decide."""
    cdef int dtype = _small_dtype(out)
    cdef Generator g = _small_generator(generator, default_generator)
    cdef double p0 = 0.0, p1 = 0.0, p2 = 0.0, p3 = 0.0
    if dtype < 0 or g is None:
        return None
    if dist != XI_BITS and not (_small_real(a0, &p0) and _small_real(a1, &p1)):
        return None
    if dist == XI_TRUNC_NORMAL and not (_small_real(a2, &p2) and _small_real(a3, &p3)):
        return None
    # the parameters reach the C core as given: it computes its constants in the default environment
    return _small_run(out, dtype, g, dist, p0, p1, p2, p3)


def small_fan_fill(int scheme, out, generator, Generator default_generator, layout, option=1.0, mode="fan_in",
                   choice=None):
    """The fan-based initialiser scheme on out, its fans read from out's shape in layout: out, or
    None where the general path must decide. option is the gain (xavier), the negative slope
    (kaiming) or the scale (variance scaling); mode kaiming's or variance scaling's; choice
    kaiming's nonlinearity or variance scaling's distribution. lecun_* take none of them."""
    cdef int dtype = _small_dtype(out)
    cdef Generator g = _small_generator(generator, default_generator)
    cdef bint kaiming = scheme == _KAIMING_UNIFORM or scheme == _KAIMING_NORMAL
    cdef int64_t fan_in = 0, fan_out = 0
    cdef int fan_mode = _FAN_IN, distribution = _TRUNCATED
    cdef double value = 1.0, fi, fo, gain, bound, variance, std
    cdef xi_fpenv saved
    if dtype < 0 or g is None or not _fans_of(<cnp.ndarray>out, layout, &fan_in, &fan_out):
        return None
    # the options as _api's _xavier_options, _kaiming_options and _variance_scaling_options take them
    if scheme == _LECUN_UNIFORM:
        distribution = _UNIFORM
    elif scheme != _LECUN_NORMAL:
        # a gain or scale is finite and >= 0, a slope finite
        if not _small_real(option, &value) or not isfinite(value) or (value < 0.0 and not kaiming):
            return None
        if kaiming:
            fan_mode = _code(_MODE_CODES, mode)
            if fan_mode != _FAN_IN and fan_mode != _FAN_OUT:
                return None
        elif scheme == _VARIANCE_SCALING:
            fan_mode = _code(_MODE_CODES, mode)
            distribution = _code(_DISTRIBUTION_CODES, choice)
            if fan_mode < 0 or distribution < 0:
                return None
        elif scheme != _XAVIER_UNIFORM and scheme != _XAVIER_NORMAL:
            return None
    xi_fpenv_enter_default(&saved)
    try:
        # every input through memory, so that no arithmetic starts before the environment is set
        value = xi_fpenv_fence(value)
        fi = xi_fpenv_fence(<double>fan_in)
        fo = xi_fpenv_fence(<double>fan_out)
        # _api's _spec_* functions
        if scheme == _XAVIER_UNIFORM:
            bound = value * sqrt(6.0 / (fi + fo))
            return _small_run(out, dtype, g, XI_UNIFORM, -bound, bound, 0.0, 0.0)
        if scheme == _XAVIER_NORMAL:
            return _small_run(out, dtype, g, XI_NORMAL, 0.0, value * sqrt(2.0 / (fi + fo)), 0.0, 0.0)
        if kaiming:
            try:
                gain = calculate_gain(choice, value)
            except (ValueError, OverflowError):
                return None
            if scheme == _KAIMING_NORMAL:
                return _small_run(out, dtype, g, XI_NORMAL, 0.0, gain / sqrt(_mode_fan(fi, fo, fan_mode)), 0.0, 0.0)
            bound = sqrt(3.0) * (gain / sqrt(_mode_fan(fi, fo, fan_mode)))
            return _small_run(out, dtype, g, XI_UNIFORM, -bound, bound, 0.0, 0.0)
        # variance scaling, lecun_* included (scale 1, fan_in)
        variance = value / _mode_fan(fi, fo, fan_mode)
        if distribution == _TRUNCATED:
            std = sqrt(variance) / _TRUNCATED_NORMAL_STD_CORRECTION
            return _small_run(out, dtype, g, XI_TRUNC_NORMAL, 0.0, std, -2.0 * std, 2.0 * std)
        if distribution == _UNIFORM:
            bound = sqrt(3.0 * variance)
            return _small_run(out, dtype, g, XI_UNIFORM, -bound, bound, 0.0, 0.0)
        return _small_run(out, dtype, g, XI_NORMAL, 0.0, sqrt(variance), 0.0, 0.0)
    finally:
        xi_fpenv_restore(&saved)

def simd_backends():
    """The kernel variants this CPU can run, least capable first.

    Every variant writes the same bits; they differ in speed only.

    Returns
    -------
    list of str
        From "scalar", "sse2", "avx2", "avx512" (x86-64) and "neon" (ARM64),
        those this CPU supports.

    Examples
    --------
    >>> simd_backends()[0]
    'scalar'
    """
    cdef const char *names[16]
    cdef Py_ssize_t count = <Py_ssize_t>xi_kernel_variants(names, 16)
    return [names[i].decode() for i in range(min(count, 16))]


def get_simd():
    """The name of the kernel variant in use.

    The best one this CPU supports, unless :func:`set_simd` or the
    ``XINIT_C_SIMD`` environment variable chose another.

    Returns
    -------
    str
        One of :func:`simd_backends`.

    Examples
    --------
    >>> get_simd() in simd_backends()
    True
    """
    return xi_kernel_variant().decode()


def set_simd(name):
    """Use the kernel variant ``name`` (one of :func:`simd_backends`, or "best").

    Every variant writes the same bits, so this changes speed only (the tests
    use it to compare the variants).

    Parameters
    ----------
    name : str
        A name from :func:`simd_backends`, or "best" for the most capable one.

    Returns
    -------
    None

    Raises
    ------
    TypeError
        ``name`` is not a string.
    ValueError
        ``name`` is unknown or this CPU does not support it; the variant in use
        is then unchanged.

    Examples
    --------
    >>> before = get_simd()
    >>> set_simd("scalar")
    >>> get_simd()
    'scalar'
    >>> set_simd(before)
    """
    if not isinstance(name, str):
        raise TypeError(f"set_simd needs a variant name, got {type(name).__name__}")
    if xi_set_kernel_variant(name.encode()) != XI_OK:
        raise ValueError(f"unknown SIMD variant {name!r} or not supported by this CPU; "
                         f"choose one of {simd_backends() + ['best']}")


def philox4x32_10(counter, key):
    """One Philox4x32-10 block: four counter words, two key words -> four words."""
    cdef uint32_t ctr[4]
    cdef uint32_t k[2]
    for i in range(4):
        ctr[i] = counter[i]
    k[0] = key[0]
    k[1] = key[1]
    xi_philox4x32_10(ctr, k)
    return (ctr[0], ctr[1], ctr[2], ctr[3])


def in_default_fp_environment(func, *args):
    """``func(*args)`` run in the default floating-point environment (src/fpenv.h).

    For the per-call constants the Python layer computes (bounds and standard
    deviations from fans and gains): the caller's rounding mode or
    flush-to-zero must not reach them. The caller's state is back afterwards,
    whether ``func`` returns or raises."""
    cdef xi_fpenv saved
    xi_fpenv_enter_default(&saved)
    try:
        return func(*args)
    finally:
        xi_fpenv_restore(&saved)


def normal_cdf(double x):
    """The host-side normal CDF used for truncation bounds (docs/stream.md section 9)."""
    cdef xi_fpenv saved
    cdef double phi
    xi_fpenv_enter_default(&saved)
    phi = xi_fpenv_fence(xi_normal_cdf(xi_fpenv_fence(x)))
    xi_fpenv_restore(&saved)
    return phi


def inverse_normal(q, x_prime):
    """The kernels' inverse CDF V(q, x') = Phi^-1(1 - p) of docs/stream.md section 6, for q = 2p and
    x' = 1 - 2p, elementwise over two float32 or two float64 arrays of one shape."""
    cdef cnp.ndarray q_arr = np.ascontiguousarray(q)
    cdef cnp.ndarray x_arr = np.ascontiguousarray(x_prime)
    cdef cnp.ndarray result = np.empty_like(q_arr)
    cdef Py_ssize_t i, n = q_arr.size
    cdef float[::1] f32_q, f32_x, f32_out
    cdef double[::1] f64_q, f64_x, f64_out
    cdef xi_fpenv saved
    if q_arr.dtype != x_arr.dtype or np.shape(q_arr) != np.shape(x_arr):
        raise ValueError("q and x_prime must have one dtype and one shape")
    if q_arr.dtype == np.float32:
        f32_q, f32_x, f32_out = q_arr.reshape(-1), x_arr.reshape(-1), result.reshape(-1)
        xi_fpenv_enter_default(&saved)
        for i in range(n):
            f32_out[i] = xi_inverse_normal_f32(f32_q[i], f32_x[i])
        xi_fpenv_restore(&saved)
    elif q_arr.dtype == np.float64:
        f64_q, f64_x, f64_out = q_arr.reshape(-1), x_arr.reshape(-1), result.reshape(-1)
        xi_fpenv_enter_default(&saved)
        for i in range(n):
            f64_out[i] = xi_inverse_normal_f64(f64_q[i], f64_x[i])
        xi_fpenv_restore(&saved)
    else:
        raise TypeError("q and x_prime must be float32 or float64")
    return result
