#!/usr/bin/env node
// Chain two tools, shell style: write chain/call, read chain/result.
// Usage: node chain.js [MOUNT]
const fs = require("fs");
const M = process.argv[2] || "mnt";
fs.writeFileSync(`${M}/chain/call`, JSON.stringify([
	{ tool: "builtin:echo", args: { size: 42 } },
	{ tool: "builtin:json_get", args: { pointer: "/size" }, previous_to: "/json" },
]));
console.log(fs.readFileSync(`${M}/chain/result`, "utf8"));
