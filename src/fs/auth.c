/*
 * auth.c - .ctl/auth/: sign-in for remote MCP servers (docs/mcp.md,
 * "Sign-in").
 *
 *   .ctl/auth/NS/status  ok | expired | needs-login | none
 *   .ctl/auth/NS/login   reading starts a sign-in and gives the address
 *                        to open in a browser
 *   .ctl/auth/NS/code    write the address the browser was sent back to
 *                        (or the bare code): the write fails when the
 *                        sign-in does (EINVAL, EACCES, EIO)
 *   .ctl/auth/NS/token   write a token obtained elsewhere
 *   .ctl/auth/NS/error   why the last of these failed; empty if it worked
 *
 * No file shows a token: the engine keeps them in its state directory
 * and only sends them to their server.  login, code and token are the
 * mount's owner's (FS_OWNER_ONLY): a sign-in acts for the owner's
 * account at the server.  Reading login and writing code talk to the
 * authorization server on the FUSE worker that asked, bounded by the
 * engine's HTTP timeouts; the kernel caches none of these files.
 *
 * Keys: the server's name (NS) for .ctl/auth/NS/ and its files.
 */
#include "fs/fs_i.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUTH_TTL   .entry_ttl = 0, .attr_ttl = 0
#define AUTH_WRITE 16384 /* what code and token take in one write */

enum auth_file {
	AUTH_STATUS,
	AUTH_LOGIN,
	AUTH_ERROR,
};

static const struct fs_node_ops ns_ops;

static int ns_valid(struct fs *fs, const struct fs_node *n)
{
	return tx_engine_auth_status(fs->engine, n->key) ? 0 : -ENOENT;
}

static int top_lookup(struct fs *fs, const struct fs_node *dir,
		      const char *name, const struct fs_node_ops **ops,
		      char **key)
{
	(void)dir;
	if (!tx_engine_auth_status(fs->engine, name))
		return -ENOENT;
	*ops = &ns_ops;
	*key = strdup(name);
	return *key ? 0 : -ENOMEM;
}

static int top_readdir(struct fs *fs, fuse_req_t req, const struct fs_node *dir,
		       struct fs_dirlist *l)
{
	char **names = NULL;
	size_t n = tx_engine_auth_names(fs->engine, &names);
	int rc = 0;

	(void)req;
	(void)dir;
	for (size_t i = 0; i < n; i++) {
		if (!rc)
			rc = fs_dirlist_add(l, names[i], S_IFDIR);
		free(names[i]);
	}
	free(names);
	return rc;
}

static int auth_text(struct fs *fs, const struct fs_node *n,
		     struct fs_blob **out)
{
	char buf[1024], err[1024] = "";
	const char *st;
	char *url = NULL;
	int rc;

	switch (n->ops->which) {
	case AUTH_STATUS:
		st = tx_engine_auth_status(fs->engine, n->key);
		if (!st)
			return -ENOENT;
		snprintf(buf, sizeof(buf), "%s\n", st);
		break;
	case AUTH_LOGIN:
		rc = tx_engine_auth_login(fs->engine, n->key, &url, err,
					  sizeof(err));
		if (rc)
			return rc; /* error says why */
		/* The address and a newline, for `cat`. */
		{
			size_t len = strlen(url);
			char *t = realloc(url, len + 2);

			if (!t) {
				free(url);
				return -ENOMEM;
			}
			t[len] = '\n';
			t[len + 1] = '\0';
			*out = fs_blob_take(t, len + 1);
			return *out ? 0 : -ENOMEM;
		}
	default:
		tx_engine_auth_error(fs->engine, n->key, err, sizeof(err));
		snprintf(buf, sizeof(buf), "%s%s", err, err[0] ? "\n" : "");
		break;
	}
	*out = fs_blob_new(buf, strlen(buf));
	return *out ? 0 : -ENOMEM;
}

/* code (which 0) and token (1): each write is the whole text. */
static void auth_write(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		       const char *buf, size_t size)
{
	char err[1024] = "";
	char *text;
	int rc;

	if (size > AUTH_WRITE || memchr(buf, '\0', size)) {
		fuse_reply_err(req, size > AUTH_WRITE ? EFBIG : EINVAL);
		return;
	}
	text = strndup(buf, size);
	if (!text) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	rc = h->ops->which ? tx_engine_auth_token(fs->engine, h->key, text, err,
						  sizeof(err))
			   : tx_engine_auth_code(fs->engine, h->key, text, err,
						 sizeof(err));
	explicit_bzero(text, size);
	free(text);
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_write(req, size);
}

/* ------------------------------------------------------------------ */
/* The kinds                                                            */

static const struct fs_node_ops status_ops = {
	.mode = S_IFREG | 0444,
	AUTH_TTL,
	.which = AUTH_STATUS,
	.valid = ns_valid,
	.text = auth_text,
	.read = fs_read_text,
};

static const struct fs_node_ops error_ops = {
	.mode = S_IFREG | 0444,
	AUTH_TTL,
	.which = AUTH_ERROR,
	.valid = ns_valid,
	.text = auth_text,
	.read = fs_read_text,
};

static const struct fs_node_ops login_ops = {
	.mode = S_IFREG | 0400,
	.flags = FS_OWNER_ONLY,
	AUTH_TTL,
	.which = AUTH_LOGIN,
	.valid = ns_valid,
	.text = auth_text,
	.read = fs_read_text,
};

static const struct fs_node_ops code_ops = {
	.mode = S_IFREG | 0200,
	.flags = FS_OWNER_ONLY,
	AUTH_TTL,
	.which = 0,
	.valid = ns_valid,
	.write = auth_write,
};

static const struct fs_node_ops token_ops = {
	.mode = S_IFREG | 0200,
	.flags = FS_OWNER_ONLY,
	AUTH_TTL,
	.which = 1,
	.valid = ns_valid,
	.write = auth_write,
};

static const struct fs_child ns_children[] = {
	{ "status", &status_ops, 0, NULL }, { "login", &login_ops, 0, NULL },
	{ "code", &code_ops, 0, NULL },     { "token", &token_ops, 0, NULL },
	{ "error", &error_ops, 0, NULL },
};

/* .ctl/auth/NS/ */
static const struct fs_node_ops ns_ops = {
	.mode = S_IFDIR | 0555,
	AUTH_TTL,
	.valid = ns_valid,
	.children = ns_children,
	.nchildren = sizeof(ns_children) / sizeof(ns_children[0]),
};

/* .ctl/auth/ */
const struct fs_node_ops fs_auth_ops = {
	.mode = S_IFDIR | 0555,
	AUTH_TTL,
	.lookup = top_lookup,
	.readdir = top_readdir,
};
