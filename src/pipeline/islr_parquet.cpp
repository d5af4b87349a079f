#include "pipeline/islr_parquet.h"

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>

#include "core/error.h"

namespace signprep::pipeline {
namespace {

// A block's values as the table takes them: `count` points of `width`
// floats (x, y, z first) per frame.
struct IslrBlock {
  std::string_view type;
  const std::vector<float>& values;
  int points_per_frame;  // in `values`
  int points_written;    // the first ones
  int width;
};

struct IslrColumns {
  std::vector<std::int16_t> frame;
  std::vector<std::string> row_id;
  std::vector<std::string> type;
  std::vector<std::int16_t> landmark_index;
  std::vector<double> x, y, z;

  void reserve(std::size_t rows) {
    frame.reserve(rows);
    row_id.reserve(rows);
    type.reserve(rows);
    landmark_index.reserve(rows);
    x.reserve(rows);
    y.reserve(rows);
    z.reserve(rows);
  }

  void add(std::size_t t, const IslrBlock& block) {
    const std::string prefix = std::to_string(t) + "-" + std::string(block.type) + "-";
    const std::size_t first = t * static_cast<std::size_t>(block.points_per_frame * block.width);
    for (int i = 0; i < block.points_written; ++i) {
      const float* point = &block.values[first + static_cast<std::size_t>(i * block.width)];
      frame.push_back(static_cast<std::int16_t>(t));
      row_id.push_back(prefix + std::to_string(i));
      type.emplace_back(block.type);
      landmark_index.push_back(static_cast<std::int16_t>(i));
      x.push_back(point[0]);
      y.push_back(point[1]);
      z.push_back(point[2]);
    }
  }
};

}  // namespace

std::vector<output::ParquetColumn> islr_columns(const LandmarkBlocks& blocks) {
  const std::size_t frames = blocks.frames();
  if (frames > static_cast<std::size_t>(std::numeric_limits<std::int16_t>::max()) + 1) {
    throw Error(ErrorKind::kOutput,
                "--format islr: " + std::to_string(frames) +
                    " frames do not fit the ISLR table's int16 frame column (32768 at most)");
  }
  const IslrBlock order[] = {
      {"face", blocks.face, blocks.face_points, kIslrFacePoints, 3},
      {"left_hand", blocks.left_hand, landmarks::kHandLandmarkCount, landmarks::kHandLandmarkCount,
       3},
      {"pose", blocks.pose, landmarks::kPoseLandmarkCount, landmarks::kPoseLandmarkCount, 4},
      {"right_hand", blocks.right_hand, landmarks::kHandLandmarkCount,
       landmarks::kHandLandmarkCount, 3},
  };
  IslrColumns table;
  table.reserve(frames * kIslrRowsPerFrame);
  for (std::size_t t = 0; t < frames; ++t) {
    for (const IslrBlock& block : order) table.add(t, block);
  }
  std::vector<output::ParquetColumn> columns;
  columns.push_back({"frame", std::move(table.frame)});
  columns.push_back({"row_id", std::move(table.row_id)});
  columns.push_back({"type", std::move(table.type)});
  columns.push_back({"landmark_index", std::move(table.landmark_index)});
  columns.push_back({"x", std::move(table.x)});
  columns.push_back({"y", std::move(table.y)});
  columns.push_back({"z", std::move(table.z)});
  return columns;
}

void write_islr_parquet(const std::filesystem::path& path, const LandmarkBlocks& blocks) {
  output::write_parquet_table(path, islr_columns(blocks));
}

}  // namespace signprep::pipeline
