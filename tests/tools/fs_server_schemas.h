/*
 * fs_server_schemas.h - the input schemas of write_file and edit_file of
 * @modelcontextprotocol/server-filesystem, as its tools/list returns
 * them: real tool schemas shared by the schema tests and benchmark.
 */
#ifndef TX_FS_SERVER_SCHEMAS_H
#define TX_FS_SERVER_SCHEMAS_H

static const char write_file_schema[] =
	"{\"$schema\":\"http://json-schema.org/draft-07/schema#\","
	"\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"},"
	"\"content\":{\"type\":\"string\"}},\"required\":[\"path\",\"content\"]"
	"}";
static const char edit_file_schema[] =
	"{\"$schema\":\"http://json-schema.org/draft-07/schema#\","
	"\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"},"
	"\"edits\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
	"\"properties\":{\"oldText\":{\"type\":\"string\",\"description\":"
	"\"Text to search for - must match exactly\"},\"newText\":{\"type\":"
	"\"string\",\"description\":\"Text to replace with\"}},\"required\":"
	"[\"oldText\",\"newText\"]}},\"dryRun\":{\"default\":false,"
	"\"description\":\"Preview changes using git-style diff format\","
	"\"type\":\"boolean\"}},\"required\":[\"path\",\"edits\"]}";

#endif
