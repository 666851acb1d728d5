/* Standalone check of the C core, no Python: the Philox known answers, every
 * kernel variant against the scalar kernels byte for byte, and a digest of
 * the scalar output that must be the same on every platform (run.sh compares
 * the digest printed natively with the one printed under qemu on aarch64).
 * Each variant, forced in turn, also gets a digest of its own output
 * ("variant NAME DIGEST"): tests/c/platforms.sh compares those across
 * platforms. */
#include "xinit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL %s\n", what);
        failures++;
    }
}

/* FNV-1a over the elements' bytes in little-endian order, whatever the host's:
 * a big-endian machine (s390x) holds the same values in swapped bytes, and
 * the digest must be the same everywhere. */
static uint64_t fnv1a(uint64_t hash, const unsigned char *elements, size_t n, size_t itemsize)
{
    static const uint16_t probe = 1;
    const int little_endian = *(const unsigned char *)&probe == 1;
    size_t i, b;
    for (i = 0; i < n; i++)
        for (b = 0; b < itemsize; b++) {
            unsigned char byte = elements[i * itemsize + (little_endian ? b : itemsize - 1 - b)];
            hash = (hash ^ byte) * UINT64_C(0x100000001b3);
        }
    return hash;
}

static void known_answers(void)
{
    /* Random123 examples/kat_vectors, philox4x32_10 */
    static const uint32_t counters[3][4] = {
        {0, 0, 0, 0}, {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
        {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}};
    static const uint32_t keys[3][2] = {{0, 0}, {0xffffffffu, 0xffffffffu}, {0xa4093822u, 0x299f31d0u}};
    static const uint32_t expected[3][4] = {
        {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u},
        {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu},
        {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}};
    int i;
    for (i = 0; i < 3; i++) {
        uint32_t ctr[4];
        memcpy(ctr, counters[i], sizeof ctr);
        xi_philox4x32_10(ctr, keys[i]);
        check(memcmp(ctr, expected[i], sizeof ctr) == 0, "philox known answer");
    }
}

struct fill_case {
    int dist, dtype;
    double a0, a1, a2, a3;
};

static const struct fill_case cases[] = {
    {XI_UNIFORM, XI_FLOAT16, -1.0, 1.0, 0, 0}, {XI_UNIFORM, XI_BFLOAT16, -1.0, 1.0, 0, 0},
    {XI_UNIFORM, XI_FLOAT32, -0.25, 3.0, 0, 0}, {XI_UNIFORM, XI_FLOAT64, -0.25, 3.0, 0, 0},
    {XI_NORMAL, XI_FLOAT16, 0.0, 1.0, 0, 0}, {XI_NORMAL, XI_BFLOAT16, 0.0, 1.0, 0, 0},
    {XI_NORMAL, XI_FLOAT32, 0.5, 2.0, 0, 0}, {XI_NORMAL, XI_FLOAT64, 0.5, 2.0, 0, 0},
    {XI_TRUNC_NORMAL, XI_FLOAT16, 0.0, 1.0, -2.0, 2.0}, {XI_TRUNC_NORMAL, XI_BFLOAT16, 0.0, 1.0, -2.0, 2.0},
    {XI_TRUNC_NORMAL, XI_FLOAT32, 0.0, 1.0, -2.0, 2.0}, {XI_TRUNC_NORMAL, XI_FLOAT64, 0.0, 1.0, -2.0, 2.0},
    {XI_TRUNC_NORMAL, XI_FLOAT32, 0.0, 1.0, 5.5, 1e300}, {XI_TRUNC_NORMAL, XI_FLOAT64, 1.0, 0.5, -30.0, -2.0},
    /* the far branches of section 6 (f32 w >= 21.25 from about 6.3 sigma, f64 w >= 43.5 from about 9.1
     * sigma): only truncated normals reach them, alone or mixed with the branch before in one vector */
    {XI_TRUNC_NORMAL, XI_FLOAT32, 0.0, 1.0, -9.5, -9.0}, {XI_TRUNC_NORMAL, XI_FLOAT32, 0.0, 1.0, -7.0, -5.5},
    {XI_TRUNC_NORMAL, XI_BFLOAT16, 0.0, 1.0, 9.0, 9.5},
    {XI_TRUNC_NORMAL, XI_FLOAT64, 0.0, 1.0, -36.0, -35.0}, {XI_TRUNC_NORMAL, XI_FLOAT64, 0.0, 1.0, 8.5, 10.0},
    {XI_BITS, XI_UINT32, 0, 0, 0, 0}, {XI_BITS, XI_UINT64, 0, 0, 0, 0},
};

/* Fills of 64 MiB and more use streaming stores from an aligned address on:
 * at a block boundary straight from the Philox registers, else through the
 * stage. Each variant against the scalar kernel, from the start of a 64-byte
 * line and one element into it, at position 0 and one element on. Only with
 * XINIT_TEST_HUGE_FILLS set: about a second natively, a minute under qemu. */
static void streaming_fills(const xi_stream *stream, const char *const *variants, size_t nvariants)
{
    static const struct fill_case huge[] = {
        {XI_UNIFORM, XI_FLOAT32, -1.0, 1.0, 0, 0}, {XI_UNIFORM, XI_FLOAT64, -1.0, 1.0, 0, 0},
        {XI_BITS, XI_UINT32, 0, 0, 0, 0}, {XI_BITS, XI_UINT64, 0, 0, 0, 0},
    };
    size_t c, v, shift;
    for (c = 0; c < sizeof huge / sizeof huge[0]; c++) {
        size_t itemsize = xi_itemsize(huge[c].dtype);
        size_t n = ((size_t)64 << 20) / itemsize + 5, bytes = n * itemsize;
        unsigned char *want = malloc(bytes + itemsize), *raw = malloc(bytes + itemsize + 64);
        unsigned char *line = raw + (64 - (uintptr_t)raw % 64) % 64;
        xi_params params;
        xi_position origin = {0, 0};
        check(want != NULL && raw != NULL, "allocation");
        if (want == NULL || raw == NULL) {
            free(want);
            free(raw);
            return;
        }
        xi_params_init(&params, huge[c].dist, huge[c].dtype, huge[c].a0, huge[c].a1, 0, 0);
        xi_set_kernel_variant("scalar");
        xi_fill_contiguous(stream, origin, &params, want, n + 1);
        for (v = 0; v < nvariants; v++) {
            for (shift = 0; shift < 4; shift++) {
                size_t later = shift & 1, offset = (shift >> 1) * itemsize;
                xi_position pos = {later * xi_words_per_element(&params), 0};
                char what[96];
                xi_set_kernel_variant(variants[v]);
                xi_fill_contiguous(stream, pos, &params, line + offset, n);
                snprintf(what, sizeof what, "%s huge case %u shift %u", variants[v], (unsigned)c, (unsigned)shift);
                check(memcmp(line + offset, want + later * itemsize, bytes) == 0, what);
            }
        }
        free(want);
        free(raw);
    }
}

#define MAX_N 5000

int main(void)
{
    static unsigned char scalar_out[MAX_N * 8], variant_out[MAX_N * 8];
    static const size_t sizes[] = {1, 3, 17, 64, 255, 1000, MAX_N};
    static const uint64_t starts[] = {0, 1, 2, 3, UINT64_C(0x3fffffffc) * 4 + 1};
    const xi_stream stream = {{0x12345678u, 0x9abcdef0u}, UINT64_C(0x0123456789abcdef)};
    const char *variants[8];
    size_t nvariants = xi_kernel_variants(variants, 8), v, c, s, p;
    uint64_t digest = UINT64_C(0xcbf29ce484222325), variant_digests[8];
    for (v = 0; v < nvariants; v++)
        variant_digests[v] = digest;
    known_answers();
    for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        xi_params params;
        check(xi_params_init(&params, cases[c].dist, cases[c].dtype, cases[c].a0, cases[c].a1, cases[c].a2,
                             cases[c].a3) == XI_OK, "params");
        for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            for (p = 0; p < sizeof starts / sizeof starts[0]; p++) {
                xi_position pos = {starts[p], 0};
                size_t itemsize = xi_itemsize(cases[c].dtype), bytes = sizes[s] * itemsize;
                xi_set_kernel_variant("scalar");
                check(xi_fill_contiguous(&stream, pos, &params, scalar_out, sizes[s]) == XI_OK, "scalar fill");
                digest = fnv1a(digest, scalar_out, sizes[s], itemsize);
                for (v = 0; v < nvariants; v++) {
                    char what[96];
                    xi_set_kernel_variant(variants[v]);
                    memset(variant_out, 0xa5, bytes);
                    xi_fill_contiguous(&stream, pos, &params, variant_out, sizes[s]);
                    snprintf(what, sizeof what, "%s case %u n %u start %u", variants[v], (unsigned)c,
                             (unsigned)sizes[s], (unsigned)p);
                    check(memcmp(scalar_out, variant_out, bytes) == 0, what);
                    variant_digests[v] = fnv1a(variant_digests[v], variant_out, sizes[s], itemsize);
                }
            }
        }
    }
    if (getenv("XINIT_TEST_HUGE_FILLS") != NULL)
        streaming_fills(&stream, variants, nvariants);
    printf("variants:");
    for (v = 0; v < nvariants; v++)
        printf(" %s", variants[v]);
    printf("\ndigest %016llx\n", (unsigned long long)digest);
    for (v = 0; v < nvariants; v++)
        printf("variant %s %016llx\n", variants[v], (unsigned long long)variant_digests[v]);
    printf("%d failed\n", failures);
    return failures != 0;
}
