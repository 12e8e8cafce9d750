/*
 * clock.h - the one monotonic clock every timeout, deadline and duration
 * is measured on.
 *
 * CLOCK_MONOTONIC, because a deadline must not move when someone sets
 * the wall clock (NTP, a suspended laptop, date -s).  Condition variables
 * that wait for a deadline are made with tx_cond_init_monotonic, so that
 * their absolute timeouts are on this clock too: a pthread condvar
 * defaults to CLOCK_REALTIME, and mixing the two makes waits end
 * decades early or never.
 */
#ifndef TX_CLOCK_H
#define TX_CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Now, in nanoseconds of CLOCK_MONOTONIC. */
uint64_t tx_now_ns(void);
/* Now, in milliseconds of CLOCK_MONOTONIC. */
uint64_t tx_mono_ms(void);

/* The absolute CLOCK_MONOTONIC time ns_from_now nanoseconds from now,
 * for pthread_cond_timedwait on a condvar of tx_cond_init_monotonic. */
struct timespec tx_mono_after_ns(uint64_t ns_from_now);
/* The same for an absolute tx_now_ns() reading. */
struct timespec tx_mono_timespec(uint64_t ns);

/* A condition variable whose timed waits run on CLOCK_MONOTONIC.
 * 0 or -errno, as pthread_cond_init. */
int tx_cond_init_monotonic(pthread_cond_t *cond);

#endif
