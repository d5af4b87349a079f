// The one error type of signprep. Every call of the API and every layer
// below it reports failures by throwing signprep::Error, whose kind says whose
// fault it is; the CLI maps the kind to an exit code, the pipeline records the
// message as the reason a video failed, the Python module raises ValueError
// (kUsage), OSError (kInput, kOutput, kModel) or NotImplementedError
// (kUnavailable). Programming errors (an empty image) throw
// std::invalid_argument.
#pragma once

#include <stdexcept>
#include <string>

namespace signprep {

enum class ErrorKind {
  kUsage,        // bad command line or option value
  kInput,        // unreadable, truncated, empty or unsupported input file
  kOutput,       // cannot write an output file
  kModel,        // missing or corrupt model or weights file
  kUnavailable,  // a feature that signprep does not provide yet
  kDevice,       // the GPU asked for cannot be used (no driver or device, out of memory, ...)
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace signprep
