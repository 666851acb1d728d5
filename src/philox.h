/* Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw,
 * "Parallel random numbers: as easy as 1, 2, 3" (SC11), as specified in
 * Random123 include/Random123/philox.h. A pure function of (counter, key). */
#ifndef XINIT_PHILOX_H
#define XINIT_PHILOX_H

#include <stdint.h>

/* Multipliers of the two 32x32->64 products in each round (Random123). */
#define PHILOX_M4x32_0 UINT32_C(0xD2511F53)
#define PHILOX_M4x32_1 UINT32_C(0xCD9E8D57)
/* Weyl key schedule increments (Random123). */
#define PHILOX_W32_0 UINT32_C(0x9E3779B9) /* golden ratio */
#define PHILOX_W32_1 UINT32_C(0xBB67AE85) /* sqrt(3) - 1 */
#define PHILOX_ROUNDS 10

static inline void xi_philox4x32_round(uint32_t ctr[4], const uint32_t key[2])
{
    uint64_t prod0 = (uint64_t)PHILOX_M4x32_0 * ctr[0];
    uint64_t prod1 = (uint64_t)PHILOX_M4x32_1 * ctr[2];
    uint32_t next0 = (uint32_t)(prod1 >> 32) ^ ctr[1] ^ key[0];
    uint32_t next2 = (uint32_t)(prod0 >> 32) ^ ctr[3] ^ key[1];
    ctr[0] = next0;
    ctr[1] = (uint32_t)prod1;
    ctr[2] = next2;
    ctr[3] = (uint32_t)prod0;
}

static inline void xi_philox4x32_bumpkey(uint32_t key[2])
{
    key[0] += PHILOX_W32_0;
    key[1] += PHILOX_W32_1;
}

/* ctr <- Philox4x32-10(ctr, key) */
static inline void xi_philox4x32_10_block(uint32_t ctr[4], const uint32_t key_in[2])
{
    uint32_t key[2];
    int round;
    key[0] = key_in[0];
    key[1] = key_in[1];
    xi_philox4x32_round(ctr, key);
    for (round = 1; round < PHILOX_ROUNDS; round++) {
        xi_philox4x32_bumpkey(key);
        xi_philox4x32_round(ctr, key);
    }
}

#endif
