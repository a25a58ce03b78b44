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
//   hardware reset → init script (power on) → DATA_START1/2 (the frame, or the
//   changed window) → DISPLAY_REFRESH → BUSY → power off → deep sleep.
// The panel sleeps between frames (microamps, and no charge left on the glass).
// The frame is rotated and centred (or scaled) onto the panel, thresholded at
// 50 % luminance and packed 1 bit per pixel; the changed window is found by
// comparing that packed image with the one shown last, so a change the
// threshold erases costs no refresh at all.
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
  [[nodiscard]] int command(std::uint8_t c);
  [[nodiscard]] int data(std::span<const std::uint8_t> bytes);
  [[nodiscard]] int runScript(std::span<const std::uint8_t> script);
  [[nodiscard]] int waitIdle();
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
  int lastError_ = 0;
  RefreshDecision::Kind last_ = RefreshDecision::Kind::Skip;
};

}  // namespace cb::hal
