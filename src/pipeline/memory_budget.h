// Out of memory was the Python tool's first troubleshooting item: too many
// workers, each holding its models, and the machine swaps or the kernel kills
// them. A run compares, before it starts a worker, what its workers will need
// with what the machine (or the job's cgroup) has left, and says what fits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pipeline/run_options.h"

namespace signprep::pipeline {

// A worker's peak resident memory for the branches of `options`, in bytes,
// from measurements (docs/BENCHMARKS.md, "Memory per worker").
std::int64_t estimated_worker_memory(const RunOptions& options);

// Bytes this process may still take: the kernel's MemAvailable, or less when
// the cgroup it runs in (a Slurm job, a container) has a lower limit left.
// Nothing when neither can be read.
std::optional<std::int64_t> available_memory();

// A warning naming the --workers that fits when `workers` workers of
// `per_worker` bytes exceed `available`; nothing when they fit.
std::optional<std::string> memory_warning(int workers, std::int64_t per_worker,
                                          std::int64_t available);

}  // namespace signprep::pipeline
