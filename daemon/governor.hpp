// Governor: samples resident memory and sheds caches before the target is reached.
#pragma once

#include <cstdint>
#include <functional>

namespace cb::daemon {

// Resident set size in bytes (from /proc/self/statm), 0 when unknown.
[[nodiscard]] std::uint64_t readRssBytes();

class Governor {
 public:
  enum class Stage { Normal, Shed, Critical };  // < 70 %, ≥ 70 %, ≥ 90 % of the target

  struct Actions {
    std::function<void()> dropRenderCaches{};  // at 70 %
    std::function<void()> shrinkHorizon{};     // at 90 %
    std::function<void()> resetFontCaches{};   // at 90 %
    std::function<void()> trimHeap{};          // at 90 % (malloc_trim)
  };

  Governor(std::uint64_t targetBytes, std::function<std::uint64_t()> readRss, Actions actions);

  // One sample: acts when the stage rises (and again on every sample while
  // critical, since trimming is cheap and memory may keep growing); logs each
  // step at warning with the figures. Returns the stage after acting.
  Stage sample();
  [[nodiscard]] Stage stage() const { return stage_; }
  [[nodiscard]] std::uint64_t lastRss() const { return lastRss_; }
  void setTarget(std::uint64_t targetBytes) { target_ = targetBytes; }

 private:
  std::uint64_t target_;
  std::function<std::uint64_t()> readRss_;
  Actions actions_;
  Stage stage_ = Stage::Normal;
  std::uint64_t lastRss_ = 0;
};

}  // namespace cb::daemon
