/*
 * code_profiles.c - the profiles in force for new runs, and the
 * watchers that hear of profile and run events.
 *
 * The profiles are an immutable, reference-counted set: a reload that
 * changes "codeProfiles" swaps in a new set, and a run keeps the set it
 * was made with, so a change applies to runs started after the reload
 * and never to a run under way.
 */
#include "engine/code_i.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "engine/engine_i.h"
#include "util/jsonu.h"
#include "util/log.h"

/* ------------------------------------------------------------------ */
/* Profiles                                                             */

void code_profiles_unref(struct code_profiles *p)
{
	if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	tx_sandbox_profiles_free(p->ps);
	free(p);
}

struct code_profiles *code_profiles_wrap(struct tx_sandbox_profiles *ps)
{
	struct code_profiles *p = calloc(1, sizeof(*p));

	if (!p) {
		tx_sandbox_profiles_free(ps);
		return NULL;
	}
	atomic_init(&p->refs, 1);
	p->ps = ps;
	return p;
}

struct code_profiles *code_profiles_get(struct tx_code *c)
{
	struct code_profiles *p;

	pthread_mutex_lock(&c->lock);
	p = c->profiles;
	atomic_fetch_add(&p->refs, 1);
	pthread_mutex_unlock(&c->lock);
	return p;
}

static struct json_object *profile_json(const struct tx_sandbox_profile *p)
{
	struct json_object *o = json_object_new_object();
	struct json_object *env = json_object_new_object();

#define U(k, v) \
	json_object_object_add(o, k, json_object_new_int64((int64_t)(v)))
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(
		o, "kind",
		json_object_new_string(tx_sandbox_kind_name(p->kind)));
	json_object_object_add(o, "enabled",
			       json_object_new_boolean(p->enabled));
	U("timeout_ms", p->timeout_ms);
	U("kill_grace_ms", p->kill_grace_ms);
	U("max_tool_calls", p->max_tool_calls);
	U("memory", p->memory);
	U("address_space", p->address_space);
	U("pids", p->pids);
	U("cpu", p->cpu);
	U("file_size", p->file_size);
	U("nofile", p->nofile);
	U("stdout_max", p->stdout_max);
	U("stderr_max", p->stderr_max);
	U("work_size", p->work_size);
	U("tmp_size", p->tmp_size);
#undef U
	for (size_t i = 0; i < p->nenv; i++) {
		const char *eq = strchr(p->env[i], '=');
		char key[256];

		if (!eq || (size_t)(eq - p->env[i]) >= sizeof(key))
			continue;
		memcpy(key, p->env[i], (size_t)(eq - p->env[i]));
		key[eq - p->env[i]] = '\0';
		json_object_object_add(env, key,
				       json_object_new_string(eq + 1));
	}
	json_object_object_add(o, "env", env);
	return o;
}

/* The whole set as one text: two sets are the same when these are. */
static char *profiles_text(const struct tx_sandbox_profiles *ps)
{
	struct json_object *a = json_object_new_array();
	char *t;

	for (size_t i = 0; i < tx_sandbox_profiles_count(ps); i++)
		json_object_array_add(
			a, profile_json(tx_sandbox_profiles_at(ps, i)));
	t = tx_json_compact(a);
	json_object_put(a);
	return t;
}

void tx_code_sync_profiles(struct tx_engine *e)
{
	struct tx_code *c = e->code;
	const struct tx_config_file **plans;
	struct tx_sandbox_profiles *ps;
	struct code_profiles *np, *old = NULL;
	char err[1024], *a, *b;
	bool same;

	if (!c)
		return;
	plans = calloc(e->nfiles ? e->nfiles : 1, sizeof(*plans));
	if (!plans)
		return;
	for (size_t i = 0; i < e->nfiles; i++)
		plans[i] = e->files[i].plan;
	ps = tx_config_code_profiles(plans, e->nfiles, err, sizeof(err));
	free(plans);
	if (!ps) {
		tx_log(TX_LOG_ERROR,
		       "codeProfiles: %s; keeping the profiles in use", err);
		return;
	}
	pthread_mutex_lock(&c->lock);
	a = profiles_text(c->profiles->ps);
	b = profiles_text(ps);
	same = a && b && !strcmp(a, b);
	pthread_mutex_unlock(&c->lock);
	free(a);
	free(b);
	if (same || !(np = code_profiles_wrap(ps))) {
		if (same)
			tx_sandbox_profiles_free(ps);
		return;
	}
	pthread_mutex_lock(&c->lock);
	old = c->profiles;
	c->profiles = np;
	c->generation++;
	pthread_mutex_unlock(&c->lock);
	code_profiles_unref(old);
	tx_log(TX_LOG_INFO, "code profiles changed: new runs use them");
	code_notify(c, TX_CODE_PROFILES, NULL);
}

size_t tx_engine_code_profiles(struct tx_engine *e, char ***names)
{
	struct code_profiles *p = code_profiles_get(e->code);
	size_t n = tx_sandbox_profiles_count(p->ps), k = 0;

	*names = calloc(n ? n : 1, sizeof(**names));
	for (size_t i = 0; *names && i < n; i++) {
		const struct tx_sandbox_profile *sp =
			tx_sandbox_profiles_at(p->ps, i);

		if (!sp->enabled)
			continue;
		(*names)[k] = strdup(sp->name);
		if (!(*names)[k])
			break;
		k++;
	}
	code_profiles_unref(p);
	return *names ? k : 0;
}

char *tx_engine_code_profile_text(struct tx_engine *e, const char *name)
{
	struct code_profiles *p = code_profiles_get(e->code);
	const struct tx_sandbox_profile *sp =
		tx_sandbox_profiles_get(p->ps, name);
	struct json_object *o;
	char *t = NULL;

	if (sp) {
		o = profile_json(sp);
		t = tx_json_pretty(o);
		json_object_put(o);
	}
	code_profiles_unref(p);
	if (!sp)
		errno = ENOENT;
	return t;
}

uint64_t tx_engine_code_generation(struct tx_engine *e)
{
	uint64_t g;

	pthread_mutex_lock(&e->code->lock);
	g = e->code->generation;
	pthread_mutex_unlock(&e->code->lock);
	return g;
}

/* ------------------------------------------------------------------ */
/* Watchers                                                             */

int tx_engine_watch_code(struct tx_engine *e, tx_code_event_fn fn, void *ctx)
{
	struct tx_code *c = e->code;
	struct code_watcher *grown;

	pthread_mutex_lock(&c->lock);
	grown = realloc(c->watchers, (c->nwatchers + 1) * sizeof(*grown));
	if (grown) {
		c->watchers = grown;
		grown[c->nwatchers++] = (struct code_watcher){ fn, ctx };
	}
	pthread_mutex_unlock(&c->lock);
	return grown ? 0 : -ENOMEM;
}

void code_notify(struct tx_code *c, enum tx_code_event ev, struct tx_run *run)
{
	struct code_watcher *w;
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->nwatchers;
	w = n ? malloc(n * sizeof(*w)) : NULL;
	if (w)
		memcpy(w, c->watchers, n * sizeof(*w));
	pthread_mutex_unlock(&c->lock);
	for (size_t i = 0; w && i < n; i++)
		w[i].fn(w[i].ctx, ev, run);
	free(w);
}
