/*
 * ctl.c - .ctl/ (the engine's introspection as files) and the README at
 * the top of the mount.
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The texts of .ctl/, the `which` of their rows. */
enum ctl_file {
	FS_CTL_VERSION,
	FS_CTL_STATUS,
	FS_CTL_STATS,
	FS_CTL_CONFIG,
	FS_CTL_LOG,
};

const char fs_readme_text[] =
	"toolexecfs: every tool is a directory\n"
	"=====================================\n"
	"\n"
	"Find a tool\n"
	"  cat tools/INDEX                 every tool ID with a one-line summary\n"
	"  ls 'search/echo back text'      the best matches, best first;\n"
	"                                  its `results` says which tools are\n"
	"                                  read-only and which destructive\n"
	"  ls 'search/echo back text +50'  50 hits (or all that match); without\n"
	"                                  +N, up to 10, none far below the best\n"
	"  cat resources/INDEX             MCP servers' resources; each one is\n"
	"                                  a file under resources/NS/\n"
	"  ls 'resources/NS/.../ID/4*'     what the server proposes for a\n"
	"                                  template's partly typed variable\n"
	"  ls prompts/NS/                  their prompts: write arguments to\n"
	"                                  prompts/NS/NAME/get, read it back\n"
	"  cat tools/builtin/echo/doc      what a tool does and what it takes\n"
	"  cat tools/builtin/echo/schema   its arguments as JSON Schema\n"
	"\n"
	"Call a tool: three ways, none of which mixes callers up\n"
	"\n"
	"  1. Shell style: write the arguments, then read the result.\n"
	"       echo '{\"text\":\"hi\"}' > tools/builtin/echo/call\n"
	"       cat tools/builtin/echo/result\n"
	"     `result` shows the latest call of that tool made from your\n"
	"     session (your terminal); reading it waits while the call runs.\n"
	"\n"
	"  2. Transaction: write and read on one descriptor (safe with any\n"
	"     number of callers, in any language).\n"
	"       exec 3<>tools/builtin/echo/call\n"
	"       echo '{\"text\":\"hi\"}' >&3; cat <&3; exec 3<&-\n"
	"     Ctrl-C while it waits cancels the call.\n"
	"\n"
	"  3. Jobs: a call with an ID that any process can follow.\n"
	"       n=$(cat tools/builtin/sleep/clone)\n"
	"       echo '{\"seconds\":1}' > jobs/$n/call\n"
	"       cat jobs/$n/status jobs/$n/result\n"
	"       echo > jobs/$n/cancel     or     rm -r jobs/$n\n"
	"\n"
	"After a call\n"
	"  status        new | queued | running | ok | error | timeout | cancelled\n"
	"  result        the answer for people (text, or pretty JSON)\n"
	"  result.json   the whole envelope: content, structuredContent, timings,\n"
	"                the error object\n"
	"  error         what went wrong, empty when nothing did\n"
	"  job           the ID of that call: echo > jobs/$(cat job)/cancel\n"
	"\n"
	"Bad arguments fail the write itself (\"write error: Invalid argument\")\n"
	"and `error` says where.  When there is no content, reading `result`\n"
	"fails with one errno: ENODATA no call yet, EINVAL bad arguments,\n"
	"ETIMEDOUT timed out, ECANCELED cancelled, EIO the backend failed,\n"
	"ENOENT the tool is gone, EFBIG arguments too large.\n"
	"\n"
	"Reading result, result.json or error waits while the call runs;\n"
	"status never waits.  A wait longer than the mount's bound\n"
	"(-o wait_max, 300 s by default) fails with EAGAIN (\"Resource\n"
	"temporarily unavailable\"): the call goes on, read again.\n"
	"\n"
	"Chains: chain/call takes {\"steps\":[...]} or the bare array [...]\n"
	"of steps {\"tool\":ID, \"args\":{...}}; \"previous_to\":\"/json\" puts\n"
	"the previous step's result at /json of the step's arguments,\n"
	"\"continue_on_error\":true goes on after a failure.  See chain/doc\n"
	"and chain/schema.\n"
	"\n"
	"Run a script that calls tools (code/): it runs once, in a sandbox\n"
	"  cp job.py code/standard/          start it (ls code/: profiles)\n"
	"  cat code/standard/job.py.out      its output, as it comes\n"
	"  cat code/standard/job.py.result   exit code, tool calls, limits hit\n"
	"                                    (waits for the end)\n"
	"  ls code/standard/job.py.work/     what it left in /work\n"
	"  rm code/standard/job.py           stop it, remove its files\n"
	"  Inside, /tools, /search, /jobs and /resources (read-only) are this\n"
	"  mount's (the same files, the same three ways); /work is its own.\n"
	"  By default at most 100 tool calls and 30 s.  The language comes\n"
	"  from #! or the extension (.sh .py .js .pl).\n"
	"\n"
	"An MCP server may ask a question during a call (\"elicitation\":\n"
	"\"ask\"): status says input_required, and\n"
	"  cat .ctl/pending                every open question: job, N, tool,\n"
	"                                  message\n"
	"  cat jobs/ID/elicit/N/schema     what it wants (or url: open it\n"
	"                                  yourself; nothing is opened for you)\n"
	"  echo '{...}' > jobs/ID/elicit/N/answer   accept; or the word\n"
	"                                  decline or cancel\n"
	"  ls -l jobs/ID/links/            resource links of a result, as\n"
	"                                  links into resources/\n"
	"\n"
	"Any language's file habits work on call: open it read-write, write,\n"
	"seek to 0 (or not), read; pread at 0 too.\n"
	"\n"
	".ctl/: version, status (each configuration file and MCP server:\n"
	"its errors, tools left out), stats (calls, errors, latency per\n"
	"tool), config (the effective configuration), log, pending (open\n"
	"questions of MCP servers); write .ctl/reload to re-read the\n"
	"configuration.\n"
	"\n"
	"Sign in to a remote MCP server NS (.ctl/auth/NS/)\n"
	"  cat .ctl/auth/NS/status          ok | expired | needs-login | none\n"
	"  cat .ctl/auth/NS/login           the address to open in a browser\n"
	"  echo 'ADDRESS' > .ctl/auth/NS/code   the address it sends you back to\n"
	"  A call to a server that needs it fails with EACCES (\"Permission\n"
	"  denied\") and its `error` says so.  No file here shows a token.\n";

/* The engine's statistics, then the mount layer's live objects. */
static int ctl_stats_blob(struct fs *fs, char *text, struct fs_blob **out)
{
	struct tx_buf t;
	int rc;

	tx_buf_init(&t, FS_TEXT_MAX);
	rc = tx_buf_adds(&t, text);
	free(text);
	if (!rc)
		rc = fs_live_text(fs, &t);
	if (rc) {
		tx_buf_release(&t);
		return rc;
	}
	*out = fs_blob_from_buf(&t);
	return *out ? 0 : -ENOMEM;
}

static int fs_ctl_blob(struct fs *fs, enum ctl_file kind, struct fs_blob **out)
{
	char *text = NULL;

	*out = NULL;
	switch (kind) {
	case FS_CTL_VERSION:
		*out = fs_blob_new("toolexecfs " TX_VERSION "\n",
				   strlen("toolexecfs " TX_VERSION "\n"));
		return *out ? 0 : -ENOMEM;
	case FS_CTL_STATUS:
		text = tx_engine_status_text(fs->engine);
		break;
	case FS_CTL_STATS:
		text = tx_engine_stats_text(fs->engine);
		break;
	case FS_CTL_CONFIG:
		text = tx_engine_config_text(fs->engine);
		break;
	case FS_CTL_LOG:
		text = tx_engine_log_text(fs->engine);
		break;
	default:
		return -EINVAL;
	}
	if (!text)
		return errno ? -errno : -ENOMEM;
	if (kind == FS_CTL_STATS)
		return ctl_stats_blob(fs, text, out);
	*out = fs_blob_take(text, strlen(text));
	return *out ? 0 : -ENOMEM;
}

void fs_ctl_reload_write(struct fs *fs, fuse_req_t req, size_t size)
{
	int rc = tx_engine_reload(fs->engine);

	/* The writer's next command should see the new tree: wait (briefly)
	 * until the kernel has been told what changed. */
	fs_notify_drain(fs, 2000);
	if (rc < 0)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_write(req, size);
}

/* ------------------------------------------------------------------ */
/* The kinds                                                            */

static int ctl_text(struct fs *fs, const struct fs_node *n,
		    struct fs_blob **out)
{
	return fs_ctl_blob(fs, n->ops->which, out);
}

static void ctl_reload_write(struct fs *fs, fuse_req_t req, struct fs_handle *h,
			     const char *buf, size_t size)
{
	(void)h;
	(void)buf; /* what is written does not matter */
	fs_ctl_reload_write(fs, req, size);
}

#define CTL_TTL .entry_ttl = FS_TTL_STATIC, .attr_ttl = FS_TTL_STATIC

/* A text of the engine, taken at open. */
#define CTL_TEXT(what)                                                      \
	.mode = S_IFREG | 0444, .which = (what), CTL_TTL, .text = ctl_text, \
	.read = fs_read_text

static const struct fs_node_ops version_ops = { CTL_TEXT(FS_CTL_VERSION) };
static const struct fs_node_ops status_ops = { CTL_TEXT(FS_CTL_STATUS) };
static const struct fs_node_ops stats_ops = { CTL_TEXT(FS_CTL_STATS) };
static const struct fs_node_ops config_ops = { CTL_TEXT(FS_CTL_CONFIG) };

/* The mount's owner's (and root's) only: the log tells of every user's
 * calls, and reloading acts on the owner's configuration. */
static const struct fs_node_ops log_ops = {
	.mode = S_IFREG | 0400,
	.flags = FS_OWNER_ONLY,
	.which = FS_CTL_LOG,
	CTL_TTL,
	.text = ctl_text,
	.read = fs_read_text,
};

static const struct fs_node_ops reload_ops = {
	.mode = S_IFREG | 0200,
	.flags = FS_OWNER_ONLY,
	CTL_TTL,
	.write = ctl_reload_write,
};

static const struct fs_child ctl_children[] = {
	{ "version", &version_ops, 0, NULL },
	{ "status", &status_ops, 0, NULL },
	{ "stats", &stats_ops, 0, NULL },
	{ "config", &config_ops, 0, NULL },
	{ "log", &log_ops, 0, NULL },
	{ "reload", &reload_ops, 0, NULL },
	{ "auth", &fs_auth_ops, 0, NULL },       /* auth.c */
	{ "pending", &fs_pending_ops, 0, NULL }, /* elicit.c */
};

/* .ctl/ */
const struct fs_node_ops fs_ctl_ops = {
	.mode = S_IFDIR | 0555,
	CTL_TTL,
	.children = ctl_children,
	.nchildren = sizeof(ctl_children) / sizeof(ctl_children[0]),
};

static int readme_text(struct fs *fs, const struct fs_node *n,
		       struct fs_blob **out)
{
	(void)fs;
	(void)n;
	*out = fs_blob_new(fs_readme_text, strlen(fs_readme_text));
	return *out ? 0 : -ENOMEM;
}

/* README */
const struct fs_node_ops fs_readme_ops = {
	.mode = S_IFREG | 0444,
	.flags = FS_CACHED, /* never changes */
	CTL_TTL,
	.text = readme_text,
	.read = fs_read_text,
};
