/* The portable kernels: one loop per (distribution, element type) that turns
 * the Philox words into elements as docs/stream.md defines. SIMD variants must
 * reproduce these bits exactly. */
#include "kernels.h"

#include "elements.h"
#include "philox.h"

#include <string.h>

/* Elements per pass: words for a chunk live on the stack, then convert. */
#define CHUNK 256
/* The n words from pos on (section 2). */
void xi_words_scalar(const xi_stream *stream, xi_position pos, size_t n, uint32_t *out)
{
    uint64_t block = (pos.lo >> 2) | ((uint64_t)pos.hi << 62);
    unsigned lane = (unsigned)(pos.lo & 3u);
    while (n > 0) {
        uint32_t ctr[4];
        unsigned take;
        ctr[0] = (uint32_t)block;
        ctr[1] = (uint32_t)(block >> 32);
        ctr[2] = (uint32_t)stream->stream;
        ctr[3] = (uint32_t)(stream->stream >> 32);
        xi_philox4x32_10_block(ctr, stream->key);
        take = 4u - lane;
        if (take > n)
            take = (unsigned)n;
        memcpy(out, ctr + lane, take * sizeof *out);
        out += take;
        n -= take;
        lane = 0;
        block++;
    }
}

/* One kernel per (distribution, output type). A chunk's words are generated
 * first, then converted: the same two-pass shape the SIMD variants use. */
#define DEFINE_KERNEL_W1(name, out_type, element, store)                                  \
    static void name(const xi_stream *st, xi_position pos, size_t n, void *out_v,        \
                     const xi_params *prm)                                               \
    {                                                                                    \
        out_type *out = (out_type *)out_v;                                               \
        uint32_t words[CHUNK];                                                           \
        while (n > 0) {                                                                  \
            size_t m = n < CHUNK ? n : CHUNK, i;                                         \
            xi_words_scalar(st, pos, m, words);                                          \
            for (i = 0; i < m; i++)                                                      \
                out[i] = store(element(words[i], &prm->f32));                            \
            out += m;                                                                    \
            n -= m;                                                                      \
            xi_position_add(&pos, m);                                                    \
        }                                                                                \
    }

#define DEFINE_KERNEL_W2(name, element)                                                  \
    static void name(const xi_stream *st, xi_position pos, size_t n, void *out_v,        \
                     const xi_params *prm)                                               \
    {                                                                                    \
        double *out = (double *)out_v;                                                   \
        uint32_t words[2 * CHUNK];                                                       \
        while (n > 0) {                                                                  \
            size_t m = n < CHUNK ? n : CHUNK, i;                                         \
            xi_words_scalar(st, pos, 2 * m, words);                                      \
            for (i = 0; i < m; i++)                                                      \
                out[i] = element(xi_join_words(words[2 * i], words[2 * i + 1]), &prm->f64); \
            out += m;                                                                    \
            n -= m;                                                                      \
            xi_position_add(&pos, 2 * (uint64_t)m);                                      \
        }                                                                                \
    }

#define STORE_F32(v) (v)
#define STORE_F16(v) xi_f32_to_f16_bits(v)
#define STORE_BF16(v) xi_f32_to_bf16_bits(v)

DEFINE_KERNEL_W1(uniform_f16_scalar, uint16_t, xi_elem_uniform_f32, STORE_F16)
DEFINE_KERNEL_W1(uniform_bf16_scalar, uint16_t, xi_elem_uniform_f32, STORE_BF16)
DEFINE_KERNEL_W1(uniform_f32_scalar, float, xi_elem_uniform_f32, STORE_F32)
DEFINE_KERNEL_W2(uniform_f64_scalar, xi_elem_uniform_f64)
DEFINE_KERNEL_W1(normal_f16_scalar, uint16_t, xi_elem_normal_f32, STORE_F16)
DEFINE_KERNEL_W1(normal_bf16_scalar, uint16_t, xi_elem_normal_f32, STORE_BF16)
DEFINE_KERNEL_W1(normal_f32_scalar, float, xi_elem_normal_f32, STORE_F32)
DEFINE_KERNEL_W2(normal_f64_scalar, xi_elem_normal_f64)
DEFINE_KERNEL_W1(trunc_normal_f16_scalar, uint16_t, xi_elem_trunc_normal_f32, STORE_F16)
DEFINE_KERNEL_W1(trunc_normal_bf16_scalar, uint16_t, xi_elem_trunc_normal_f32, STORE_BF16)
DEFINE_KERNEL_W1(trunc_normal_f32_scalar, float, xi_elem_trunc_normal_f32, STORE_F32)
DEFINE_KERNEL_W2(trunc_normal_f64_scalar, xi_elem_trunc_normal_f64)

static void bits_u32_scalar(const xi_stream *st, xi_position pos, size_t n, void *out,
                            const xi_params *prm)
{
    (void)prm;
    xi_words_scalar(st, pos, n, (uint32_t *)out);
}

static void bits_u64_scalar(const xi_stream *st, xi_position pos, size_t n, void *out_v,
                            const xi_params *prm)
{
    uint64_t *out = (uint64_t *)out_v;
    uint32_t words[2 * CHUNK];
    (void)prm;
    while (n > 0) {
        size_t m = n < CHUNK ? n : CHUNK, i;
        xi_words_scalar(st, pos, 2 * m, words);
        for (i = 0; i < m; i++)
            out[i] = xi_join_words(words[2 * i], words[2 * i + 1]);
        out += m;
        n -= m;
        xi_position_add(&pos, 2 * (uint64_t)m);
    }
}

const xi_kernel_table xi_kernels_scalar = {
    "scalar",
    {
        /* XI_UNIFORM */
        {uniform_f16_scalar, uniform_bf16_scalar, uniform_f32_scalar, uniform_f64_scalar, 0, 0},
        /* XI_NORMAL */
        {normal_f16_scalar, normal_bf16_scalar, normal_f32_scalar, normal_f64_scalar, 0, 0},
        /* XI_TRUNC_NORMAL */
        {trunc_normal_f16_scalar, trunc_normal_bf16_scalar, trunc_normal_f32_scalar,
         trunc_normal_f64_scalar, 0, 0},
        /* XI_BITS */
        {0, 0, 0, 0, bits_u32_scalar, bits_u64_scalar},
    },
};

float xi_inverse_normal_f32(float q, float x_prime)
{
    return xi_quantile_f32(q, x_prime);
}

double xi_inverse_normal_f64(double q, double x_prime)
{
    return xi_quantile_f64(q, x_prime);
}

void xi_philox4x32_10(uint32_t counter[4], const uint32_t key[2])
{
    xi_philox4x32_10_block(counter, key);
}
