// TFLite's sparse tensor format (SparsityParameters in schema.fbs, a variant
// of TACO) and its expansion to a dense row-major tensor, which is what the
// DENSIFY operator computes; the reader runs it once at load.
//
// A tensor of rank n with a k-dimensional block is traversed over n + k
// levels in `traversal_order` (a permutation of the n tensor dimensions,
// then of the k block dimensions); `block_map[j]` is the tensor dimension
// that block dimension n + j subdivides. Each level is DENSE (all
// `dense_size` coordinates) or SPARSE_CSR (for parent position p, the
// coordinates indices[segments[p] .. segments[p + 1]]). The stored values
// are the leaves of that traversal, in order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "nn/tflite/flatbuffer_view.h"

namespace signprep::nn::detail {

struct SparseLevel {
  bool sparse = false;
  std::int64_t dense_size = 0;         // DENSE levels
  std::vector<std::int32_t> segments;  // SPARSE_CSR levels
  std::vector<std::int32_t> indices;
};

struct SparseFormat {
  std::vector<int> traversal_order;
  std::vector<int> block_map;
  std::vector<SparseLevel> levels;  // one per entry of traversal_order
};

// Reads a SparsityParameters table, charging what it copies to `budget`;
// checks its structure only (no shapes).
SparseFormat read_sparse_format(const FbTable& sparsity, DecodeBudget& budget);

// The dense element count the format describes for `dense_shape`, after
// checking every level against the shape. Throws FormatError.
std::int64_t check_sparse_format(const SparseFormat& format, std::span<const int> dense_shape);

// Expands `values` (stored elements of `element_size` bytes) into the dense
// tensor, zeros elsewhere. Calls check_sparse_format first; throws
// FormatError when the stored value count does not match the traversal.
std::vector<std::byte> densify(const SparseFormat& format, std::span<const int> dense_shape,
                               std::span<const std::byte> values, std::size_t element_size);

}  // namespace signprep::nn::detail
