// EinkDisplay: Waveshare SPI e-ink panels (model table in hal/eink_model.hpp) with a
// full/partial refresh policy and deep sleep between refreshes.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hal/clock.hpp"
#include "hal/display.hpp"
#include "hal/eink_model.hpp"
#include "hal/eink_policy.hpp"
#include "hal/gpio.hpp"
#include "hal/placement.hpp"
#include "hal/spi.hpp"

namespace cb::hal {

struct EinkPins {
  std::unique_ptr<GpioLine> rst;   // output, idle high
  std::unique_ptr<GpioLine> dc;    // output: low = command, high = data
  std::unique_ptr<GpioLine> busy;  // input
  std::unique_ptr<GpioLine> pwr;   // output, high = panel powered; may be null
};

// One show() is one refresh cycle, start to end (it blocks for the refresh:
// ~4 s full, <1 s partial on the 7.5" panel):
//   hardware reset → init script (power on) → frame data (the frame, or the changed
//   window) → refresh → BUSY → power off → deep sleep.
// After a failure (BUSY time-out) the panel is still powered off and put to deep
// sleep; at exit its power is cut no sooner than 2 s after the deep sleep.
// The panel sleeps between frames (microamps, and no charge left on the glass).
// The frame is rotated and centred (or scaled) onto the panel, thresholded at
// 50 % luminance and packed 1 bit per pixel; the changed window is found by
// comparing that packed image with the one shown last, so a change the
// threshold erases costs no refresh at all.
// The pacing rules of `settings` for `model` (partial refresh only where it has one).
[[nodiscard]] RefreshRules refreshRules(const EinkSettings& settings, const EinkModel& model);

class EinkDisplay final : public Display {
 public:
  EinkDisplay(const EinkModel& model, const EinkSettings& settings, int rotation, Fit fit,
              std::unique_ptr<SpiBus> spi, EinkPins pins, MonotonicClock& clock);
  // Real hardware: spidev at `config.path`, pins through libgpiod; `clock`
  // nullptr: CLOCK_MONOTONIC. nullptr with `error` set; without e-ink support in
  // the build, always nullptr.
  [[nodiscard]] static std::unique_ptr<EinkDisplay> create(const DisplayConfig& config,
                                                           std::string& error,
                                                           MonotonicClock* clock = nullptr);
  ~EinkDisplay() override;
  EinkDisplay(const EinkDisplay&) = delete;
  EinkDisplay& operator=(const EinkDisplay&) = delete;

  // 0, or -errno: -ETIMEDOUT when BUSY stays asserted past busy_timeout_s; after
  // any error the next frame gets a full refresh.
  [[nodiscard]] int show(const Image& image) override;
  [[nodiscard]] std::string describe() const override;
  void invalidate() override;

  // True while the last frame waits for the refresh pacing (RefreshRules): the caller
  // offers it again later (the daemon: on its next minute).
  [[nodiscard]] bool pending() const override { return last_ == RefreshDecision::Kind::Deferred; }

  [[nodiscard]] RefreshDecision::Kind lastRefresh() const { return last_; }
  [[nodiscard]] const RefreshPolicy& policy() const { return policy_; }
  // The packed image on the panel (1 = black, MSB = leftmost), for tests.
  [[nodiscard]] const std::vector<std::uint8_t>& shown() const { return shown_; }

 private:
  void pack(const Image& image);
  [[nodiscard]] Region changedWindow() const;
  [[nodiscard]] int refreshFull();
  [[nodiscard]] int refreshPartial(const Region& window);
  [[nodiscard]] int wake();
  [[nodiscard]] int sleepPanel();
  void shutDown();
  [[nodiscard]] int command(std::uint8_t c);
  [[nodiscard]] int data(std::span<const std::uint8_t> bytes);
  // `cmd` followed by window `w` of `src` (1 = black), each byte XORed with `flip`.
  [[nodiscard]] int writeData(std::uint8_t cmd, const std::vector<std::uint8_t>& src,
                              const Region& w, std::uint8_t flip);
  // bestEffort: BUSY waits are short and errors do not stop the script (shutting down).
  [[nodiscard]] int runScript(std::span<const std::uint8_t> script, bool bestEffort = false);
  [[nodiscard]] int waitIdle() {
    return waitIdle(std::chrono::seconds{settings_.busyTimeoutSeconds});
  }
  [[nodiscard]] int waitIdle(std::chrono::nanoseconds limit);
  void sleepMs(int ms) { clock_.sleepFor(std::chrono::milliseconds{ms}); }

  const EinkModel& model_;
  EinkSettings settings_;
  int rotation_;
  Fit fit_;
  std::unique_ptr<SpiBus> spi_;
  EinkPins pins_;
  std::unique_ptr<MonotonicClock> ownedClock_;
  MonotonicClock& clock_;
  RefreshPolicy policy_;
  Placement placement_;
  std::vector<std::uint8_t> next_;   // packed frame being shown
  std::vector<std::uint8_t> shown_;  // packed frame on the glass (empty: unknown)
  std::vector<std::uint8_t> out_;    // scratch for the encoded transfer
  std::uint64_t lastHash_ = 0;
  bool powered_ = false;
  std::chrono::nanoseconds sleptAt_{};  // the last deep-sleep command
  static constexpr std::chrono::seconds kSleepToPowerCut{2};
  static constexpr std::chrono::seconds kShutDownWait{1};
  int lastError_ = 0;
  RefreshDecision::Kind last_ = RefreshDecision::Kind::Skip;
};

}  // namespace cb::hal
