/*
 * chain.c - chains (DESIGN 2.6): steps run in order, each a job of its
 * own, stopping at the first failure unless the step says otherwise.
 *
 * A chain is a job of the pseudo tool "chain", run by a small backend
 * with one thread per running chain; cancelling the chain cancels the
 * step that is running.
 *
 * Steps pass objects, never text: a step's arguments go to its job as
 * the object they are (validated when the chain was checked, unless
 * they take use_previous), and its outcome comes back as an envelope
 * object, not as result.json to parse again.
 */
#include "engine/engine_i.h"

#include <errno.h>
#include <json-c/json.h>
#include <json-c/json_pointer.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/args.h"
#include "engine/backend.h"
#include "engine/doc.h"
#include "engine/job_i.h"
#include "engine/tool.h"
#include "schema/schema.h"
#include "util/jsonu.h"
#include "util/log.h"

#define CHAIN_STEPS_MAX  64
#define CHAIN_TIMEOUT_MS (60u * 60 * 1000)

static const char chain_schema[] =
	"{\"type\":\"object\",\"required\":[\"steps\"],"
	"\"additionalProperties\":false,\"properties\":{\"steps\":{"
	"\"type\":\"array\",\"minItems\":1,\"maxItems\":64,"
	"\"description\":\"The steps, run in order. A bare array of steps "
	"stands for {\\\"steps\\\": [...]}.\",\"items\":{"
	"\"type\":\"object\",\"required\":[\"tool\"],"
	"\"additionalProperties\":false,\"properties\":{"
	"\"tool\":{\"type\":\"string\",\"description\":\"Tool ID, NAMESPACE:NAME.\"},"
	"\"args\":{\"type\":\"object\",\"description\":\"The step's arguments.\"},"
	"\"previous_to\":{\"type\":\"string\",\"pattern\":\"^/\","
	"\"description\":\"JSON Pointer into args where the previous step's "
	"result goes (its structured content, else its text), e.g. /json; "
	"args are validated after the placement.\"},"
	"\"previous_from\":{\"type\":\"string\",\"pattern\":\"^(/.*)?$\","
	"\"description\":\"JSON Pointer into the previous step's result: "
	"only that part is passed on, e.g. /size.\"},"
	"\"use_previous\":{\"type\":\"boolean\",\"description\":"
	"\"Pass the previous step's result as args.previous (the same as "
	"previous_to /previous).\"},"
	"\"continue_on_error\":{\"type\":\"boolean\",\"description\":"
	"\"Go on with the next step even if this one fails.\"}}}}}}";

struct chain_run {
	struct tx_job *job;
	struct tx_job *current; /* chain_backend.lock */
};

struct chain_backend {
	struct tx_backend base;
	struct tx_engine *engine;
	pthread_mutex_t lock;
	pthread_cond_t idle;
	size_t running; /* lock */
	bool stopping;  /* lock */
};

/*
 * Where the step wants the previous result in its arguments, as a JSON
 * Pointer, or NULL: previous_to, else /previous for use_previous.
 */
static const char *step_previous_to(struct json_object *step)
{
	struct json_object *v;

	if (json_object_object_get_ex(step, "previous_to", &v))
		return json_object_get_string(v);
	if (json_object_object_get_ex(step, "use_previous", &v) &&
	    json_object_get_boolean(v))
		return "/previous";
	return NULL;
}

/*
 * The step's arguments, with the previous result (or the part of it
 * previous_from names) placed where the step asks.  Returns a new
 * object, or NULL with the reason in err.
 */
static struct json_object *step_args(struct json_object *step,
				     struct json_object *previous, char *err,
				     size_t errlen)
{
	struct json_object *args, *v, *part = previous;
	const char *to = step_previous_to(step), *from;

	if (json_object_object_get_ex(step, "args", &v))
		args = tx_json_copy(v);
	else
		args = json_object_new_object();
	if (!args) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!to || !previous)
		return args;
	if (json_object_object_get_ex(step, "previous_from", &v)) {
		from = json_object_get_string(v);
		if (json_pointer_get(previous, from, &part)) {
			snprintf(err, errlen,
				 "previous_from: nothing at \"%s\" in the "
				 "previous step's result",
				 from);
			goto out_put;
		}
	}
	/* A JSON null is a NULL object, and a value to place all the same. */
	v = part ? tx_json_copy(part) : NULL;
	if ((part && !v) || json_pointer_set(&args, to, v)) {
		json_object_put(v);
		snprintf(err, errlen,
			 "previous_to: the previous result cannot go to \"%s\" "
			 "in the step's arguments (every part of the pointer "
			 "but the last must exist there)",
			 to);
		goto out_put;
	}
	return args;
out_put:
	json_object_put(args);
	return NULL;
}

/* What the next step sees as args.previous. */
static struct json_object *step_previous(struct json_object *env,
					 struct tx_job *sub)
{
	struct json_object *sc;
	const char *text;
	size_t len;

	if (json_object_object_get_ex(env, "structuredContent", &sc))
		return tx_json_copy(sc);
	text = tx_job_result_text(sub, &len);
	if (len && text[len - 1] == '\n')
		len--;
	return json_object_new_string_len(text ? text : "", (int)len);
}

static void *chain_main(void *arg)
{
	struct chain_run *run = arg;
	struct tx_job *job = run->job;
	struct chain_backend *cb = (struct chain_backend *)job->tool->backend;
	/* Set before the job started; only read from here on. */
	const struct tx_args *checked = &job->args;
	struct json_object *steps, *envs = json_object_new_array();
	struct json_object *previous = NULL;
	struct tx_result *r = tx_result_new();
	struct tx_buf last;
	bool failed = false;
	char err[1024];
	size_t n;

	tx_buf_init(&last, 0);
	json_object_object_get_ex(tx_job_args(job), "steps", &steps);
	n = json_object_array_length(steps);
	for (size_t i = 0; i < n && !tx_job_is_final(job); i++) {
		struct json_object *step = json_object_array_get_idx(steps, i);
		struct json_object *tool, *env, *coe;
		struct tx_args sa = { 0 };
		struct tx_job *sub;
		const char *text;
		size_t len;

		json_object_object_get_ex(step, "tool", &tool);
		sub = tx_engine_job_new(cb->engine,
					json_object_get_string(tool),
					&job->caller, err, sizeof(err));
		if (!sub) {
			tx_buf_printf(&last, "step %zu (%s): %s\n", i + 1,
				      json_object_get_string(tool), err);
			failed = true;
			break;
		}
		sa.obj = step_args(step, previous, err, sizeof(err));
		/* The chain's check validated these very arguments. */
		if (sa.obj && i < checked->nsteps && checked->steps[i])
			sa.checked = tx_tool_ref(checked->steps[i]);
		pthread_mutex_lock(&cb->lock);
		run->current = sub;
		pthread_mutex_unlock(&cb->lock);
		/* A cancel that came before `current` was set. */
		if (tx_job_is_final(job))
			tx_job_cancel(sub);
		/* A step whose arguments could not be made ends with the
		 * reason, so its envelope tells it like any other failure;
		 * arguments made here are validated by the start. */
		if (!sa.obj)
			tx_job_reject(sub, EINVAL, err);
		else if (tx_runner_start(sub, &sa) == -ENOMEM)
			tx_job_reject(sub, ENOMEM,
				      "out of memory: the step "
				      "could not start");
		tx_job_wait(sub, -1);
		pthread_mutex_lock(&cb->lock);
		run->current = NULL;
		pthread_mutex_unlock(&cb->lock);

		env = tx_job_envelope_object(sub);
		json_object_array_add(envs, env ? env : json_object_new_null());
		json_object_put(previous);
		previous = step_previous(env, sub);
		tx_buf_release(&last);
		if (tx_job_state(sub) == TX_JOB_OK) {
			text = tx_job_result_text(sub, &len);
			tx_buf_add(&last, text, len);
		} else {
			text = tx_job_error_text(sub, &len);
			tx_buf_printf(&last, "step %zu (%s) %s: ", i + 1,
				      json_object_get_string(tool),
				      tx_job_state_name(tx_job_state(sub)));
			tx_buf_add(&last, text, len);
			if (!json_object_object_get_ex(
				    step, "continue_on_error", &coe) ||
			    !json_object_get_boolean(coe))
				failed = true;
		}
		tx_job_unref(sub);
		if (failed)
			break;
	}
	json_object_put(previous);
	if (r) {
		struct json_object *sc = json_object_new_object();

		json_object_object_add(sc, "steps", envs);
		envs = NULL;
		tx_result_set_structured(r, sc);
		tx_result_add_text(r, last.data ? last.data : "", last.len);
		tx_result_set_is_error(r, failed);
		tx_job_complete(job, r);
	} else {
		tx_job_fail(job, ENOMEM, "backend_failed", "out of memory");
	}
	json_object_put(envs);
	tx_buf_release(&last);

	pthread_mutex_lock(&cb->lock);
	tx_job_set_backend_data(job, NULL);
	cb->running--;
	pthread_cond_broadcast(&cb->idle);
	pthread_mutex_unlock(&cb->lock);
	tx_job_unref(job);
	free(run);
	return NULL;
}

static int chain_start(struct tx_backend *be, struct tx_job *job)
{
	struct chain_backend *cb = (struct chain_backend *)be;
	struct chain_run *run = calloc(1, sizeof(*run));
	pthread_attr_t attr;
	pthread_t tid;
	int rc;

	if (!run)
		return -ENOMEM;
	run->job = tx_job_ref(job);
	pthread_mutex_lock(&cb->lock);
	if (cb->stopping) {
		pthread_mutex_unlock(&cb->lock);
		tx_job_unref(job);
		free(run);
		return -ESHUTDOWN;
	}
	cb->running++;
	tx_job_set_backend_data(job, run);
	pthread_mutex_unlock(&cb->lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&tid, &attr, chain_main, run);
	pthread_attr_destroy(&attr);
	if (rc) {
		pthread_mutex_lock(&cb->lock);
		cb->running--;
		tx_job_set_backend_data(job, NULL);
		pthread_mutex_unlock(&cb->lock);
		tx_job_unref(job);
		free(run);
		return -rc;
	}
	return 0;
}

static void chain_cancel(struct tx_backend *be, struct tx_job *job)
{
	struct chain_backend *cb = (struct chain_backend *)be;
	struct tx_job *sub = NULL;
	struct chain_run *run;

	pthread_mutex_lock(&cb->lock);
	run = tx_job_backend_data(job);
	if (run && run->current)
		sub = tx_job_ref(run->current);
	pthread_mutex_unlock(&cb->lock);
	if (sub) {
		tx_job_cancel(sub);
		tx_job_unref(sub);
	}
}

static void chain_shutdown(struct tx_backend *be)
{
	struct chain_backend *cb = (struct chain_backend *)be;

	pthread_mutex_lock(&cb->lock);
	cb->stopping = true;
	while (cb->running)
		pthread_cond_wait(&cb->idle, &cb->lock);
	pthread_mutex_unlock(&cb->lock);
}

static void chain_destroy(struct tx_backend *be)
{
	struct chain_backend *cb = (struct chain_backend *)be;

	pthread_mutex_destroy(&cb->lock);
	pthread_cond_destroy(&cb->idle);
	free(cb);
}

static const struct tx_backend_ops chain_ops = {
	.kind = "chain",
	.start = chain_start,
	.cancel = chain_cancel,
	.shutdown = chain_shutdown,
	.destroy = chain_destroy,
};

struct tx_backend *tx_chain_backend_new(struct tx_engine *e)
{
	struct chain_backend *cb = calloc(1, sizeof(*cb));

	if (!cb)
		return NULL;
	tx_backend_init(&cb->base, &chain_ops);
	cb->engine = e;
	pthread_mutex_init(&cb->lock, NULL);
	pthread_cond_init(&cb->idle, NULL);
	return &cb->base;
}

const struct tx_tool *tx_chain_tool_new(struct tx_backend *be)
{
	struct json_object *schema;
	struct tx_tool_def def = { 0 };
	struct tx_tool *t;
	char err[512];

	schema = tx_json_parse(chain_schema, sizeof(chain_schema) - 1, 32, err,
			       sizeof(err));
	if (!schema) {
		tx_log(TX_LOG_ERROR, "chain schema: %s", err);
		return NULL;
	}
	def.ns = "chain";
	def.name = "run";
	def.title = "Run tools one after another";
	def.description =
		"Runs the steps in order, each as a job of its own, and stops at "
		"the first failure unless the step sets continue_on_error. With "
		"use_previous a step receives the previous step's result under "
		"args.previous. `result` shows the last step's result; "
		"`result.json` holds every step's envelope under "
		"structuredContent.steps.";
	def.input_schema = schema;
	def.timeout_ms = CHAIN_TIMEOUT_MS;
	def.origin = "builtin";
	def.where =
		"inside the engine: each step runs on its own tool's backend";
	def.backend = be;
	t = tx_tool_new(&def, err, sizeof(err));
	json_object_put(schema);
	if (!t) {
		tx_log(TX_LOG_ERROR, "chain tool: %s", err);
		return NULL;
	}
	/* The chain is addressed as "chain", not NAMESPACE:NAME. */
	if (tx_tool_set_id(t, TX_CHAIN_ID)) {
		tx_tool_unref(t);
		return NULL;
	}
	free(t->doc);
	t->doc = tx_doc_render(t);
	if (!t->doc) {
		tx_tool_unref(t);
		return NULL;
	}
	return t;
}

int tx_chain_check(struct tx_engine *e, struct tx_args *a, char *err,
		   size_t errlen)
{
	struct json_object *steps;
	struct tx_toolset *set;
	size_t n;
	int rc = 0;

	if (!json_object_object_get_ex(a->obj, "steps", &steps))
		return 0;
	n = json_object_array_length(steps);
	a->steps = calloc(n ? n : 1, sizeof(*a->steps));
	if (!a->steps) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	a->nsteps = n;
	set = tx_engine_tools(e);
	for (size_t i = 0; i < n && !rc; i++) {
		struct json_object *step = json_object_array_get_idx(steps, i);
		struct json_object *tool, *args, *use;
		const struct tx_tool *t;
		char why[1024];

		json_object_object_get_ex(step, "tool", &tool);
		t = tx_toolset_find(set, json_object_get_string(tool));
		if (!t) {
			snprintf(err, errlen, "/steps/%zu/tool: no tool \"%s\"",
				 i, json_object_get_string(tool));
			rc = -EINVAL;
			break;
		}
		if (json_object_object_get_ex(step, "previous_from", &use) &&
		    !step_previous_to(step)) {
			snprintf(err, errlen,
				 "/steps/%zu/previous_from: says which part of "
				 "the previous result to pass, but the step "
				 "takes none: add previous_to",
				 i);
			rc = -EINVAL;
			break;
		}
		if (step_previous_to(step) && i == 0 &&
		    (json_object_object_get_ex(step, "previous_to", &use) ||
		     json_object_object_get_ex(step, "previous_from", &use))) {
			snprintf(err, errlen,
				 "/steps/0/previous_to: the first step has no "
				 "previous step");
			rc = -EINVAL;
			break;
		}
		/* The previous result arrives at run time: the step is
		 * validated when it starts, after the placement. */
		if (step_previous_to(step))
			continue;
		if (json_object_object_get_ex(step, "args", &args)) {
			if (tx_schema_validate(t->input_validator, args, why,
					       sizeof(why)))
				rc = -EINVAL;
		} else {
			struct json_object *empty = json_object_new_object();

			if (tx_schema_validate(t->input_validator, empty, why,
					       sizeof(why)))
				rc = -EINVAL;
			json_object_put(empty);
		}
		if (rc)
			snprintf(err, errlen, "/steps/%zu/args: %s", i, why);
		else
			a->steps[i] = tx_tool_ref(t);
	}
	tx_toolset_unref(set);
	return rc;
}
