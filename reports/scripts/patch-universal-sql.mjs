// Postinstall patch: let Evidence's universal-sql run on the pinned @duckdb/duckdb-wasm 1.28.0.
//
// Why: duckdb-wasm >= 1.29 no longer bundles the Parquet extension and downloads it on first
// use; offline, `evidence sources` then hangs forever. package.json therefore pins 1.28.0
// (DuckDB 0.9.2) through `overrides`. universal-sql 3.x issues two SET statements at start-up
// (`ieee_floating_point_ops`, `old_implicit_casting`) that DuckDB 0.9 does not know, and the
// error aborts every query. This script wraps each of them in a try/catch, so the settings
// apply where they exist and are skipped where they do not.
//
// Idempotent: running it twice changes nothing; it fails loudly if the code it expects has
// moved (e.g. after an Evidence upgrade), instead of leaving a silently broken install.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const clientDir = join(
	here,
	'..',
	'node_modules',
	'@evidence-dev',
	'universal-sql',
	'src',
	'client-duckdb'
);
const targets = ['browser.js', 'node.js'];
const settings = ['ieee_floating_point_ops = false', 'old_implicit_casting = true'];
const marker = '/* supportlens: tolerated on duckdb-wasm 1.28 */';

let patched = 0;
for (const file of targets) {
	const path = join(clientDir, file);
	let source = readFileSync(path, 'utf8');
	for (const setting of settings) {
		const statement = `await connection.query('SET ${setting};');`;
		const wrapped = `try { ${statement} } catch { ${marker} }`;
		if (source.includes(wrapped)) continue;
		if (!source.includes(statement)) {
			console.error(`patch-universal-sql: '${statement}' not found in ${path}`);
			process.exit(1);
		}
		source = source.replace(statement, wrapped);
		patched += 1;
	}
	writeFileSync(path, source);
}
console.log(`patch-universal-sql: ${patched} statement(s) wrapped (0 means already patched)`);
