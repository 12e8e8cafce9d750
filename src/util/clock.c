/*
 * clock.c - the monotonic clock (clock.h says why this one).
 */
#include "util/clock.h"

#define NS_PER_S 1000000000ull

uint64_t tx_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

uint64_t tx_mono_ms(void)
{
	return tx_now_ns() / 1000000u;
}

struct timespec tx_mono_timespec(uint64_t ns)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ns / NS_PER_S);
	ts.tv_nsec = (long)(ns % NS_PER_S);
	return ts;
}

struct timespec tx_mono_after_ns(uint64_t ns_from_now)
{
	return tx_mono_timespec(tx_now_ns() + ns_from_now);
}

int tx_cond_init_monotonic(pthread_cond_t *cond)
{
	pthread_condattr_t ca;
	int rc;

	rc = pthread_condattr_init(&ca);
	if (rc)
		return -rc;
	rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (!rc)
		rc = pthread_cond_init(cond, &ca);
	pthread_condattr_destroy(&ca);
	return -rc;
}
