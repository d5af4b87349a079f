// signprep validate: checks an output directory the way a training script
// will read it, before anyone trains on it. Every .npz is read with the
// strict reader (output/npz_reader.h) and each .parquet beside one with the
// strict Parquet reader (output/parquet_reader.h), so a damaged file is a
// reported problem, never a crash; labels.csv and the .npz files are matched
// both ways.
#include <algorithm>
#include <bit>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/flag_parser.h"
#include "app/validate_landmarks.h"
#include "app/validate_text.h"
#include "core/error.h"
#include "core/json.h"
#include "core/printable.h"
#include "features/inception_v3.h"
#include "features/keypoints.h"
#include "output/json_writer.h"
#include "output/labels_csv.h"
#include "output/npz_reader.h"
#include "output/parquet_reader.h"
#include "pipeline/landmark_blocks.h"
#include "pipeline/output_layout.h"
#include "pipeline/run_options.h"

namespace signprep::app {
namespace {

namespace fs = std::filesystem;
using output::NpyArray;

constexpr std::string_view kLabelsFile = "labels.csv";
const std::vector<std::string> kLabelsHeader = {"file", "gloss", "cat", "occluded"};
// The meta keys of the Python tool, which its readers may rely on, in its order.
constexpr std::string_view kPythonMetaKeys[] = {
    "video", "target_fps",   "out_size",     "dims_per_frame", "keypoints_total",
    "order", "pose_indices", "face_indices", "conf_thresh",    "interpolation_max_gap"};
constexpr std::string_view kKeypointOrder = "pose25,left_hand21,right_hand21,face11";

// Prints each problem as it is found ("file: problem", control characters
// escaped: a file name cannot forge a line) and counts them.
class ProblemList {
 public:
  void add(const std::string& line) {
    std::cout << printable(line) << "\n";
    ++count_;
  }
  void add(const std::string& file, const std::string& problem) { add(file + ": " + problem); }
  std::size_t count() const { return count_; }

 private:
  std::size_t count_ = 0;
};

// "1 row", "3 rows".
std::string counted(std::size_t count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

// Reports unknown, repeated, missing and misordered members; returns the
// known ones by name.
std::map<std::string, const NpyArray*> check_members(const std::vector<output::NpzMember>& members,
                                                     const std::string& feature_key,
                                                     const std::string& file,
                                                     ProblemList& problems) {
  // What a clip's .npz may hold, in the order signprep and the Python tool
  // write it, then --keypoints full's members.
  std::vector<std::string> known = {"X", feature_key, "mask", "timestamps_ms", "meta"};
  known.insert(known.end(), pipeline::LandmarkBlocks::kMemberNames.begin(),
               pipeline::LandmarkBlocks::kMemberNames.end());
  std::map<std::string, const NpyArray*> found;
  std::vector<std::string> order;
  for (const output::NpzMember& member : members) {
    if (std::find(known.begin(), known.end(), member.name) == known.end()) {
      problems.add(file, "unknown member '" + member.name + "'");
    } else if (!found.emplace(member.name, &member.array).second) {
      problems.add(file, "member '" + member.name + "' appears twice");
    } else {
      order.push_back(member.name);
    }
  }
  std::vector<std::string> expected_order;
  std::copy_if(known.begin(), known.end(), std::back_inserter(expected_order),
               [&](const std::string& name) { return found.contains(name); });
  if (order != expected_order) {
    problems.add(file,
                 "members in the order " + join(order) + ", expected " + join(expected_order));
  }
  for (const char* required : {"timestamps_ms", "meta"}) {
    if (!found.contains(required))
      problems.add(file, "lacks member '" + std::string(required) + "'");
  }
  if (found.contains("X") != found.contains("mask")) {
    problems.add(file, found.contains("X") ? "lacks member 'mask' (X needs it)"
                                           : "lacks member 'X' (mask needs it)");
  }
  if (!found.contains("X") && !found.contains(feature_key)) {
    problems.add(file, "holds neither keypoints (X) nor features (" + feature_key + ")");
  }
  return found;
}

// The clip's T and the member it was taken from: timestamps_ms, else the
// first array that has a first dimension.
struct FrameCount {
  std::size_t frames = 0;
  std::string source;
};

FrameCount frame_count(const std::map<std::string, const NpyArray*>& found,
                       const std::string& feature_key) {
  for (const std::string& name : {std::string("timestamps_ms"), std::string("X"), feature_key}) {
    const auto it = found.find(name);
    if (it != found.end() && !it->second->shape.empty()) return {it->second->shape.front(), name};
  }
  return {};
}

// Checks dtype and shape ([frames] or [frames, columns]); returns whether the
// dtype is right, so that the values can be read.
bool check_layout(const std::string& name, const NpyArray& array, std::string_view descr,
                  std::optional<std::size_t> columns, const FrameCount& clip,
                  const std::string& file, ProblemList& problems) {
  const bool dtype_ok = array.descr == descr;
  if (!dtype_ok) {
    problems.add(file, name + " has dtype " + array.descr + ", expected " + std::string(descr));
  }
  const std::size_t rank = columns ? 2 : 1;
  if (array.shape.size() != rank || (columns && array.shape[1] != *columns)) {
    problems.add(file, name + " has shape " + shape_text(array.shape) + ", expected " +
                           (columns ? "(T, " + std::to_string(*columns) + ")" : "(T,)"));
  } else if (array.shape.front() != clip.frames) {
    problems.add(file, name + " has " + std::to_string(array.shape.front()) + " frames, " +
                           clip.source + " " + std::to_string(clip.frames));
  }
  return dtype_ok;
}

// "frame 3, column 7" for a flat index into a [T, columns] array.
std::string position_text(std::size_t index, const NpyArray& array) {
  if (array.shape.size() != 2 || array.shape[1] == 0) return "index " + std::to_string(index);
  return "frame " + std::to_string(index / array.shape[1]) + ", column " +
         std::to_string(index % array.shape[1]);
}

void check_float_values(const std::string& name, const NpyArray& array, bool unit_range,
                        const std::string& file, ProblemList& problems) {
  const std::vector<float> values = array.float32_values();
  std::size_t non_finite = 0, outside = 0, first_non_finite = 0, first_outside = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      if (non_finite++ == 0) first_non_finite = i;
    } else if (unit_range && (values[i] < 0.0f || values[i] > 1.0f)) {
      if (outside++ == 0) first_outside = i;
    }
  }
  if (non_finite > 0) {
    problems.add(file, name + " has " + std::to_string(non_finite) +
                           " non-finite values (first at " +
                           position_text(first_non_finite, array) + ")");
  }
  if (outside > 0) {
    problems.add(file, name + " has " + std::to_string(outside) + " values outside [0, 1] (first " +
                           output::python_float_repr(values[first_outside]) + " at " +
                           position_text(first_outside, array) + ")");
  }
}

void check_mask_values(const NpyArray& mask, const std::string& file, ProblemList& problems) {
  const std::vector<std::uint8_t> bytes = mask.bool_values();
  const auto not_bool =
      std::count_if(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b > 1; });
  if (not_bool > 0) {
    problems.add(file, "mask has " + std::to_string(not_bool) + " bytes other than 0 and 1");
  }
}

void check_timestamps(const NpyArray& timestamps, const std::string& file, ProblemList& problems) {
  const std::vector<std::int64_t> times = timestamps.int64_values();
  const auto stall = std::adjacent_find(times.begin(), times.end(), std::greater_equal<>());
  if (stall != times.end()) {
    const auto index = static_cast<std::size_t>(stall - times.begin()) + 1;
    problems.add(file, "timestamps_ms not strictly increasing at index " + std::to_string(index) +
                           " (" + std::to_string(*(stall + 1)) + " after " +
                           std::to_string(*stall) + ")");
  }
}

// The keys that describe keypoints, which a file of features alone must not
// hold: the Python tool's after video and target_fps, and signprep's
// occlusion settings and flag.
constexpr std::size_t kLeadingKeysOfEveryFile = 2;
constexpr std::string_view kOcclusionMetaKeys[] = {"occlusion", "occluded", "occluded_flag"};

void check_no_keypoint_claims(const JsonValue& meta, const std::string& file,
                              ProblemList& problems) {
  std::vector<std::string> claims;
  for (std::string_view key : std::span(kPythonMetaKeys).subspan(kLeadingKeysOfEveryFile)) {
    if (meta.find(key)) claims.emplace_back(key);
  }
  for (std::string_view key : kOcclusionMetaKeys) {
    if (meta.find(key)) claims.emplace_back(key);
  }
  if (!claims.empty()) {
    problems.add(file, "meta describes keypoints the file does not hold (" + join(claims) + ")");
  }
}

// Reports meta's `key` (present) when `ok` is false, with what was wanted.
void expect_meta(const JsonValue& meta, std::string_view key, bool ok, const std::string& wanted,
                 const std::string& file, ProblemList& problems) {
  if (!ok) {
    problems.add(file, "meta " + std::string(key) + " is " + output::dump_json(*meta.find(key)) +
                           ", expected " + wanted);
  }
}

// The layout constants signprep shares with the Python tool and the types it
// wrote, for a file with keypoints (every key of kPythonMetaKeys present).
void check_keypoint_meta(const JsonValue& meta, const std::string& file, ProblemList& problems) {
  const auto value = [&](std::string_view key) -> const JsonValue& { return *meta.find(key); };
  const auto expect = [&](std::string_view key, bool ok, const std::string& wanted) {
    expect_meta(meta, key, ok, wanted, file, problems);
  };
  const auto is_int = [&](std::string_view key, std::int64_t wanted) {
    return value(key).as_int() != nullptr && *value(key).as_int() == wanted;
  };
  expect("out_size", value("out_size").as_int() != nullptr, "an integer");
  expect("dims_per_frame", is_int("dims_per_frame", features::kDimsPerFrame),
         std::to_string(features::kDimsPerFrame));
  expect("keypoints_total", is_int("keypoints_total", features::kKeypointCount),
         std::to_string(features::kKeypointCount));
  expect("order", value("order").as_string() && *value("order").as_string() == kKeypointOrder,
         "\"" + std::string(kKeypointOrder) + "\"");
  expect("pose_indices", value("pose_indices").as_array() != nullptr, "a list");
  expect("face_indices", value("face_indices").as_array() != nullptr, "a list");
  expect("conf_thresh", value("conf_thresh").is_number(), "a number");
  expect("interpolation_max_gap", value("interpolation_max_gap").as_int() != nullptr, "an integer");
}

// Meta starts with the Python tool's keys in its order (with keypoints all
// of them, else video and target_fps and nothing that claims keypoints),
// with the types it wrote; frames_kept, when present, must be the arrays' T.
void check_meta_object(const JsonValue& meta, std::size_t frames, bool keypoints,
                       const std::string& file, ProblemList& problems) {
  const auto leading = std::span(kPythonMetaKeys)
                           .first(keypoints ? std::size(kPythonMetaKeys) : kLeadingKeysOfEveryFile);
  std::vector<std::string> missing;
  for (std::string_view key : leading) {
    if (!meta.find(key)) missing.emplace_back(key);
  }
  if (!missing.empty()) {
    problems.add(file, "meta lacks " + join(missing));
    return;
  }
  const JsonValue::Object& fields = *meta.as_object();
  for (std::size_t i = 0; i < leading.size(); ++i) {
    if (i >= fields.size() || fields[i].first != leading[i]) {
      problems.add(file, "meta does not start with the Python tool's keys in its order");
      return;
    }
  }
  expect_meta(meta, "video", meta.find("video")->as_string() != nullptr, "a string", file,
              problems);
  expect_meta(meta, "target_fps", meta.find("target_fps")->is_number(), "a number", file, problems);
  if (keypoints) {
    check_keypoint_meta(meta, file, problems);
  } else {
    check_no_keypoint_claims(meta, file, problems);
  }
  const JsonValue* kept = meta.find("frames_kept");
  if (kept && kept->as_int() && *kept->as_int() != static_cast<std::int64_t>(frames)) {
    problems.add(file, "meta frames_kept is " + output::dump_json(*kept) + ", the arrays hold " +
                           std::to_string(frames) + " frames");
  }
}

// Returns the parsed meta for the checks that read it, or null when it is
// not a JSON object (reported here).
JsonValue check_meta(const NpyArray& meta, std::size_t frames, bool keypoints,
                     const std::string& file, ProblemList& problems) {
  if (!meta.descr.starts_with("<U") || !meta.shape.empty()) {
    problems.add(file, "meta has dtype " + meta.descr + " and shape " + shape_text(meta.shape) +
                           ", expected a 0-d unicode string (<U, ())");
    return {};
  }
  try {
    JsonValue json = parse_json(meta.unicode_scalar());
    if (json.as_object() != nullptr) {
      check_meta_object(json, frames, keypoints, file, problems);
      return json;
    }
    problems.add(file, "meta is not a JSON object");
  } catch (const Error& error) {
    problems.add(file, "meta: " + std::string(error.what()));
  }
  return {};
}

// Whether `array` is there with the dtype and shape the comparison with the
// .parquet needs; when not, its problem has been reported already.
bool holds(const NpyArray* array, std::string_view descr, std::vector<std::size_t> shape) {
  return array != nullptr && array->descr == descr && array->shape == shape;
}

// Reports the first of the values where `parquet` and `npz` differ, and how many do.
template <typename Value, typename Text>
void compare_values(const std::vector<Value>& parquet, const std::vector<Value>& npz,
                    const std::string& what, const Text& position, const std::string& file,
                    ProblemList& problems) {
  std::size_t differ = 0, first = 0;
  for (std::size_t i = 0; i < parquet.size(); ++i) {
    if (parquet[i] != npz[i] && differ++ == 0) first = i;
  }
  if (differ > 0) {
    problems.add(file, std::to_string(differ) + " " + what + " differ from the .npz's (first at " +
                           position(first) + ")");
  }
}

// The .parquet beside a clip's .npz must hold the same keypoints: X's
// columns, timestamps_ms as t_ms and the mask as '0'/'1' strings.
void check_parquet(const fs::path& parquet, const NpyArray* x, const NpyArray* mask,
                   const NpyArray* timestamps, std::size_t frames, ProblemList& problems) {
  const std::string file = parquet.string();
  output::KeypointTable table;
  try {
    table = output::read_keypoints_parquet(parquet);
  } catch (const Error& error) {
    problems.add(error.what());  // names the file
    return;
  }
  constexpr auto kDims = static_cast<std::size_t>(features::kDimsPerFrame);
  constexpr auto kPoints = static_cast<std::size_t>(features::kKeypointCount);
  if (table.dims != kDims) {
    problems.add(file, "holds " + counted(table.dims, "keypoint column") + ", expected " +
                           std::to_string(kDims) + " (\"0\" .. \"" + std::to_string(kDims - 1) +
                           "\")");
    return;
  }
  if (x == nullptr || mask == nullptr) {
    problems.add(file, "lies beside an .npz without keypoints (X, mask)");
    return;
  }
  if (table.rows != frames) {
    problems.add(file,
                 "holds " + counted(table.rows, "row") + ", the .npz " + counted(frames, "frame"));
    return;
  }
  if (holds(x, "<f4", {frames, kDims})) {
    // Bit patterns, so that equal NaNs match and -0 differs from 0.
    const auto bits = [](const std::vector<float>& values) {
      std::vector<std::uint32_t> patterns;
      patterns.reserve(values.size());
      for (float value : values) patterns.push_back(std::bit_cast<std::uint32_t>(value));
      return patterns;
    };
    const std::vector<float> npz_x = x->float32_values();
    compare_values(
        bits(table.x), bits(npz_x), "values of columns \"0\" .. \"155\"",
        [&](std::size_t i) {
          return "column \"" + std::to_string(i % kDims) + "\", row " + std::to_string(i / kDims) +
                 ": " + output::python_float_repr(table.x[i]) + ", X " +
                 output::python_float_repr(npz_x[i]);
        },
        file, problems);
  }
  if (holds(timestamps, "<i8", {frames})) {
    const std::vector<std::int64_t> npz_times = timestamps->int64_values();
    compare_values(
        table.t_ms, npz_times, "t_ms values",
        [&](std::size_t i) {
          return "row " + std::to_string(i) + ": " + std::to_string(table.t_ms[i]) +
                 ", timestamps_ms " + std::to_string(npz_times[i]);
        },
        file, problems);
  }
  if (holds(mask, "|b1", {frames, kPoints})) {
    const std::vector<std::uint8_t> bytes = mask->bool_values();
    std::vector<std::string> npz_bits(frames, std::string(kPoints, '0'));
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      if (bytes[i] != 0) npz_bits[i / kPoints][i % kPoints] = '1';
    }
    compare_values(
        table.mask_bits, npz_bits, "mask_bits rows",
        [](std::size_t i) { return "row " + std::to_string(i); }, file, problems);
  }
}

std::string meta_string(const JsonValue& meta, std::string_view key) {
  const JsonValue* value = meta.as_object() ? meta.find(key) : nullptr;
  return value && value->as_string() ? *value->as_string() : "";
}

// The face block's points as the run's settings made them.
int face_point_count(const JsonValue& meta) {
  const JsonValue* refine = meta.as_object() ? meta.find("refine_face") : nullptr;
  pipeline::HolisticSettings settings;
  if (refine && refine->as_bool()) settings.refine_face = *refine->as_bool();
  return pipeline::face_point_count(settings);
}

// Checks the .npz and the .parquet beside it, if any; returns whether there was one.
bool check_npz(const fs::path& path, const std::string& feature_key, ProblemList& problems) {
  const std::string file = path.string();
  std::vector<output::NpzMember> members;
  try {
    members = output::read_npz(path);
  } catch (const Error& error) {
    problems.add(error.what());  // names the file
    return false;
  }
  const auto found = check_members(members, feature_key, file, problems);
  const FrameCount clip = frame_count(found, feature_key);
  if (!found.empty() && clip.frames == 0) problems.add(file, "holds no frames (T = 0)");
  const auto member = [&](const std::string& name) {
    const auto it = found.find(name);
    return it == found.end() ? nullptr : it->second;
  };
  if (const NpyArray* x = member("X")) {
    if (check_layout("X", *x, "<f4", features::kDimsPerFrame, clip, file, problems)) {
      check_float_values("X", *x, true, file, problems);
    }
  }
  if (const NpyArray* x2048 = member(feature_key)) {
    if (check_layout(feature_key, *x2048, "<f4", features::InceptionV3::kFeatureCount, clip, file,
                     problems)) {
      check_float_values(feature_key, *x2048, false, file, problems);
    }
  }
  if (const NpyArray* mask = member("mask")) {
    if (check_layout("mask", *mask, "|b1", features::kKeypointCount, clip, file, problems)) {
      check_mask_values(*mask, file, problems);
    }
  }
  if (const NpyArray* timestamps = member("timestamps_ms")) {
    if (check_layout("timestamps_ms", *timestamps, "<i8", std::nullopt, clip, file, problems)) {
      check_timestamps(*timestamps, file, problems);
    }
  }
  JsonValue meta;
  if (const NpyArray* meta_array = member("meta")) {
    meta = check_meta(*meta_array, clip.frames, found.contains("X"), file, problems);
  }
  for (const std::string& problem :
       landmark_block_problems(found, clip.frames, face_point_count(meta))) {
    problems.add(file, problem);
  }
  const fs::path parquet = pipeline::parquet_beside(path);
  std::error_code unknown;  // a .parquet that cannot be looked at is reported by its read
  if (!fs::exists(parquet, unknown) && !unknown) return false;
  if (meta_string(meta, "format") == "islr") {
    for (const std::string& problem : islr_parquet_problems(parquet, found, clip.frames)) {
      problems.add(parquet.string(), problem);
    }
  } else {
    check_parquet(parquet, member("X"), member("mask"), member("timestamps_ms"), clip.frames,
                  problems);
  }
  return true;
}

// Every .npz under `out`, sorted; a directory that cannot be listed is a problem.
std::vector<fs::path> find_npz_files(const fs::path& out, ProblemList& problems) {
  std::vector<fs::path> files;
  std::error_code error;
  fs::recursive_directory_iterator entry(out, error);
  for (; !error && entry != fs::recursive_directory_iterator(); entry.increment(error)) {
    std::error_code ignored;  // an entry that vanished meanwhile is simply not a file
    if (entry->path().extension() == ".npz" && entry->is_regular_file(ignored)) {
      files.push_back(entry->path());
    }
  }
  if (error) problems.add(out.string(), "cannot list the directory (" + error.message() + ")");
  std::sort(files.begin(), files.end());
  return files;
}

std::string relative_key(const fs::path& path) {
  return path.lexically_normal().generic_string();
}

bool is_integer(const std::string& text) {
  const std::size_t digits = !text.empty() && text[0] == '-' ? 1 : 0;
  return text.size() > digits &&
         std::all_of(text.begin() + static_cast<std::ptrdiff_t>(digits), text.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

// Returns the .npz files (relative to `out`) that the rows name.
std::set<std::string> check_label_rows(const std::vector<std::vector<std::string>>& records,
                                       const std::map<std::string, fs::path>& npz_files,
                                       const std::string& file, ProblemList& problems) {
  std::set<std::string> listed;
  for (std::size_t row = 1; row < records.size(); ++row) {
    const std::vector<std::string>& fields = records[row];
    const std::string where = "row " + std::to_string(row);
    if (fields.size() != kLabelsHeader.size()) {
      problems.add(file, where + " has " + std::to_string(fields.size()) + " fields, expected " +
                             std::to_string(kLabelsHeader.size()));
      continue;
    }
    for (std::size_t column : {1, 2}) {
      if (!is_integer(fields[column])) {
        problems.add(file, where + ": " + kLabelsHeader[column] + " '" + fields[column] +
                               "' is not an integer");
      }
    }
    if (fields[3] != "0" && fields[3] != "1") {
      problems.add(file, where + ": occluded is '" + fields[3] + "', expected 0 or 1");
    }
    const std::string npz = relative_key(fields[0]);
    if (!listed.insert(npz).second) {
      problems.add(file, where + ": a second row for " + fields[0]);
    } else if (!npz_files.contains(npz)) {
      problems.add(file, where + ": " + fields[0] + " is not a .npz file in the output directory");
    }
  }
  return listed;
}

// Checks labels.csv's header and rows and that rows and .npz files match one
// to one; returns the number of rows.
std::size_t check_labels(const fs::path& out, const std::vector<fs::path>& npz_paths,
                         ProblemList& problems) {
  const fs::path labels = out / kLabelsFile;
  const std::string file = labels.string();
  std::vector<std::vector<std::string>> records;
  try {
    records = output::read_csv_records(labels);
  } catch (const Error& error) {
    problems.add(error.what());
    return 0;
  }
  if (records.empty() || records.front() != kLabelsHeader) {
    problems.add(file, "header is '" + (records.empty() ? "" : join(records.front(), ",")) +
                           "', expected '" + join(kLabelsHeader, ",") + "'");
    return 0;
  }
  std::map<std::string, fs::path> npz_by_key;
  for (const fs::path& path : npz_paths) {
    npz_by_key.emplace(relative_key(path.lexically_relative(out)), path);
  }
  const std::set<std::string> listed = check_label_rows(records, npz_by_key, file, problems);
  for (const auto& [key, path] : npz_by_key) {
    if (!listed.contains(key)) problems.add(path.string(), "has no row in " + file);
  }
  return records.size() - 1;
}

}  // namespace

int validate_command(const std::vector<std::string>& args) {
  std::string feature_key = pipeline::RunOptions{}.feature_key;
  FlagParser parser("signprep validate OUT_DIR [--feature-key NAME]",
                    "Checks an output directory before training: every .npz under it (members and\n"
                    "their order, dtypes, shapes, one T across arrays, X finite and in [0, 1],\n"
                    "timestamps strictly increasing, meta JSON with the Python tool's keys;\n"
                    "--keypoints full's blocks: shapes, NaN exactly where absent), the .parquet\n"
                    "beside each (whole, signprep's or the ISLR schema, the .npz's values) and\n"
                    "labels.csv (header, values, one row per .npz and a .npz per row). Prints one\n"
                    "line per problem and a summary; exits 1 when there is any problem.");
  parser.add_value("--feature-key", "NAME",
                   "npz member name of the features (default " + feature_key + ")", feature_key);
  const auto positional = parser.parse(args);
  if (!positional) return kExitSuccess;
  if (positional->size() != 1) {
    throw Error(ErrorKind::kUsage, "validate: give exactly one output directory (see --help)");
  }
  pipeline::RunOptions run_options;  // the run's rules for the name
  run_options.feature_key = feature_key;
  pipeline::validate(run_options);
  fs::path out = fs::path(positional->front()).lexically_normal();
  if (!out.has_filename() && out.has_relative_path()) out = out.parent_path();  // "OUT/" -> "OUT"
  if (!fs::is_directory(out)) throw Error(ErrorKind::kInput, out.string() + ": no such directory");

  ProblemList problems;
  const std::vector<fs::path> npz_files = find_npz_files(out, problems);
  const bool has_labels = fs::exists(out / kLabelsFile);
  if (npz_files.empty() && !has_labels && problems.count() == 0) {
    throw Error(ErrorKind::kInput, out.string() + ": nothing to check (no .npz files, no " +
                                       std::string(kLabelsFile) + ")");
  }
  std::size_t parquet_files = 0;
  for (const fs::path& path : npz_files) parquet_files += check_npz(path, feature_key, problems);
  std::string summary = counted(npz_files.size(), ".npz file");
  if (parquet_files > 0) summary += ", " + counted(parquet_files, ".parquet file");
  if (has_labels) {
    const std::size_t rows = check_labels(out, npz_files, problems);
    summary += " and " + std::string(kLabelsFile) + " (" + counted(rows, "row") + ")";
  }
  const std::size_t count = problems.count();
  std::cout << "checked " << summary << ": "
            << (count == 0 ? "no problems" : counted(count, "problem")) << "\n";
  return count == 0 ? kExitSuccess : kExitSomeFailed;
}

}  // namespace signprep::app
