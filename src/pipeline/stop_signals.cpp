#include "pipeline/stop_signals.h"

#include <csignal>
#include <stdexcept>

namespace signprep::pipeline {
namespace {

// A signal handler can only reach state through a static of this type; it
// lives here, private, and StopSignals is its only door.
volatile std::sig_atomic_t stop_signal = 0;
bool installed = false;

// Records the signal and puts back the default action, so a second one ends
// the process.
extern "C" void on_stop_signal(int signal) {
  stop_signal = signal;
  std::signal(signal, SIG_DFL);
}

}  // namespace

StopSignals::StopSignals() {
  if (installed) throw std::logic_error("StopSignals: already installed");
  installed = true;
  stop_signal = 0;
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

StopSignals::~StopSignals() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  installed = false;
}

bool StopSignals::requested() const {
  return stop_signal != 0;
}

}  // namespace signprep::pipeline
