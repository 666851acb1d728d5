/* The golden vectors of stream contract 2 from the C core alone, no Python:
 * reads the cases (tests/golden/stream_v2_cases.txt, written with
 * stream_v2.json by tools/make_golden.py), fills each one's first 2^16
 * elements with every kernel variant this CPU runs (or the ones named after
 * the file) and prints, per variant,
 *     variant <name>
 *     <case id> <sha256 of the elements' little-endian bytes>
 * then "<n> differ" over all variants: the cases whose digest is not the
 * file's. tests/test_c_core.py compares the printed digests with the JSON.
 *
 * usage: golden CASES_FILE [VARIANT...] */
#include "sha256.h"
#include "xinit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ELEMENTS 65536
#define MAX_CASES 4096

typedef struct golden_case {
    char id[64];
    int dist, dtype;
    xi_stream stream;
    xi_position position;
    double args[4];
    char sha256[65];
} golden_case;

static golden_case cases[MAX_CASES];

static int lookup(const char *name, const char *const *names, int count)
{
    int i;
    for (i = 0; i < count; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

static int parse_case(const char *line, golden_case *c)
{
    static const char *const dists[] = {"uniform", "normal", "trunc_normal", "bits"};
    static const int dist_codes[] = {XI_UNIFORM, XI_NORMAL, XI_TRUNC_NORMAL, XI_BITS};
    static const char *const dtypes[] = {"float16", "bfloat16", "float32", "float64", "uint32", "uint64"};
    static const int dtype_codes[] = {XI_FLOAT16, XI_BFLOAT16, XI_FLOAT32, XI_FLOAT64, XI_UINT32, XI_UINT64};
    char dist[32], dtype[32], args[4][64];
    unsigned long k0, k1, hi;
    unsigned long long stream, lo;
    int d, t, i;
    if (sscanf(line, "%63s %31s %31s %lx %lx %llx %lx %llx %63s %63s %63s %63s %64s", c->id, dist, dtype, &k0,
               &k1, &stream, &hi, &lo, args[0], args[1], args[2], args[3], c->sha256) != 13)
        return 0;
    d = lookup(dist, dists, 4);
    t = lookup(dtype, dtypes, 6);
    if (d < 0 || t < 0 || hi > 4)
        return 0;
    c->dist = dist_codes[d];
    c->dtype = dtype_codes[t];
    c->stream.key[0] = (uint32_t)k0;
    c->stream.key[1] = (uint32_t)k1;
    c->stream.stream = (uint64_t)stream;
    c->position.hi = (uint32_t)hi;
    c->position.lo = (uint64_t)lo;
    for (i = 0; i < 4; i++) {
        char *end;
        c->args[i] = strtod(args[i], &end); /* C99 reads hexadecimal floats and "inf" exactly */
        if (*end != '\0')
            return 0;
    }
    return 1;
}

static int read_cases(const char *path)
{
    char line[512];
    int count = 0;
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        perror(path);
        exit(2);
    }
    while (fgets(line, sizeof line, file) != NULL) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (count == MAX_CASES || !parse_case(line, &cases[count])) {
            fprintf(stderr, "%s: bad or too many cases at: %s", path, line);
            exit(2);
        }
        count++;
    }
    fclose(file);
    return count;
}

/* The elements' bytes, little-endian whatever the host's byte order. */
static void digest_elements(const void *elements, size_t itemsize, char hex[65])
{
    static unsigned char bytes[ELEMENTS * 8];
    const unsigned char *raw = (const unsigned char *)elements;
    unsigned char sum[32];
    sha256_state state;
    size_t i, b;
    for (i = 0; i < ELEMENTS; i++) {
        uint64_t bits = 0;
        if (itemsize == 2) {
            uint16_t v;
            memcpy(&v, raw + 2 * i, 2);
            bits = v;
        } else if (itemsize == 4) {
            uint32_t v;
            memcpy(&v, raw + 4 * i, 4);
            bits = v;
        } else {
            memcpy(&bits, raw + 8 * i, 8);
        }
        for (b = 0; b < itemsize; b++)
            bytes[i * itemsize + b] = (unsigned char)(bits >> (8 * b));
    }
    sha256_init(&state);
    sha256_update(&state, bytes, ELEMENTS * itemsize);
    sha256_final(&state, sum);
    for (i = 0; i < 32; i++)
        sprintf(hex + 2 * i, "%02x", sum[i]);
}

/* FIPS 180-2 appendix B.1 and B.2 (one and two blocks): a broken hash shows
 * up here, not as 800 mismatched digests. */
static int sha256_known_answers(void)
{
    static const char *const messages[2] = {"abc", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"};
    static const char *const digests[2] = {"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                                           "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"};
    int i, j, ok = 1;
    for (i = 0; i < 2; i++) {
        unsigned char sum[32];
        char hex[65];
        sha256_state state;
        sha256_init(&state);
        sha256_update(&state, (const unsigned char *)messages[i], strlen(messages[i]));
        sha256_final(&state, sum);
        for (j = 0; j < 32; j++)
            sprintf(hex + 2 * j, "%02x", sum[j]);
        ok &= strcmp(hex, digests[i]) == 0;
    }
    return ok;
}

int main(int argc, char **argv)
{
    static uint64_t out[ELEMENTS]; /* 8 bytes an element at most; aligned for every format */
    const char *variants[8];
    size_t nvariants, v;
    int ncases, c, differ = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s CASES_FILE [VARIANT...]\n", argv[0]);
        return 2;
    }
    if (!sha256_known_answers()) {
        printf("FAIL sha256 known answers\n");
        return 1;
    }
    ncases = read_cases(argv[1]);
    if (argc > 2) {
        nvariants = 0;
        while (nvariants < 8 && (int)nvariants + 2 < argc) {
            variants[nvariants] = argv[nvariants + 2];
            nvariants++;
        }
    } else {
        nvariants = xi_kernel_variants(variants, 8);
    }
    for (v = 0; v < nvariants; v++) {
        if (xi_set_kernel_variant(variants[v]) != XI_OK) {
            printf("FAIL variant %s cannot run here\n", variants[v]);
            return 1;
        }
        printf("variant %s\n", variants[v]);
        for (c = 0; c < ncases; c++) {
            const golden_case *gc = &cases[c];
            xi_params params;
            char hex[65];
            int status = xi_params_init(&params, gc->dist, gc->dtype, gc->args[0], gc->args[1], gc->args[2],
                                        gc->args[3]);
            if (status == XI_OK)
                status = xi_fill_contiguous(&gc->stream, gc->position, &params, out, ELEMENTS);
            if (status != XI_OK) {
                printf("%s error %d\n", gc->id, status);
                differ++;
                continue;
            }
            digest_elements(out, xi_itemsize(gc->dtype), hex);
            printf("%s %s\n", gc->id, hex);
            differ += strcmp(hex, gc->sha256) != 0;
        }
    }
    printf("%d differ\n", differ);
    return differ != 0;
}
