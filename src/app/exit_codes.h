// Exit codes of the signprep command, documented in README.md.
#pragma once

#include "core/error.h"

namespace signprep::app {

enum ExitCode : int {
  kExitSuccess = 0,      // every video succeeded
  kExitSomeFailed = 1,   // at least one video failed; the others were written
  kExitUsage = 2,        // bad command line
  kExitNothingRan = 3,   // no input video could be processed (none found, or all unreadable)
  kExitUnavailable = 4,  // a requested feature is not built yet
  kExitModel = 5,        // a model or weights file is missing or corrupt
  kExitOutput = 6,       // the output cannot be written
  kExitDevice = 7,       // the GPU asked for cannot be used
  kExitStopped = 130,    // SIGINT or SIGTERM stopped the run (the shell's 128 + SIGINT)
};

inline ExitCode exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kUsage:
      return kExitUsage;
    case ErrorKind::kInput:
      return kExitNothingRan;
    case ErrorKind::kOutput:
      return kExitOutput;
    case ErrorKind::kModel:
      return kExitModel;
    case ErrorKind::kUnavailable:
      return kExitUnavailable;
    case ErrorKind::kDevice:
      return kExitDevice;
  }
  return kExitUsage;
}

}  // namespace signprep::app
