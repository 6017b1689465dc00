// Run SQL in DuckDB (npm's @duckdb/node-api) and print the rows as NDJSON.
//   node tests/duckdb.mjs [--threads N] [--time] 'SQL' ['SQL' ...]
// Statements run in order; the rows of the last one are printed.  A
// statement that begins with "FOREACH " is the query after it, whose rows'
// first column are statements, run in order (a script's loop, such as a COPY
// a partition where DuckDB's writer has no PARTITION_BY).  With
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
for (const s of sql) {
	if (!s.startsWith('FOREACH ')) {
		rows = (await con.runAndReadAll(s)).getRowObjectsJson();
		continue;
	}
	const each = (await con.runAndReadAll(s.slice(8))).getRows();
	for (const r of each)
		rows = (await con.runAndReadAll(String(r[0]))).getRowObjectsJson();
}
const t1 = process.hrtime.bigint();
for (const r of rows)
	process.stdout.write(JSON.stringify(r) + '\n');
if (time)
	process.stderr.write(`engine_seconds ${Number(t1 - t0) / 1e9}\n`);
