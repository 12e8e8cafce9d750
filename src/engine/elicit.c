/*
 * elicit.c - questions a backend asks on a job's behalf (MCP
 * elicitation): the job owns them, a face answers them.
 *
 * A server that needs an answer from a person sends elicitation/create
 * in the middle of a call.  The backend hands it here (tx_job_ask) and
 * returns to its I/O thread: nothing waits for the person.  The question
 * lives in its job (numbered from 1, kept after it is answered) and, while
 * open, on the engine's list of open questions (`asked`), which
 * .ctl/pending shows and the timer thread looks at once a second.
 *
 * A question is resolved exactly once, whichever comes first: an answer
 * (tx_job_question_answer, a FUSE thread), its timeout (a decline), or
 * the end of its job (a cancel: the server stops waiting too).  The
 * state changes under the job's lock, so a second resolution finds it
 * answered and changes nothing; the backend's callback runs after,
 * outside every lock, since it sends the reply to the server.
 *
 * Locks: a question's fields are under its job's lock; the `asked`
 * list under asked_lock.  Neither is held while taking the other.
 */
#include "engine/engine_i.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/job_i.h"
#include "schema/schema.h"
#include "util/clock.h"
#include "util/jsonu.h"
#include "util/log.h"

#define QUESTION_TEXT_MAX (64u * 1024) /* message or URL we keep */
#define ANSWER_MAX        (1u << 20)   /* an answer's JSON */
#define ANSWER_DEPTH      64

enum question_state {
	Q_OPEN,
	Q_ACCEPTED,
	Q_DECLINED,
	Q_CANCELLED,
};

struct tx_question {
	struct tx_question *next; /* the job's list, oldest first */
	unsigned n;
	bool url_mode;
	char *message;     /* with a newline */
	char *schema_text; /* pretty JSON; NULL in URL mode */
	char *url;         /* with a newline; NULL in form mode */
	struct tx_schema *schema;
	uint64_t deadline_ns;
	unsigned timeout_ms;
	/* job->lock: */
	enum question_state state;
	char *answer; /* what resolved it, with a newline */
	char *error;  /* why the last answer was refused */
	tx_question_fn fn;
	void *ctx;
};

/* An open question on the engine's list; holds a job reference. */
struct tx_asked {
	struct tx_asked *next;
	struct tx_job *job;
	struct tx_question *q;
	uint64_t deadline_ns;
};

static void question_free(struct tx_question *q)
{
	free(q->message);
	free(q->schema_text);
	free(q->url);
	tx_schema_free(q->schema);
	free(q->answer);
	free(q->error);
	free(q);
}

void tx_job_questions_free(struct tx_job *job)
{
	while (job->questions) {
		struct tx_question *q = job->questions;

		job->questions = q->next;
		question_free(q);
	}
}

/* A copy of s with control characters as spaces (one line), capped. */
static char *one_line(const char *s)
{
	size_t n = strnlen(s, QUESTION_TEXT_MAX);
	char *t = malloc(n + 1);

	if (!t)
		return NULL;
	for (size_t i = 0; i < n; i++)
		t[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
	t[n] = '\0';
	return t;
}

static char *with_newline(const char *s)
{
	size_t n = strnlen(s, QUESTION_TEXT_MAX);
	char *t = malloc(n + 2);

	if (!t)
		return NULL;
	memcpy(t, s, n);
	t[n] = '\n';
	t[n + 1] = '\0';
	return t;
}

static const char *str_field(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Builds the question from an elicitation/create's params. */
static struct tx_question *question_new(struct json_object *params,
					unsigned timeout_ms, char *err,
					size_t errlen)
{
	struct tx_question *q = calloc(1, sizeof(*q));
	const char *message = str_field(params, "message");
	const char *mode = str_field(params, "mode");
	struct json_object *schema = NULL;

	if (!q)
		goto out_nomem;
	if (!message) {
		snprintf(err, errlen, "no \"message\"");
		goto out_invalid;
	}
	q->url_mode = mode && !strcmp(mode, "url");
	if (mode && !q->url_mode && strcmp(mode, "form")) {
		snprintf(err, errlen, "unknown mode \"%.100s\"", mode);
		goto out_invalid;
	}
	if (q->url_mode) {
		const char *url = str_field(params, "url");

		if (!url) {
			snprintf(err, errlen, "URL mode without a \"url\"");
			goto out_invalid;
		}
		if (!(q->url = with_newline(url)))
			goto out_nomem;
	} else {
		char why[400];

		if (!params ||
		    !json_object_object_get_ex(params, "requestedSchema",
					       &schema) ||
		    !json_object_is_type(schema, json_type_object)) {
			snprintf(err, errlen, "no \"requestedSchema\" object");
			goto out_invalid;
		}
		q->schema = tx_schema_compile(schema, NULL, why, sizeof(why));
		if (!q->schema) {
			snprintf(err, errlen, "requestedSchema: %s", why);
			goto out_invalid;
		}
		if (!(q->schema_text = tx_json_pretty(schema)))
			goto out_nomem;
	}
	if (!(q->message = with_newline(message)))
		goto out_nomem;
	q->timeout_ms = timeout_ms;
	q->deadline_ns = tx_now_ns() + (uint64_t)timeout_ms * 1000000u;
	return q;

out_nomem:
	snprintf(err, errlen, "out of memory");
	if (q)
		question_free(q);
	errno = ENOMEM;
	return NULL;
out_invalid:
	question_free(q);
	errno = EINVAL;
	return NULL;
}

static struct json_object *action_object(const char *action,
					 struct json_object *content)
{
	struct json_object *o = json_object_new_object();

	if (!o || json_object_object_add(o, "action",
					 json_object_new_string(action))) {
		json_object_put(o);
		json_object_put(content);
		return NULL;
	}
	if (content && json_object_object_add(o, "content", content)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static void asked_remove(struct tx_engine *e, struct tx_question *q)
{
	struct tx_asked *gone = NULL;

	pthread_mutex_lock(&e->asked_lock);
	for (struct tx_asked **pp = &e->asked; *pp; pp = &(*pp)->next) {
		if ((*pp)->q == q) {
			gone = *pp;
			*pp = gone->next;
			break;
		}
	}
	pthread_mutex_unlock(&e->asked_lock);
	if (gone) {
		tx_job_unref(gone->job);
		free(gone);
	}
}

/*
 * Resolves q (of job) to state with answer (owned; NULL: out of memory,
 * then the backend is told "cancel" in its own words).  answer_text is
 * what `answer` shows, note what the stream says.  -EALREADY when q was
 * resolved before.
 */
static int resolve(struct tx_job *job, struct tx_question *q,
		   enum question_state state, struct json_object *answer,
		   const char *answer_text, const char *note)
{
	tx_question_fn fn;
	void *ctx;
	char line[256];
	int n;

	pthread_mutex_lock(&job->lock);
	if (q->state != Q_OPEN) {
		pthread_mutex_unlock(&job->lock);
		json_object_put(answer);
		return -EALREADY;
	}
	q->state = state;
	q->answer = strdup(answer_text);
	fn = q->fn;
	ctx = q->ctx;
	q->fn = NULL;
	atomic_fetch_sub(&job->open_questions, 1);
	pthread_mutex_unlock(&job->lock);

	n = snprintf(line, sizeof(line), "answered %u: %s\n", q->n, note);
	if (n > 0)
		tx_job_output(job, line,
			      (size_t)n < sizeof(line) ? (size_t)n
						       : sizeof(line) - 1);
	asked_remove(job->engine, q);
	if (!answer)
		answer = action_object("cancel", NULL);
	fn(ctx, answer);
	return 0;
}

int tx_job_ask(struct tx_job *job, struct json_object *params,
	       unsigned timeout_ms, tx_question_fn fn, void *ctx, char *err,
	       size_t errlen)
{
	struct tx_engine *e = job->engine;
	struct tx_question *q, **tail;
	struct tx_asked *a;
	char *line = NULL, *msg;
	int n;

	q = question_new(params, timeout_ms, err, errlen);
	if (!q)
		return -errno;
	a = calloc(1, sizeof(*a));
	if (!a) {
		question_free(q);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	q->fn = fn;
	q->ctx = ctx;
	pthread_mutex_lock(&job->lock);
	if (tx_job_state_final(job->state)) {
		pthread_mutex_unlock(&job->lock);
		question_free(q);
		free(a);
		snprintf(err, errlen, "the call has ended");
		return -EALREADY;
	}
	for (tail = &job->questions; *tail; tail = &(*tail)->next)
		;
	*tail = q;
	q->n = ++job->nquestions;
	atomic_fetch_add(&job->open_questions, 1);
	pthread_mutex_unlock(&job->lock);

	a->job = tx_job_ref(job);
	a->q = q;
	a->deadline_ns = q->deadline_ns;
	pthread_mutex_lock(&e->asked_lock);
	{
		struct tx_asked **pp = &e->asked;

		while (*pp)
			pp = &(*pp)->next;
		*pp = a;
	}
	pthread_mutex_unlock(&e->asked_lock);

	msg = one_line(q->message);
	if (msg && msg[0] && msg[strlen(msg) - 1] == ' ')
		msg[strlen(msg) - 1] = '\0';
	n = q->url_mode
		    ? asprintf(&line,
			       "input_required %u: %s (URL: %.*s) answer in "
			       "elicit/%u/answer\n",
			       q->n, msg ? msg : "", (int)strlen(q->url) - 1,
			       q->url, q->n)
		    : asprintf(&line,
			       "input_required %u: %s answer in "
			       "elicit/%u/answer\n",
			       q->n, msg ? msg : "", q->n);
	if (n > 0)
		tx_job_output(job, line, (size_t)n);
	free(line);
	tx_log(TX_LOG_INFO, "job %s %s asks question %u: %.200s", job->id,
	       job->tool_id, q->n, msg ? msg : "");
	if (e->opts.nobody_to_ask) {
		tx_log(TX_LOG_WARN,
		       "job %s %s asks \"%.200s\": declined, nobody can "
		       "answer here (a mount shows it in jobs/%s/elicit/%u/)",
		       job->id, job->tool_id, msg ? msg : "", job->id, q->n);
		free(msg);
		resolve(job, q, Q_DECLINED, action_object("decline", NULL),
			"decline\n", "decline (nobody to ask)");
		return 0;
	}
	free(msg);
	/* The job may have ended between the check above and the list:
	 * its end found the question and cancels it, or ends it now. */
	if (tx_job_is_final(job))
		resolve(job, q, Q_CANCELLED, action_object("cancel", NULL),
			"cancel\n", "cancel (the call ended)");
	return 0;
}

void tx_elicit_release(struct tx_engine *e)
{
	/* Every job was cancelled before (tx_runner_stop), which resolved
	 * its questions; whatever is left is only memory. */
	while (e->asked) {
		struct tx_asked *a = e->asked;

		e->asked = a->next;
		tx_job_unref(a->job);
		free(a);
	}
}

void tx_job_questions_end(struct tx_job *job)
{
	for (;;) {
		struct tx_question *q;

		pthread_mutex_lock(&job->lock);
		for (q = job->questions; q && q->state != Q_OPEN; q = q->next)
			;
		pthread_mutex_unlock(&job->lock);
		if (!q)
			return;
		resolve(job, q, Q_CANCELLED, action_object("cancel", NULL),
			"cancel\n", "cancel (the call ended)");
	}
}

void tx_elicit_tick(struct tx_engine *e)
{
	uint64_t now = tx_now_ns();

	for (;;) {
		struct tx_job *job = NULL;
		struct tx_question *q = NULL;
		unsigned ms = 0;
		char note[128];

		pthread_mutex_lock(&e->asked_lock);
		for (struct tx_asked *a = e->asked; a; a = a->next) {
			if (a->deadline_ns <= now) {
				job = tx_job_ref(a->job);
				q = a->q;
				break;
			}
		}
		pthread_mutex_unlock(&e->asked_lock);
		if (!job)
			return;
		ms = q->timeout_ms;
		snprintf(note, sizeof(note), "decline (no answer within %u ms)",
			 ms);
		if (resolve(job, q, Q_DECLINED, action_object("decline", NULL),
			    "decline\n", note) == -EALREADY)
			asked_remove(e, q); /* answered meanwhile */
		tx_job_unref(job);
	}
}

/* The question numbered n; job->lock held. */
static struct tx_question *find_locked(const struct tx_job *job, unsigned n)
{
	struct tx_question *q = job->questions;

	while (q && q->n != n)
		q = q->next;
	return q;
}

unsigned tx_job_questions(const struct tx_job *job)
{
	struct tx_job *j = (struct tx_job *)job;
	unsigned n;

	pthread_mutex_lock(&j->lock);
	n = j->nquestions;
	pthread_mutex_unlock(&j->lock);
	return n;
}

bool tx_job_question_open(const struct tx_job *job, unsigned n)
{
	struct tx_job *j = (struct tx_job *)job;
	struct tx_question *q;
	bool open;

	pthread_mutex_lock(&j->lock);
	q = find_locked(j, n);
	open = q && q->state == Q_OPEN;
	pthread_mutex_unlock(&j->lock);
	return open;
}

int tx_job_question_text(const struct tx_job *job, unsigned n,
			 enum tx_question_part part, char **out)
{
	struct tx_job *j = (struct tx_job *)job;
	struct tx_question *q;
	const char *t = NULL;
	int rc = 0;

	*out = NULL;
	pthread_mutex_lock(&j->lock);
	q = find_locked(j, n);
	if (!q) {
		rc = -ENOENT;
		goto out_unlock;
	}
	switch (part) {
	case TX_QUESTION_MESSAGE:
		t = q->message;
		break;
	case TX_QUESTION_SCHEMA:
		t = q->schema_text;
		break;
	case TX_QUESTION_URL:
		t = q->url;
		break;
	case TX_QUESTION_ANSWER:
		t = q->answer ? q->answer : "";
		break;
	case TX_QUESTION_ERROR:
		t = q->error ? q->error : "";
		break;
	}
	if (!t)
		rc = -ENOENT;
	else if (!(*out = strdup(t)))
		rc = -ENOMEM;
out_unlock:
	pthread_mutex_unlock(&j->lock);
	return rc;
}

/* The text between white space, as a bounded view. */
static void trim(const char **text, size_t *len)
{
	const char *s = *text;
	size_t n = *len;

	while (n && strchr(" \t\r\n", s[0]))
		s++, n--;
	while (n && strchr(" \t\r\n", s[n - 1]))
		n--;
	*text = s;
	*len = n;
}

static bool word_is(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && !memcmp(s, word, n);
}

/* Keeps why the answer was refused for the question's `error`. */
static int refuse(struct tx_job *job, struct tx_question *q, const char *why,
		  char *err, size_t errlen)
{
	char *copy = with_newline(why);

	snprintf(err, errlen, "%s", why);
	pthread_mutex_lock(&job->lock);
	free(q->error);
	q->error = copy;
	pthread_mutex_unlock(&job->lock);
	return -EINVAL;
}

int tx_job_question_answer(struct tx_job *job, unsigned n, const char *text,
			   size_t len, char *err, size_t errlen)
{
	struct tx_question *q;
	struct json_object *content = NULL, *answer;
	char why[600];
	char *shown;
	bool open;
	int rc;

	pthread_mutex_lock(&job->lock);
	q = find_locked(job, n);
	open = q && q->state == Q_OPEN;
	pthread_mutex_unlock(&job->lock);
	if (!q) {
		snprintf(err, errlen, "no question %u", n);
		return -ENOENT;
	}
	if (!open) {
		snprintf(err, errlen, "question %u was answered already", n);
		return -EALREADY;
	}
	trim(&text, &len);
	if (word_is(text, len, "decline"))
		return resolve(job, q, Q_DECLINED,
			       action_object("decline", NULL), "decline\n",
			       "decline");
	if (word_is(text, len, "cancel"))
		return resolve(job, q, Q_CANCELLED,
			       action_object("cancel", NULL), "cancel\n",
			       "cancel");
	if (q->url_mode && word_is(text, len, "accept"))
		return resolve(job, q, Q_ACCEPTED,
			       action_object("accept", NULL), "accept\n",
			       "accept");
	if (len > ANSWER_MAX)
		return refuse(job, q, "the answer is over 1 MiB", err, errlen);
	content = tx_json_parse(text, len, ANSWER_DEPTH, why, sizeof(why));
	if (!content) {
		char msg[700];

		snprintf(msg, sizeof(msg),
			 "not JSON (%s); write a JSON object to accept, or "
			 "\"decline\" or \"cancel\"",
			 why);
		return refuse(job, q, msg, err, errlen);
	}
	if (!json_object_is_type(content, json_type_object)) {
		json_object_put(content);
		return refuse(job, q,
			      "not a JSON object; write a JSON object to "
			      "accept, or \"decline\" or \"cancel\"",
			      err, errlen);
	}
	if (q->url_mode) {
		/* A URL question accepts with no content. */
		if (json_object_object_length(content)) {
			json_object_put(content);
			return refuse(job, q,
				      "a URL question takes no content: "
				      "write \"accept\" or {}",
				      err, errlen);
		}
		json_object_put(content);
		return resolve(job, q, Q_ACCEPTED,
			       action_object("accept", NULL), "accept\n",
			       "accept");
	}
	if (tx_schema_validate(q->schema, content, why, sizeof(why))) {
		json_object_put(content);
		return refuse(job, q, why, err, errlen);
	}
	shown = tx_json_compact(content);
	answer = action_object("accept", content);
	if (shown) {
		char *t = NULL;

		if (asprintf(&t, "%s\n", shown) < 0)
			t = NULL;
		free(shown);
		shown = t;
	}
	rc = resolve(job, q, Q_ACCEPTED, answer, shown ? shown : "accept\n",
		     "accept");
	free(shown);
	if (!rc) {
		pthread_mutex_lock(&job->lock);
		free(q->error);
		q->error = NULL;
		pthread_mutex_unlock(&job->lock);
	}
	return rc;
}

char *tx_engine_pending_text(struct tx_engine *e, uid_t uid)
{
	struct tx_buf b;
	int rc = 0;

	tx_buf_init(&b, 16u << 20);
	pthread_mutex_lock(&e->asked_lock);
	for (struct tx_asked *a = e->asked; a && !rc; a = a->next) {
		struct tx_job *job = a->job;
		char *msg;

		if (uid != 0 && tx_job_caller(job)->uid != uid)
			continue;
		/* The message is immutable once asked: no job lock. */
		msg = one_line(a->q->message);
		if (msg && msg[0] && msg[strlen(msg) - 1] == ' ')
			msg[strlen(msg) - 1] = '\0';
		rc = msg ? tx_buf_printf(&b, "%s\t%u\t%s\t%s\n", job->id,
					 a->q->n, job->tool_id, msg)
			 : -ENOMEM;
		free(msg);
	}
	pthread_mutex_unlock(&e->asked_lock);
	if (rc) {
		tx_buf_release(&b);
		errno = -rc;
		return NULL;
	}
	return tx_buf_detach(&b, NULL);
}
