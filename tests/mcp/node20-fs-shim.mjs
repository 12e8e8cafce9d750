// Node 20 lacks fs.globSync (added in Node 22), which
// @modelcontextprotocol/conformance imports by name from "fs".  Run the
// suite with `node --import ./node20-fs-shim.mjs ...`: this registers a
// resolve hook that hands importers of "fs" a module re-exporting the
// real one plus a small globSync.  On Node 22 and later it does nothing.
import fs from 'node:fs';
import { register } from 'node:module';

if (typeof fs.globSync !== 'function') {
  register('./node20-fs-hooks.mjs', import.meta.url);
}
