// Monitoring figures: percentiles over the interval, CPU share, ingest rate.
#include "daemon/monitor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

namespace cb::daemon {
namespace {

double percentile(std::vector<std::uint32_t>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t i = std::min(v.size() - 1, std::size_t(p * double(v.size() - 1) + 0.5));
  return v[i];
}

}  // namespace

void Monitor::recordRender(std::chrono::microseconds d) {
  if (enabled_ && renderUs_.size() < 100000) renderUs_.push_back(std::uint32_t(d.count()));
}

void Monitor::recordFetch(std::chrono::milliseconds d, std::uint64_t bytes) {
  if (!enabled_) return;
  fetchMs_.push_back(std::uint32_t(d.count()));
  fetchBytes_ += bytes;
}

std::string Monitor::report(std::uint64_t rssBytes, double cpuSeconds, double wallSeconds) {
  double fetchTotalMs = 0;
  for (auto ms : fetchMs_) fetchTotalMs += ms;
  const double ingestMbS =
      fetchTotalMs > 0 ? double(fetchBytes_) / (1024.0 * 1024.0) / (fetchTotalMs / 1000.0) : 0;
  std::string line = fmt::format(
      "monitor: rss {:.1f} MB, cpu {:.2f} %, renders {} (p50 {:.1f} ms, p95 {:.1f} ms), fetches {} "
      "(p50 {:.0f} ms, max {:.0f} ms), ingest {:.1f} MB/s",
      double(rssBytes) / (1024.0 * 1024.0), wallSeconds > 0 ? 100.0 * cpuSeconds / wallSeconds : 0,
      renderUs_.size(), percentile(renderUs_, 0.5) / 1000.0, percentile(renderUs_, 0.95) / 1000.0,
      fetchMs_.size(), percentile(fetchMs_, 0.5), percentile(fetchMs_, 1.0), ingestMbS);
  renderUs_.clear();
  fetchMs_.clear();
  fetchBytes_ = 0;
  return line;
}

double processCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

}  // namespace cb::daemon
