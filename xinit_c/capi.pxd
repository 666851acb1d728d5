# Cython declarations of xinit_c/include/xinit_c.h (keep the two in sync; a
# test compares them). Use from Cython:
#
#     from xinit_c.capi cimport xinit_c_api, import_api
#     cdef const xinit_c_api *api = import_api()
#     with nogil:
#         status = api.uniform_f32(k0, k1, stream, position, 0, n, &out[0], 1, -b, b)
#
# and build with include_dirs=[xinit_c.get_include()].
from libc.stdint cimport int64_t, uint16_t, uint32_t, uint64_t

cdef extern from "xinit_c.h" nogil:
    enum:
        XINIT_C_ABI_VERSION
        XINIT_OK
        XINIT_ERR_PARAM
        XINIT_ERR_KIND
        XINIT_ERR_RANGE
        XINIT_ERR_SHAPE
        XINIT_ERR_TAIL
        XINIT_LAYOUT_TORCH
        XINIT_LAYOUT_KERAS
        XINIT_GAIN_LINEAR
        XINIT_GAIN_SIGMOID
        XINIT_GAIN_TANH
        XINIT_GAIN_RELU
        XINIT_GAIN_LEAKY_RELU
        XINIT_GAIN_SELU
    const char *XINIT_C_CAPSULE_NAME

    ctypedef struct xinit_c_api:
        uint32_t abi_version
        uint32_t struct_size
        int (*uniform_f16)(uint32_t, uint32_t, uint64_t, uint64_t, uint32_t, size_t, uint16_t *, Py_ssize_t, double, double) noexcept nogil
        int (*uniform_bf16)(uint32_t, uint32_t, uint64_t, uint64_t, uint32_t, size_t, uint16_t *, Py_ssize_t, double, double) noexcept nogil
        int (*uniform_f32)(uint32_t, uint32_t, uint64_t, uint64_t, uint32_t, size_t, float *, Py_ssize_t, double, double) noexcept nogil
        int (*uniform_f64)(uint32_t, uint32_t, uint64_t, uint64_t, uint32_t, size_t, double *, Py_ssize_t, double, double) noexcept nogil
        int (*normal_f16)(uint32_t, uint32_t, uint64_t, uint64_t, uint32_t, size_t, uint16_t *, Py_ssize_t, double, double) noexcept nogil
        int (*normal_bf16)(uint32_t, uint32_t, uint64_t, uint64_t, uint32_t, size_t, uint16_t *, Py_ssize_t, double, double) noexcept nogil
        int (*normal_f32)(uint32_t, uint32_t, uint64_t, uint64_t, uint32_t, size_t, float *, Py_ssize_t, double, double) noexcept nogil
        int (*normal_f64)(uint32_t, uint32_t, uint64_t, uint64_t, uint32_t, size_t, double *, Py_ssize_t, double, double) noexcept nogil
        int (*trunc_normal_f16)(uint32_t, uint32_t, uint64_t, uint64_t, uint32_t, size_t, uint16_t *, Py_ssize_t, double, double, double, double) noexcept nogil
        int (*trunc_normal_bf16)(uint32_t, uint32_t, uint64_t, uint64_t, uint32_t, size_t, uint16_t *, Py_ssize_t, double, double, double, double) noexcept nogil
        int (*trunc_normal_f32)(uint32_t, uint32_t, uint64_t, uint64_t, uint32_t, size_t, float *, Py_ssize_t, double, double, double, double) noexcept nogil
        int (*trunc_normal_f64)(uint32_t, uint32_t, uint64_t, uint64_t, uint32_t, size_t, double *, Py_ssize_t, double, double, double, double) noexcept nogil
        int (*bits_u32)(uint32_t, uint32_t, uint64_t, uint64_t, uint32_t, size_t, uint32_t *, Py_ssize_t) noexcept nogil
        int (*bits_u64)(uint32_t, uint32_t, uint64_t, uint64_t, uint32_t, size_t, uint64_t *, Py_ssize_t) noexcept nogil
        int (*compute_fans)(const int64_t *, int, int, int64_t *, int64_t *) noexcept nogil
        int (*calculate_gain)(int, double, double *) noexcept nogil
        const char *(*simd_variant)() noexcept nogil

cdef extern from "Python.h":
    void *PyCapsule_Import(const char *name, int no_block) except NULL


cdef inline const xinit_c_api *import_api() except NULL:
    """The C API table from the installed package; ImportError on an ABI mismatch."""
    cdef const xinit_c_api *api = <const xinit_c_api *>PyCapsule_Import(XINIT_C_CAPSULE_NAME, 0)
    if api.abi_version != XINIT_C_ABI_VERSION:
        raise ImportError(f"xinit_c C API version {api.abi_version}, this module was built for "
                          f"{XINIT_C_ABI_VERSION}: rebuild it against the installed xinit_c")
    return api
