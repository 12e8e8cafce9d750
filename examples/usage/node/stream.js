#!/usr/bin/env node
// Follow a long job's stream as it comes (a read at its end waits for
// more; the stream ends when the job does).  Usage: node stream.js [MOUNT]
const fs = require("fs");
const M = process.argv[2] || "mnt";
const job = fs.readFileSync(`${M}/tools/builtin/sleep/clone`, "utf8").trim();
fs.writeFileSync(`${M}/jobs/${job}/call`, JSON.stringify({ seconds: 3 }));
fs.createReadStream(`${M}/jobs/${job}/stream`)
	.on("data", (d) => process.stdout.write(d))
	.on("end", () => console.log("result:",
		fs.readFileSync(`${M}/jobs/${job}/result`, "utf8").trim()));
