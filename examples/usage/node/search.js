#!/usr/bin/env node
// Search for a tool, then call the best hit.
// Usage: node search.js [MOUNT] [QUERY]
const fs = require("fs");
const path = require("path");
const M = process.argv[2] || "mnt";
const query = process.argv[3] || "encode text as base64";
const dir = path.join(M, "search", query);
const { hits } = JSON.parse(fs.readFileSync(path.join(dir, "results.json"), "utf8"));
for (const h of hits.slice(0, 3)) console.log(h.rank, h.id, h.summary);
const best = path.join(M, hits[0].path);              // tools/NS/NAME
fs.writeFileSync(path.join(best, "call"), JSON.stringify({ text: "found by search" }));
console.log(fs.readFileSync(path.join(best, "result"), "utf8"));
