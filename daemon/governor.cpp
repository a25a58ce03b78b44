// The resource governor's thresholds and actions.
#include "daemon/governor.hpp"

#include <unistd.h>

#include <cstdio>

#include "daemon/log.hpp"

namespace cb::daemon {

std::uint64_t readRssBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "re");
  if (f == nullptr) return 0;
  unsigned long long size = 0, resident = 0;
  const int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

Governor::Governor(std::uint64_t targetBytes, std::function<std::uint64_t()> readRss,
                   Actions actions)
    : target_(targetBytes), readRss_(std::move(readRss)), actions_(std::move(actions)) {}

Governor::Stage Governor::sample() {
  const std::uint64_t rss = readRss_();
  lastRss_ = rss;
  if (rss == 0 || target_ == 0) return stage_;
  const double mb = double(rss) / (1024.0 * 1024.0);
  const double targetMb = double(target_) / (1024.0 * 1024.0);
  const Stage now = rss * 10 >= target_ * 9   ? Stage::Critical
                    : rss * 10 >= target_ * 7 ? Stage::Shed
                                              : Stage::Normal;
  auto call = [](const std::function<void()>& f) {
    if (f) f();
  };
  if (now == Stage::Critical) {
    if (stage_ != Stage::Critical)
      log::warning(
          "governor: RSS {:.1f} MB is ≥ 90 % of the {:.0f} MB target: dropping render caches, "
          "shrinking the expansion horizon, resetting font caches, trimming the heap",
          mb, targetMb);
    call(actions_.dropRenderCaches);
    call(actions_.shrinkHorizon);
    call(actions_.resetFontCaches);
    call(actions_.trimHeap);
    const std::uint64_t after = readRss_();
    if (stage_ != Stage::Critical)
      log::warning("governor: RSS {:.1f} MB after shedding", double(after) / (1024.0 * 1024.0));
  } else if (now == Stage::Shed && stage_ == Stage::Normal) {
    log::warning(
        "governor: RSS {:.1f} MB is ≥ 70 % of the {:.0f} MB target: dropping render caches", mb,
        targetMb);
    call(actions_.dropRenderCaches);
  } else if (now == Stage::Normal && stage_ != Stage::Normal) {
    log::info("governor: RSS {:.1f} MB, back below 70 % of the {:.0f} MB target", mb, targetMb);
  }
  stage_ = now;
  return stage_;
}

}  // namespace cb::daemon
