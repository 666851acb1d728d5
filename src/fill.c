/* Fill loops: walk a strided block of the logical tensor as runs of
 * consecutive logical indices and hand each run to the active kernel. */
#include "kernels.h"

#include <string.h>

#define MAX_DIMS 64
/* Elements staged on the stack for runs that cannot be written in place
 * (strided, unaligned or byte-swapped). */
#define STAGE_ELEMENTS 512

int xi_position_add(xi_position *pos, uint64_t words)
{
    uint64_t lo = pos->lo + words;
    uint32_t hi = pos->hi + (lo < pos->lo);
    if (hi > 4u || (hi == 4u && lo != 0))
        return XI_ERR_RANGE;
    pos->lo = lo;
    pos->hi = hi;
    return XI_OK;
}

static void fill_constant(void *out, size_t n, size_t itemsize, uint64_t bits)
{
    unsigned char pattern[8];
    unsigned char *dst = (unsigned char *)out;
    size_t i;
    switch (itemsize) {
    case 2: { uint16_t v = (uint16_t)bits; memcpy(pattern, &v, 2); break; }
    case 4: { uint32_t v = (uint32_t)bits; memcpy(pattern, &v, 4); break; }
    default: memcpy(pattern, &bits, 8); break;
    }
    for (i = 0; i < n; i++)
        memcpy(dst + i * itemsize, pattern, itemsize);
}

static void run_kernel(const xi_stream *stream, xi_position pos, const xi_params *params,
                       void *out, size_t n)
{
    if (params->dist == XI_CONSTANT)
        fill_constant(out, n, xi_itemsize(params->dtype), params->constant_bits);
    else
        xi_active_kernels()->kernels[params->dist][params->dtype](stream, pos, n, out, params);
}

int xi_fill_contiguous(const xi_stream *stream, xi_position pos, const xi_params *params,
                       void *out, size_t n)
{
    xi_position end = pos;
    if (n == 0)
        return XI_OK;
    if (out == NULL)
        return XI_ERR_SHAPE;
    if (xi_position_add(&end, (uint64_t)n * xi_words_per_element(params)) != XI_OK)
        return XI_ERR_RANGE;
    run_kernel(stream, pos, params, out, n);
    return XI_OK;
}

static void store_swapped(char *dst, const unsigned char *src, size_t itemsize, int byteswap)
{
    size_t b;
    if (!byteswap) {
        memcpy(dst, src, itemsize);
        return;
    }
    for (b = 0; b < itemsize; b++)
        dst[b] = (char)src[itemsize - 1 - b];
}

/* n elements of consecutive logical index from pos, stored stride bytes apart. */
static void fill_run(const xi_stream *stream, xi_position pos, const xi_params *params,
                     char *out, size_t n, int64_t stride, int byteswap)
{
    size_t itemsize = xi_itemsize(params->dtype);
    uint64_t words_per_element = xi_words_per_element(params);
    union {
        uint64_t align;
        unsigned char bytes[STAGE_ELEMENTS * 8];
    } stage;
    if (stride == (int64_t)itemsize && !byteswap && ((uintptr_t)out % itemsize) == 0) {
        run_kernel(stream, pos, params, out, n);
        return;
    }
    while (n > 0) {
        size_t m = n < STAGE_ELEMENTS ? n : STAGE_ELEMENTS, i;
        run_kernel(stream, pos, params, stage.bytes, m);
        for (i = 0; i < m; i++)
            store_swapped(out + (int64_t)i * stride, stage.bytes + i * itemsize, itemsize, byteswap);
        out += (int64_t)m * stride;
        n -= m;
        xi_position_add(&pos, words_per_element * m);
    }
}

int xi_fill_strided(const xi_stream *stream, xi_position start, const xi_params *params,
                    char *data, int ndim, const int64_t *shape, const int64_t *strides,
                    const int64_t *logical_strides, int64_t logical_base, int byteswap)
{
    int64_t dims[MAX_DIMS], mem[MAX_DIMS], logical[MAX_DIMS], index[MAX_DIMS];
    uint64_t words_per_element = xi_words_per_element(params);
    int nd = 0, d;
    if (ndim < 0 || ndim > MAX_DIMS)
        return XI_ERR_SHAPE;
    for (d = 0; d < ndim; d++) {
        if (shape[d] == 0)
            return XI_OK;
        if (shape[d] < 0)
            return XI_ERR_SHAPE;
    }
    if (data == NULL)
        return XI_ERR_SHAPE;
    /* Drop unit dimensions, then merge neighbours that are contiguous both in
     * memory and in logical index, so that the runs are as long as possible. */
    for (d = 0; d < ndim; d++) {
        if (shape[d] == 1)
            continue;
        if (nd > 0 && mem[nd - 1] == strides[d] * shape[d] &&
            logical[nd - 1] == logical_strides[d] * shape[d]) {
            dims[nd - 1] *= shape[d];
            mem[nd - 1] = strides[d];
            logical[nd - 1] = logical_strides[d];
            continue;
        }
        dims[nd] = shape[d];
        mem[nd] = strides[d];
        logical[nd] = logical_strides[d];
        nd++;
    }
    if (nd == 0) {
        dims[0] = 1;
        mem[0] = 0;
        logical[0] = 1;
        nd = 1;
    }
    for (d = 0; d < nd; d++)
        index[d] = 0;
    for (;;) {
        /* one pass over the innermost dimension */
        int64_t first = logical_base;
        char *ptr = data;
        int64_t inner = dims[nd - 1];
        for (d = 0; d < nd - 1; d++) {
            first += index[d] * logical[d];
            ptr += index[d] * mem[d];
        }
        if (logical[nd - 1] == 1) {
            xi_position pos = start;
            xi_position_add(&pos, words_per_element * (uint64_t)first);
            fill_run(stream, pos, params, ptr, (size_t)inner, mem[nd - 1], byteswap);
        } else {
            int64_t i;
            for (i = 0; i < inner; i++) {
                xi_position pos = start;
                xi_position_add(&pos, words_per_element * (uint64_t)(first + i * logical[nd - 1]));
                fill_run(stream, pos, params, ptr + i * mem[nd - 1], 1, 0, byteswap);
            }
        }
        for (d = nd - 2; d >= 0; d--) {
            if (++index[d] < dims[d])
                break;
            index[d] = 0;
        }
        if (d < 0)
            break;
    }
    return XI_OK;
}
