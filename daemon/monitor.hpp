// Monitor: when enabled, one journal line every interval with RSS, CPU, render and fetch figures.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace cb::daemon {

class Monitor {
 public:
  // Disabled monitors record nothing and cost nothing.
  explicit Monitor(bool enabled) : enabled_(enabled) {}
  [[nodiscard]] bool enabled() const { return enabled_; }

  void recordRender(std::chrono::microseconds d);
  void recordFetch(std::chrono::milliseconds d, std::uint64_t bytes);

  // The summary line for the interval since the last call (and resets the
  // interval's figures). `cpuSeconds`/`wallSeconds` are that interval's.
  [[nodiscard]] std::string report(std::uint64_t rssBytes, double cpuSeconds, double wallSeconds);

 private:
  bool enabled_;
  std::vector<std::uint32_t> renderUs_;
  std::vector<std::uint32_t> fetchMs_;
  std::uint64_t fetchBytes_ = 0;
};

// Process CPU time (user + system) in seconds.
[[nodiscard]] double processCpuSeconds();

}  // namespace cb::daemon
