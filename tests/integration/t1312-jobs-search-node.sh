#!/bin/bash
# Node's habits on jobs and search (lib-matrix.sh says what each case
# checks): readFileSync as text ("utf8") and as a Buffer, readSync in
# small pieces (unbuffered); a job as a transaction with a positioned
# readSync.  Node has no poll() on files: three jobs are waited for at
# once with async reads (fs.promises.readFile and Promise.all, each read
# on libuv's thread pool).  Exact answers.
. "$(dirname "$0")/lib.sh"
. "$here/lib-matrix.sh"
node - "$MNT" "$WANT" "$Q" > "$TMP/out" 2>&1 <<'JS' || fail "node: $(cat "$TMP/out")"
const fs = require("fs");
const assert = require("assert");
const [M, W, Q] = process.argv.slice(2);
const echoed = (t) => `{\n  "text": "${t}"\n}\n`;
const clone = (tool) =>
	M + "/jobs/" + fs.readFileSync(`${M}/tools/builtin/${tool}/clone`, "utf8").trim();
function pieces(fd, positioned) {
	const chunks = [];
	let pos = 0;
	for (;;) {
		const b = Buffer.alloc(100);
		const n = fs.readSync(fd, b, 0, b.length, positioned ? pos : null);
		if (n === 0) break;
		chunks.push(b.subarray(0, n));
		pos += n;
	}
	return Buffer.concat(chunks);
}
function raw(path) {
	const fd = fs.openSync(path, "r");
	const b = pieces(fd, false);
	fs.closeSync(fd);
	return b;
}

// jobs: shell style, read back as text, as a Buffer, in pieces
for (const how of ["text", "binary", "unbuffered"]) {
	const t = "héllo ✓ node " + how;
	const J = clone("echo");
	fs.writeFileSync(J + "/call", JSON.stringify({ text: t }));
	const want = echoed(t);
	if (how === "text")
		assert.strictEqual(fs.readFileSync(J + "/result", "utf8"), want, how);
	else if (how === "binary")
		assert.ok(fs.readFileSync(J + "/result").equals(Buffer.from(want)), how);
	else
		assert.ok(raw(J + "/result").equals(Buffer.from(want)), how);
}
// jobs/ID/call as a transaction, read at position 0 on
{
	const J = clone("echo");
	const t = "héllo ✓ node transaction";
	const fd = fs.openSync(J + "/call", "r+");
	fs.writeSync(fd, JSON.stringify({ text: t }));
	assert.strictEqual(pieces(fd, true).toString(), echoed(t), "jobs/ID/call");
	fs.closeSync(fd);
}
// search files, text and binary and in pieces
const wantTxt = fs.readFileSync(W + "/results");
const wantJson = fs.readFileSync(W + "/results.json");
const S = `${M}/search/${Q}`;
assert.strictEqual(fs.readFileSync(S + "/results", "utf8"), wantTxt.toString(), "results");
assert.strictEqual(fs.readFileSync(S + "/results.json", "utf8"), wantJson.toString(), "results.json");
assert.ok(fs.readFileSync(S + "/results.json").equals(wantJson), "results.json Buffer");
assert.ok(raw(S + "/results").equals(wantTxt), "results in pieces");
assert.strictEqual(JSON.parse(fs.readFileSync(S + "/results.json", "utf8")).hits[0].id, "builtin:echo");
assert.strictEqual(fs.readdirSync(S).sort()[0], "01-builtin:echo", "readdir");
// search/query as a transaction, position null and position 0
for (const positioned of [false, true]) {
	const fd = fs.openSync(M + "/search/query", "r+");
	fs.writeSync(fd, Q);
	assert.ok(pieces(fd, positioned).equals(wantTxt), "search/query");
	fs.closeSync(fd);
}
// three jobs at once, async reads
(async () => {
	const secs = ["0.3", "0.1", "0.2"];
	const dirs = secs.map((s) => {
		const J = clone("sleep");
		fs.writeFileSync(J + "/call", `{"seconds": ${s}}`);
		return J;
	});
	const got = await Promise.all(dirs.map((J) => fs.promises.readFile(J + "/result", "utf8")));
	assert.deepStrictEqual(got, secs.map((s) => `slept ${s} s\n`), "async reads");
	// and with the callback API
	const cb = await new Promise((ok, ko) => {
		const J = clone("sleep");
		fs.writeFileSync(J + "/call", '{"seconds": 0.1}');
		fs.readFile(J + "/result", (e, d) => (e ? ko(e) : ok(d)));
	});
	assert.ok(cb.equals(Buffer.from("slept 0.1 s\n")), "fs.readFile callback");
	console.log("node jobs and search ok");
})().catch((e) => { console.error(e); process.exit(1); });
JS
assert_eq "node jobs and search ok" "$(cat "$TMP/out")"
unmount_fs
