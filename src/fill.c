/* Fill loops: walk a strided block of the logical tensor as runs of
 * consecutive logical indices and hand each run to the active kernel. Every
 * thread that runs a kernel does so in the default floating-point
 * environment (fpenv.h). */
#include "fpenv.h"
#include "kernels.h"
#include "threads.h"

#include <string.h>

#define MAX_DIMS 64
/* Elements staged on the stack for runs that cannot be written in place
 * (strided, unaligned or byte-swapped). */
#define STAGE_ELEMENTS 512
/* Thread shares are cut at multiples of this many elements. */
#define PARALLEL_GRAIN 1024

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
    xi_fpenv saved;
    if (n == 0)
        return XI_OK;
    if (out == NULL)
        return XI_ERR_SHAPE;
    if (xi_position_add(&end, (uint64_t)n * xi_words_per_element(params)) != XI_OK)
        return XI_ERR_RANGE;
    xi_fpenv_enter_default(&saved);
    run_kernel(stream, pos, params, out, n);
    xi_fpenv_restore(&saved);
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

/* A fill's iteration space: the buffer's dimensions after dropping unit
 * dimensions and merging neighbours that are contiguous both in memory and in
 * logical index, walked in C order as runs along the last dimension. */
typedef struct {
    const xi_stream *stream;
    xi_position start;
    const xi_params *params;
    char *data;
    int nd;
    int64_t dims[MAX_DIMS], mem[MAX_DIMS], logical[MAX_DIMS];
    int64_t logical_base;
    int byteswap;
    int64_t total;                    /* elements of the buffer */
    int64_t begin, end;               /* the part of the walk to fill */
    unsigned parts;                   /* threads sharing it */
} fill_job;

/* Elements [begin, end) of the walk. */
static void fill_range(const fill_job *job, int64_t begin, int64_t end)
{
    int nd = job->nd, d;
    int64_t inner = job->dims[nd - 1];
    uint64_t words_per_element = xi_words_per_element(job->params);
    int64_t k = begin;
    while (k < end) {
        int64_t outer = k / inner, i = k % inner;
        int64_t count = inner - i < end - k ? inner - i : end - k;
        int64_t first = job->logical_base + i * job->logical[nd - 1];
        char *ptr = job->data + i * job->mem[nd - 1];
        for (d = nd - 2; d >= 0; d--) {
            int64_t index = outer % job->dims[d];
            outer /= job->dims[d];
            first += index * job->logical[d];
            ptr += index * job->mem[d];
        }
        if (job->logical[nd - 1] == 1) {
            xi_position pos = job->start;
            xi_position_add(&pos, words_per_element * (uint64_t)first);
            fill_run(job->stream, pos, job->params, ptr, (size_t)count, job->mem[nd - 1], job->byteswap);
        } else {
            int64_t j;
            for (j = 0; j < count; j++) {
                xi_position pos = job->start;
                xi_position_add(&pos, words_per_element * (uint64_t)(first + j * job->logical[nd - 1]));
                fill_run(job->stream, pos, job->params, ptr + j * job->mem[nd - 1], 1, 0, job->byteswap);
            }
        }
        k += count;
    }
}

/* Thread `part` of job->parts takes an equal share, cut at multiples of
 * PARALLEL_GRAIN elements so that the parts start on whole Philox blocks.
 * Each thread sets the default floating-point environment itself: POSIX
 * threads start with their creator's, Windows threads need not. */
static void fill_part(void *arg, unsigned part)
{
    const fill_job *job = (const fill_job *)arg;
    int64_t count = job->end - job->begin;
    int64_t grains = (count + PARALLEL_GRAIN - 1) / PARALLEL_GRAIN;
    int64_t begin = job->begin + grains * part / job->parts * PARALLEL_GRAIN;
    int64_t end = job->begin + grains * (part + 1) / job->parts * PARALLEL_GRAIN;
    xi_fpenv saved;
    xi_fpenv_enter_default(&saved);
    fill_range(job, begin, end < job->end ? end : job->end);
    xi_fpenv_restore(&saved);
}

int xi_fill_strided(const xi_stream *stream, xi_position start, const xi_params *params,
                    char *data, int ndim, const int64_t *shape, const int64_t *strides,
                    const int64_t *logical_strides, int64_t logical_base, int byteswap,
                    unsigned threads)
{
    return xi_fill_strided_range(stream, start, params, data, ndim, shape, strides, logical_strides,
                                 logical_base, byteswap, 0, INT64_MAX, threads);
}

int xi_fill_strided_range(const xi_stream *stream, xi_position start, const xi_params *params,
                          char *data, int ndim, const int64_t *shape, const int64_t *strides,
                          const int64_t *logical_strides, int64_t logical_base, int byteswap,
                          int64_t begin, int64_t end, unsigned threads)
{
    fill_job job;
    int64_t min_share;
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
    for (d = 0; d < ndim; d++) {
        if (shape[d] == 1)
            continue;
        if (nd > 0 && job.mem[nd - 1] == strides[d] * shape[d] &&
            job.logical[nd - 1] == logical_strides[d] * shape[d]) {
            job.dims[nd - 1] *= shape[d];
            job.mem[nd - 1] = strides[d];
            job.logical[nd - 1] = logical_strides[d];
            continue;
        }
        job.dims[nd] = shape[d];
        job.mem[nd] = strides[d];
        job.logical[nd] = logical_strides[d];
        nd++;
    }
    if (nd == 0) {
        job.dims[0] = 1;
        job.mem[0] = 0;
        job.logical[0] = 1;
        nd = 1;
    }
    job.nd = nd;
    job.stream = stream;
    job.start = start;
    job.params = params;
    job.data = data;
    job.logical_base = logical_base;
    job.byteswap = byteswap;
    job.total = 1;
    for (d = 0; d < nd; d++)
        job.total *= job.dims[d];
    job.begin = begin < 0 ? 0 : begin;
    job.end = end > job.total ? job.total : end;
    if (job.begin >= job.end)
        return XI_OK;
    job.parts = threads < 1 ? 1 : threads;
    min_share = XI_PARALLEL_MIN_ELEMENTS;
    if (params->dist == XI_NORMAL || params->dist == XI_TRUNC_NORMAL)
        min_share /= 4;
    if ((int64_t)job.parts > (job.end - job.begin) / min_share)
        job.parts = (unsigned)((job.end - job.begin) / min_share);
    if (job.parts <= 1) {
        xi_fpenv saved;
        xi_fpenv_enter_default(&saved);
        fill_range(&job, job.begin, job.end);
        xi_fpenv_restore(&saved);
    } else {
        xi_run_parallel(fill_part, &job, job.parts);
    }
    return XI_OK;
}
