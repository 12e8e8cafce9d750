// "fs" plus globSync for Node 20 (see node20-fs-shim.mjs).  The glob
// supports '*', '?' and '**' path segments, which is all the
// conformance suite needs (it looks for "**/checks.json").
import fs from 'node:fs';
import path from 'node:path';

export * from 'node:fs';
export default fs;

const segRe = (seg) => new RegExp('^' + seg.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  .replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');

function walk(dir, rel, parts, out) {
  if (parts.length === 0) { out.push(rel); return; }
  const [head, ...rest] = parts;
  let entries;
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
  if (head === '**') {
    walk(dir, rel, rest, out);
    for (const e of entries) {
      if (e.isDirectory()) walk(path.join(dir, e.name), rel ? rel + '/' + e.name : e.name, parts, out);
    }
    return;
  }
  const re = segRe(head);
  for (const e of entries) {
    if (!re.test(e.name) || (rest.length && !e.isDirectory())) continue;
    walk(path.join(dir, e.name), rel ? rel + '/' + e.name : e.name, rest, out);
  }
}

export function globSync(pattern, options = {}) {
  const cwd = options.cwd ? String(options.cwd) : process.cwd();
  const out = [];
  for (const p of Array.isArray(pattern) ? pattern : [pattern]) {
    walk(cwd, '', String(p).split('/').filter(Boolean), out);
  }
  return [...new Set(out)];
}
