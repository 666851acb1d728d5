/* The C core ignores the calling thread's floating-point state and gives it
 * back (docs/stream.md section 4), without Python: for tests/test_fpstate.py
 * to run natively and, for AArch64's FPCR and the NEON kernels, under qemu.
 * Every fill is made once in the default state, then again with each of
 * flush-to-zero, denormals-are-zero and the directed rounding modes set, on
 * one and on two threads, in every kernel variant; the bytes must agree and
 * the state must be the one set. The state is read and written here by our
 * own instructions, not through src/fpenv.h, which is what is under test. */
#include "xinit.h"
#include "xinit_c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <xmmintrin.h>
static uint64_t control_get(void) { return _mm_getcsr(); }
static void control_set(uint64_t value) { _mm_setcsr((unsigned int)value); }
/* Intel SDM vol. 1, 10.2.3; bits 0-5 are the sticky status flags */
#define CONTROL_DEFAULT 0x1f80u
#define STATUS_FLAGS 0x3fu
static const struct { const char *name; uint64_t bits; } states[] = {
    {"FTZ", 0x8000}, {"DAZ", 0x0040}, {"round down", 0x2000}, {"round up", 0x4000},
    {"round toward zero", 0x6000}, {"FTZ+DAZ, toward zero", 0xe040}};
#elif defined(__aarch64__)
static uint64_t control_get(void)
{
    uint64_t value;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(value));
    return value;
}
static void control_set(uint64_t value) { __asm__ __volatile__("msr fpcr, %0" : : "r"(value)); }
/* Arm ARM, FPCR: RMode bits 22-23, FZ 24, FZ16 19; FEAT_AFP's AH 1 and FIZ 0 */
#define CONTROL_DEFAULT 0u
#define STATUS_FLAGS 0u
static const struct { const char *name; uint64_t bits; } states[] = {
    {"FZ", 1u << 24}, {"FZ16", 1u << 19}, {"FZ+FZ16+AH+FIZ", (1u << 24) | (1u << 19) | 3u},
    {"round down", 2u << 22}, {"round up", 1u << 22}, {"round toward zero", 3u << 22}};
#else
#error "test_fpenv.c knows the control registers of x86-64 and AArch64 only"
#endif

#define N_STATES (sizeof states / sizeof states[0])
/* two threads share a uniform fill of this many elements */
#define N_TWO_THREADS (2 * XI_PARALLEL_MIN_ELEMENTS + 999)

static int failures, checks;

static void check(int ok, const char *what, const char *state, const char *variant, unsigned threads)
{
    checks++;
    if (!ok) {
        printf("FAIL %s under %s, variant %s, %u thread(s)\n", what, state, variant, threads);
        failures++;
    }
}

struct fill_case {
    const char *name;
    int dist, dtype;
    double a0, a1, a2, a3;
};

/* tiny parameters: subnormal constants, intermediates and values in the working format */
static const struct fill_case cases[] = {
    {"uniform f16", XI_UNIFORM, XI_FLOAT16, -6e-6, 2e-6, 0, 0},
    {"uniform bf16", XI_UNIFORM, XI_BFLOAT16, -3e-39, 1e-39, 0, 0},
    {"uniform f32", XI_UNIFORM, XI_FLOAT32, -3e-39, 1e-39, 0, 0},
    {"uniform f64", XI_UNIFORM, XI_FLOAT64, -3e-310, 1e-310, 0, 0},
    {"uniform f32 unit", XI_UNIFORM, XI_FLOAT32, -1.0, 1.0, 0, 0},
    {"normal f16", XI_NORMAL, XI_FLOAT16, 5e-7, 2e-6, 0, 0},
    {"normal bf16", XI_NORMAL, XI_BFLOAT16, 2.5e-40, 1e-39, 0, 0},
    {"normal f32", XI_NORMAL, XI_FLOAT32, 2.5e-40, 1e-39, 0, 0},
    {"normal f64", XI_NORMAL, XI_FLOAT64, 2.5e-311, 1e-310, 0, 0},
    {"normal f64 unit", XI_NORMAL, XI_FLOAT64, 0.0, 1.0, 0, 0},
    {"trunc_normal f16", XI_TRUNC_NORMAL, XI_FLOAT16, 0.0, 2e-6, -4e-6, 3e-6},
    {"trunc_normal bf16", XI_TRUNC_NORMAL, XI_BFLOAT16, 0.0, 1e-39, -2e-39, 1.5e-39},
    {"trunc_normal f32", XI_TRUNC_NORMAL, XI_FLOAT32, 0.0, 1e-39, -2e-39, 1.5e-39},
    {"trunc_normal f64", XI_TRUNC_NORMAL, XI_FLOAT64, 0.0, 1e-310, -2e-310, 1.5e-310},
    {"trunc_normal f32 unit", XI_TRUNC_NORMAL, XI_FLOAT32, 0.5, 1.0, -1.0, 2.5},
};
#define N_CASES (sizeof cases / sizeof cases[0])

static int fill(const struct fill_case *c, void *out, size_t n, unsigned threads)
{
    xi_stream stream = {{0x2468ace0u, 0x13579bdfu}, 5};
    xi_position start = {12345, 0};
    xi_params params;
    int64_t shape = (int64_t)n, stride, logical = 1;
    int status = xi_params_init(&params, c->dist, c->dtype, c->a0, c->a1, c->a2, c->a3);
    if (status != XI_OK)
        return status;
    stride = (int64_t)xi_itemsize(c->dtype);
    return xi_fill_strided(&stream, start, &params, (char *)out, 1, &shape, &stride, &logical, 0, 0, threads);
}

/* Set the default plus bits; returns the state as the CPU keeps it (a core
 * without FEAT_FP16 or FEAT_AFP drops those bits). */
static uint64_t set_state(uint64_t bits)
{
    control_set(CONTROL_DEFAULT | bits);
    return control_get() & ~(uint64_t)STATUS_FLAGS;
}

static int state_is(uint64_t kept)
{
    return (control_get() & ~(uint64_t)STATUS_FLAGS) == kept;
}

static void fills(size_t n)
{
    const char *variants[8];
    size_t nvariants = xi_kernel_variants(variants, 8), v, c, s;
    unsigned char *want = malloc(n * 8), *got = malloc(n * 8);
    unsigned threads;
    if (want == NULL || got == NULL) {
        printf("FAIL out of memory\n");
        exit(1);
    }
    for (v = 0; v < nvariants; v++) {
        xi_set_kernel_variant(variants[v]);
        for (c = 0; c < N_CASES; c++) {
            size_t bytes = n * xi_itemsize(cases[c].dtype);
            control_set(CONTROL_DEFAULT);
            check(fill(&cases[c], want, n, 1) == XI_OK, cases[c].name, "default", variants[v], 1);
            for (threads = 1; threads <= 2; threads++) {
                for (s = 0; s < N_STATES; s++) {
                    int status;
                    uint64_t kept;
                    memset(got, 0xa5, bytes);
                    kept = set_state(states[s].bits);
                    status = fill(&cases[c], got, n, threads);
                    check(state_is(kept), "state given back", states[s].name, variants[v], threads);
                    control_set(CONTROL_DEFAULT);
                    check(status == XI_OK && memcmp(got, want, bytes) == 0, cases[c].name, states[s].name,
                          variants[v], threads);
                }
            }
        }
    }
    xi_set_kernel_variant("best");
    free(want);
    free(got);
}

static void refusals(void)
{
    const xinit_c_api *api = xinit_c_api_table();
    float out[16];
    double gain = 0, want_gain = 0;
    size_t s;
    control_set(CONTROL_DEFAULT);
    check(api->calculate_gain(XINIT_GAIN_LEAKY_RELU, 0.2, &want_gain) == XINIT_OK, "gain", "default", "-", 1);
    for (s = 0; s < N_STATES; s++) {
        xi_params params;
        int status;
        uint64_t kept = set_state(states[s].bits);
        /* refused after computing: the truncation is too far in the tail, the buffer is missing */
        status = xi_params_init(&params, XI_TRUNC_NORMAL, XI_FLOAT32, 0.0, 1.0, 50.0, 51.0);
        check(status == XI_ERR_TAIL && state_is(kept), "refused parameters", states[s].name, "-", 1);
        status = api->trunc_normal_f32(1, 2, 3, 0, 0, 16, NULL, 1, 0.0, 1e-39, -2e-39, 2e-39);
        check(status == XI_ERR_SHAPE && state_is(kept), "C API refusal", states[s].name, "-", 1);
        status = api->normal_f32(1, 2, 3, 0, 0, 16, out, 1, 0.0, 1e-39);
        check(status == XINIT_OK && state_is(kept), "C API fill", states[s].name, "-", 1);
        status = api->calculate_gain(XINIT_GAIN_LEAKY_RELU, 0.2, &gain);
        check(status == XINIT_OK && state_is(kept), "C API gain", states[s].name, "-", 1);
        control_set(CONTROL_DEFAULT);
        check(gain == want_gain, "C API gain value", states[s].name, "-", 1);
    }
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : N_TWO_THREADS;
    fills(n);
    refusals();
    printf("%d checks, %d failed\n", checks, failures);
    return failures != 0;
}
