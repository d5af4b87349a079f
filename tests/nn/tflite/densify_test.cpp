// TFLite's sparse format expanded by hand-checked examples: CSR by rows, by
// columns (a traversal order other than row-major), and block-sparse (the
// 4x4 example with 2x2 blocks from TFLite's sparse_tensor.json); and broken
// formats, which must be FormatErrors.
#include "nn/tflite/densify.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace signprep::nn::detail {
namespace {

SparseLevel dense(std::int64_t size) {
  return {false, size, {}, {}};
}
SparseLevel csr(std::vector<std::int32_t> segments, std::vector<std::int32_t> indices) {
  return {true, 0, std::move(segments), std::move(indices)};
}

std::vector<float> expand(const SparseFormat& format, const std::vector<int>& shape,
                          const std::vector<float>& values) {
  const std::vector<std::byte> dense_bytes =
      densify(format, shape, std::as_bytes(std::span<const float>(values)), sizeof(float));
  std::vector<float> out(dense_bytes.size() / sizeof(float));
  std::memcpy(out.data(), dense_bytes.data(), dense_bytes.size());
  return out;
}

// [[1, 0, 0, 2],
//  [0, 0, 0, 0],
//  [0, 3, 4, 0]]
const std::vector<float> kMatrix = {1, 0, 0, 2, 0, 0, 0, 0, 0, 3, 4, 0};

TEST(Densify, CsrByRows) {
  const SparseFormat format{{0, 1}, {}, {dense(3), csr({0, 2, 2, 4}, {0, 3, 1, 2})}};
  EXPECT_EQ(check_sparse_format(format, std::vector<int>{3, 4}), 12);
  EXPECT_EQ(expand(format, {3, 4}, {1, 2, 3, 4}), kMatrix);
}

TEST(Densify, CsrByColumns) {
  const SparseFormat format{{1, 0}, {}, {dense(4), csr({0, 1, 2, 3, 4}, {0, 2, 2, 0})}};
  EXPECT_EQ(expand(format, {3, 4}, {1, 3, 4, 2}), kMatrix);
}

TEST(Densify, BlockSparse) {
  // Blocks (0,0) = [1 0; 0 4], (0,1) = [2 3; 0 0], (1,1) = [5 0; 0 6].
  const SparseFormat format{
      {0, 1, 2, 3}, {0, 1}, {dense(2), csr({0, 2, 3}, {0, 1, 1}), dense(2), dense(2)}};
  EXPECT_EQ(expand(format, {4, 4}, {1, 0, 0, 4, 2, 3, 0, 0, 5, 0, 0, 6}),
            (std::vector<float>{1, 0, 2, 3, 0, 4, 0, 0, 0, 0, 5, 0, 0, 0, 0, 6}));
}

TEST(Densify, ElementSizes) {
  const SparseFormat format{{0}, {}, {csr({0, 2}, {1, 3})}};
  const std::vector<std::uint16_t> halves = {0x3c00, 0xc000};
  const std::vector<std::byte> out =
      densify(format, std::vector<int>{5}, std::as_bytes(std::span(halves)), 2);
  std::vector<std::uint16_t> dense_halves(5);
  ASSERT_EQ(out.size(), 10u);
  std::memcpy(dense_halves.data(), out.data(), out.size());
  EXPECT_EQ(dense_halves, (std::vector<std::uint16_t>{0, 0x3c00, 0, 0xc000, 0}));
}

TEST(Densify, RejectsBrokenFormats) {
  const std::vector<float> four = {1, 2, 3, 4};
  const auto rejects = [&](const SparseFormat& format, std::vector<int> shape,
                           const std::vector<float>& values) {
    EXPECT_THROW(expand(format, shape, values), FormatError);
  };
  const SparseLevel rows = dense(3);
  rejects({{0, 1}, {}, {rows, csr({0, 2, 2, 4}, {0, 4, 1, 2})}}, {3, 4}, four);   // index 4
  rejects({{0, 1}, {}, {rows, csr({0, 2, 1, 4}, {0, 3, 1, 2})}}, {3, 4}, four);   // decreasing
  rejects({{0, 1}, {}, {rows, csr({0, 2, 2, 5}, {0, 3, 1, 2})}}, {3, 4}, four);   // past indices
  rejects({{0, 1}, {}, {rows, csr({0, 2, 2}, {0, 3, 1, 2})}}, {3, 4}, four);      // too few rows
  rejects({{0, 1}, {}, {rows, csr({-1, 2, 2, 4}, {0, 3, 1, 2})}}, {3, 4}, four);  // negative
  rejects({{0, 1}, {}, {rows, csr({0, 2, 2, 4}, {0, 3, 1, 2})}}, {3, 4}, {1, 2, 3});  // few
  rejects({{0, 1}, {}, {rows, csr({0, 2, 2, 4}, {0, 3, 1, 2})}}, {3, 4}, {1, 2, 3, 4, 5});
  rejects({{0, 0}, {}, {rows, csr({0, 2, 2, 4}, {0, 3, 1, 2})}}, {3, 4}, four);      // order
  rejects({{0, 1}, {}, {dense(2), csr({0, 2, 2, 4}, {0, 3, 1, 2})}}, {3, 4}, four);  // size
  rejects({{0, 1}, {}, {rows}}, {3, 4}, four);                                       // levels
  rejects({{0, 1, 2}, {0}, {dense(3), dense(4), dense(3)}}, {4, 4}, four);  // 3 does not divide 4
  rejects({{0, 1, 2}, {0}, {dense(2), dense(4), csr({0, 1}, {0})}}, {4, 4}, four);  // sparse block
  rejects({{0, 1, 2}, {5}, {dense(2), dense(4), dense(2)}}, {4, 4}, four);          // block_map
  rejects({{0, 1}, {}, {dense(3), dense(4)}}, {3, -4}, four);  // negative shape
}

}  // namespace
}  // namespace signprep::nn::detail
