#!/usr/bin/env node
// Drop a script into code/standard/: it runs once in a sandbox, where
// the mount's tools are at /tools.  Read what it printed and its result.
// Usage: node code.js [MOUNT]
const fs = require("fs");
const M = process.argv[2] || "mnt";
const S = `${M}/code/standard`;

const script = `
const fs = require("fs");
console.log("hello from the sandbox");
const fd = fs.openSync("/tools/builtin/base64/call", "r+");   // from inside
fs.writeSync(fd, JSON.stringify({ text: "code in a sandbox" }));
const buf = Buffer.alloc(65536);
process.stdout.write(buf.toString("utf8", 0, fs.readSync(fd, buf, 0, buf.length, 0)));
fs.closeSync(fd);
`;
// Writing a file there and closing it runs it (fs.copyFileSync works too).
fs.writeFileSync(`${S}/hello.js`, script);
// Reading the result waits for the end of the run.
const result = JSON.parse(fs.readFileSync(`${S}/hello.js.result`, "utf8"));
process.stdout.write(fs.readFileSync(`${S}/hello.js.out`, "utf8"));
console.log("exit_code:", result.exit_code);
console.log("tool calls:", result.tool_calls.length);
