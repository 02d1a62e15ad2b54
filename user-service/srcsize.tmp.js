const fs = require('fs'); const v8 = require('v8');
for (const m of ['./dist/tracing.js','./dist/app.module.js','./dist/shared/service/start.js','./dist/admin/admin-seeder.js']) require(m);
let total = 0, n = 0; const by = new Map();
for (const f of Object.keys(require.cache)) { const s = fs.statSync(f).size; total += s; n++; const m = f.match(/node_modules\/((@[^/]+\/)?[^/]+)/g); const k = m ? m[m.length-1].replace('node_modules/','') : 'app'; by.set(k, (by.get(k)??0)+s); }
for (let i=0;i<4;i++) global.gc();
const h = v8.getHeapStatistics();
console.log('modules', n, 'source MB', (total/1048576).toFixed(1), 'heap used MB', (h.used_heap_size/1048576).toFixed(1));
for (const [k,v] of [...by].sort((a,b)=>b[1]-a[1]).slice(0,25)) console.log((v/1048576).toFixed(2).padStart(6), k);
setTimeout(()=>process.exit(0), 100);
