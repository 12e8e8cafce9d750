/*
 * builtin.c - tools implemented inside the engine (namespace "builtin").
 *
 * Most complete inside start(); sleep waits on a condition variable so
 * that cancel and timeout end it at once, and shutdown waits for every
 * sleeper to leave.
 */
#include "backend/builtin.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "engine/backend.h"
#include "util/buf.h"
#include "util/clock.h"
#include "engine/job.h"
#include "util/jsonu.h"
#include "util/log.h"
#include "engine/tool.h"

/* The longest sleep the schema allows, and a timeout past it: the
 * schema promises nothing the tool then refuses with a timeout. */
#define SLEEP_MAX_SECONDS 3600
#define SLEEP_TIMEOUT_MS  ((SLEEP_MAX_SECONDS + 10) * 1000u)

struct builtin_backend {
	struct tx_backend base;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* a sleeper should look again */
	size_t sleepers;     /* lock */
	bool stopping;       /* lock */
};

typedef int (*builtin_fn)(struct builtin_backend *bb, struct tx_job *job,
			  struct json_object *args, struct tx_result *r);

struct builtin_def {
	const char *name;
	const char *title;
	const char *description;
	const char *schema;
	const char *tags;
	unsigned timeout_ms;
	builtin_fn fn;
};

static struct json_object *arg(struct json_object *args, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(args, key, &v) ? v : NULL;
}

static int text_result(struct tx_result *r, const char *s, size_t n)
{
	return tx_result_add_text(r, s, n);
}

/* ------------------------------------------------------------------ */

static int do_echo(struct builtin_backend *bb, struct tx_job *job,
		   struct json_object *args, struct tx_result *r)
{
	struct json_object *copy = tx_json_copy(args);

	(void)bb;
	(void)job;
	if (!copy)
		return -ENOMEM;
	tx_result_set_structured(r, copy);
	return 0;
}

struct sleeper {
	struct builtin_backend *bb;
	struct tx_job *job;
	double seconds;
};

static void *sleep_main(void *arg_)
{
	struct sleeper *s = arg_;
	struct builtin_backend *bb = s->bb;
	uint64_t start = tx_now_ns(), total = (uint64_t)(s->seconds * 1e9);
	struct timespec until;
	struct tx_result *r;
	bool done = false;
	char msg[64];

	/* A progress line on the stream at every whole second, so the
	 * tool shows what following a long job looks like. */
	for (uint64_t sec = 1; !done; sec++) {
		uint64_t step = sec * 1000000000ull;
		bool reached = false;

		if (step > total)
			step = total;
		until = tx_mono_timespec(start + step);
		pthread_mutex_lock(&bb->lock);
		while (!bb->stopping && !tx_job_is_final(s->job) && !reached)
			reached = pthread_cond_timedwait(&bb->wake, &bb->lock,
							 &until) == ETIMEDOUT;
		pthread_mutex_unlock(&bb->lock);
		if (!reached)
			break;
		done = step == total;
		if (!done)
			tx_job_progress(s->job, (double)sec, s->seconds,
					"seconds");
	}
	if (done) {
		r = tx_result_new();
		snprintf(msg, sizeof(msg), "slept %g s", s->seconds);
		if (r)
			tx_result_add_text(r, msg, strlen(msg));
		tx_job_complete(s->job, r);
	} else {
		tx_job_fail(s->job, ECANCELED, "cancelled",
			    "sleep interrupted");
	}
	tx_job_unref(s->job);
	pthread_mutex_lock(&bb->lock);
	bb->sleepers--;
	pthread_cond_broadcast(&bb->wake);
	pthread_mutex_unlock(&bb->lock);
	free(s);
	return NULL;
}

/* Returns 1: the job completes later, on the sleeper thread. */
static int do_sleep(struct builtin_backend *bb, struct tx_job *job,
		    struct json_object *args, struct tx_result *r)
{
	struct sleeper *s;
	pthread_attr_t attr;
	pthread_t tid;
	int rc;

	(void)r;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->bb = bb;
	s->job = tx_job_ref(job);
	s->seconds = json_object_get_double(arg(args, "seconds"));
	pthread_mutex_lock(&bb->lock);
	if (bb->stopping) {
		pthread_mutex_unlock(&bb->lock);
		tx_job_unref(job);
		free(s);
		return -ESHUTDOWN;
	}
	bb->sleepers++;
	pthread_mutex_unlock(&bb->lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&tid, &attr, sleep_main, s);
	pthread_attr_destroy(&attr);
	if (rc) {
		pthread_mutex_lock(&bb->lock);
		bb->sleepers--;
		pthread_mutex_unlock(&bb->lock);
		tx_job_unref(job);
		free(s);
		return -rc;
	}
	return 1;
}

static int do_time(struct builtin_backend *bb, struct tx_job *job,
		   struct json_object *args, struct tx_result *r)
{
	struct json_object *o, *tz = arg(args, "timezone");
	char iso[64], local[64];
	struct timespec ts;
	struct tm tm;

	(void)bb;
	(void)job;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	localtime_r(&ts.tv_sec, &tm);
	strftime(local, sizeof(local), "%Y-%m-%dT%H:%M:%S%z", &tm);
	o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "utc", json_object_new_string(iso));
	json_object_object_add(o, "local", json_object_new_string(local));
	json_object_object_add(o, "unix", json_object_new_int64(ts.tv_sec));
	json_object_object_add(o, "unix_ms",
			       json_object_new_int64((int64_t)ts.tv_sec * 1000 +
						     ts.tv_nsec / 1000000));
	if (tz && !strcmp(json_object_get_string(tz), "utc"))
		text_result(r, iso, strlen(iso));
	else if (tz && !strcmp(json_object_get_string(tz), "unix")) {
		char n[32];

		snprintf(n, sizeof(n), "%lld", (long long)ts.tv_sec);
		text_result(r, n, strlen(n));
	} else {
		text_result(r, local, strlen(local));
	}
	tx_result_set_structured(r, o);
	return 0;
}

static int do_uuid(struct builtin_backend *bb, struct tx_job *job,
		   struct json_object *args, struct tx_result *r)
{
	struct json_object *cnt = arg(args, "count"), *list;
	int64_t n = cnt ? json_object_get_int64(cnt) : 1;
	struct tx_buf b;

	(void)bb;
	(void)job;
	list = json_object_new_array();
	tx_buf_init(&b, 0);
	for (int64_t i = 0; i < n; i++) {
		unsigned char u[16];
		char s[37];

		if (getrandom(u, sizeof(u), 0) != (ssize_t)sizeof(u)) {
			json_object_put(list);
			tx_buf_release(&b);
			return -EIO;
		}
		u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
		u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 4122 */
		snprintf(
			s, sizeof(s),
			"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8],
			u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
		json_object_array_add(list, json_object_new_string(s));
		tx_buf_printf(&b, "%s\n", s);
	}
	text_result(r, b.data ? b.data : "", b.len);
	tx_buf_release(&b);
	{
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "uuids", list);
		tx_result_set_structured(r, o);
	}
	return 0;
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

static int do_base64(struct builtin_backend *bb, struct tx_job *job,
		     struct json_object *args, struct tx_result *r)
{
	const char *mode = json_object_get_string(arg(args, "mode"));
	struct json_object *t = arg(args, "text");
	const unsigned char *in =
		(const unsigned char *)json_object_get_string(t);
	size_t n = (size_t)json_object_get_string_len(t);
	struct tx_buf b;

	(void)bb;
	(void)job;
	tx_buf_init(&b, 0);
	if (!mode || !strcmp(mode, "encode")) {
		for (size_t i = 0; i < n; i += 3) {
			unsigned v = (unsigned)in[i] << 16;
			char q[4];

			if (i + 1 < n)
				v |= (unsigned)in[i + 1] << 8;
			if (i + 2 < n)
				v |= in[i + 2];
			q[0] = b64[v >> 18 & 63];
			q[1] = b64[v >> 12 & 63];
			q[2] = i + 1 < n ? b64[v >> 6 & 63] : '=';
			q[3] = i + 2 < n ? b64[v & 63] : '=';
			tx_buf_add(&b, q, 4);
		}
	} else {
		unsigned v = 0;
		int bits = 0;

		for (size_t i = 0; i < n; i++) {
			int d;

			if (in[i] == '=' || in[i] == '\n' || in[i] == '\r' ||
			    in[i] == ' ')
				continue;
			d = b64_val((char)in[i]);
			if (d < 0) {
				tx_buf_release(&b);
				tx_result_set_is_error(r, true);
				return text_result(r, "not valid base64 text",
						   21);
			}
			v = (v << 6) | (unsigned)d;
			bits += 6;
			if (bits >= 8) {
				char c = (char)(v >> (bits - 8) & 0xff);

				bits -= 8;
				tx_buf_add(&b, &c, 1);
			}
		}
		if (!tx_utf8_valid(b.data ? b.data : "", b.len) ||
		    (b.len && memchr(b.data, 0, b.len))) {
			tx_buf_release(&b);
			tx_result_set_is_error(r, true);
			return text_result(
				r, "the decoded bytes are not UTF-8 text", 36);
		}
	}
	text_result(r, b.data ? b.data : "", b.len);
	tx_buf_release(&b);
	return 0;
}

static int do_json_get(struct builtin_backend *bb, struct tx_job *job,
		       struct json_object *args, struct tx_result *r)
{
	struct json_object *doc = arg(args, "json"), *found = NULL;
	const char *ptr = json_object_get_string(arg(args, "pointer"));
	char msg[512];

	(void)bb;
	(void)job;
	if (json_pointer_get(doc, ptr, &found)) {
		tx_result_set_is_error(r, true);
		snprintf(msg, sizeof(msg), "nothing at %s", ptr);
		return text_result(r, msg, strlen(msg));
	}
	if (json_object_is_type(found, json_type_string)) {
		text_result(r, json_object_get_string(found),
			    (size_t)json_object_get_string_len(found));
		return 0;
	}
	{
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "value", tx_json_copy(found));
		tx_result_set_structured(r, o);
	}
	return 0;
}

/* ------------------------------------------------------------------ */

static const struct builtin_def builtins[] = {
	{ "echo", "Echo the arguments back",
	  "Returns its arguments unchanged as structured content. Useful to "
	  "test calling, chains and latency.",
	  "{\"type\":\"object\",\"additionalProperties\":true}", "test debug",
	  10000, do_echo },
	{ "sleep", "Wait for some seconds",
	  "Waits for the given number of seconds (at most an hour), then "
	  "answers; its stream shows a progress line each second; cancel ends "
	  "it at once. Use it to try jobs, streams, progress and cancel.",
	  "{\"type\":\"object\",\"required\":[\"seconds\"],\"additionalProperties\":false,"
	  "\"properties\":{\"seconds\":{\"type\":\"number\",\"minimum\":0,"
	  "\"maximum\":3600,\"description\":\"How long to wait, in seconds (fractions allowed).\"}}}",
	  "test time", SLEEP_TIMEOUT_MS, do_sleep },
	{ "time", "Current date and time",
	  "Tells the current date and time: local time with offset, UTC in "
	  "ISO 8601, and Unix seconds and milliseconds.",
	  "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
	  "\"timezone\":{\"type\":\"string\",\"enum\":[\"local\",\"utc\",\"unix\"],"
	  "\"default\":\"local\",\"description\":\"Which form the text result shows: "
	  "local time, UTC, or Unix seconds.\"}}}",
	  "time date clock", 5000, do_time },
	{ "uuid", "Random UUIDs",
	  "Generates random (version 4) UUIDs, one per line.",
	  "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
	  "\"count\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000,"
	  "\"default\":1,\"description\":\"How many identifiers to generate.\"}}}",
	  "random identifier", 5000, do_uuid },
	{ "base64", "Base64 encode or decode text",
	  "Encodes UTF-8 text as Base64, or decodes Base64 back to text.",
	  "{\"type\":\"object\",\"required\":[\"text\"],\"additionalProperties\":false,"
	  "\"properties\":{\"text\":{\"type\":\"string\",\"description\":\"The text "
	  "to encode, or the Base64 to decode.\"},\"mode\":{\"type\":\"string\","
	  "\"enum\":[\"encode\",\"decode\"],\"default\":\"encode\","
	  "\"description\":\"encode or decode.\"}}}",
	  "encoding text", 5000, do_base64 },
	{ "json_get", "Pick a value out of JSON",
	  "Returns the value at a JSON Pointer (RFC 6901) inside a JSON "
	  "document: strings as text, anything else as structured content "
	  "under \"value\". Handy in chains with use_previous.",
	  "{\"type\":\"object\",\"required\":[\"json\",\"pointer\"],"
	  "\"additionalProperties\":false,\"properties\":{\"json\":{"
	  "\"description\":\"The document to look into.\"},\"pointer\":{"
	  "\"type\":\"string\",\"description\":\"JSON Pointer such as /items/0/name; "
	  "empty for the whole document.\"}}}",
	  "json data transform", 5000, do_json_get },
};

static int builtin_start(struct tx_backend *be, struct tx_job *job)
{
	struct builtin_backend *bb = (struct builtin_backend *)be;
	const struct builtin_def *def = tx_job_tool(job)->backend_data;
	struct tx_result *r = tx_result_new();
	int rc;

	if (!r)
		return -ENOMEM;
	rc = def->fn(bb, job, tx_job_args(job), r);
	if (rc < 0) {
		tx_result_free(r);
		return rc;
	}
	if (rc > 0) { /* completes later */
		tx_result_free(r);
		return 0;
	}
	tx_job_complete(job, r);
	return 0;
}

static void builtin_cancel(struct tx_backend *be, struct tx_job *job)
{
	struct builtin_backend *bb = (struct builtin_backend *)be;

	(void)job;
	pthread_mutex_lock(&bb->lock);
	pthread_cond_broadcast(&bb->wake);
	pthread_mutex_unlock(&bb->lock);
}

static void builtin_shutdown(struct tx_backend *be)
{
	struct builtin_backend *bb = (struct builtin_backend *)be;

	pthread_mutex_lock(&bb->lock);
	bb->stopping = true;
	pthread_cond_broadcast(&bb->wake);
	while (bb->sleepers)
		pthread_cond_wait(&bb->wake, &bb->lock);
	pthread_mutex_unlock(&bb->lock);
}

static void builtin_destroy(struct tx_backend *be)
{
	struct builtin_backend *bb = (struct builtin_backend *)be;

	pthread_mutex_destroy(&bb->lock);
	pthread_cond_destroy(&bb->wake);
	free(bb);
}

static const struct tx_backend_ops builtin_ops = {
	.kind = "builtin",
	.start = builtin_start,
	.cancel = builtin_cancel,
	.shutdown = builtin_shutdown,
	.destroy = builtin_destroy,
};

struct tx_backend *tx_builtin_backend_new(void)
{
	struct builtin_backend *bb = calloc(1, sizeof(*bb));

	if (!bb)
		return NULL;
	tx_backend_init(&bb->base, &builtin_ops);
	pthread_mutex_init(&bb->lock, NULL);
	tx_cond_init_monotonic(&bb->wake);
	return &bb->base;
}

int tx_builtin_tools(struct tx_backend *be, struct tx_tool ***tools, size_t *n)
{
	size_t count = sizeof(builtins) / sizeof(builtins[0]);
	struct tx_tool **out = calloc(count, sizeof(*out));
	char err[512];

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		const struct builtin_def *d = &builtins[i];
		char tagbuf[128], *save = NULL, *tags[8];
		size_t ntags = 0;
		struct json_object *schema;
		struct tx_tool_def def = { 0 };

		snprintf(tagbuf, sizeof(tagbuf), "%s", d->tags);
		for (char *t = strtok_r(tagbuf, " ", &save); t && ntags < 8;
		     t = strtok_r(NULL, " ", &save))
			tags[ntags++] = t;
		schema = tx_json_parse(d->schema, strlen(d->schema), 32, err,
				       sizeof(err));
		def.ns = "builtin";
		def.name = d->name;
		def.title = d->title;
		def.description = d->description;
		def.tags = (const char *const *)tags;
		def.ntags = ntags;
		def.input_schema = schema;
		def.timeout_ms = d->timeout_ms;
		def.origin = "builtin";
		def.where = "inside the engine (built-in)";
		def.backend = be;
		def.backend_data = (void *)d;
		out[i] = schema ? tx_tool_new(&def, err, sizeof(err)) : NULL;
		json_object_put(schema);
		if (!out[i]) {
			tx_log(TX_LOG_ERROR, "builtin:%s: %s", d->name, err);
			for (size_t k = 0; k < i; k++)
				tx_tool_unref(out[k]);
			free(out);
			return -EINVAL;
		}
	}
	*tools = out;
	*n = count;
	return 0;
}

const struct tx_backend_kind tx_builtin_kind = {
	.kind = "builtin",
	.backend_new = tx_builtin_backend_new,
	.tools = tx_builtin_tools,
};
