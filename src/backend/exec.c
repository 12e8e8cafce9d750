/*
 * exec.c - the exec backend: local commands as tools.
 *
 * A call turns the job's arguments into an argument vector (each
 * "{NAME}" element of the configured command becomes that argument's
 * value, as one element), an environment and an input, then hands them
 * to a thread of its own (exec_run.c) that runs the process.  There is
 * never a shell in between: a value such as "$(touch x)" or "; rm -rf ~"
 * reaches the program as the literal bytes it is.
 *
 * The command is compiled when the configuration is loaded (which
 * elements are placeholders: the spec's params) and the schema's
 * defaults are rendered when the tool is built (struct exec_tool), so a
 * call only looks up its arguments.
 */
#include "backend/exec.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/exec_i.h"
#include "config/config.h"
#include "engine/job.h"
#include "engine/tool.h"
#include "util/buf.h"
#include "util/jsonu.h"
#include "util/log.h"
#include "util/spawn.h"

extern char **environ;

/* PATH when neither the configuration nor the engine's environment has
 * one: the standard system directories. */
#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"
#define WHERE_MAX    240

/* Variables a program commonly needs, kept when inherit_env is false.
 * Everything else (tokens, keys, SSH agent sockets) stays behind. */
static const char *const kept_vars[] = {
	"PATH", "HOME", "LANG",    "LC_ALL", "LC_CTYPE",
	"TZ",   "USER", "LOGNAME", "TMPDIR", NULL,
};

/* ------------------------------------------------------------------ */
/* Tools                                                                */

static void exec_tool_free(void *data)
{
	struct exec_tool *et = data;

	if (!et)
		return;
	for (size_t i = 0; et->spec && i < et->spec->argc; i++)
		free(et->defaults ? et->defaults[i].text : NULL);
	free(et->defaults);
	free(et->stdin_default.text);
	tx_exec_spec_free(et->spec);
	free(et);
}

/*
 * The text of a value as a command line or an input carries it: strings
 * as they are, everything else as compact JSON (numbers, true/false,
 * objects, arrays).  Into *out (malloc'd, NUL-terminated; the length in
 * *outlen).  0 or -ENOMEM.  v must be the caller's own (printing caches
 * text inside a json-c object).
 */
static int value_text(struct json_object *v, char **out, size_t *outlen)
{
	const char *s;
	size_t len;

	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
	} else {
		s = json_object_to_json_string_ext(
			v, JSON_C_TO_STRING_PLAIN |
				   JSON_C_TO_STRING_NOSLASHESCAPE);
		len = s ? strlen(s) : 0;
	}
	if (!s)
		return -ENOMEM;
	*out = malloc(len + 1);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, s, len);
	(*out)[len] = '\0';
	*outlen = len;
	return 0;
}

/* The default of argument `name` in the input schema, rendered once. */
static int default_text(struct json_object *props, const char *name,
			struct exec_default *d)
{
	struct json_object *prop, *v = NULL, *copy;
	int rc;

	if (!props || !json_object_object_get_ex(props, name, &prop) ||
	    !json_object_is_type(prop, json_type_object) ||
	    !json_object_object_get_ex(prop, "default", &v) || !v)
		return 0;
	/* The schema is the spec's, read by other threads' tools: printed
	 * from a copy (jsonu.h). */
	copy = tx_json_copy(v);
	if (!copy)
		return -ENOMEM;
	rc = value_text(copy, &d->text, &d->len);
	json_object_put(copy);
	return rc;
}

/* The spec and its defaults, as every call of the tool needs them. */
static struct exec_tool *exec_tool_new(const struct tx_tool_spec *spec)
{
	struct exec_tool *et = calloc(1, sizeof(*et));
	struct json_object *props = NULL;

	if (!et)
		return NULL;
	et->spec = tx_exec_spec_dup(&spec->exec);
	if (!et->spec)
		goto out_free;
	et->defaults = calloc(et->spec->argc ? et->spec->argc : 1,
			      sizeof(*et->defaults));
	if (!et->defaults)
		goto out_free;
	if (spec->input_schema)
		json_object_object_get_ex(spec->input_schema, "properties",
					  &props);
	for (size_t i = 0; i < et->spec->argc; i++)
		if (et->spec->params && et->spec->params[i] &&
		    default_text(props, et->spec->params[i], &et->defaults[i]))
			goto out_free;
	if (et->spec->stdin_mode == TX_STDIN_ARG &&
	    default_text(props, et->spec->stdin_arg, &et->stdin_default))
		goto out_free;
	return et;
out_free:
	exec_tool_free(et);
	return NULL;
}

/* Is element i of the command a placeholder (compiled at load)? */
static const char *param_of(const struct tx_exec_spec *spec, size_t i)
{
	return spec->params ? spec->params[i] : NULL;
}

/* "local command: ls -la -- {path}", shortened to one line. */
static char *describe(const struct tx_exec_spec *spec)
{
	struct tx_buf b;

	tx_buf_init(&b, WHERE_MAX + 8);
	tx_buf_adds(&b, "local command:");
	for (size_t i = 0; i < spec->argc; i++) {
		const char *a = spec->argv[i];
		bool quote = !*a ||
			     (strpbrk(a, " \t\n'\"\\$`;&|<>*?()[]{}~#") &&
			      !param_of(spec, i));

		if (b.len + strlen(a) + 3 > WHERE_MAX) {
			tx_buf_adds(&b, " ...");
			break;
		}
		tx_buf_adds(&b, quote ? " '" : " ");
		tx_buf_adds(&b, a);
		if (quote)
			tx_buf_adds(&b, "'");
	}
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] == '\n' || b.data[i] == '\r' || b.data[i] == '\t')
			b.data[i] = ' ';
	return tx_buf_detach(&b, NULL);
}

/*
 * The spec's text is built for every tool at load (50 000 at a time):
 * numbers are written by hand, not by printf, which cost more than the
 * rest of the text together.
 */
static int spec_uint(struct tx_buf *b, uint64_t v)
{
	char num[20];
	size_t n = sizeof(num);

	do {
		num[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return tx_buf_add(b, num + n, sizeof(num) - n);
}

/* key, then v: "key=v\n" */
static int spec_field(struct tx_buf *b, const char *key, uint64_t v)
{
	int rc = tx_buf_adds(b, key);

	if (!rc)
		rc = spec_uint(b, v);
	return rc ? rc : tx_buf_add(b, "\n", 1);
}

/* A string as "LEN:BYTES;", NULL as "-;": unambiguous without escaping. */
static int spec_str(struct tx_buf *b, const char *s)
{
	size_t len;
	int rc;

	if (!s)
		return tx_buf_adds(b, "-;");
	len = strlen(s);
	rc = spec_uint(b, len);
	if (!rc)
		rc = tx_buf_add(b, ":", 1);
	if (!rc)
		rc = tx_buf_add(b, s, len);
	return rc ? rc : tx_buf_add(b, ";", 1);
}

static int spec_strv(struct tx_buf *b, const char *key, char *const *v)
{
	size_t n = 0;
	int rc;

	while (v && v[n])
		n++;
	rc = tx_buf_adds(b, key);
	if (!rc)
		rc = tx_buf_adds(b, v ? "=" : "=-");
	if (!rc)
		rc = spec_uint(b, n);
	if (!rc)
		rc = tx_buf_add(b, "[", 1);
	for (size_t i = 0; !rc && i < n; i++)
		rc = spec_str(b, v[i]);
	return rc ? rc : tx_buf_adds(b, "]\n");
}

/*
 * The canonical text of a spec, the tool's backend_spec (tool.h): every
 * field of struct tx_exec_spec, in a fixed order.  A field added to the
 * struct must be added here, or a reload that edits only that field
 * would keep the old tool.  NULL when out of memory.
 */
static char *spec_text(const struct tx_exec_spec *spec)
{
	static const char hex[] = "0123456789abcdef";
	char success[64];
	struct tx_buf b;
	int rc;

	/* The exit statuses as 256 bits, highest first, in hex. */
	for (size_t i = 0; i < 64; i++)
		success[i] =
			hex[(spec->success[3 - i / 16] >> (4 * (15 - i % 16))) &
			    15];
	tx_buf_init(&b, 0);
	rc = spec_strv(&b, "argv", spec->argv);
	if (!rc)
		rc = spec_field(&b, "argc=", spec->argc);
	if (!rc)
		rc = spec_field(&b, "stdin=", (uint64_t)spec->stdin_mode);
	if (!rc)
		rc = tx_buf_adds(&b, "stdin_arg=");
	if (!rc)
		rc = spec_str(&b, spec->stdin_arg);
	if (!rc)
		rc = spec_strv(&b, "\nenv", spec->env);
	if (!rc)
		rc = tx_buf_adds(&b, spec->inherit_env ? "inherit_env=1\ncwd="
						       : "inherit_env=0\ncwd=");
	if (!rc)
		rc = spec_str(&b, spec->cwd);
	if (!rc)
		rc = spec_field(&b, "\ntimeout_ms=", spec->timeout_ms);
	if (!rc)
		rc = spec_field(&b, "max_output=", spec->max_output);
	if (!rc)
		rc = spec_field(&b, "max_stderr=", spec->max_stderr);
	if (!rc)
		rc = spec_field(&b, "kill_grace_ms=", spec->kill_grace_ms);
	if (!rc)
		rc = tx_buf_adds(&b, "success=");
	if (!rc)
		rc = tx_buf_add(&b, success, sizeof(success));
	if (!rc)
		rc = tx_buf_add(&b, "\n", 1);
	if (rc) {
		tx_buf_release(&b);
		return NULL;
	}
	return tx_buf_detach(&b, NULL);
}

struct tx_tool *tx_exec_tool_new(struct tx_backend *be,
				 const struct tx_tool_spec *spec,
				 const char *origin, char *err, size_t errlen)
{
	struct tx_tool_def def = { 0 };
	struct tx_tool *tool;
	char *where, *canon;

	def.backend_data = exec_tool_new(spec);
	where = describe(&spec->exec);
	canon = spec_text(&spec->exec);
	if (!def.backend_data || !where || !canon) {
		exec_tool_free(def.backend_data);
		free(where);
		free(canon);
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	def.ns = spec->ns;
	def.name = spec->name;
	def.title = spec->title;
	def.description = spec->description;
	def.tags = (const char *const *)spec->tags;
	def.ntags = spec->ntags;
	def.input_schema = spec->input_schema;
	def.output_schema = spec->output_schema;
	def.timeout_ms = spec->exec.timeout_ms;
	def.hint = spec->hint;
	def.origin = origin;
	def.where = where;
	def.backend = be;
	def.backend_data_free = exec_tool_free;
	def.backend_spec = canon;
	tool = tx_tool_new(&def, err, errlen);
	free(where);
	free(canon);
	return tool;
}

/* ------------------------------------------------------------------ */
/* Arguments to text                                                    */

/*
 * The text of one argument (value_text), or its default's when absent
 * (or null).  *out NULL when there is neither.  Returns 0, -EINVAL (a
 * NUL byte: it would cut the C string), -ENOMEM.
 */
static int arg_text(struct json_object *args, const char *name,
		    const struct exec_default *def, bool allow_nul, char **out,
		    size_t *outlen)
{
	struct json_object *v = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	json_object_object_get_ex(args, name, &v);
	if (v) {
		rc = value_text(v, out, &len);
		if (rc)
			return rc;
	} else if (def->text) {
		*out = malloc(def->len + 1);
		if (!*out)
			return -ENOMEM;
		memcpy(*out, def->text, def->len + 1);
		len = def->len;
	} else {
		return 0;
	}
	if (!allow_nul && memchr(*out, '\0', len)) {
		free(*out);
		*out = NULL;
		return -EINVAL;
	}
	if (outlen)
		*outlen = len;
	return 0;
}

/* argv with placeholders replaced; an absent optional argument drops
 * its element. */
static int build_argv(struct exec_call *call, const struct exec_tool *et,
		      struct json_object *args, char *why, size_t whylen)
{
	const struct tx_exec_spec *spec = et->spec;
	size_t n = 0;

	call->argv = calloc(spec->argc + 1, sizeof(*call->argv));
	if (!call->argv)
		return -ENOMEM;
	for (size_t i = 0; i < spec->argc; i++) {
		const char *name = param_of(spec, i);
		int rc;

		if (!name) {
			call->argv[n] = strdup(spec->argv[i]);
			if (!call->argv[n++])
				return -ENOMEM;
			continue;
		}
		rc = arg_text(args, name, &et->defaults[i], false,
			      &call->argv[n], NULL);
		if (rc == -EINVAL)
			snprintf(why, whylen,
				 "argument \"%s\" contains a NUL "
				 "byte, which no command line can "
				 "carry",
				 name);
		if (rc)
			return rc;
		if (call->argv[n])
			n++;
	}
	return 0;
}

/*
 * The environment: the engine's whole environment when inherit_env,
 * else only kept_vars (PATH defaulting to DEFAULT_PATH, LANG to
 * C.UTF-8); then the configured variables on top.
 */
static int build_env(struct exec_call *call, const struct tx_exec_spec *spec)
{
	size_t cap = 16, n = 0;

	for (size_t i = 0; spec->inherit_env && environ && environ[i]; i++)
		cap++;
	for (size_t i = 0; spec->env && spec->env[i]; i++)
		cap++;
	call->envp = calloc(cap + 1, sizeof(char *));
	if (!call->envp)
		return -ENOMEM;
	if (spec->inherit_env) {
		for (size_t i = 0; environ && environ[i]; i++)
			if (tx_spawn_env_put(call->envp, &n, cap, environ[i]))
				return -ENOMEM;
	} else {
		for (size_t i = 0; kept_vars[i]; i++) {
			const char *v = getenv(kept_vars[i]);
			char *kv;
			int rc;

			if (!v)
				continue;
			if (asprintf(&kv, "%s=%s", kept_vars[i], v) < 0)
				return -ENOMEM;
			rc = tx_spawn_env_put(call->envp, &n, cap, kv);
			free(kv);
			if (rc)
				return rc;
		}
	}
	if (!tx_spawn_env_get(call->envp, "PATH") &&
	    tx_spawn_env_put(call->envp, &n, cap, "PATH=" DEFAULT_PATH))
		return -ENOMEM;
	if (!tx_spawn_env_get(call->envp, "LANG") &&
	    tx_spawn_env_put(call->envp, &n, cap, "LANG=C.UTF-8"))
		return -ENOMEM;
	for (size_t i = 0; spec->env && spec->env[i]; i++)
		if (tx_spawn_env_put(call->envp, &n, cap, spec->env[i]))
			return -ENOMEM;
	return 0;
}

/*
 * Finds the program in the PATH the *child* gets (execvpe would search
 * the engine's own PATH), so "not found" is reported before any fork.
 */
static int resolve_program(struct exec_call *call, char *why, size_t whylen)
{
	const char *prog = call->argv[0];
	const char *path = tx_spawn_env_get(call->envp, "PATH");
	char buf[PATH_MAX];

	if (strchr(prog, '/')) {
		call->path = strdup(prog);
		return call->path ? 0 : -ENOMEM;
	}
	while (path && *path) {
		size_t dl = strcspn(path, ":");
		struct stat st;

		/* An empty PATH entry means the current directory. */
		if (snprintf(buf, sizeof(buf), "%.*s/%s", dl ? (int)dl : 1,
			     dl ? path : ".", prog) < (int)sizeof(buf) &&
		    stat(buf, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(buf, X_OK) == 0) {
			call->path = strdup(buf);
			return call->path ? 0 : -ENOMEM;
		}
		path += dl;
		if (*path == ':')
			path++;
	}
	snprintf(why, whylen,
		 "cannot run \"%s\": command not found in "
		 "PATH=%s",
		 prog, tx_spawn_env_get(call->envp, "PATH"));
	return -ENOENT;
}

static int build_input(struct exec_call *call, const struct exec_tool *et,
		       struct tx_job *job, struct json_object *args)
{
	const struct tx_exec_spec *spec = et->spec;
	const char *text;

	switch (spec->stdin_mode) {
	case TX_STDIN_JSON:
		text = tx_job_args_text(job);
		if (!text)
			text = "{}";
		call->input_len = strlen(text);
		call->input = strdup(text);
		return call->input ? 0 : -ENOMEM;
	case TX_STDIN_ARG:
		/* Input is bytes: a NUL byte is fine there. */
		return arg_text(args, spec->stdin_arg, &et->stdin_default, true,
				&call->input, &call->input_len);
	case TX_STDIN_NONE:
		break;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Backend                                                              */

/* Joins calls whose thread ended.  Called without be->lock. */
static void reap_finished(struct exec_backend *be)
{
	struct exec_call *done = NULL, **pp;

	pthread_mutex_lock(&be->lock);
	for (pp = &be->calls; *pp;) {
		struct exec_call *c = *pp;

		if (c->finished) {
			*pp = c->next;
			c->next = done;
			done = c;
		} else {
			pp = &c->next;
		}
	}
	pthread_mutex_unlock(&be->lock);
	while (done) {
		struct exec_call *next = done->next;

		pthread_join(done->thread, NULL);
		tx_exec_call_free(done);
		done = next;
	}
}

static int exec_start(struct tx_backend *base, struct tx_job *job)
{
	struct exec_backend *be = (struct exec_backend *)base;
	const struct tx_tool *tool = tx_job_tool(job);
	const struct exec_tool *et = tool ? tool->backend_data : NULL;
	const struct tx_exec_spec *spec = et ? et->spec : NULL;
	struct json_object *args = tx_job_args(job);
	struct exec_call *call;
	char why[512] = "";
	sigset_t all, old;
	int rc;

	if (!spec)
		return -EINVAL;
	reap_finished(be);
	call = calloc(1, sizeof(*call));
	if (!call)
		return -ENOMEM;
	call->be = be;
	call->wake_fd = -1;
	call->max_output = spec->max_output;
	call->max_stderr = spec->max_stderr;
	call->timeout_ms = spec->timeout_ms;
	call->kill_grace_ms = spec->kill_grace_ms;
	memcpy(call->success, spec->success, sizeof(call->success));
	if ((rc = build_argv(call, et, args, why, sizeof(why))) ||
	    (rc = build_env(call, spec)) ||
	    (rc = build_input(call, et, job, args)) ||
	    (rc = resolve_program(call, why, sizeof(why))))
		goto out_refuse;
	if (spec->cwd && !(call->cwd = strdup(spec->cwd))) {
		rc = -ENOMEM;
		goto out_refuse;
	}
	call->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (call->wake_fd < 0) {
		rc = -errno;
		goto out_free;
	}
	call->job = tx_job_ref(job);
	tx_job_set_backend_data(job, call);

	pthread_mutex_lock(&be->lock);
	if (be->shutting_down) {
		pthread_mutex_unlock(&be->lock);
		rc = -ESHUTDOWN;
		goto out_free;
	}
	/* The thread takes no signals meant for the engine's main thread
	 * (SIGINT, SIGTERM, SIGPIPE from a child that closed its stdin). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&call->thread, NULL, tx_exec_run, call);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		pthread_mutex_unlock(&be->lock);
		goto out_free;
	}
	call->next = be->calls;
	be->calls = call;
	be->running++;
	pthread_mutex_unlock(&be->lock);
	return 0;

out_refuse:
	if (rc == -ENOENT) {
		tx_job_fail(job, EIO, "exec_failed", "%s", why);
		rc = 0;
	} else if (rc == -EINVAL) {
		tx_job_fail(job, EINVAL, "invalid_argument", "%s", why);
		rc = 0;
	}
out_free:
	if (call->job) {
		tx_job_set_backend_data(job, NULL);
		tx_job_unref(call->job);
		call->job = NULL;
	}
	tx_exec_call_free(call);
	return rc;
}

static void exec_cancel(struct tx_backend *base, struct tx_job *job)
{
	struct exec_backend *be = (struct exec_backend *)base;

	/* The list, not the job's pointer: the call may be being freed. */
	pthread_mutex_lock(&be->lock);
	for (struct exec_call *c = be->calls; c; c = c->next)
		if (c->job == job && !c->finished)
			tx_exec_call_stop(c);
	pthread_mutex_unlock(&be->lock);
}

static void exec_shutdown(struct tx_backend *base)
{
	struct exec_backend *be = (struct exec_backend *)base;

	pthread_mutex_lock(&be->lock);
	be->shutting_down = true;
	for (struct exec_call *c = be->calls; c; c = c->next)
		tx_exec_call_stop(c);
	pthread_mutex_unlock(&be->lock);
	/* Every thread reaps its process group before it ends. */
	for (;;) {
		struct exec_call *c;

		pthread_mutex_lock(&be->lock);
		c = be->calls;
		if (c)
			be->calls = c->next;
		pthread_mutex_unlock(&be->lock);
		if (!c)
			break;
		pthread_join(c->thread, NULL);
		tx_exec_call_free(c);
	}
}

static void exec_destroy(struct tx_backend *base)
{
	struct exec_backend *be = (struct exec_backend *)base;

	exec_shutdown(base);
	pthread_mutex_destroy(&be->lock);
	free(be);
}

static const struct tx_backend_ops exec_ops = {
	.kind = "exec",
	.start = exec_start,
	.cancel = exec_cancel,
	.shutdown = exec_shutdown,
	.destroy = exec_destroy,
};

struct tx_backend *tx_exec_backend_new(void)
{
	struct exec_backend *be = calloc(1, sizeof(*be));

	if (!be)
		return NULL;
	tx_backend_init(&be->base, &exec_ops);
	pthread_mutex_init(&be->lock, NULL);
	return &be->base;
}

const struct tx_backend_kind tx_exec_kind = {
	.kind = "exec",
	.backend_new = tx_exec_backend_new,
	.tool_new = tx_exec_tool_new,
};
