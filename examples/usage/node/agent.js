#!/usr/bin/env node
// An agent's walk through a mounted workspace: read the README, search
// for a tool, read its doc, call tools, then hand a script to the sandbox
// that calls tools from inside and leaves a report in /work, read back
// from code/standard/NAME.work/.
// Usage: node agent.js [MOUNT]
const fs = require("fs");
const path = require("path");
const M = process.argv[2] || "mnt";
const TEXT = "the quick brown fox jumps over the lazy dog";

// One call on one descriptor: write, then read the answer from offset 0.
function call(toolDir, args) {
  const fd = fs.openSync(path.join(toolDir, "call"), "r+");
  try {
    fs.writeSync(fd, JSON.stringify(args));
    const buf = Buffer.alloc(65536);
    return buf.toString("utf8", 0, fs.readSync(fd, buf, 0, buf.length, 0));
  } finally {
    fs.closeSync(fd);
  }
}

console.log(fs.readFileSync(path.join(M, "README"), "utf8").split("\n")[0]);
const { hits } = JSON.parse(fs.readFileSync(path.join(M, "search", "count words", "results.json"), "utf8"));
console.log("best hit:", hits[0].id);
const tool = path.join(M, hits[0].path);             // tools/NS/NAME
console.log(fs.readFileSync(path.join(tool, "doc"), "utf8").split("\n")[0]);
const [lines, words, chars] = call(tool, { text: TEXT }).trim().split(/\s+/);
console.log(`counted: ${lines} lines, ${words} words, ${chars} characters`);
const ordered = call(path.join(M, "tools", "local", "sort_lines"), { text: TEXT.split(" ").join("\n") });
console.log("sorted:", ordered.trim().split(/\s+/).join(" "));

// The rest runs in the sandbox: /search, /tools, a private /work.
const script = `
const fs = require("fs");
const TEXT = ${JSON.stringify(TEXT)};
function call(toolDir, args) {
  const fd = fs.openSync(toolDir + "/call", "r+");
  fs.writeSync(fd, JSON.stringify(args));
  const buf = Buffer.alloc(65536);
  const answer = buf.toString("utf8", 0, fs.readSync(fd, buf, 0, buf.length, 0));
  fs.closeSync(fd);
  return answer;
}
const hit = JSON.parse(fs.readFileSync("/search/sha256 digest of a text/results.json", "utf8")).hits[0];
const digest = call("/" + hit.path, { text: TEXT }).split(" ")[0];
const words = call("/tools/local/word_count", { text: TEXT }).trim().split(/\\s+/)[1];
fs.writeFileSync("/work/report.md",
  \`# Report\\ntext: \${TEXT}\\ntool: \${hit.id}\\nsha256: \${digest}\\nwords: \${words}\\n\`);
console.log("report written");
`;
const S = path.join(M, "code", "standard");
fs.writeFileSync(path.join(S, "report.js"), script);  // closing it starts the run
// Reading the result waits for the end of the run.
const result = JSON.parse(fs.readFileSync(path.join(S, "report.js.result"), "utf8"));
process.stdout.write(fs.readFileSync(path.join(S, "report.js.out"), "utf8"));
console.log(`run: exit_code ${result.exit_code}, ${result.tool_calls.length} tool calls`);
process.stdout.write(fs.readFileSync(path.join(S, "report.js.work", "report.md"), "utf8"));
