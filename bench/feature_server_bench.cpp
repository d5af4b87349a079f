// The feature server (pipeline/feature_server.h) under load from several
// clients, without videos: what bench/gpu.sh measures on a GPU machine where
// signprep itself cannot run (no FFmpeg there).
//
//   build/feature_server_bench WEIGHTS.safetensors [--clients 4] [--frames 512]
//                              [--batch 64] [--device 0] [--precision fp32]
//
// Forks a server and `clients` client processes (as a run forks its workers);
// each client sends its share of `frames` synthetic 299x299 frames in clips of
// 45 (3 s at 15 fps), collecting each clip's features as a worker does.
// Prints one JSON object: frames/s through the server from the clients'
// start to the last answer, and the server's own figures (batches, their
// fill, GPU busy time). SIGNPREP_TEST_FEATURE_SERVER_ON_CPU=1 runs it on the
// CPU stand-in, as the tests do.
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench_flags.h"
#include "core/error.h"
#include "nn/gpu_network.h"
#include "pipeline/feature_client.h"
#include "pipeline/feature_link.h"
#include "pipeline/feature_server.h"

namespace {

using signprep::pipeline::FeatureServerStats;
using Clock = std::chrono::steady_clock;

constexpr int kClipFrames = 45;

struct Settings {
  signprep::pipeline::RunOptions options;
  int clients = 4;
  int frames = 512;
};

Settings parse(int argc, char** argv) {
  Settings settings;
  settings.options.write_iv3_features = true;
  settings.options.batch_size = 64;
  int device = 0;
  signprep::app::FlagParser parser(
      "feature_server_bench WEIGHTS.safetensors [options]",
      "The feature server under load from client processes sending synthetic frames.");
  parser.add_value("--clients", "N", "client processes (default 4)", settings.clients);
  parser.add_value("--frames", "N", "frames sent in all (default 512)", settings.frames);
  parser.add_value("--batch", "N", "the server's batch (default 64)", settings.options.batch_size);
  parser.add_value("--device", "N", "CUDA device (default 0)", device);
  parser.add("--precision", "P", "fp32 (default), fp16 or bf16", [&](std::string_view text) {
    settings.options.iv3_precision = signprep::pipeline::parse_precision_request(text);
  });
  settings.options.iv3_weights =
      signprep::bench::parse_flags_or_exit(parser, argc, argv, 1).front();
  settings.options.cuda_device = device;
  return settings;
}

// The server's process: ready ('r') or its error on `report`, then serves
// until `finish` closes, then its statistics.
[[noreturn]] void be_server(const Settings& settings, const std::string& address, int report,
                            int finish) {
  try {
    const signprep::pipeline::StopSignals stop;
    signprep::pipeline::FeatureServer server(settings.options, address);
    (void)!::write(report, "r", 1);
    const FeatureServerStats stats = server.serve(finish, stop);
    const std::string line =
        "{\"device\": \"" + stats.device + "\", \"frames\": " + std::to_string(stats.frames) +
        ", \"batches\": " + std::to_string(stats.batches) +
        ", \"busy_seconds\": " + std::to_string(stats.busy_seconds) +
        ", \"serving_seconds\": " + std::to_string(stats.serving_seconds) + "}";
    (void)!::write(report, line.data(), line.size());
    std::_Exit(0);
  } catch (const std::exception& error) {
    const std::string line = std::string("e") + error.what();
    (void)!::write(report, line.data(), line.size());
    std::_Exit(1);
  }
}

// A client's process: its frames in clips, each clip's features checked for
// count.
[[noreturn]] void be_client(const Settings& settings, const std::string& address, int frames) {
  try {
    signprep::pipeline::FeatureClient client(address, settings.options.batch_size);
    signprep::image::Image frame(299, 299);
    for (std::size_t i = 0; i < frame.pixels.size(); ++i) {
      frame.pixels[i] = static_cast<std::uint8_t>((i * 7 + i / 897) % 256);
    }
    for (int sent = 0; sent < frames;) {
      const int clip = std::min(kClipFrames, frames - sent);
      for (int f = 0; f < clip; ++f) client.add(frame.view());
      if (client.finish().size() != std::size_t(clip) * 2048) std::_Exit(3);
      sent += clip;
    }
    std::_Exit(0);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "client: %s\n", error.what());
    std::_Exit(1);
  }
}

std::string read_all(int fd) {
  std::string text;
  char chunk[4096];
  ssize_t got;
  while ((got = ::read(fd, chunk, sizeof chunk)) > 0) text.append(chunk, std::size_t(got));
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  const Settings settings = parse(argc, argv);
  const std::string address =
      signprep::pipeline::feature_server_address(::getpid(), *settings.options.cuda_device);
  int report[2], finish[2];
  if (::pipe(report) != 0 || ::socketpair(AF_UNIX, SOCK_STREAM, 0, finish) != 0) return 1;
  const pid_t server = ::fork();
  if (server == 0) {
    ::close(report[0]);
    ::close(finish[0]);
    be_server(settings, address, report[1], finish[1]);
  }
  ::close(report[1]);
  ::close(finish[1]);
  char ready = 0;
  if (::read(report[0], &ready, 1) != 1 || ready != 'r') {
    std::fprintf(stderr, "feature_server_bench: the server did not start: %s\n",
                 read_all(report[0]).c_str());
    return 1;
  }
  const auto start = Clock::now();
  std::vector<pid_t> clients;
  for (int c = 0; c < settings.clients; ++c) {
    const int share = settings.frames / settings.clients + (c < settings.frames % settings.clients);
    const pid_t pid = ::fork();
    if (pid == 0) be_client(settings, address, share);
    clients.push_back(pid);
  }
  int failed = 0;
  for (const pid_t pid : clients) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    failed += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  ::shutdown(finish[0], SHUT_RDWR);
  const std::string stats = read_all(report[0]);
  ::waitpid(server, nullptr, 0);
  std::printf(
      "{\"clients\": %d, \"frames\": %d, \"batch\": %d, \"seconds\": %.3f, \"frames_per_s\": "
      "%.1f, \"failed_clients\": %d, \"server\": %s}\n",
      settings.clients, settings.frames, settings.options.batch_size, seconds,
      settings.frames / seconds, failed, stats.empty() ? "null" : stats.c_str());
  return failed ? 1 : 0;
}
