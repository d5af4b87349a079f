#include "pipeline/resume.h"

#include <fstream>
#include <string>

#include "core/json.h"
#include "output/json_writer.h"
#include "output/npz_reader.h"
#include "pipeline/clip_meta.h"

namespace signprep::pipeline {
namespace {

// The npz members a run with `options` writes, in its order.
std::vector<std::string> expected_members(const RunOptions& options) {
  std::vector<std::string> members;
  if (options.write_keypoints) members.push_back("X");
  if (options.write_iv3_features) members.push_back(options.feature_key);
  if (options.write_keypoints) members.push_back("mask");
  members.push_back("timestamps_ms");
  members.push_back("meta");
  return members;
}

// Same settings: each setting key holds the same JSON text as the meta this
// run would write.
bool same_settings(const JsonValue& stored, const JsonValue& current) {
  for (const std::string_view key : kSettingKeys) {
    const JsonValue* a = stored.find(key);
    const JsonValue* b = current.find(key);
    if ((a == nullptr) != (b == nullptr)) return false;
    if (a != nullptr && output::dump_json(*a) != output::dump_json(*b)) return false;
  }
  return true;
}

// Parquet files start and end with "PAR1"; a torn one does not end with it.
bool whole_parquet(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  char head[4] = {};
  char tail[4] = {};
  if (!file.read(head, 4)) return false;
  file.seekg(-4, std::ios::end);
  if (!file.read(tail, 4)) return false;
  return std::string_view(head, 4) == "PAR1" && std::string_view(tail, 4) == "PAR1";
}

// The files this run writes for `clip`, relative to OUT, the .npz first.
std::vector<std::filesystem::path> expected_outputs(const PlannedClip& clip,
                                                    const RunOptions& options) {
  std::vector<std::filesystem::path> outputs = {clip.npz(options.flat)};
  if (options.write_keypoints && options.write_parquet)
    outputs.push_back(parquet_beside(clip.npz(options.flat)));
  return outputs;
}

}  // namespace

JsonValue clip_settings(const RunOptions& options) {
  const JsonValue meta = parse_json(clip_meta_json(ClipFacts{}, options));
  JsonValue::Object settings;
  for (const std::string_view key : kSettingKeys) {
    const JsonValue* value = meta.find(key);
    if (key != "video" && value != nullptr) settings.emplace_back(std::string(key), *value);
  }
  JsonValue::Array members;
  for (std::string& member : expected_members(options)) members.emplace_back(std::move(member));
  return JsonValue::Object{{"npz_members", std::move(members)},
                           {"parquet", options.write_keypoints && options.write_parquet},
                           {"meta", std::move(settings)}};
}

std::optional<FinishedClip> finished_as_recorded(const PlannedClip& clip, const RunOptions& options,
                                                 const VideoRecord& recorded) {
  if (recorded.status != VideoStatus::kOk || recorded.outputs != expected_outputs(clip, options) ||
      recorded.bytes.size() != recorded.outputs.size()) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < recorded.outputs.size(); ++i) {
    std::error_code missing;
    const std::uintmax_t size =
        std::filesystem::file_size(options.output_dir / recorded.outputs[i], missing);
    if (missing || size != recorded.bytes[i]) return std::nullopt;
  }
  return FinishedClip{recorded.frames, recorded.occluded, recorded.outputs, recorded.bytes};
}

std::optional<FinishedClip> finished_earlier(const PlannedClip& clip, const RunOptions& options) {
  const std::filesystem::path npz = options.output_dir / clip.npz(options.flat);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(npz, ec)) return std::nullopt;
  FinishedClip finished;
  finished.outputs = expected_outputs(clip, options);
  for (const std::filesystem::path& output : finished.outputs) {
    const std::filesystem::path file = options.output_dir / output;
    if (output.extension() == ".parquet" && !whole_parquet(file)) return std::nullopt;
    finished.bytes.push_back(std::filesystem::file_size(file, ec));
    if (ec) return std::nullopt;
  }
  try {
    // The arrays themselves are not read: the .npz was renamed into place
    // whole, and a million clips' features are a lot of reading.
    const std::string meta = "meta";
    const output::NpzListing listing = output::list_npz(npz, {&meta, 1});
    const std::vector<std::string> expected = expected_members(options);
    if (listing.entries.size() != expected.size() || listing.loaded.size() != 1) {
      return std::nullopt;
    }
    for (std::size_t i = 0; i < expected.size(); ++i) {
      if (listing.entries[i].name != expected[i]) return std::nullopt;
    }
    const JsonValue stored = parse_json(listing.loaded.front().array.unicode_scalar());
    ClipFacts facts;
    facts.video = clip.video(options.input).filename().string();
    const JsonValue current = parse_json(clip_meta_json(facts, options));
    if (!same_settings(stored, current)) return std::nullopt;
    // The flag needs keypoints: a file of features alone has none, and its label says 0.
    if (options.write_keypoints) {
      const JsonValue* occluded = stored.find("occluded");
      if (occluded == nullptr || occluded->as_bool() == nullptr) return std::nullopt;
      finished.occluded = *occluded->as_bool();
    }
    const output::NpzEntry& timestamps = listing.entries[expected.size() - 2];
    if (timestamps.shape.size() != 1) return std::nullopt;
    finished.frames = static_cast<std::int64_t>(timestamps.shape[0]);
  } catch (const Error&) {
    return std::nullopt;  // damaged: run it again
  }
  return finished;
}

}  // namespace signprep::pipeline
