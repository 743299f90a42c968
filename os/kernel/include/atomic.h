#pragma once
/* Atomics and fences for memory shared between harts.
 *
 * Rules: a word that another hart may change is only ever changed here
 * (never a plain |= or &=); a publication to another hart is ordered by
 * smp_mb() or an acquire/release operation, never by a compiler barrier
 * alone.  Plain loads of such words go through atomic_load (volatile). */
#include <stdint.h>
#include "arch_atomic.h"

static inline uint32_t atomic_load32(const volatile uint32_t *p) { return *p; }
static inline uint64_t atomic_load64(const volatile uint64_t *p) { return *p; }
static inline void atomic_store32(volatile uint32_t *p, uint32_t v) { arch_amoswap32(p, v); }
static inline void atomic_store64(volatile uint64_t *p, uint64_t v) { arch_amoswap64(p, v); }
static inline uint32_t atomic_add32(volatile uint32_t *p, uint32_t v) { return arch_amoadd32(p, v); }
static inline uint64_t atomic_add64(volatile uint64_t *p, uint64_t v) { return arch_amoadd64(p, v); }
static inline uint32_t atomic_or32(volatile uint32_t *p, uint32_t v) { return arch_amoor32(p, v); }
static inline uint32_t atomic_and32(volatile uint32_t *p, uint32_t v) { return arch_amoand32(p, v); }
static inline uint64_t atomic_or64(volatile uint64_t *p, uint64_t v) { return arch_amoor64(p, v); }
static inline uint64_t atomic_and64(volatile uint64_t *p, uint64_t v) { return arch_amoand64(p, v); }
static inline uint64_t atomic_swap64(volatile uint64_t *p, uint64_t v) { return arch_amoswap64(p, v); }
static inline uint32_t atomic_swap32(volatile uint32_t *p, uint32_t v) { return arch_amoswap32(p, v); }
static inline uint64_t atomic_cas64(volatile uint64_t *p, uint64_t e, uint64_t d) { return arch_cas64(p, e, d); }
static inline uint32_t atomic_cas32(volatile uint32_t *p, uint32_t e, uint32_t d) { return arch_cas32(p, e, d); }

static inline void smp_mb(void) { arch_fence(); }
static inline void cpu_relax(void) { arch_cpu_relax(); }
