#!/bin/bash
# Node's habits on the transaction files: readSync at a position (0, then
# on), readSync with position null, the promises API, and shell style with
# readFileSync.  Each case checks the exact answer.
. "$(dirname "$0")/lib.sh"
mount_default
node - "$MNT" <<'JS' || fail "node idioms"
const fs = require("fs");
const assert = require("assert");
const M = process.argv[2], E = M + "/tools/builtin/echo";
const args = (c) => ({ lang: "node", case: c, pad: "y".repeat(3000) });

function readAll(fd, positioned) {
	const chunks = [];
	let pos = 0;
	for (;;) {
		const b = Buffer.alloc(500);
		const n = fs.readSync(fd, b, 0, b.length, positioned ? pos : null);
		if (n === 0) break;
		chunks.push(b.subarray(0, n));
		pos += n;
	}
	return Buffer.concat(chunks).toString();
}
for (const positioned of [true, false]) {
	const fd = fs.openSync(E + "/call", "r+");
	const a = args(positioned ? "position" : "null");
	fs.writeSync(fd, JSON.stringify(a));
	assert.deepStrictEqual(JSON.parse(readAll(fd, positioned)), a);
	fs.closeSync(fd);
}
(async () => {
	const fh = await fs.promises.open(E + "/call", "r+");
	const a = args("promises");
	await fh.write(JSON.stringify(a));
	const b = Buffer.alloc(65536);
	const { bytesRead } = await fh.read(b, 0, b.length, 0);
	await fh.close();
	assert.deepStrictEqual(JSON.parse(b.subarray(0, bytesRead).toString()), a);
	fs.writeFileSync(E + "/call", JSON.stringify(args("shell")));
	assert.deepStrictEqual(JSON.parse(fs.readFileSync(E + "/result", "utf8")),
			       args("shell"));
	const fd = fs.openSync(M + "/search/query", "r+");
	fs.writeSync(fd, "echo text back");
	const hits = readAll(fd, true);
	fs.closeSync(fd);
	assert.ok(hits.includes("builtin:echo"), hits.slice(0, 300));
	console.log("node idioms ok");
})().catch((e) => { console.error(e); process.exit(1); });
JS
unmount_fs
