/*
 * job_result.c - results, and what a reader of a final job's outcome
 * sees: the texts of `result`, `result.json` and `error`, rendered once
 * under the job's lock at the first read and never changed after, and
 * the result.json envelope as an object for chains.  job.c makes the job
 * final.
 */
#include "engine/job_i.h"

#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonu.h"

#define ERROR_TEXT_MAX 8192

/* ------------------------------------------------------------------ */
/* Results                                                              */

struct tx_result *tx_result_new(void)
{
	struct tx_result *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->content = json_object_new_array();
	if (!r->content) {
		free(r);
		return NULL;
	}
	return r;
}

void tx_result_free(struct tx_result *r)
{
	if (!r)
		return;
	json_object_put(r->content);
	json_object_put(r->structured);
	free(r);
}

void tx_result_set_is_error(struct tx_result *r, bool is_error)
{
	r->is_error = is_error;
}

int tx_result_add_block(struct tx_result *r, struct json_object *block)
{
	if (!block)
		return -ENOMEM;
	if (json_object_array_add(r->content, block)) {
		json_object_put(block);
		return -ENOMEM;
	}
	return 0;
}

int tx_result_add_text(struct tx_result *r, const char *text, size_t len)
{
	struct json_object *b = json_object_new_object();

	if (!b)
		return -ENOMEM;
	json_object_object_add(b, "type", json_object_new_string("text"));
	json_object_object_add(b, "text",
			       json_object_new_string_len(text, (int)len));
	return tx_result_add_block(r, b);
}

void tx_result_set_structured(struct tx_result *r, struct json_object *v)
{
	json_object_put(r->structured);
	r->structured = v;
}

/* ------------------------------------------------------------------ */
/* Readers of the outcome                                               */

int tx_job_errno(const struct tx_job *job)
{
	return tx_job_is_final(job) ? job->err : -EAGAIN;
}

static void job_render_locked(struct tx_job *job);

/* Renders the texts of a final job once; false when not final. */
static bool job_rendered(const struct tx_job *job)
{
	struct tx_job *j = (struct tx_job *)job;
	bool final;

	pthread_mutex_lock(&j->lock);
	final = tx_job_state_final(j->state);
	if (final && !j->rendered)
		job_render_locked(j);
	pthread_mutex_unlock(&j->lock);
	return final;
}

const char *tx_job_result_text(const struct tx_job *job, size_t *len)
{
	if (!job_rendered(job))
		return NULL;
	if (len)
		*len = job->result_len;
	return job->result_text;
}

const char *tx_job_envelope_text(const struct tx_job *job, size_t *len)
{
	if (!job_rendered(job))
		return NULL;
	if (len)
		*len = job->envelope_len;
	return job->envelope_text;
}

const char *tx_job_error_text(const struct tx_job *job, size_t *len)
{
	if (!job_rendered(job))
		return NULL;
	if (len)
		*len = job->error_len;
	return job->error_text;
}

/* ------------------------------------------------------------------ */
/* The texts readers see                                                */

static void add_time(struct json_object *o, const char *key,
		     const struct timespec *ts)
{
	char buf[64];
	struct tm tm;

	if (!ts->tv_sec) {
		json_object_object_add(o, key, NULL);
		return;
	}
	gmtime_r(&ts->tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%03ldZ",
		 ts->tv_nsec / 1000000);
	json_object_object_add(o, key, json_object_new_string(buf));
}

static uint64_t digest(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; s && *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

bool tx_job_args_digest(const struct tx_job *job, char *buf, size_t len)
{
	if (!job->args.text)
		return false;
	snprintf(buf, len, "fnv1a64:%016" PRIx64, digest(job->args.text));
	return true;
}

/* The text `result` shows: text blocks, else structured content as JSON,
 * else a line per other block pointing to result.json. */
static char *result_text(struct tx_result *r, size_t *len)
{
	struct tx_buf b;
	size_t n = r ? json_object_array_length(r->content) : 0;
	bool any_text = false;

	tx_buf_init(&b, 0);
	for (size_t i = 0; i < n; i++) {
		struct json_object *blk =
			json_object_array_get_idx(r->content, i);
		struct json_object *type, *text;

		if (json_object_object_get_ex(blk, "type", &type) &&
		    !strcmp(json_object_get_string(type), "text") &&
		    json_object_object_get_ex(blk, "text", &text)) {
			if (any_text && b.len && b.data[b.len - 1] != '\n')
				tx_buf_add(&b, "\n", 1);
			tx_buf_add(&b, json_object_get_string(text),
				   (size_t)json_object_get_string_len(text));
			any_text = true;
		}
	}
	if (!any_text && r && r->structured) {
		const char *s = json_object_to_json_string_ext(
			r->structured, JSON_C_TO_STRING_PRETTY |
					       JSON_C_TO_STRING_SPACED |
					       JSON_C_TO_STRING_NOSLASHESCAPE);

		tx_buf_adds(&b, s);
	} else if (!any_text) {
		for (size_t i = 0; i < n; i++) {
			struct json_object *blk =
				json_object_array_get_idx(r->content, i);
			struct json_object *type, *mime;

			json_object_object_get_ex(blk, "type", &type);
			tx_buf_printf(&b, "[%s",
				      type ? json_object_get_string(type)
					   : "content");
			if (json_object_object_get_ex(blk, "mimeType", &mime))
				tx_buf_printf(&b, " %s",
					      json_object_get_string(mime));
			tx_buf_printf(&b, ": see result.json, content[%zu]]\n",
				      i);
		}
	}
	/* A file a shell user cats should end its last line. */
	if (b.len && b.data[b.len - 1] != '\n')
		tx_buf_add(&b, "\n", 1);
	return tx_buf_detach(&b, len);
}

static struct json_object *error_object(const char *code, const char *path,
					const char *message)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "code", json_object_new_string(code));
	json_object_object_add(o, "message", json_object_new_string(message));
	json_object_object_add(o, "path",
			       path ? json_object_new_string(path) : NULL);
	return o;
}

static void set_error_text(struct tx_job *job, const char *code,
			   const char *message)
{
	struct tx_buf b;
	size_t n = strlen(message);

	tx_buf_init(&b, 0);
	if (n > ERROR_TEXT_MAX)
		n = ERROR_TEXT_MAX;
	tx_buf_printf(&b, "%s: ", code);
	tx_buf_add(&b, message, n);
	if (!b.len || b.data[b.len - 1] != '\n')
		tx_buf_add(&b, "\n", 1);
	job->error_text = tx_buf_detach(&b, &job->error_len);
}

/*
 * The result.json envelope of a final job (DESIGN 2.4), under its lock.
 * With copy, every part is a deep copy, so the object can go to another
 * thread; without, it shares the result's content (for printing here).
 * error_message: the text an isError result's error says (its `result`).
 */
static struct json_object *envelope_new_locked(const struct tx_job *job,
					       bool copy,
					       const char *error_message)
{
	struct tx_result *r = job->result;
	struct json_object *env, *timings;
	enum tx_job_state state = job->state;
	char digest_text[64];
	double dur;

	env = json_object_new_object();
	if (!env)
		return NULL;
	json_object_object_add(env, "job", json_object_new_string(job->id));
	json_object_object_add(env, "tool",
			       json_object_new_string(job->tool_id));
	json_object_object_add(env, "arguments_digest",
			       tx_job_args_digest(job, digest_text,
						  sizeof(digest_text))
				       ? json_object_new_string(digest_text)
				       : NULL);
	json_object_object_add(
		env, "status",
		json_object_new_string(tx_job_state_name(state)));
	if (job->task_id)
		json_object_object_add(env, "task",
				       json_object_new_string(job->task_id));
	json_object_object_add(env, "isError",
			       json_object_new_boolean(state != TX_JOB_OK));
	json_object_object_add(env, "content",
			       !r     ? json_object_new_array()
			       : copy ? tx_json_copy(r->content)
				      : json_object_get(r->content));
	if (r && r->structured)
		json_object_object_add(env, "structuredContent",
				       copy ? tx_json_copy(r->structured)
					    : json_object_get(r->structured));
	timings = json_object_new_object();
	add_time(timings, "created", &job->created);
	add_time(timings, "started", &job->started);
	add_time(timings, "finished", &job->finished);
	dur = job->started.tv_sec ? tx_timespec_ms(&job->finished) -
					    tx_timespec_ms(&job->started)
				  : 0;
	json_object_object_add(timings, "duration_ms",
			       json_object_new_double(dur));
	json_object_object_add(env, "timings", timings);
	if (state == TX_JOB_OK)
		json_object_object_add(env, "error", NULL);
	else if (r && r->is_error)
		json_object_object_add(env, "error",
				       error_object(job->code, NULL,
						    error_message));
	else
		json_object_object_add(env, "error",
				       error_object(job->code, job->path,
						    job->message));
	return env;
}

/* Builds result, result.json and error from the outcome.  Under lock. */
static void job_render_locked(struct tx_job *job)
{
	struct tx_result *r = job->result;
	struct json_object *env;

	job->rendered = true;
	job->result_text = result_text(r, &job->result_len);
	if (job->state == TX_JOB_OK) {
		job->error_text = strdup("");
		job->error_len = 0;
	} else if (r && r->is_error) {
		set_error_text(job, job->code, job->result_text);
	} else {
		set_error_text(job, job->code, job->message);
	}
	env = envelope_new_locked(job, false, job->result_text);
	job->envelope_text = env ? tx_json_pretty(env) : NULL;
	job->envelope_len = job->envelope_text ? strlen(job->envelope_text) : 0;
	json_object_put(env);
	/* Out of memory: serve empty texts rather than NULL. */
	if (!job->result_text)
		job->result_text = strdup("");
	if (!job->envelope_text)
		job->envelope_text = strdup("");
	if (!job->error_text)
		job->error_text = strdup("");
}

struct json_object *tx_job_envelope_object(const struct tx_job *job)
{
	struct tx_job *j = (struct tx_job *)job;
	struct json_object *env = NULL;

	pthread_mutex_lock(&j->lock);
	if (tx_job_state_final(j->state)) {
		if (!j->rendered)
			job_render_locked(j);
		env = envelope_new_locked(j, true, j->result_text);
	}
	pthread_mutex_unlock(&j->lock);
	return env;
}
