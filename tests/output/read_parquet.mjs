// Reads a Parquet file with hyparquet, a reader written independently of
// signprep, and prints everything parquet_writer_test checks as one JSON
// object: footer facts, per-column schema, chunk metadata, statistics and
// all values. Numbers that may exceed 2^53 (int64) are printed as strings;
// float values and float statistics as their IEEE-754 bit patterns (uint32),
// so that the test can compare them bit for bit.
//
// usage: node tests/output/read_parquet.mjs FILE.parquet
// hyparquet lives in tests/parquet_reader/node_modules (scripts/setup runs
// `npm ci --prefix tests/parquet_reader`).

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

async function loadHyparquet() {
  const require = createRequire(new URL('../parquet_reader/package.json', import.meta.url))
  let entry
  try {
    entry = require.resolve('hyparquet')
  } catch {
    console.error('hyparquet is not installed in tests/parquet_reader/node_modules: ' +
      'run scripts/setup (or `npm ci --prefix tests/parquet_reader`)')
    process.exit(2)
  }
  return import(pathToFileURL(entry).href)
}

const floatBits = (() => {
  const asFloat = new Float32Array(1)
  const asBits = new Uint32Array(asFloat.buffer)
  return (value) => {
    asFloat[0] = value
    return asBits[0]
  }
})()

// One value as the test compares it; null stays null (it would be a bug here).
function portable(value, physicalType) {
  if (value === null || value === undefined) return null
  if (physicalType === 'FLOAT') return floatBits(value)
  if (typeof value === 'bigint') return value.toString()
  return value
}

function toJson(value) {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v))
}

async function main() {
  const path = process.argv[2]
  if (!path) {
    console.error('usage: node read_parquet.mjs FILE.parquet')
    process.exit(2)
  }
  const { parquetMetadata, parquetRead } = await loadHyparquet()
  const bytes = readFileSync(path)
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  const metadata = parquetMetadata(buffer)

  const [root, ...leaves] = metadata.schema
  const rows = await new Promise((resolve, reject) => {
    parquetRead({ file: buffer, metadata, onComplete: resolve }).catch(reject)
  })

  const columns = leaves.map((element, index) => {
    const chunks = metadata.row_groups.map((group) => group.columns[index].meta_data)
    const chunk = chunks[0] ?? {}
    const stats = chunk.statistics ?? {}
    return {
      name: element.name,
      type: element.type,
      repetition_type: element.repetition_type ?? null,
      converted_type: element.converted_type ?? null,
      logical_type: element.logical_type?.type ?? null,
      codec: chunk.codec ?? null,
      encodings: chunk.encodings ?? [],
      path_in_schema: chunk.path_in_schema ?? [],
      num_values: chunk.num_values ?? null,
      data_page_offset: chunk.data_page_offset ?? null,
      total_uncompressed_size: chunk.total_uncompressed_size ?? null,
      total_compressed_size: chunk.total_compressed_size ?? null,
      null_count: stats.null_count ?? null,
      min: portable(stats.min_value, element.type),
      max: portable(stats.max_value, element.type),
      values: rows.map((row) => portable(row[index], element.type)),
    }
  })

  process.stdout.write(toJson({
    file_size: bytes.byteLength,
    metadata_length: metadata.metadata_length,
    version: metadata.version,
    created_by: metadata.created_by ?? null,
    num_rows: metadata.num_rows,
    root: { name: root.name, num_children: root.num_children ?? null },
    row_groups: metadata.row_groups.map((group) => ({
      num_rows: group.num_rows,
      file_offset: group.file_offset ?? null,
      total_byte_size: group.total_byte_size,
      total_compressed_size: group.total_compressed_size ?? null,
    })),
    row_lengths: [...new Set(rows.map((row) => row.length))],
    columns,
  }) + '\n')
}

main().catch((error) => {
  console.error(`read_parquet.mjs: ${error.stack ?? error}`)
  process.exit(1)
})
