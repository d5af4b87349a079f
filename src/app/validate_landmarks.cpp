#include "app/validate_landmarks.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <variant>

#include "app/validate_text.h"
#include "core/error.h"
#include "output/parquet_reader.h"
#include "pipeline/islr_parquet.h"
#include "pipeline/landmark_blocks.h"

namespace signprep::app {
namespace {

bool has_layout(const output::NpyArray& array, std::string_view descr,
                const std::vector<std::size_t>& shape, std::string_view name,
                std::vector<std::string>& problems) {
  if (array.descr == descr && array.shape == shape) return true;
  problems.push_back(std::string(name) + " has dtype " + array.descr + " and shape " +
                     shape_text(array.shape) + ", expected " + std::string(descr) + " " +
                     shape_text(shape));
  return false;
}

// Present frames finite, absent ones NaN: the first frame breaking either.
void check_values(const pipeline::BlockLayout& block, const std::vector<float>& values,
                  const std::vector<std::uint8_t>& present, std::vector<std::string>& problems) {
  const std::size_t per_frame = block.points * block.width;
  for (std::size_t t = 0; t < present.size(); ++t) {
    bool finite = true, nan = true;
    for (std::size_t i = t * per_frame; i < (t + 1) * per_frame; ++i) {
      finite = finite && std::isfinite(values[i]);
      nan = nan && std::isnan(values[i]);
    }
    if (present[t] != 0 ? !finite : !nan) {
      problems.push_back(std::string(block.name) + " at frame " + std::to_string(t) +
                         (present[t] != 0 ? " holds non-finite values where "
                                          : " holds values other than NaN where not ") +
                         std::string(block.presence));
      return;
    }
  }
}

}  // namespace

std::vector<std::string> landmark_block_problems(const NpzMembers& members, std::size_t frames,
                                                 int face_points) {
  std::vector<std::string> problems;
  std::vector<std::string> missing;
  for (const std::string_view name : pipeline::LandmarkBlocks::kMemberNames) {
    if (!members.contains(std::string(name))) missing.emplace_back(name);
  }
  if (missing.size() == pipeline::LandmarkBlocks::kMemberNames.size()) return problems;
  if (!missing.empty()) {
    problems.push_back("lacks " + join(missing) + " (--keypoints full writes all nine)");
    return problems;
  }
  std::map<std::string_view, std::vector<std::uint8_t>> presence;
  for (const std::string_view name :
       {"pose_present", "left_hand_present", "right_hand_present", "face_present"}) {
    const output::NpyArray& array = *members.at(std::string(name));
    if (has_layout(array, "|b1", {frames}, name, problems)) presence[name] = array.bool_values();
  }
  for (const pipeline::BlockLayout& block : pipeline::LandmarkBlocks(face_points).layouts()) {
    const output::NpyArray& array = *members.at(std::string(block.name));
    if (!has_layout(array, "<f4", {frames, block.points, block.width}, block.name, problems) ||
        !presence.contains(block.presence)) {
      continue;
    }
    check_values(block, array.float32_values(), presence.at(block.presence), problems);
  }
  return problems;
}

namespace {

// The ISLR table's columns by name, typed as the writer writes them.
struct IslrTable {
  const std::vector<std::int16_t>* frame = nullptr;
  const std::vector<std::string>* row_id = nullptr;
  const std::vector<std::string>* type = nullptr;
  const std::vector<std::int16_t>* landmark_index = nullptr;
  const std::vector<double>* x = nullptr;
  const std::vector<double>* y = nullptr;
  const std::vector<double>* z = nullptr;
};

template <typename T>
const std::vector<T>* column(const output::ParquetColumn& c, std::string_view name) {
  if (c.name != name) return nullptr;
  return std::get_if<std::vector<T>>(&c.values);
}

std::optional<IslrTable> islr_table(const std::vector<output::ParquetColumn>& columns,
                                    std::vector<std::string>& problems) {
  if (columns.size() != 7 || !column<std::int16_t>(columns[0], "frame") ||
      !column<std::string>(columns[1], "row_id") || !column<std::string>(columns[2], "type") ||
      !column<std::int16_t>(columns[3], "landmark_index") || !column<double>(columns[4], "x") ||
      !column<double>(columns[5], "y") || !column<double>(columns[6], "z")) {
    problems.push_back(
        "is not an ISLR table (columns frame int16, row_id, type, landmark_index int16, x, y, z "
        "double)");
    return std::nullopt;
  }
  return IslrTable{column<std::int16_t>(columns[0], "frame"),
                   column<std::string>(columns[1], "row_id"),
                   column<std::string>(columns[2], "type"),
                   column<std::int16_t>(columns[3], "landmark_index"),
                   column<double>(columns[4], "x"),
                   column<double>(columns[5], "y"),
                   column<double>(columns[6], "z")};
}

}  // namespace

std::vector<std::string> islr_parquet_problems(const std::filesystem::path& parquet,
                                               const NpzMembers& members, std::size_t frames) {
  std::vector<std::string> problems;
  std::vector<output::ParquetColumn> columns;
  try {
    columns = output::read_parquet_table(parquet);
  } catch (const Error& error) {
    problems.emplace_back(error.what());
    return problems;
  }
  const std::optional<IslrTable> table = islr_table(columns, problems);
  if (!table) return problems;
  const std::size_t rows = frames * pipeline::kIslrRowsPerFrame;
  if (table->frame->size() != rows) {
    problems.push_back("holds " + std::to_string(table->frame->size()) + " rows, expected " +
                       std::to_string(rows) + " (543 per frame of the .npz)");
    return problems;
  }
  // The expected table: from the .npz's blocks when it holds them, else
  // only the keys (frame, row_id, type, landmark_index) are checked.
  const bool with_values = members.contains("face") && members.at("face")->descr == "<f4" &&
                           members.at("face")->shape.size() == 3;
  pipeline::LandmarkBlocks blocks(with_values ? static_cast<int>(members.at("face")->shape[1])
                                              : pipeline::kIslrFacePoints);
  for (const pipeline::BlockLayout& block : blocks.layouts()) {
    const auto it = members.find(std::string(block.name));
    const std::vector<std::size_t> shape = {frames, block.points, block.width};
    blocks.*block.values = with_values && it != members.end() && it->second->shape == shape &&
                                   it->second->descr == "<f4"
                               ? it->second->float32_values()
                               : std::vector<float>(frames * block.points * block.width,
                                                    std::numeric_limits<float>::quiet_NaN());
  }
  blocks.pose_present.assign(frames, 0);  // frames() counts these
  const std::vector<output::ParquetColumn> expected = pipeline::islr_columns(blocks);
  const IslrTable want = *islr_table(expected, problems);
  for (std::size_t i = 0; i < rows; ++i) {
    const bool keys = (*table->frame)[i] == (*want.frame)[i] &&
                      (*table->row_id)[i] == (*want.row_id)[i] &&
                      (*table->type)[i] == (*want.type)[i] &&
                      (*table->landmark_index)[i] == (*want.landmark_index)[i];
    const auto same = [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); };
    const bool coordinates =
        !with_values || (same((*table->x)[i], (*want.x)[i]) && same((*table->y)[i], (*want.y)[i]) &&
                         same((*table->z)[i], (*want.z)[i]));
    if (!keys || !coordinates) {
      problems.push_back("row " + std::to_string(i) + " (" + (*table->row_id)[i] + ") " +
                         (keys ? "differs from the .npz's blocks"
                               : "is out of the ISLR order, "
                                 "expected " +
                                     (*want.row_id)[i]));
      break;
    }
  }
  return problems;
}

}  // namespace signprep::app
