/*
 * mcp_sampling.c - sampling/createMessage from a server, answered by the
 * command the configuration names ("sampling": {"command": [...]}).
 *
 * The request's params go to the command's stdin as JSON, and what it
 * prints on stdout (a CreateMessageResult object) is the answer.  The
 * I/O thread that read the request never waits for it: each request
 * gets a thread of its own, which starts the command through the spawn
 * module, feeds it, reads it (at most SAMPLING_OUT_MAX bytes), kills its
 * process group when it outlives the timeout, and sends the reply on
 * the session that asked, if that one is still there.  A server without
 * "sampling" never gets the capability, and its requests are refused as
 * an unknown method (mcp_rpc.c).
 */
#include "backend/mcp_backend_i.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/config.h"
#include "util/clock.h"
#include "util/jsonu.h"
#include "util/log.h"
#include "util/spawn.h"

#define SAMPLING_OUT_MAX (4u << 20)

/* The command sees what a stdio server sees of the environment. */
static const char *const safe_vars[] = {
	"HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", NULL,
};

struct sampling {
	struct mcp_backend *be;
	struct tx_backend *hold; /* keeps be allocated until the reply */
	/* The connection that asked, compared, never followed (as
	 * mcp_elicit.c's questions). */
	const struct tx_mcp_conn *conn;
	uint64_t conn_started;
	struct json_object *id; /* the request's id (ours alone) */
	char *input;            /* the params, compact JSON */
};

static void sampling_free(struct sampling *s)
{
	json_object_put(s->id);
	free(s->input);
	tx_backend_unref(s->hold);
	free(s);
}

/*
 * Runs the command: 0 with its stdout in *out (malloc'd, NUL-ended), or
 * -errno with why.
 */
static int run_command(struct mcp_backend *be, const char *input, char **out,
		       char *why, size_t whylen)
{
	const struct tx_mcp_spec *spec = be->spec;
	struct tx_spawn sp = { .flags = TX_SPAWN_DETACHED };
	struct tx_spawn_error se = { 0 };
	int in[2] = { -1, -1 }, op[2] = { -1, -1 };
	char **env = NULL, *path = NULL;
	size_t inlen = strlen(input), sent = 0, got = 0, cap = 4096;
	char *buf = malloc(cap);
	uint64_t deadline = tx_mono_ms() + spec->sampling_timeout_ms;
	pid_t pid = -1;
	int rc = 0, status = 0;

	*out = NULL;
	env = tx_spawn_env(safe_vars, spec->inherit_env, spec->env);
	if (!buf || !env) {
		snprintf(why, whylen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	rc = tx_spawn_find(spec->sampling_argv[0],
			   tx_spawn_env_get(env, "PATH"), &path);
	if (rc) {
		snprintf(why, whylen, "cannot run \"%s\": %s",
			 spec->sampling_argv[0],
			 rc == -ENOENT ? "command not found in PATH"
				       : strerror(-rc));
		goto out;
	}
	if (pipe2(in, O_CLOEXEC) || pipe2(op, O_CLOEXEC)) {
		rc = -errno;
		snprintf(why, whylen, "pipe: %s", strerror(-rc));
		goto out;
	}
	sp.path = path;
	sp.argv = spec->sampling_argv;
	sp.envp = env;
	sp.fd[0] = in[0];
	sp.fd[1] = op[1];
	sp.fd[2] = -1;
	sp.cwd = spec->cwd;
	rc = tx_spawn_start(&sp, &pid, &se);
	close(in[0]);
	close(op[1]);
	in[0] = op[1] = -1;
	if (rc) {
		snprintf(why, whylen, "%s \"%s\": %s",
			 tx_spawn_stage_text(se.stage), spec->sampling_argv[0],
			 strerror(-rc));
		pid = -1;
		goto out;
	}
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	if (!inlen) {
		close(in[1]);
		in[1] = -1;
	}
	/* Feed and read at once: a command may print before it has read
	 * everything. */
	while (op[0] >= 0) {
		struct pollfd p[2] = { { op[0], POLLIN, 0 },
				       { in[1], POLLOUT, 0 } };
		uint64_t now = tx_mono_ms();
		ssize_t n;

		if (now >= deadline) {
			snprintf(why, whylen, "no answer within %u ms",
				 spec->sampling_timeout_ms);
			rc = -ETIMEDOUT;
			goto out;
		}
		if (poll(p, in[1] >= 0 ? 2 : 1, (int)(deadline - now)) < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			snprintf(why, whylen, "poll: %s", strerror(-rc));
			goto out;
		}
		if (in[1] >= 0 && (p[1].revents & (POLLOUT | POLLERR))) {
			n = write(in[1], input + sent, inlen - sent);
			if (n > 0)
				sent += (size_t)n;
			if ((n < 0 && errno != EAGAIN) || sent == inlen) {
				close(in[1]); /* EPIPE: it reads no more */
				in[1] = -1;
			}
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (got + 1 >= cap) {
			char *g;

			if (cap >= SAMPLING_OUT_MAX + 1) {
				snprintf(why, whylen,
					 "it printed more than %u bytes",
					 SAMPLING_OUT_MAX);
				rc = -EFBIG;
				goto out;
			}
			cap *= 2;
			if (cap > SAMPLING_OUT_MAX + 1)
				cap = SAMPLING_OUT_MAX + 1;
			g = realloc(buf, cap);
			if (!g) {
				snprintf(why, whylen, "out of memory");
				rc = -ENOMEM;
				goto out;
			}
			buf = g;
		}
		n = read(op[0], buf + got, cap - got - 1);
		if (n > 0) {
			got += (size_t)n;
		} else if (n == 0 || errno != EINTR) {
			close(op[0]);
			op[0] = -1;
		}
	}
	buf[got] = '\0';
out:
	if (pid > 0) {
		if (rc)
			kill(-pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (!rc && !(WIFEXITED(status) && !WEXITSTATUS(status))) {
			if (WIFEXITED(status))
				snprintf(why, whylen, "it exited with %d",
					 WEXITSTATUS(status));
			else
				snprintf(why, whylen, "it was killed by %s",
					 strsignal(WTERMSIG(status)));
			rc = -EIO;
		}
	}
	for (size_t i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (op[i] >= 0)
			close(op[i]);
	}
	tx_spawn_env_free(env);
	free(path);
	if (rc)
		free(buf);
	else
		*out = buf;
	return rc;
}

/* The reply to send: the command's result, or a JSON-RPC error. */
static char *answer(struct sampling *s)
{
	struct mcp_backend *be = s->be;
	struct json_object *res = NULL;
	char why[512] = "", msg[700], *out = NULL, *reply;
	int rc = run_command(be, s->input, &out, why, sizeof(why));

	if (!rc) {
		char jerr[256] = "";

		res = tx_json_parse(out, strlen(out), 64, jerr, sizeof(jerr));
		if (!res || !json_object_is_type(res, json_type_object)) {
			snprintf(why, sizeof(why),
				 "it printed no JSON object%s%s",
				 jerr[0] ? ": " : "", jerr);
			rc = -EIO;
		}
	}
	free(out);
	if (rc) {
		tx_log(TX_LOG_WARN, "mcp %s: sampling/createMessage: %s",
		       be->spec->name, why);
		snprintf(msg, sizeof(msg), "sampling command failed: %s", why);
		reply = tx_mcp_reply_text(s->id, NULL, -32603, msg);
	} else {
		tx_log(TX_LOG_INFO, "mcp %s: sampling/createMessage answered",
		       be->spec->name);
		reply = tx_mcp_reply_text(s->id, res, 0, NULL);
	}
	json_object_put(res);
	return reply;
}

static void *sampling_main(void *arg)
{
	struct sampling *s = arg;
	struct mcp_backend *be = s->be;
	struct mcp_conn_ref *r = NULL;
	char *reply = answer(s);

	pthread_mutex_lock(&be->mu);
	if (be->conn && be->conn->c == s->conn &&
	    be->conn->started == s->conn_started)
		r = tx_mcp_conn_get(be->conn);
	pthread_mutex_unlock(&be->mu);
	if (r && reply)
		r->c->ops->send(r->c, reply, strlen(reply), -1);
	else if (!r)
		tx_log(TX_LOG_INFO,
		       "mcp %s: a sampling answer is dropped: the session "
		       "that asked is gone",
		       be->spec->name);
	if (r)
		tx_mcp_conn_put_unlocked(be, r);
	free(reply);
	sampling_free(s);
	return NULL;
}

char *tx_mcp_sampling_request(struct mcp_backend *be, struct tx_mcp_conn *c,
			      struct tx_mcp_msg *m)
{
	struct sampling *s;
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	if (!be->spec->sampling_argv)
		return tx_mcp_reply_text(m->id, NULL, -32601,
					 "Method not found: "
					 "sampling/createMessage");
	s = calloc(1, sizeof(*s));
	if (!s)
		return tx_mcp_reply_text(m->id, NULL, -32603, "out of memory");
	s->be = be;
	s->hold = tx_backend_ref(&be->core);
	s->input = m->params ? tx_json_compact(m->params) : strdup("{}");
	/* json-c reference counts are not atomic: the reply is built on
	 * another thread, so it gets an id of its own. */
	if (!s->input || json_object_deep_copy(m->id, &s->id, NULL) || !s->id) {
		sampling_free(s);
		return tx_mcp_reply_text(m->id, NULL, -32603, "out of memory");
	}
	pthread_mutex_lock(&be->mu);
	if (be->conn && be->conn->c == c) {
		s->conn = c;
		s->conn_started = be->conn->started;
	}
	pthread_mutex_unlock(&be->mu);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, sampling_main, s);
	pthread_attr_destroy(&attr);
	if (rc) {
		sampling_free(s);
		return tx_mcp_reply_text(m->id, NULL, -32603,
					 "cannot start the sampling command");
	}
	return NULL;
}
