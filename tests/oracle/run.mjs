// The oracle's runner: compute gold tables in DuckDB from the raw files
// (tests/oracle/<table>.sql, over the silver tables of
// tests/oracle/silver/<table>.sql and the macros of tests/oracle/lib.sql),
// and compare them with the lake's gold/<table>.ndjson, column by column as
// scripts/catalog/<table>.md types them.
//
//   node tests/oracle/run.mjs --raw RAW --lake LAKE --epoch SECONDS
//       [--channels FILE] [--months FILE] [--product-groups FILE]
//       [--catalog DIR] [--dump DIR] [--max N] table ...
//
// Prints "ok <table>: <n> rows" for each table that agrees, and for one
// that does not "FAIL <table>: ..." with the first differing rows; exits 1
// when a table disagrees, 2 on a usage or SQL error.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, writeFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const top = resolve(here, '../..');
const opt = {
	channels: join(top, 'scripts/channels.tsv'),
	months: join(top, 'scripts/months.tsv'),
	'product-groups': join(top, 'scripts/product_groups.tsv'),
	catalog: join(top, 'scripts/catalog'),
	max: 5,
};
const tables = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
	const a = args[i];
	if (['--raw', '--lake', '--epoch', '--channels', '--months', '--product-groups', '--catalog', '--dump', '--max'].includes(a))
		opt[a.slice(2)] = args[++i];
	else if (a.startsWith('-'))
		usage();
	else
		tables.push(a);
}
if (!opt.raw || !opt.lake || !opt.epoch || tables.length === 0)
	usage();
function usage() {
	process.stderr.write('usage: run.mjs --raw RAW --lake LAKE --epoch SECONDS [--channels FILE] [--months FILE] [--product-groups FILE] [--catalog DIR] [--dump DIR] [--max N] table ...\n');
	process.exit(2);
}

function sqlText(file) {
	const vars = {
		RAW: resolve(opt.raw), LAKE: resolve(opt.lake), EPOCH: String(Number(opt.epoch)), CHANNELS: resolve(opt.channels),
		MONTHS: resolve(opt.months), PRODUCT_GROUPS: resolve(opt['product-groups']),
	};
	return readFileSync(file, 'utf8').replace(/\$\{(\w+)\}/g, (m, v) => {
		if (!(v in vars)) throw new Error(`${file}: unknown placeholder ${m}`);
		return vars[v].replace(/'/g, "''");
	});
}

const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await db.connect();
// A surrogate key is written in the oracle as a UNION (lib.sql, mx_key),
// which comes out as {tag, value}: it becomes its value, the list of the
// natural key's parts or the string of the unknown member.
const unwrapKey = v => v !== null && typeof v === 'object' && !Array.isArray(v) &&
	Object.keys(v).length === 2 && 'tag' in v && 'value' in v ? v.value : v;
async function run(sql) {
	return (await con.runAndReadAll(sql)).getRowObjectsJson()
		.map(r => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, unwrapKey(v)])));
}
// The surrogate keys of rows, hashed in place: a key the oracle wrote as
// its parts (lib.sql, key_d and key_s: a tag letter, then the content)
// becomes hash() of mx-calc(1)'s CAVEATS: XXH3-64 of each part's tag,
// content length (4 bytes, big-endian) and content, by xxhsum, the
// xxHash project's own tool.  keys: the names of the columns to hash (the
// key columns, and the string columns, in which a list is a hash the
// oracle wrote as mx_key: hash_diff).
function hashKeys(rows, keys) {
	const todo = [];
	for (const r of rows)
		for (const k of keys)
			if (Array.isArray(r[k]))
				todo.push([r, k]);
	if (todo.length === 0) return rows;
	const dir = mkdtempSync(join(tmpdir(), 'oracle-keys-'));
	try {
		const files = todo.map(([r, k], i) => {
			const bytes = Buffer.concat(r[k].map(p => {
				const c = Buffer.from(p.slice(1), 'utf8'), h = Buffer.alloc(5);
				h.write(p[0], 0, 'latin1');
				h.writeUInt32BE(c.length, 1);
				return Buffer.concat([h, c]);
			}));
			const f = join(dir, `k${i}`);
			writeFileSync(f, bytes);
			return f;
		});
		const sums = new Map();
		for (let i = 0; i < files.length; i += 500) {
			const out = execFileSync('xxhsum', ['-H3', ...files.slice(i, i + 500)], { encoding: 'utf8' });
			// "XXH3 (<file>) = <hash>", one line a file
			for (const m of out.matchAll(/^XXH3 \((.*)\) = ([0-9a-f]{16})\s*$/gm))
				sums.set(m[1], m[2]);
		}
		todo.forEach(([r, k], i) => {
			if (!sums.has(files[i])) throw new Error(`xxhsum gave no hash for ${files[i]}`);
			r[k] = sums.get(files[i]);
		});
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	return rows;
}

// a script of several statements
async function runScript(text) {
	await con.run(text);
}

await runScript(sqlText(join(here, 'lib.sql')));

const made = new Set(), making = new Set();
function deps(text) {
	const d = [];
	for (const m of text.matchAll(/\b(silver|gold)_([a-z0-9_]+)\b/g))
		d.push([m[1], m[2]]);
	return d;
}
function query(t) {
	return sqlText(join(here, `${t}.sql`)).replace(/;\s*$/, '');
}
async function ensure(kind, t) {
	const name = `${kind}_${t}`;
	if (made.has(name)) return;
	if (making.has(name)) throw new Error(`${name}: a circular dependency`);
	making.add(name);
	const text = kind === 'silver' ? sqlText(join(here, 'silver', `${t}.sql`)) : query(t);
	for (const [k, d] of deps(text))
		if (`${k}_${d}` !== name) await ensure(k, d);
	if (kind === 'silver')
		await runScript(text);
	else
		await run(`CREATE TABLE ${name} AS ${text}`);
	making.delete(name);
	made.add(name);
}

// The catalog entry: columns with their types and definitions.
function catalog(t) {
	const md = readFileSync(join(opt.catalog, `${t}.md`), 'utf8');
	const cols = [];
	let inTable = false;
	for (const line of md.split('\n')) {
		if (/^\|\s*column\s*\|/.test(line)) { inTable = true; continue; }
		if (!inTable) continue;
		if (/^\|[-\s|]+\|$/.test(line)) continue;
		if (!line.startsWith('|')) break;
		const c = line.split('|').slice(1, -1).map(s => s.trim());
		cols.push({ name: c[0], type: c[1], definition: c[2] });
	}
	return cols;
}

// A lake line, its numbers kept as written: each number outside a string
// becomes the string "\u0000num:<literal>".
const NUM = '\u0000num:';
function parseLake(line) {
	const marked = line.replace(/"(?:[^"\\]|\\.)*"|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g,
		(m, n) => n !== undefined ? JSON.stringify(NUM + n) : m);
	return JSON.parse(marked);
}
const isNum = v => typeof v === 'string' && v.startsWith(NUM);
const lit = v => v.slice(NUM.length);

// An exact decimal, normalised: no trailing zeros, no point when whole,
// no sign on zero.  Exponents are expanded.
function normDec(s) {
	let m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(s);
	if (!m) return null;
	let [, sign, int, frac = '', exp = '0'] = m;
	let digits = int + frac, point = int.length + Number(exp);
	if (point < 0) { digits = '0'.repeat(-point) + digits; point = 0; }
	if (point > digits.length) digits += '0'.repeat(point - digits.length);
	int = digits.slice(0, point).replace(/^0+/, '') || '0';
	frac = digits.slice(point).replace(/0+$/, '');
	const out = frac ? `${int}.${frac}` : int;
	return out === '0' ? '0' : sign + out;
}

// Compare one value; returns null when equal, else why not.
function cmp(col, lake, mine) {
	const show = v => isNum(v) ? lit(v) : JSON.stringify(v);
	if (lake === undefined) return `the lake has no column ${col.name}`;
	if (col.unchecked) return null;
	if (lake === null || mine === null)
		return lake === null && mine === null ? null : `lake ${show(lake)}, oracle ${JSON.stringify(mine)}`;
	const type = col.type;
	let m;
	if (type === 'string' || type === 'date' || type === 'timestamp') {
		if (typeof lake !== 'string' || isNum(lake)) return `lake ${show(lake)} is not a string`;
		return lake === String(mine) ? null : `lake ${show(lake)}, oracle ${JSON.stringify(mine)}`;
	}
	if (type === 'integer') {
		if (!isNum(lake) || !/^-?\d+$/.test(lit(lake))) return `lake ${show(lake)} is not an integer`;
		return BigInt(lit(lake)) === BigInt(mine) ? null : `lake ${lit(lake)}, oracle ${mine}`;
	}
	if (type === 'decimal') {
		if (!isNum(lake)) return `lake ${show(lake)} is not a number`;
		if (normDec(lit(lake)) !== normDec(String(mine))) return `lake ${lit(lake)}, oracle ${normDec(String(mine))}`;
		if ((m = /at least (\d+) places/.exec(col.definition)) &&
		    (lit(lake).split('.')[1] || '').length < Number(m[1]))
			return `lake ${lit(lake)}: not written with at least ${m[1]} places`;
		return null;
	}
	if ((m = /^decimal\((\d+)\)$/.exec(type))) {
		if (!isNum(lake)) return `lake ${show(lake)} is not a number`;
		return lit(lake) === String(mine) ? null : `lake ${lit(lake)}, oracle ${mine} (${m[1]} places)`;
	}
	if (type === 'double') {
		if (!isNum(lake)) return `lake ${show(lake)} is not a number`;
		return Number(lit(lake)) === Number(mine) ? null : `lake ${lit(lake)}, oracle ${mine}`;
	}
	if (type === 'boolean')
		return lake === mine ? null : `lake ${show(lake)}, oracle ${JSON.stringify(mine)}`;
	// a surrogate key: 16 hexadecimal digits, hashed by hashKeys
	if (type === 'key') {
		if (typeof lake !== 'string' || !/^[0-9a-f]{16}$/.test(lake)) return `lake ${show(lake)} is not a key`;
		return lake === String(mine) ? null : `lake ${show(lake)}, oracle ${JSON.stringify(mine)}`;
	}
	if (type === 'array of strings')
		return JSON.stringify(lake) === JSON.stringify(mine) ? null : `lake ${JSON.stringify(lake)}, oracle ${JSON.stringify(mine)}`;
	return `unknown type ${type}`;
}

// A row as a canonical string, to compare the rows as multisets.
function canon(cols, row, lakeSide) {
	return JSON.stringify(cols.map(c => {
		if (c.unchecked) return '?';
		let v = row[c.name];
		if (v === undefined || v === null) return null;
		if (lakeSide && isNum(v)) v = lit(v);
		if (c.type === 'decimal') return normDec(String(v));
		if (c.type === 'integer') return String(v);
		if (c.type === 'double') return String(Number(v));
		return v;
	}));
}

let failed = 0;
for (const t of tables) {
	let mine;
	try {
		mine = await (async () => {
			const text = query(t);
			for (const [k, d] of deps(text)) await ensure(k, d);
			// keys, and strings written as hashes (hash_diff: mx_key of the
			// tracked columns)
			return hashKeys(await run(text),
				catalog(t).filter(c => c.type === 'key' || c.type === 'string').map(c => c.name));
		})();
	} catch (e) {
		process.stdout.write(`FAIL ${t}: the oracle's query failed: ${e.message}\n`);
		failed++;
		continue;
	}
	if (opt.dump) {
		mkdirSync(opt.dump, { recursive: true });
		writeFileSync(join(opt.dump, `${t}.ndjson`), mine.map(r => JSON.stringify(r) + '\n').join(''));
	}
	// columns the oracle cannot compute, each said in its query:
	// "-- oracle: unchecked <column> (why)"
	const unchecked = new Set([...query(t).matchAll(/^--\s*oracle:\s*unchecked\s+(\w+)/gm)].map(m => m[1]));
	const cols = catalog(t).map(c => ({ ...c, unchecked: unchecked.has(c.name) }));
	const file = join(opt.lake, 'gold', `${t}.ndjson`);
	if (!existsSync(file)) {
		process.stdout.write(`FAIL ${t}: the lake has no ${file}\n`);
		failed++;
		continue;
	}
	const lake = readFileSync(file, 'utf8').split('\n').filter(l => l !== '').map(parseLake);
	const errs = [];
	const names = cols.map(c => c.name).join(',');
	const mineNames = mine.length ? Object.keys(mine[0]).join(',') : names;
	if (mineNames !== names)
		errs.push(`the oracle's columns ${mineNames} are not the catalog's ${names}`);
	for (let i = 0; i < lake.length && errs.length < Number(opt.max); i++) {
		const got = Object.keys(lake[i]).join(',');
		if (got !== names) {
			errs.push(`row ${i + 1}: the lake's columns ${got} are not the catalog's ${names}`);
			break;
		}
	}
	const n = Math.min(lake.length, mine.length);
	for (let i = 0; i < n && errs.length < Number(opt.max); i++) {
		const why = cols.map(c => [c.name, cmp(c, lake[i][c.name], mine[i][c.name])]).filter(([, w]) => w);
		if (why.length)
			errs.push(`row ${i + 1}: ` + why.map(([c, w]) => `${c}: ${w}`).join('; ') +
				`\n    lake:   ${canon(cols, lake[i], true)}\n    oracle: ${canon(cols, mine[i], false)}`);
	}
	if (lake.length !== mine.length)
		errs.push(`the lake has ${lake.length} rows, the oracle ${mine.length}`);
	if (errs.length) {
		// the rows as multisets: which are only on one side
		const count = new Map();
		for (const r of lake) { const k = canon(cols, r, true); count.set(k, (count.get(k) || 0) + 1); }
		for (const r of mine) { const k = canon(cols, r, false); count.set(k, (count.get(k) || 0) - 1); }
		const onlyLake = [], onlyMine = [];
		for (const [k, c] of count) {
			for (let i = 0; i < c; i++) onlyLake.push(k);
			for (let i = 0; i < -c; i++) onlyMine.push(k);
		}
		let msg = `FAIL ${t}: ${lake.length} rows in the lake, ${mine.length} in the oracle`;
		if (!onlyLake.length && !onlyMine.length)
			msg += ': the same rows (by value), in another order';
		else
			msg += `: ${onlyLake.length} rows only in the lake, ${onlyMine.length} only in the oracle`;
		msg += '\n  ' + errs.join('\n  ');
		for (const k of onlyLake.slice(0, Number(opt.max))) msg += `\n  only in the lake:   ${k}`;
		for (const k of onlyMine.slice(0, Number(opt.max))) msg += `\n  only in the oracle: ${k}`;
		process.stdout.write(msg + '\n');
		failed++;
	} else {
		process.stdout.write(`ok ${t}: ${lake.length} rows\n`);
	}
}
process.exit(failed ? 1 : 0);
