#include "nn/tflite/densify.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "nn/tflite/tflite_schema.h"

namespace signprep::nn::detail {
namespace {

// Deep enough for any real tensor and keeps the traversal's recursion shallow.
constexpr std::size_t kMaxSparseLevels = 16;
// Keeps every position computed during the traversal far from overflow; the
// reader's budget limits real tensors much further.
constexpr std::int64_t kMaxDenseElements = std::int64_t{1} << 32;

// Index vectors are int32, uint16 or uint8 (schema.fbs: never wider than a
// tensor dimension), so int32 holds them all.
template <class T>
std::vector<std::int32_t> widen(const FbTable& table, DecodeBudget& budget) {
  const FbVector vector = table.vector(schema::kIndexVectorValues, sizeof(T));
  budget.charge(vector.size() * sizeof(std::int32_t));
  const std::vector<T> values = vector.scalars<T>();
  return {values.begin(), values.end()};
}

// A SparseIndexVector union: Int32Vector, Uint16Vector or Uint8Vector.
std::vector<std::int32_t> read_index_vector(const FbTable& dim, Field type_field, Field value,
                                            DecodeBudget& budget) {
  const FbTable table = dim.table(value);
  const int type = dim.union_type(type_field);
  if (type == schema::kInt32Vector) return widen<std::int32_t>(table, budget);
  if (type == schema::kUint16Vector) return widen<std::uint16_t>(table, budget);
  if (type == schema::kUint8Vector) return widen<std::uint8_t>(table, budget);
  format_fail(std::string(value.name) + " has index vector type " + std::to_string(type));
}

std::vector<int> read_ints(const FbTable& table, Field field, DecodeBudget& budget) {
  const FbVector vector = table.vector(field, 4);
  budget.charge(vector.size() * sizeof(int));
  return vector.scalars<int>();
}

SparseLevel read_level(const FbTable& dim, DecodeBudget& budget) {
  SparseLevel level;
  const int format = dim.scalar<std::int8_t>(schema::kDimFormat, 0);
  if (format == schema::kDimDense) {
    level.dense_size = dim.scalar<std::int32_t>(schema::kDimDenseSize, 0);
    return level;
  }
  if (format != schema::kDimSparseCsr) format_fail("unknown format " + std::to_string(format));
  level.sparse = true;
  level.segments =
      read_index_vector(dim, schema::kDimArraySegmentsType, schema::kDimArraySegments, budget);
  level.indices =
      read_index_vector(dim, schema::kDimArrayIndicesType, schema::kDimArrayIndices, budget);
  return level;
}

bool is_permutation_of_range(std::span<const int> values, int first) {
  std::vector<int> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (sorted[i] != first + static_cast<int>(i)) return false;
  }
  return true;
}

// Segments must be a valid CSR row-pointer array into `indices`, and every
// index a coordinate of the level.
void check_sparse_level(const SparseLevel& level, std::int64_t extent) {
  if (level.segments.empty()) format_fail("sparse level without array_segments");
  if (level.segments.front() < 0) format_fail("negative array_segments entry");
  for (std::size_t i = 1; i < level.segments.size(); ++i) {
    if (level.segments[i] < level.segments[i - 1]) format_fail("array_segments decrease");
  }
  if (level.segments.back() > static_cast<std::int64_t>(level.indices.size())) {
    format_fail("array_segments run past array_indices");
  }
  for (const std::int32_t index : level.indices) {
    if (index < 0 || index >= extent) {
      format_fail("array_indices entry " + std::to_string(index) + " outside 0.." +
                  std::to_string(extent - 1));
    }
  }
}

// Block sizes per block dimension: the dense_size of the level traversing it.
std::vector<std::int64_t> block_sizes(const SparseFormat& format, std::size_t rank) {
  std::vector<std::int64_t> sizes(format.block_map.size());
  for (std::size_t level = rank; level < format.levels.size(); ++level) {
    const SparseLevel& l = format.levels[level];
    if (l.sparse || l.dense_size < 1) format_fail("block dimensions must be dense and non-empty");
    sizes[static_cast<std::size_t>(format.traversal_order[level]) - rank] = l.dense_size;
  }
  return sizes;
}

class Expander {
 public:
  Expander(const SparseFormat& format, std::span<const int> dense_shape,
           std::span<const std::byte> values, std::size_t element_size, std::vector<std::byte>& out)
      : format_(format),
        shape_(dense_shape),
        blocks_(block_sizes(format, dense_shape.size())),
        values_(values),
        element_size_(element_size),
        out_(out),
        coords_(format.levels.size()),
        index_(dense_shape.size()) {}

  void run() {
    visit(0, 0);
    if (next_value_ != values_.size() / element_size_) {
      format_fail("holds " + std::to_string(values_.size() / element_size_) +
                  " values, its indices place " + std::to_string(next_value_));
    }
  }

 private:
  void visit(std::size_t level, std::int64_t parent) {
    if (level == format_.levels.size()) return store();
    const SparseLevel& l = format_.levels[level];
    if (!l.sparse) {
      for (std::int64_t i = 0; i < l.dense_size; ++i) {
        coords_[level] = i;
        visit(level + 1, parent * l.dense_size + i);
      }
      return;
    }
    if (parent + 1 >= static_cast<std::int64_t>(l.segments.size())) {
      format_fail("array_segments too short for the dimensions before it");
    }
    const auto p = static_cast<std::size_t>(parent);
    for (std::int64_t i = l.segments[p]; i < l.segments[p + 1]; ++i) {
      coords_[level] = l.indices[static_cast<std::size_t>(i)];
      visit(level + 1, i);
    }
  }

  // Copies the next stored value to the dense position of the current leaf.
  void store() {
    const std::size_t rank = shape_.size();
    std::vector<std::int64_t>& index = index_;
    for (std::size_t level = 0; level < rank; ++level) {
      index[static_cast<std::size_t>(format_.traversal_order[level])] = coords_[level];
    }
    for (std::size_t level = rank; level < coords_.size(); ++level) {
      const auto block = static_cast<std::size_t>(format_.traversal_order[level]) - rank;
      const auto dim = static_cast<std::size_t>(format_.block_map[block]);
      index[dim] = index[dim] * blocks_[block] + coords_[level];
    }
    std::size_t flat = 0;
    for (std::size_t d = 0; d < rank; ++d) {
      if (index[d] >= shape_[d]) format_fail("a stored value lies outside the tensor");
      flat = flat * static_cast<std::size_t>(shape_[d]) + static_cast<std::size_t>(index[d]);
    }
    if ((next_value_ + 1) * element_size_ > values_.size()) {
      format_fail("its indices place more values than the " +
                  std::to_string(values_.size() / element_size_) + " it holds");
    }
    std::memcpy(out_.data() + flat * element_size_, values_.data() + next_value_ * element_size_,
                element_size_);
    ++next_value_;
  }

  const SparseFormat& format_;
  std::span<const int> shape_;
  std::vector<std::int64_t> blocks_;
  std::span<const std::byte> values_;
  std::size_t element_size_;
  std::vector<std::byte>& out_;
  std::vector<std::int64_t> coords_;  // current coordinate per level
  std::vector<std::int64_t> index_;   // scratch: the leaf's coordinate per tensor dimension
  std::size_t next_value_ = 0;
};

}  // namespace

SparseFormat read_sparse_format(const FbTable& sparsity, DecodeBudget& budget) {
  SparseFormat format;
  format.traversal_order = read_ints(sparsity, schema::kSparsityTraversalOrder, budget);
  format.block_map = read_ints(sparsity, schema::kSparsityBlockMap, budget);
  const FbVector dims = sparsity.vector(schema::kSparsityDimMetadata, 4);
  if (dims.size() > kMaxSparseLevels) {
    format_fail("more than " + std::to_string(kMaxSparseLevels) + " dim_metadata entries");
  }
  for (std::size_t i = 0; i < dims.size(); ++i) {
    format.levels.push_back(with_context("dim_metadata " + std::to_string(i),
                                         [&] { return read_level(table_at(dims, i), budget); }));
  }
  return format;
}

std::int64_t check_sparse_format(const SparseFormat& format, std::span<const int> dense_shape) {
  const std::size_t rank = dense_shape.size();
  const std::size_t block_rank = format.block_map.size();
  if (block_rank > rank || format.traversal_order.size() != rank + block_rank ||
      format.levels.size() != rank + block_rank) {
    format_fail("traversal_order, block_map and dim_metadata do not fit a rank-" +
                std::to_string(rank) + " tensor");
  }
  const std::span<const int> order(format.traversal_order);
  if (!is_permutation_of_range(order.first(rank), 0) ||
      !is_permutation_of_range(order.subspan(rank), static_cast<int>(rank))) {
    format_fail("traversal_order is not a permutation of the dimensions");
  }
  std::vector<int> blocked(format.block_map);
  std::sort(blocked.begin(), blocked.end());
  if (std::adjacent_find(blocked.begin(), blocked.end()) != blocked.end() ||
      (!blocked.empty() && (blocked.front() < 0 || blocked.back() >= static_cast<int>(rank)))) {
    format_fail("block_map names a dimension twice or outside the tensor");
  }

  // The extent each level traverses: a dimension divided by its block size,
  // or the block size itself.
  const std::vector<std::int64_t> blocks = block_sizes(format, rank);
  std::vector<std::int64_t> extents(rank + block_rank);
  std::int64_t count = 1;
  for (std::size_t d = 0; d < rank; ++d) {
    if (dense_shape[d] < 0) format_fail("negative dimension");
    extents[d] = dense_shape[d];
    count *= dense_shape[d];
    if (count > kMaxDenseElements) format_fail("dense tensor too large");
  }
  for (std::size_t j = 0; j < block_rank; ++j) {
    const auto dim = static_cast<std::size_t>(format.block_map[j]);
    if (extents[dim] % blocks[j] != 0) format_fail("block size does not divide its dimension");
    extents[dim] /= blocks[j];
    extents[rank + j] = blocks[j];
  }
  for (std::size_t level = 0; level < format.levels.size(); ++level) {
    const SparseLevel& l = format.levels[level];
    const std::int64_t extent = extents[static_cast<std::size_t>(format.traversal_order[level])];
    with_context("dim_metadata " + std::to_string(level), [&] {
      if (l.sparse) return check_sparse_level(l, extent);
      if (l.dense_size != extent) {
        format_fail("dense_size " + std::to_string(l.dense_size) + ", dimension has " +
                    std::to_string(extent));
      }
    });
  }
  return count;
}

std::vector<std::byte> densify(const SparseFormat& format, std::span<const int> dense_shape,
                               std::span<const std::byte> values, std::size_t element_size) {
  const std::int64_t count = check_sparse_format(format, dense_shape);
  if (values.size() % element_size != 0) format_fail("data size is not a whole number of values");
  std::vector<std::byte> dense(static_cast<std::size_t>(count) * element_size);
  Expander(format, dense_shape, values, element_size, dense).run();
  return dense;
}

}  // namespace signprep::nn::detail
