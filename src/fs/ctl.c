/*
 * ctl.c - .ctl/ (the engine's introspection as files), the README at the
 * top of the mount and chain/doc.
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char fs_readme_text[] =
"toolexecfs: every tool is a directory\n"
"=====================================\n"
"\n"
"Find a tool\n"
"  cat tools/INDEX                 every tool ID with a one-line summary\n"
"  ls 'search/echo back text'      the best matches, best first\n"
"  ls 'search/echo back text +50'  ask for 50 hits instead of 10\n"
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
"\n"
"Bad arguments fail the write itself (\"write error: Invalid argument\")\n"
"and `error` says where.  When there is no content, reading `result`\n"
"fails with one errno: ENODATA no call yet, EINVAL bad arguments,\n"
"ETIMEDOUT timed out, ECANCELED cancelled, EIO the backend failed,\n"
"ENOENT the tool is gone, EFBIG arguments too large.\n"
"\n"
"Chains: chain/call takes {\"steps\":[{\"tool\":ID,\"args\":{...},\n"
"\"use_previous\":true}, ...]}; see chain/doc.\n"
"\n"
".ctl/: version, status, stats (calls, errors, latency per tool),\n"
"config (the effective configuration), log; write .ctl/reload to\n"
"re-read the configuration.\n";

const char fs_chain_doc_text[] =
"# chain\n"
"\n"
"Runs tools one after another.  Write the steps to `chain/call` in any\n"
"of the three calling ways (shell style, transaction, `chain/clone`):\n"
"\n"
"    {\"steps\": [\n"
"      {\"tool\": \"builtin:echo\", \"args\": {\"text\": \"one\"}},\n"
"      {\"tool\": \"builtin:echo\", \"args\": {}, \"use_previous\": true}\n"
"    ]}\n"
"\n"
"Steps run in order and the chain stops at the first failure unless\n"
"a step says otherwise.  With `use_previous` a step receives the\n"
"previous step's result under `args.previous`.  `result` is the last\n"
"step's result; `result.json` holds every step's envelope.\n";

/* The engine's statistics, then the mount layer's live objects. */
static int ctl_stats_blob(struct fs *fs, char *text, struct fs_blob **out)
{
	struct fs_text t = { 0 };
	int rc = fs_text_add(&t, text, strlen(text));

	free(text);
	if (!rc)
		rc = fs_live_text(fs, &t);
	if (!rc)
		*out = fs_blob_new(t.p, t.len);
	fs_text_release(&t);
	if (rc)
		return rc;
	return *out ? 0 : -ENOMEM;
}

int fs_ctl_blob(struct fs *fs, enum fs_kind kind, struct fs_blob **out)
{
	char *text = NULL;

	*out = NULL;
	switch (kind) {
	case FS_CTL_VERSION:
		*out = fs_blob_new("toolexecfs " TX_VERSION "\n",
				   strlen("toolexecfs " TX_VERSION "\n"));
		return *out ? 0 : -ENOMEM;
	case FS_CTL_STATUS: text = tx_engine_status_text(fs->engine); break;
	case FS_CTL_STATS: text = tx_engine_stats_text(fs->engine); break;
	case FS_CTL_CONFIG: text = tx_engine_config_text(fs->engine); break;
	case FS_CTL_LOG: text = tx_engine_log_text(fs->engine); break;
	default: return -EINVAL;
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
