#include <iostream>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/flag_parser.h"
#include "core/error.h"
#include "core/printable.h"
#include "pipeline/shard.h"

namespace signprep::app {

int merge_labels_command(const std::vector<std::string>& args) {
  FlagParser parser("signprep merge-labels OUT_DIR",
                    "Merges the labels.shard-K-of-N.csv files that `signprep ... --shard K/N`\n"
                    "runs wrote into OUT_DIR/labels.csv, rows sorted by file. Refuses when a\n"
                    "shard's file is missing or a file has rows in two shards.");
  const auto positional = parser.parse(args);
  if (!positional) return kExitSuccess;
  if (positional->size() != 1) throw Error(ErrorKind::kUsage, "expected OUT_DIR (see --help)");
  const std::filesystem::path output_dir = positional->front();
  const pipeline::MergedLabels merged = pipeline::merge_shard_labels(output_dir);
  std::cerr << "signprep: merged " << merged.rows << " rows from " << merged.shards
            << " shard labels files into " << printable((output_dir / "labels.csv").string())
            << "\n";
  return kExitSuccess;
}

}  // namespace signprep::app
