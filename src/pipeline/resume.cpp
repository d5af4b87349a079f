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

}  // namespace

std::optional<FinishedClip> finished_earlier(const PlannedClip& clip, const RunOptions& options) {
  const std::filesystem::path npz = options.output_dir / clip.npz;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(npz, ec)) return std::nullopt;
  FinishedClip finished;
  finished.outputs.push_back(clip.npz);
  if (options.write_keypoints && options.write_parquet) {
    const std::filesystem::path parquet = parquet_beside(clip.npz);
    if (!whole_parquet(options.output_dir / parquet)) return std::nullopt;
    finished.outputs.push_back(parquet);
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
    facts.video = clip.video.filename().string();
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
