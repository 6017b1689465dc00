// Run SQL in DuckDB (npm's @duckdb/node-api) and print the rows as NDJSON.
//   node tests/duckdb.mjs [--threads N] [--time] 'SQL' ['SQL' ...]
// Statements run in order; the rows of the last one are printed.  With
// --time the engine's own time (without node's start-up) goes to stderr as
// "engine_seconds N".  Used by the tests (DuckDB reading the lake) and by
// the benchmark.
import { DuckDBInstance } from '@duckdb/node-api';

const args = process.argv.slice(2);
let threads = null, time = false;
const sql = [];
for (let i = 0; i < args.length; i++) {
	if (args[i] === '--threads') threads = args[++i];
	else if (args[i] === '--time') time = true;
	else sql.push(args[i]);
}
const opts = threads ? { threads: String(threads) } : {};
const db = await DuckDBInstance.create(':memory:', opts);
const con = await db.connect();
const t0 = process.hrtime.bigint();
let rows = [];
for (const s of sql)
	rows = (await con.runAndReadAll(s)).getRowObjectsJson();
const t1 = process.hrtime.bigint();
for (const r of rows)
	process.stdout.write(JSON.stringify(r) + '\n');
if (time)
	process.stderr.write(`engine_seconds ${Number(t1 - t0) / 1e9}\n`);
