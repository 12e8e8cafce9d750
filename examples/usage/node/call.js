#!/usr/bin/env node
// Call a tool from Node: write the arguments, read the answer from
// position 0 of the same descriptor.  Usage: node call.js [MOUNT]
const fs = require("fs");
const M = process.argv[2] || "mnt";

function call(tool, args) {
	const [ns, name] = tool.split(":");
	const fd = fs.openSync(`${M}/tools/${ns}/${name}/call`, "r+");
	try {
		fs.writeSync(fd, JSON.stringify(args));
		const chunks = [];
		const buf = Buffer.alloc(65536);
		let n, pos = 0;
		while ((n = fs.readSync(fd, buf, 0, buf.length, pos)) > 0) {
			chunks.push(Buffer.from(buf.subarray(0, n)));
			pos += n;
		}
		return Buffer.concat(chunks).toString();
	} finally {
		fs.closeSync(fd);
	}
}

console.log(call("builtin:base64", { text: "hello from Node" }));
console.log(call("builtin:echo", { greeting: "hi" }));
