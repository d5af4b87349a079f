// Reads an ISLR .parquet with DuckDB, a reader written independently of
// signprep, and prints its column types and every row as one JSON object
// (NaN as the string "NaN"), for test_full_keypoints.py.
//
// usage: node tests/pipeline/read_islr_duckdb.mjs FILE.parquet
// DuckDB lives in tests/parquet_reader/node_modules (scripts/setup runs
// `npm ci --prefix tests/parquet_reader`).
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const require = createRequire(new URL('../parquet_reader/package.json', import.meta.url))
let entry
try {
  entry = require.resolve('@duckdb/node-api')
} catch {
  console.error('DuckDB is not installed in tests/parquet_reader/node_modules: ' +
    'run scripts/setup (or `npm ci --prefix tests/parquet_reader`)')
  process.exit(2)
}
const { DuckDBInstance } = await import(pathToFileURL(entry).href)
const connection = await (await DuckDBInstance.create(':memory:')).connect()
const file = process.argv[2].replaceAll("'", "''")
const types = await connection.runAndReadAll(`describe select * from read_parquet('${file}')`)
const rows = await connection.runAndReadAll(`select * from read_parquet('${file}')`)
console.log(JSON.stringify({
  types: Object.fromEntries(types.getRowObjectsJson().map(c => [c.column_name, c.column_type])),
  rows: rows.getRowObjectsJson(),
}))
