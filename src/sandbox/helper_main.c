/*
 * helper_main.c - `toolexec-sandbox`: reads one run description (fd 3),
 * runs the script as it says (helper_run.c), writes one report (fd 4).
 *
 * The description comes from the daemon, but it is parsed as strictly
 * as anything from outside: strict JSON, a size cap, every key known
 * and typed, descriptors only in the range the protocol gives.  The
 * protocol is in helper_i.h.
 */
#include "sandbox/helper.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <json-c/json.h>

int herr(char *err, size_t len, int e, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	n = strlen(err);
	if (e && n + 3 < len)
		snprintf(err + n, len - n, ": %s", strerror(e));
	return e ? -e : -1;
}

static int read_all(int fd, char **out, size_t *outlen, size_t max)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap + 1);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			if (cap >= max) {
				free(buf);
				return -EFBIG;
			}
			cap = cap * 2 > max ? max : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		/* pread: the descriptor may be shared, its offset is not
		 * ours to move. */
		n = pread(fd, buf + len, cap - len, (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(buf);
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

/* ---- strict getters: each fails with a message naming the key ---- */

static int get_u64(struct json_object *o, const char *k, bool required,
		   uint64_t *out, char *err, size_t len)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v)) {
		if (!required)
			return 0;
		return herr(err, len, 0, "run description: \"%s\" missing", k);
	}
	if (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0)
		return herr(err, len, 0,
			    "run description: \"%s\" must be a non-negative "
			    "integer",
			    k);
	*out = (uint64_t)json_object_get_int64(v);
	return 0;
}

static int get_str(struct json_object *o, const char *k, bool required,
		   const char **out, char *err, size_t len)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v)) {
		if (!required)
			return 0;
		return herr(err, len, 0, "run description: \"%s\" missing", k);
	}
	if (!json_object_is_type(v, json_type_string))
		return herr(err, len, 0,
			    "run description: \"%s\" must be a string", k);
	*out = json_object_get_string(v);
	return 0;
}

static int get_bool(struct json_object *o, const char *k, bool *out, char *err,
		    size_t len)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return herr(err, len, 0,
			    "run description: \"%s\" must be true or false", k);
	*out = json_object_get_boolean(v);
	return 0;
}

static int only_keys(struct json_object *o, const char *const *keys,
		     const char *where, char *err, size_t len)
{
	json_object_object_foreach(o, k, v)
	{
		size_t i;

		(void)v;
		for (i = 0; keys[i]; i++)
			if (!strcmp(keys[i], k))
				break;
		if (!keys[i])
			return herr(err, len, 0,
				    "run description: unknown key \"%s\"%s", k,
				    where);
	}
	return 0;
}

static int get_fd(struct json_object *o, const char *k, int expect, int *out,
		  char *err, size_t len)
{
	uint64_t v = UINT64_MAX;
	int rc = get_u64(o, k, false, &v, err, len);

	if (rc < 0)
		return rc;
	if (v == UINT64_MAX)
		return 0;
	if (v != (uint64_t)expect)
		return herr(err, len, 0, "run description: \"%s\" must be %d",
			    k, expect);
	if (fcntl(expect, F_GETFD) < 0)
		return herr(err, len, errno, "run description: fd %d", expect);
	*out = expect;
	return 0;
}

static int get_strv(struct json_object *o, const char *k, size_t max,
		    char ***out, char *err, size_t len)
{
	struct json_object *v;
	size_t n;
	char **a;

	if (!json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, json_type_array))
		return herr(err, len, 0,
			    "run description: \"%s\" must be an array", k);
	n = json_object_array_length(v);
	if (n > max)
		return herr(err, len, 0,
			    "run description: \"%s\" has more than %zu items",
			    k, max);
	a = calloc(n + 1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);

		if (!json_object_is_type(e, json_type_string)) {
			free(a);
			return herr(err, len, 0,
				    "run description: \"%s\"[%zu] must be a "
				    "string",
				    k, i);
		}
		/* Borrowed from the parsed document, which lives as long
		 * as the helper. */
		a[i] = (char *)json_object_get_string(e);
	}
	*out = a;
	return 0;
}

static int parse_limits(struct json_object *l, struct hspec *s, char *err,
			size_t len)
{
	static const char *const keys[] = { "as",     "nproc",    "cpu",
					    "fsize",  "nofile",   "stdout",
					    "stderr", "tmp_size", "memory",
					    "pids",   NULL };
	int rc;

	if (!json_object_is_type(l, json_type_object))
		return herr(err, len, 0,
			    "run description: \"limits\" must be an object");
	rc = only_keys(l, keys, " in limits", err, len);
	if (!rc)
		rc = get_u64(l, "as", true, &s->as, err, len);
	if (!rc)
		rc = get_u64(l, "nproc", true, &s->nproc, err, len);
	if (!rc)
		rc = get_u64(l, "cpu", true, &s->cpu, err, len);
	if (!rc)
		rc = get_u64(l, "fsize", true, &s->fsize, err, len);
	if (!rc)
		rc = get_u64(l, "nofile", true, &s->nofile, err, len);
	if (!rc)
		rc = get_u64(l, "stdout", true, &s->out_max, err, len);
	if (!rc)
		rc = get_u64(l, "stderr", true, &s->err_max, err, len);
	if (!rc)
		rc = get_u64(l, "tmp_size", false, &s->tmp_size, err, len);
	if (!rc)
		rc = get_u64(l, "memory", false, &s->memory, err, len);
	if (!rc)
		rc = get_u64(l, "pids", false, &s->pids, err, len);
	return rc;
}

static int parse_binds(struct json_object *o, struct hspec *s, char *err,
		       size_t len)
{
	static const char *const keys[] = { "src", "dst", "rw", NULL };
	struct json_object *v;
	size_t n;

	if (!json_object_object_get_ex(o, "binds", &v))
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return herr(err, len, 0,
			    "run description: \"binds\" must be an array");
	n = json_object_array_length(v);
	if (n > 64)
		return herr(err, len, 0, "run description: too many binds");
	s->binds = calloc(n ? n : 1, sizeof(*s->binds));
	if (!s->binds)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct json_object *b = json_object_array_get_idx(v, i);
		const char *src = NULL, *dst = NULL;
		bool rw = false;
		int rc;

		if (!json_object_is_type(b, json_type_object))
			return herr(err, len, 0,
				    "run description: binds[%zu] must be an "
				    "object",
				    i);
		rc = only_keys(b, keys, " in a bind", err, len);
		if (!rc)
			rc = get_str(b, "src", true, &src, err, len);
		if (!rc)
			rc = get_str(b, "dst", true, &dst, err, len);
		if (!rc)
			rc = get_bool(b, "rw", &rw, err, len);
		if (rc)
			return rc;
		if (src[0] != '/' || dst[0] != '/' || strstr(dst, "/..") ||
		    strstr(dst, "/./") || !strcmp(dst, "/"))
			return herr(err, len, 0,
				    "run description: bad bind %s -> %s", src,
				    dst);
		s->binds[i].src = (char *)src;
		s->binds[i].dst = (char *)dst;
		s->binds[i].rw = rw;
	}
	s->nbinds = n;
	return 0;
}

static int parse_spec(struct json_object *o, struct hspec *s, char *err,
		      size_t len)
{
	static const char *const keys[] = {
		"version",    "mode",       "uid",           "gid",
		"hostname",   "timeout_ms", "kill_grace_ms", "limits",
		"seccomp_fd", "work_fd",    "work_dir",      "script_fd",
		"etc_fd",     "dev_fd",     "script_name",   "argv",
		"env",        "binds",      "landlock",      "cgroup",
		NULL,
	};
	const char *mode = NULL, *host = "toolexec", *wd = NULL, *sn = NULL;
	struct json_object *l;
	uint64_t version = 0, uid = 0, gid = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	s->seccomp_fd = s->work_fd = s->script_fd = s->etc_fd = s->dev_fd = -1;
	if (!json_object_is_type(o, json_type_object))
		return herr(err, len, 0, "run description: not an object");
	rc = only_keys(o, keys, "", err, len);
	if (!rc)
		rc = get_u64(o, "version", true, &version, err, len);
	if (!rc && version != 1)
		rc = herr(err, len, 0, "run description: version %llu",
			  (unsigned long long)version);
	if (!rc)
		rc = get_str(o, "mode", true, &mode, err, len);
	if (rc)
		return rc;
	if (!strcmp(mode, "dev"))
		s->mode = TX_SANDBOX_DEV;
	else if (!strcmp(mode, "standard"))
		s->mode = TX_SANDBOX_STANDARD;
	else if (!strcmp(mode, "hardened"))
		s->mode = TX_SANDBOX_HARDENED;
	else
		return herr(err, len, 0, "run description: mode \"%s\"", mode);
	rc = get_u64(o, "uid", true, &uid, err, len);
	if (!rc)
		rc = get_u64(o, "gid", true, &gid, err, len);
	if (!rc && (uid >= UINT32_MAX || gid >= UINT32_MAX))
		rc = herr(err, len, 0, "run description: uid/gid out of range");
	if (!rc)
		rc = get_str(o, "hostname", false, &host, err, len);
	if (!rc && (strlen(host) == 0 || strlen(host) > 64))
		rc = herr(err, len, 0, "run description: bad hostname");
	if (!rc)
		rc = get_u64(o, "timeout_ms", true, &s->timeout_ms, err, len);
	if (!rc)
		rc = get_u64(o, "kill_grace_ms", false, &s->kill_grace_ms, err,
			     len);
	if (rc)
		return rc;
	s->uid = (uid_t)uid;
	s->gid = (gid_t)gid;
	snprintf(s->hostname, sizeof(s->hostname), "%s", host);
	if (!json_object_object_get_ex(o, "limits", &l))
		return herr(err, len, 0, "run description: \"limits\" missing");
	rc = parse_limits(l, s, err, len);
	if (!rc)
		rc = get_fd(o, "seccomp_fd", HELPER_FD_SECCOMP, &s->seccomp_fd,
			    err, len);
	if (!rc)
		rc = get_fd(o, "work_fd", HELPER_FD_WORK, &s->work_fd, err,
			    len);
	if (!rc)
		rc = get_fd(o, "script_fd", HELPER_FD_SCRIPT, &s->script_fd,
			    err, len);
	if (!rc)
		rc = get_fd(o, "etc_fd", HELPER_FD_ETC, &s->etc_fd, err, len);
	if (!rc)
		rc = get_fd(o, "dev_fd", HELPER_FD_DEV, &s->dev_fd, err, len);
	if (!rc)
		rc = get_str(o, "work_dir", false, &wd, err, len);
	if (!rc)
		rc = get_str(o, "script_name", true, &sn, err, len);
	if (!rc)
		rc = get_strv(o, "argv", 4096, &s->argv, err, len);
	if (!rc)
		rc = get_strv(o, "env", 256, &s->env, err, len);
	if (!rc)
		rc = parse_binds(o, s, err, len);
	if (!rc)
		rc = get_bool(o, "landlock", &s->landlock, err, len);
	if (!rc)
		rc = get_bool(o, "cgroup", &s->cgroup, err, len);
	if (rc)
		return rc;
	s->work_dir = (char *)wd;
	if ((s->work_fd >= 0) == (wd != NULL) || (wd && wd[0] != '/'))
		return herr(err, len, 0,
			    "run description: exactly one of work_fd and an "
			    "absolute work_dir");
	if (s->script_fd < 0 || !sn[0] || strlen(sn) > NAME_MAX ||
	    strchr(sn, '/') || !strcmp(sn, ".") || !strcmp(sn, ".."))
		return herr(err, len, 0,
			    "run description: bad script_fd or script_name");
	snprintf(s->script_name, sizeof(s->script_name), "%s", sn);
	if (!s->argv[0])
		return herr(err, len, 0, "run description: empty argv");
	if (s->mode != TX_SANDBOX_DEV) {
		if (s->seccomp_fd < 0 || s->etc_fd < 0 || s->dev_fd < 0)
			return herr(err, len, 0,
				    "run description: a %s run needs "
				    "seccomp_fd, etc_fd and dev_fd",
				    mode);
		if (s->uid == 0 || s->gid == 0)
			return herr(err, len, 0,
				    "run description: a %s run never maps "
				    "root inside to root outside",
				    mode);
	} else if (s->work_fd >= 0 || s->nbinds || s->etc_fd >= 0 ||
		   s->dev_fd >= 0) {
		return herr(err, len, 0,
			    "run description: dev has no work_fd, etc_fd, "
			    "dev_fd or binds");
	}
	if (s->mode == TX_SANDBOX_HARDENED && s->cgroup &&
	    (!s->memory || !s->pids))
		return herr(err, len, 0,
			    "run description: hardened cgroup limits need "
			    "memory and pids");
	return 0;
}

/* One write of the whole report; the daemon reads it after we exit. */
static void write_report(const struct hreport *r, const char *error)
{
	struct json_object *o = json_object_new_object();
	struct json_object *lim = json_object_new_array();
	const char *text;
	size_t n;

#define ADD(k, v) json_object_object_add(o, k, v)
	ADD("exit_code", json_object_new_int(r->exit_code));
	ADD("signal", json_object_new_int(r->signal));
	ADD("duration_ms", json_object_new_int64((int64_t)r->duration_ms));
	ADD("timed_out", json_object_new_boolean(r->timed_out));
	ADD("cancelled", json_object_new_boolean(r->cancelled));
	for (unsigned b = 0; b < TX_LIMIT_COUNT; b++)
		if (r->limits_hit & (1u << b))
			json_object_array_add(
				lim, json_object_new_string(
					     tx_sandbox_limit_name(1u << b)));
	ADD("limits_hit", lim);
	ADD("cpu_user_ms", json_object_new_int64((int64_t)r->cpu_user_ms));
	ADD("cpu_sys_ms", json_object_new_int64((int64_t)r->cpu_sys_ms));
	ADD("max_rss_kb", json_object_new_int64((int64_t)r->max_rss_kb));
	ADD("stdout_bytes", json_object_new_int64((int64_t)r->stdout_bytes));
	ADD("stderr_bytes", json_object_new_int64((int64_t)r->stderr_bytes));
	ADD("landlock_abi", json_object_new_int(r->landlock_abi));
	ADD("cgroup", json_object_new_string(r->cgroup));
	if (error && error[0])
		ADD("error", json_object_new_string(error));
#undef ADD
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	n = strlen(text);
	while (n > 0) {
		ssize_t w = write(HELPER_FD_REPORT, text, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		text += w;
		n -= (size_t)w;
	}
	json_object_put(o);
}

/* The run's limit names live in spawn.c for the daemon; the helper has
 * its own copy of the table so that it links without the engine. */
const char *tx_sandbox_limit_name(unsigned bit)
{
	static const char *const names[TX_LIMIT_COUNT] = {
		"timeout", "memory", "pids", "cpu", "file_size", "output",
	};

	for (unsigned i = 0; i < TX_LIMIT_COUNT; i++)
		if (bit == 1u << i)
			return names[i];
	return "?";
}

int main(int argc, char **argv)
{
	struct hreport rep;
	struct hspec spec;
	struct json_object *o = NULL;
	struct json_tokener *tok;
	char err[1024] = "";
	char *text = NULL;
	size_t len = 0;
	int rc;

	(void)argc;
	(void)argv;
	memset(&rep, 0, sizeof(rep));
	memset(&spec, 0, sizeof(spec));
	rep.exit_code = -1;
	/* Anything the spawner leaked past our protocol's descriptors. */
	if (syscall(SYS_close_range, HELPER_FD_FIRST_FREE, ~0u, 0) < 0) {
		for (int fd = HELPER_FD_FIRST_FREE; fd < 1024; fd++)
			close(fd);
	}
	if (fcntl(HELPER_FD_REPORT, F_GETFD) < 0 ||
	    fcntl(HELPER_FD_SPEC, F_GETFD) < 0) {
		fprintf(stderr,
			"toolexec-sandbox: started by toolexecfs with a run "
			"description on fd 3 and a report pipe on fd 4 "
			"(see src/sandbox/helper_i.h)\n");
		return 2;
	}
	fcntl(HELPER_FD_REPORT, F_SETFD, FD_CLOEXEC);
	rc = read_all(HELPER_FD_SPEC, &text, &len, HELPER_SPEC_MAX);
	close(HELPER_FD_SPEC);
	if (rc < 0) {
		herr(err, sizeof(err), -rc, "reading the run description");
		goto out_report;
	}
	tok = json_tokener_new_ex(16);
	if (!tok) {
		herr(err, sizeof(err), ENOMEM, "json");
		goto out_report;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
					    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		herr(err, sizeof(err), 0,
		     "run description: not one strict JSON object");
		json_tokener_free(tok);
		json_object_put(o);
		o = NULL;
		goto out_report;
	}
	json_tokener_free(tok);
	if (parse_spec(o, &spec, err, sizeof(err)) == 0)
		hrun(&spec, &rep, err, sizeof(err));
	/* The arrays only; their strings belong to the document. */
	free(spec.argv);
	free(spec.env);
	free(spec.binds);
out_report:
	write_report(&rep, err);
	json_object_put(o);
	free(text);
	return 0;
}
