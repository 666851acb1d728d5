"""Calling an xinit_c fill from numba-compiled code, through the C API's address.

    python examples/numba_fill.py
"""
import numba
import numpy as np

import xinit_c as xi

address, signature = xi.capi_functions()["normal_f32"]
normal_f32 = signature(address)


@numba.njit(nogil=True)
def init_rows(weights, key0, key1, std):
    """N(0, std^2) into each row of a C-contiguous float32 matrix, from the stream at word 0."""
    cols = weights.shape[1]
    for r in range(weights.shape[0]):
        status = normal_f32(key0, key1, 0, r * cols, 0, cols, weights[r].ctypes, 1, 0.0, std)
        if status != 0:
            return status
    return 0


if __name__ == "__main__":
    w = np.empty((256, 128), np.float32)
    assert init_rows(w, 1, 2, 0.02) == 0
    same = xi.normal_(np.empty_like(w), 0.0, 0.02, generator=xi.Generator(key=(1, 2)))
    print("numba fill equals the Python fill:", np.array_equal(w, same))
