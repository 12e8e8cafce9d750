#!/usr/bin/env node
// Run many calls at once: each a job, each result read asynchronously
// (the read waits for its call, off the main thread).
// Usage: node many.js [MOUNT] [COUNT]
const fs = require("fs/promises");
const M = process.argv[2] || "mnt";
const count = Number(process.argv[3] || 5);

async function job(i) {
	const id = (await fs.readFile(`${M}/tools/builtin/sleep/clone`, "utf8")).trim();
	await fs.writeFile(`${M}/jobs/${id}/call`, JSON.stringify({ seconds: 0.5 + i * 0.1 }));
	return `job ${id}: ${(await fs.readFile(`${M}/jobs/${id}/result`, "utf8")).trim()}`;
}
Promise.all([...Array(count).keys()].map(job))
	.then((lines) => lines.forEach((l) => console.log(l)))
	.catch((e) => { console.error(e.message); process.exit(1); });
