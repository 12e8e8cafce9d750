/*
 * stats.c - per-tool call statistics for .ctl/stats: calls, errors and
 * latency percentiles over a ring of the latest 1024 calls per tool.
 * Everything here is under the engine's stats_lock.
 */
#include "engine/engine_i.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine/job_i.h"
#include "util/buf.h"
#include "util/clock.h"

#define LAT_RING 1024

void tx_stats_init(struct tx_engine *e)
{
	pthread_mutex_init(&e->stats_lock, NULL);
}

void tx_stats_release(struct tx_engine *e)
{
	for (size_t i = 0; i < e->nstats; i++)
		free(e->stats[i].id);
	free(e->stats);
	e->stats = NULL;
	e->nstats = 0;
	pthread_mutex_destroy(&e->stats_lock);
}

static struct tool_stats *stats_get(struct tx_engine *e, const char *id)
{
	struct tool_stats *grown;

	for (size_t i = 0; i < e->nstats; i++)
		if (!strcmp(e->stats[i].id, id))
			return &e->stats[i];
	grown = realloc(e->stats, (e->nstats + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	e->stats = grown;
	memset(&grown[e->nstats], 0, sizeof(*grown));
	grown[e->nstats].id = strdup(id);
	if (!grown[e->nstats].id)
		return NULL;
	return &e->stats[e->nstats++];
}

void tx_stats_count(struct tx_engine *e, const struct tx_job *job)
{
	struct tool_stats *st;
	uint64_t us;

	if (!job->start_ns)
		return;
	us = (tx_now_ns() - job->start_ns) / 1000;
	pthread_mutex_lock(&e->stats_lock);
	e->calls_total++;
	st = stats_get(e, job->tool_id);
	if (st) {
		st->calls++;
		if (tx_job_state(job) != TX_JOB_OK)
			st->errors++;
		st->lat_us[st->nlat++ % LAT_RING] =
			us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	}
	pthread_mutex_unlock(&e->stats_lock);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

char *tx_engine_stats_text(struct tx_engine *e)
{
	uint32_t lat[LAT_RING];
	struct tx_buf b;

	tx_buf_init(&b, 0);
	tx_buf_adds(&b, "tool\tcalls\terrors\tp50_ms\tp99_ms\n");
	pthread_mutex_lock(&e->stats_lock);
	for (size_t i = 0; i < e->nstats; i++) {
		struct tool_stats *st = &e->stats[i];
		size_t n = st->nlat < LAT_RING ? st->nlat : LAT_RING;
		double p50 = 0, p99 = 0;

		if (n) {
			memcpy(lat, st->lat_us, n * sizeof(*lat));
			qsort(lat, n, sizeof(*lat), cmp_u32);
			p50 = lat[(n - 1) / 2] / 1000.0;
			p99 = lat[(n - 1) * 99 / 100] / 1000.0;
		}
		tx_buf_printf(&b, "%s\t%" PRIu64 "\t%" PRIu64 "\t%.3f\t%.3f\n",
			      st->id, st->calls, st->errors, p50, p99);
	}
	pthread_mutex_unlock(&e->stats_lock);
	return tx_buf_detach(&b, NULL);
}
