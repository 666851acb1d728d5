"""Buffers that sit between inaccessible pages: a write one byte outside them
kills the process (SIGSEGV) instead of corrupting memory quietly.

Used by test_guard_pages.py, which runs each batch in a child process so that
such a crash shows up as a failed test with its signal.
"""
import ctypes
import ctypes.util
import mmap

import numpy as np

PAGE = mmap.PAGESIZE
PROT_NONE = 0  # <sys/mman.h>: no access
_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
_libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]


class GuardedRegion:
    """``pages`` writable pages with an inaccessible page on each side."""

    def __init__(self, pages):
        self.size = pages * PAGE
        self._map = mmap.mmap(-1, self.size + 2 * PAGE, prot=mmap.PROT_READ | mmap.PROT_WRITE)
        self._base = ctypes.addressof(ctypes.c_char.from_buffer(self._map))
        for guard in (self._base, self._base + PAGE + self.size):
            if _libc.mprotect(guard, PAGE, PROT_NONE) != 0:
                raise OSError(ctypes.get_errno(), "mprotect failed")
        self.bytes = np.frombuffer(self._map, np.uint8, count=self.size, offset=PAGE)

    def at_end(self, n, dtype, gap=0):
        """n elements whose last byte is ``gap`` bytes before the trailing guard page."""
        dtype = np.dtype(dtype)
        start = self.size - gap - n * dtype.itemsize
        return self.bytes[start:start + n * dtype.itemsize].view(dtype)

    def at_start(self, n, dtype, gap=0):
        """n elements starting ``gap`` bytes after the leading guard page."""
        dtype = np.dtype(dtype)
        return self.bytes[gap:gap + n * dtype.itemsize].view(dtype)
