/*
 * code_run.c - starting, stopping and ending one run, and the backend
 * behind runs' jobs.
 *
 * A run's job is an ordinary job of the pseudo tool "code:PROFILE", so
 * starting it goes through tx_job_start like any call (the job turns
 * running, is listed, audited, timed): the backend's start() is where
 * the sandbox helper is spawned.  Spawning never waits for the script.
 * From then on the reaper (code_reap.c) owns the run's descriptors and
 * ends it when the helper exits.
 *
 * A run ends exactly once (code_run_end), in this order: its tool calls
 * still going are cancelled (the script that wanted them is gone), the
 * result is rendered from the sandbox's report, readers of the streams
 * and the result are woken, then the job ends and the watchers hear of
 * it.  So whoever sees the job final or the streams at end of file can
 * read the result at once.
 */
#include "engine/code_i.h"

#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/backend.h"
#include "engine/engine_i.h"
#include "engine/job_i.h"
#include "engine/tool.h"
#include "util/jsonu.h"
#include "util/log.h"

/* The pseudo tool's own deadline: the sandbox enforces each profile's
 * timeout (at most a day), and the reaper has a backstop past it. */
#define CODE_TOOL_TIMEOUT_MS (24u * 3600 * 1000 + 10u * 60 * 1000)

static const char code_schema[] =
	"{\"type\":\"object\",\"additionalProperties\":false,"
	"\"required\":[\"profile\",\"name\"],\"properties\":{"
	"\"profile\":{\"type\":\"string\",\"description\":\"The profile.\"},"
	"\"name\":{\"type\":\"string\",\"description\":\"The script's file "
	"name.\"},"
	"\"bytes\":{\"type\":\"integer\",\"description\":\"Its size.\"},"
	"\"args\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
	"\"description\":\"Arguments after the script.\"}}}";

/* ------------------------------------------------------------------ */
/* The result                                                           */

static int cmp_u64_pair(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Wall time during which at least one tool call was running: the union
 * of the calls' intervals.  Run lock. */
static uint64_t tool_wait_ns(const struct tx_run *run)
{
	uint64_t(*iv)[2] = calloc(run->ncalls ? run->ncalls : 1, sizeof(*iv));
	uint64_t total = 0, cur_s = 0, cur_e = 0;
	size_t n = 0;

	if (!iv)
		return 0;
	for (size_t i = 0; i < run->ncalls; i++)
		if (run->calls[i].start_ns &&
		    run->calls[i].end_ns > run->calls[i].start_ns) {
			iv[n][0] = run->calls[i].start_ns;
			iv[n][1] = run->calls[i].end_ns;
			n++;
		}
	qsort(iv, n, sizeof(*iv), cmp_u64_pair);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || iv[i][0] > cur_e) {
			total += cur_e - cur_s;
			cur_s = iv[i][0];
			cur_e = iv[i][1];
		} else if (iv[i][1] > cur_e) {
			cur_e = iv[i][1];
		}
	}
	total += cur_e - cur_s;
	free(iv);
	return total;
}

#define I64(x) json_object_new_int64((int64_t)(x))

static struct json_object *calls_json(const struct tx_run *run)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < run->ncalls; i++) {
		const struct run_call *k = &run->calls[i];
		struct json_object *o = json_object_new_object();
		uint64_t ms = k->start_ns && k->end_ns > k->start_ns
				      ? (k->end_ns - k->start_ns) / 1000000u
				      : 0;

		json_object_object_add(o, "job",
				       json_object_new_string(k->job_id));
		json_object_object_add(
			o, "tool",
			json_object_new_string(k->tool_id ? k->tool_id : ""));
		json_object_object_add(o, "status",
				       json_object_new_string(k->status));
		json_object_object_add(o, "duration_ms", I64(ms));
		json_object_object_add(
			o, "error",
			k->error ? json_object_new_string(k->error) : NULL);
		json_object_array_add(a, o);
	}
	return a;
}

/* The result object (toolexec.h lists its keys).  Run lock. */
static struct json_object *result_json(struct tx_run *run,
				       const struct tx_sandbox_result *res,
				       const char *error, bool cancelled,
				       unsigned *limits)
{
	struct json_object *o = json_object_new_object();
	struct json_object *lim = json_object_new_array();

	*limits = res ? res->limits_hit : 0;
	json_object_object_add(o, "job", json_object_new_string(run->job->id));
	json_object_object_add(o, "profile",
			       json_object_new_string(run->profile->name));
	json_object_object_add(o, "name", json_object_new_string(run->name));
	json_object_object_add(o, "language",
			       run->language[0]
				       ? json_object_new_string(run->language)
				       : NULL);
	json_object_object_add(o, "exit_code", I64(res ? res->exit_code : -1));
	json_object_object_add(o, "signal", I64(res ? res->signal : 0));
	json_object_object_add(o, "duration_ms",
			       I64(res ? res->duration_ms : 0));
	json_object_object_add(o, "timed_out",
			       json_object_new_boolean(res && res->timed_out));
	json_object_object_add(o, "cancelled",
			       json_object_new_boolean(cancelled));
	for (unsigned b = 0; b < TX_LIMIT_COUNT; b++)
		if (*limits & (1u << b))
			json_object_array_add(
				lim, json_object_new_string(
					     tx_sandbox_limit_name(1u << b)));
	if (run->quota_hit)
		json_object_array_add(lim,
				      json_object_new_string("max_tool_calls"));
	json_object_object_add(o, "limits_hit", lim);
	json_object_object_add(
		o, "cpu_ms", I64(res ? res->cpu_user_ms + res->cpu_sys_ms : 0));
	json_object_object_add(o, "tool_wait_ms",
			       I64(tool_wait_ns(run) / 1000000u));
	json_object_object_add(o, "tool_calls", calls_json(run));
	json_object_object_add(o, "tool_calls_refused", I64(run->nrefused));
	json_object_object_add(o, "stdout_bytes", I64(run->out.len));
	json_object_object_add(o, "stderr_bytes", I64(run->err.len));
	json_object_object_add(o, "max_rss_kb", I64(res ? res->max_rss_kb : 0));
	json_object_object_add(o, "error",
			       error && error[0] ? json_object_new_string(error)
						 : NULL);
	return o;
}

#undef I64

/* One line for the job's `result`: what happened, in words. */
static char *summary_line(const struct tx_sandbox_result *res,
			  const char *error, bool cancelled, unsigned limits,
			  bool quota, uint32_t timeout_ms)
{
	struct tx_buf b;
	bool first = true;

	tx_buf_init(&b, 0);
	if (cancelled)
		tx_buf_adds(&b, "cancelled");
	else if (error && error[0] && (!res || res->exit_code < 0) &&
		 !(res && res->signal))
		tx_buf_printf(&b, "did not run: %s", error);
	else if (res && res->timed_out)
		tx_buf_printf(&b, "timed out after %u ms", timeout_ms);
	else if (res && res->signal)
		tx_buf_printf(&b, "killed by signal %d", res->signal);
	else
		tx_buf_printf(&b, "exit status %d", res ? res->exit_code : -1);
	for (unsigned bit = 0; bit < TX_LIMIT_COUNT; bit++)
		if (limits & (1u << bit)) {
			tx_buf_printf(&b, "%s%s",
				      first ? " (limits hit: " : ", ",
				      tx_sandbox_limit_name(1u << bit));
			first = false;
		}
	if (quota) {
		tx_buf_printf(&b, "%smax_tool_calls",
			      first ? " (limits hit: " : ", ");
		first = false;
	}
	if (!first)
		tx_buf_adds(&b, ")");
	tx_buf_adds(&b, "\n");
	return tx_buf_detach(&b, NULL);
}

/* Ends the run's job to match its result; takes o. */
static void finish_job(struct tx_run *run, struct json_object *o,
		       const struct tx_sandbox_result *res, const char *error,
		       bool cancelled, unsigned limits)
{
	struct tx_result *r = tx_result_new();
	char *line = summary_line(res, error, cancelled, limits, run->quota_hit,
				  run->profile->timeout_ms);
	char msg[256];

	if (!r || !line) {
		tx_result_free(r);
		free(line);
		json_object_put(o);
		tx_job_fail(run->job, ENOMEM, "backend_failed",
			    "out of memory");
		return;
	}
	tx_result_add_text(r, line, strlen(line));
	tx_result_set_structured(r, o);
	if (cancelled) {
		tx_result_free(r);
		tx_job_finish(run->job, TX_JOB_CANCELLED, ECANCELED, NULL,
			      "cancelled", NULL, "the run was cancelled");
	} else if (res && res->timed_out) {
		snprintf(msg, sizeof(msg),
			 "the script ran past its timeout "
			 "(%u ms) and was killed",
			 run->profile->timeout_ms);
		tx_job_finish(run->job, TX_JOB_TIMEOUT, ETIMEDOUT, r, "timeout",
			      NULL, msg);
	} else {
		tx_result_set_is_error(r, !res || res->exit_code != 0 ||
						  res->signal || limits ||
						  (error && error[0]));
		tx_job_complete(run->job, r);
	}
	free(line);
}

void code_run_end(struct tx_run *run, const struct tx_sandbox_result *res,
		  const char *error)
{
	struct tx_job **pending = NULL;
	struct json_object *o;
	char line[640];
	size_t npending = 0;
	unsigned limits;
	bool cancelled;

	pthread_mutex_lock(&run->lock);
	if (run->ending) {
		pthread_mutex_unlock(&run->lock);
		return;
	}
	run->ending = true;
	if (run->ncalls)
		pending = calloc(run->ncalls, sizeof(*pending));
	for (size_t i = 0; pending && i < run->ncalls; i++)
		if (run->calls[i].job)
			pending[npending++] = tx_job_ref(run->calls[i].job);
	pthread_mutex_unlock(&run->lock);
	/* Nobody is left to read what they would answer. */
	for (size_t i = 0; i < npending; i++) {
		tx_job_cancel(pending[i]);
		tx_job_unref(pending[i]);
	}
	free(pending);

	if (!error || !error[0])
		error = res && res->error[0] ? res->error : NULL;
	line[0] = '\0';
	if (error)
		snprintf(line, sizeof(line), "toolexec: %s\n", error);
	pthread_mutex_lock(&run->lock);
	/* Calls that ended while the run was off the table (removed) were
	 * not recorded by tx_code_job_done. */
	for (size_t i = 0; i < run->ncalls; i++) {
		struct run_call *k = &run->calls[i];

		if (k->job && tx_job_is_final(k->job)) {
			code_call_record(k, k->job);
			tx_job_unref(
				k->job); /* a job is freed without a lock */
			k->job = NULL;
		}
	}
	/* Said where the script's own complaints go, too. */
	if (line[0] && run->err.len + strlen(line) <= run->err.max)
		tx_buf_adds(&run->err, line);
	cancelled = run->cancel_asked || (res && res->cancelled);
	o = result_json(run, res, error, cancelled, &limits);
	run->result_text = tx_json_pretty(o);
	run->result_len = run->result_text ? strlen(run->result_text) : 0;
	run->ended_ns = tx_now_ns();
	__atomic_store_n(&run->phase, RUN_ENDED, __ATOMIC_RELEASE);
	code_run_wake_unlock(run);
	if (line[0])
		tx_job_output(run->job, line, strlen(line));
	finish_job(run, o, res, error, cancelled, limits);
	tx_log(TX_LOG_INFO, "code run %s (%s, %s) ended%s%s", run->job->id,
	       run->profile->name, run->name, error ? ": " : "",
	       error ? error : "");
	code_notify(run->code, TX_CODE_RUN_ENDED, run);
}

/* ------------------------------------------------------------------ */
/* Starting                                                             */

/* Spawns the sandbox; on any failure the run ends with the reason. */
static void launch(struct tx_run *run)
{
	struct tx_engine *e = run->code->engine;
	struct tx_sandbox_run_opts o = { 0 };
	struct tx_sandbox_lang lang;
	struct tx_sandbox_run *sb = NULL;
	bool dev = run->profile->kind == TX_SANDBOX_DEV;
	bool cancel, hard;
	char err[1024];
	int rc;

	rc = tx_sandbox_detect_language(run->name, run->script,
					run->script_len < 1024 ? run->script_len
							       : 1024,
					&lang, err, sizeof(err));
	if (rc < 0) {
		code_run_end(run, NULL, err);
		return;
	}
	pthread_mutex_lock(&run->lock);
	snprintf(run->language, sizeof(run->language), "%s", lang.language);
	pthread_mutex_unlock(&run->lock);
	o.profile = run->profile;
	o.script_name = run->name;
	o.script = run->script;
	o.script_len = run->script_len;
	o.args = (const char *const *)run->args;
	o.nargs = run->nargs;
	o.work_fd = dev ? -1 : run->work_fd;
	o.work_dir = dev ? run->work_dir : NULL;
	o.uid = run->uid;
	o.gid = run->gid;
	o.binds = dev ? NULL : run->binds;
	o.nbinds = dev ? 0 : run->nbinds;
	o.env = (const char *const *)run->env;
	o.nenv = run->nenv;
	o.helper = e->opts.sandbox_helper;
	rc = tx_sandbox_start(&o, &sb, err, sizeof(err));
	if (rc < 0) {
		code_run_end(run, NULL, err);
		return;
	}
	pthread_mutex_lock(&run->lock);
	run->sb = sb;
	run->start_ns = tx_now_ns();
	__atomic_store_n(&run->phase, RUN_RUNNING, __ATOMIC_RELEASE);
	/* What the sandbox holds now, the run no longer needs. */
	free(run->script);
	run->script = NULL;
	pthread_mutex_unlock(&run->lock);
	rc = code_reap_add(run->code, run);
	if (rc < 0) {
		/* Nobody would watch it: stop it here (bounded), once. */
		pthread_mutex_lock(&run->lock);
		run->sb = NULL;
		pthread_mutex_unlock(&run->lock);
		tx_sandbox_run_free(sb);
		snprintf(err, sizeof(err), "the run could not be watched: %s",
			 strerror(-rc));
		code_run_end(run, NULL, err);
		return;
	}
	/* A cancel that came while the sandbox was being spawned. */
	pthread_mutex_lock(&run->lock);
	cancel = run->cancel_asked;
	hard = run->cancel_hard;
	if (cancel && run->sb)
		tx_sandbox_run_cancel(run->sb, hard);
	pthread_mutex_unlock(&run->lock);
}

static int view_copy(struct tx_run *run, const struct tx_run_view *view)
{
	if (!view)
		return 0;
	if (view->nbinds) {
		run->binds = calloc(view->nbinds, sizeof(*run->binds));
		if (!run->binds)
			return -ENOMEM;
		for (; run->nbinds < view->nbinds; run->nbinds++) {
			const struct tx_run_bind *b = &view->binds[run->nbinds];
			struct tx_sandbox_bind *d = &run->binds[run->nbinds];

			d->src = strdup(b->src ? b->src : "");
			d->dst = strdup(b->dst ? b->dst : "");
			d->writable = b->writable;
			if (!d->src || !d->dst) {
				run->nbinds++;
				return -ENOMEM;
			}
		}
	}
	if (view->nenv) {
		run->env = calloc(view->nenv, sizeof(*run->env));
		if (!run->env)
			return -ENOMEM;
		for (; run->nenv < view->nenv; run->nenv++)
			if (!(run->env[run->nenv] =
				      strdup(view->env[run->nenv])))
				return -ENOMEM;
	}
	return 0;
}

/* The job's arguments: what jobs/ID/args shows of a run. */
static char *job_args(const struct tx_run *run)
{
	struct json_object *o = json_object_new_object();
	struct json_object *a = json_object_new_array();
	char *t;

	json_object_object_add(o, "profile",
			       json_object_new_string(run->profile->name));
	json_object_object_add(o, "name", json_object_new_string(run->name));
	json_object_object_add(o, "bytes",
			       json_object_new_int64((int64_t)run->script_len));
	for (size_t i = 0; i < run->nargs; i++)
		json_object_array_add(a, json_object_new_string(run->args[i]));
	json_object_object_add(o, "args", a);
	t = tx_json_compact(o);
	json_object_put(o);
	return t;
}

int tx_run_start(struct tx_run *run, const struct tx_run_view *view)
{
	char *args;
	int rc;

	pthread_mutex_lock(&run->lock);
	if (run->phase != RUN_NEW) {
		pthread_mutex_unlock(&run->lock);
		return -EALREADY;
	}
	__atomic_store_n(&run->phase, RUN_STARTING, __ATOMIC_RELEASE);
	rc = view_copy(run, view);
	pthread_mutex_unlock(&run->lock);
	args = rc ? NULL : job_args(run);
	if (!args) {
		code_run_end(run, NULL,
			     "out of memory: the run could not start");
		return 0;
	}
	tx_job_set_backend_data(run->job, run);
	rc = tx_job_start(run->job, args, strlen(args));
	free(args);
	if (rc == -EALREADY) {
		/* Its job ended first (removed from jobs/, or cancelled). */
		pthread_mutex_lock(&run->lock);
		run->cancel_asked = true;
		pthread_mutex_unlock(&run->lock);
		code_run_end(run, NULL, NULL);
		return -EALREADY;
	}
	if (rc < 0)
		code_run_end(run, NULL, "the run's job could not start");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Stopping                                                             */

/* Signals the sandbox of a running run; remembers a cancel that comes
 * before it exists.  true when the run had not been started at all. */
static bool cancel_sandbox(struct tx_run *run, bool hard, bool *ended)
{
	bool never = false;

	pthread_mutex_lock(&run->lock);
	*ended = run->ending;
	if (!run->ending) {
		run->cancel_asked = true;
		run->cancel_hard |= hard;
		if (run->sb)
			tx_sandbox_run_cancel(run->sb, hard);
		if (run->phase == RUN_NEW) {
			/* Claimed here: a start from now on finds it taken. */
			__atomic_store_n(&run->phase, RUN_STARTING,
					 __ATOMIC_RELEASE);
			never = true;
		}
	}
	pthread_mutex_unlock(&run->lock);
	return never;
}

int tx_run_cancel(struct tx_run *run, bool hard)
{
	bool ended, never = cancel_sandbox(run, hard, &ended);

	if (ended)
		return -EALREADY;
	tx_job_finish(run->job, TX_JOB_CANCELLED, ECANCELED, NULL, "cancelled",
		      NULL, "the run was cancelled");
	if (never)
		code_run_end(run, NULL, NULL);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The backend of runs' jobs                                            */

struct code_backend {
	struct tx_backend base;
	struct tx_code *code;
};

static int code_be_start(struct tx_backend *be, struct tx_job *job)
{
	struct tx_run *run = tx_job_backend_data(job);

	(void)be;
	/* Set by tx_run_start, which holds a reference for this call. */
	tx_job_set_backend_data(job, NULL);
	if (!run)
		return -EINVAL;
	launch(run);
	return 0;
}

/* The job was cancelled (jobs/ID/cancel, rm -r jobs/ID) or timed out:
 * stop the sandbox gently. */
static void code_be_cancel(struct tx_backend *be, struct tx_job *job)
{
	struct code_backend *cb = (struct code_backend *)be;
	struct tx_engine *e = cb->code->engine;
	struct tx_run *run = tx_engine_run_find(e, tx_job_id(job));
	bool ended;

	if (run) {
		cancel_sandbox(run, false, &ended);
		tx_run_unref(run);
	}
}

static void code_be_destroy(struct tx_backend *be)
{
	free(be);
}

static const struct tx_backend_ops code_ops = {
	.kind = "code",
	.start = code_be_start,
	.cancel = code_be_cancel,
	.destroy = code_be_destroy,
};

struct tx_backend *code_backend_new(struct tx_code *c)
{
	struct code_backend *cb = calloc(1, sizeof(*cb));

	if (!cb)
		return NULL;
	tx_backend_init(&cb->base, &code_ops);
	cb->code = c;
	return &cb->base;
}

const struct tx_tool *code_tool_new(struct tx_backend *be)
{
	struct tx_tool_def def = { 0 };
	struct json_object *schema;
	struct tx_tool *t;
	char err[512];

	schema = tx_json_parse(code_schema, sizeof(code_schema) - 1, 16, err,
			       sizeof(err));
	if (!schema) {
		tx_log(TX_LOG_ERROR, "code schema: %s", err);
		return NULL;
	}
	def.ns = "code";
	def.name = "run";
	def.title = "Run a script in a sandbox";
	def.description =
		"A script dropped into code/PROFILE/ (or run with toolexec "
		"code), run once in that security profile.";
	def.input_schema = schema;
	def.timeout_ms = CODE_TOOL_TIMEOUT_MS;
	def.origin = "builtin";
	def.where = "in the sandbox of its profile";
	def.backend = be;
	t = tx_tool_new(&def, err, sizeof(err));
	json_object_put(schema);
	if (!t)
		tx_log(TX_LOG_ERROR, "code tool: %s", err);
	return t;
}
