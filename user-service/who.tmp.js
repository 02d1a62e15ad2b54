const Module = require('module'); const orig = Module.prototype.require; const seen = new Map();
Module.prototype.require = function (id) { const r = orig.apply(this, arguments); try { const f = Module._resolveFilename(id, this); const pat = process.env.PAT; if (f.includes(pat) && !this.filename.includes(pat) && !seen.has(this.filename)) { seen.set(this.filename, id); } } catch {} return r; };
for (const m of ['./dist/tracing.js','./dist/app.module.js','./dist/shared/service/start.js']) require(m);
for (const [k, v] of seen) console.log(v, '<=', k.replace(/.*node_modules\//, ''));
process.exit(0);
