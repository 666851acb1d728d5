# cython: language_level=3, boundscheck=False, wraparound=False
"""A Cython module that fills through the xinit_c C API without the GIL.

Build: cythonize with include_dirs=[xinit_c.get_include()] (see setup.py here).
"""
from libc.math cimport sqrt

from xinit_c.capi cimport XINIT_OK, import_api, xinit_c_api

cdef const xinit_c_api *api = import_api()


def xavier_uniform_rows(float[:, ::1] w, unsigned int key0, unsigned int key1,
                        unsigned long long position):
    """Xavier-uniform fill of a torch-layout (out, in) matrix, one row per call, GIL released.

    Gives the bytes of ``xinit_c.xavier_uniform_(w, generator=Generator(key=(key0, key1),
    position=position))``.
    """
    cdef Py_ssize_t rows = w.shape[0], cols = w.shape[1], r
    cdef double bound = sqrt(6.0 / (rows + cols))
    cdef int status = XINIT_OK
    with nogil:
        for r in range(rows):
            status = api.uniform_f32(key0, key1, 0, position + <unsigned long long>(r * cols), 0, cols,
                                     &w[r, 0], 1, -bound, bound)
            if status != XINIT_OK:
                break
    if status != XINIT_OK:
        raise ValueError(f"xinit_c C API status {status}")
    return w
