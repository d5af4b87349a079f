// Ctrl-C (SIGINT) and SIGTERM (what Slurm and Kubernetes send at a time
// limit) during a run: the first one asks the run to stop at the next frame,
// so that every file written so far stays whole, labels.csv gets the rows of
// the finished videos and the summary is printed; a second one ends the
// process at once, as without signprep's handler.
#pragma once

namespace signprep::pipeline {

class StopSignals {
 public:
  // Installs the handlers for the lifetime of the object; one at a time.
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // True once a stop signal arrived.
  bool requested() const;
};

// Thrown between frames when a stop was requested; the run catches it.
struct StopRequested {};

}  // namespace signprep::pipeline
