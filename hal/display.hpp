// Display: where frames go (PNG file, framebuffer, e-ink panel), and the settings that pick one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "hal/image.hpp"

namespace cb::hal {

class MonotonicClock;

// [display] keys of an e-ink panel (display.kind = "eink"). Pins are BCM line
// offsets on `gpioChip`; the defaults are the Waveshare e-Paper HAT's (CS is CE0,
// driven by spidev itself).
struct EinkSettings {
  std::string model = "7in5_v2";  // a row of the model table (hal/eink_model.hpp)
  std::string gpioChip = "gpiochip0";
  int pinRst = 17;
  int pinDc = 25;
  int pinBusy = 24;
  int pinPwr = 18;  // -1: the panel's power is not switched (older HATs)
  std::uint32_t spiSpeedHz = 4'000'000;
  bool partialRefresh = true;       // where the model supports it
  int fullEveryPartials = 20;       // a full refresh after this many partial ones...
  int fullEveryHours = 24;          // ...and at least this often, to clear ghosting
  int minRefreshSeconds = 50;       // never two refreshes closer than this
  int minFullRefreshSeconds = 180;  // never two full refreshes closer (Waveshare: ≥ 180 s)
  int maxRefreshesPerDay = 0;       // in any 24 hours (0: no cap)
  int busyTimeoutSeconds = 30;
  bool operator==(const EinkSettings&) const = default;
};

struct DisplayConfig {
  std::string kind = "png";                   // png | framebuffer | eink
  std::string path = "/tmp/calendarbot.png";  // PNG file, /dev/fbN or /dev/spidevB.C
  int rotation = 0;               // 0 | 90 | 180 | 270 clockwise, applied by the display
  std::string fit = "center";     // framebuffer: center | scale (logical ≠ panel size)
  std::string tty = "/dev/tty1";  // framebuffer: console put in graphics mode ("": none)
  EinkSettings eink{};
  bool operator==(const DisplayConfig&) const = default;
};

class Display {
 public:
  virtual ~Display() = default;
  // Shows the image. Returns 0 or -errno; the display logs its own errors. An image marked
  // `unchanged` is written again only when the panel may no longer show it (the framebuffer:
  // its console was taken back from text mode, or its periodic whole repaint is due); the
  // caller offers every frame, and this is the one place that decides.
  [[nodiscard]] virtual int show(const Image& image) = 0;
  // Human-readable target, e.g. "/tmp/calendarbot.png".
  [[nodiscard]] virtual std::string describe() const = 0;
  // Forgets what the panel shows: the next show() redraws everything, even an
  // unchanged image (e-ink: a full refresh that clears ghosting). The caller
  // must then call show() although the frame hash did not change — a long
  // button press does this.
  virtual void invalidate() {}
  // True when the last show() rewrote the whole panel, not only the image's damage: for an
  // unchanged image, that it was shown at all.
  [[nodiscard]] virtual bool rewroteWhole() const { return false; }
  // True when the frame of the last show() is not shown yet and must be offered
  // again later, even unchanged (e-ink refresh pacing).
  [[nodiscard]] virtual bool pending() const { return false; }
};

// Creates the display the config names; nullptr with `error` set on failure
// (one line that says what to do, e.g. which group the user needs).
// `clock` times e-ink delays, BUSY time-outs and the full-refresh policy
// (nullptr: CLOCK_MONOTONIC).
[[nodiscard]] std::unique_ptr<Display> createDisplay(const DisplayConfig& config,
                                                     std::string& error,
                                                     MonotonicClock* clock = nullptr);

}  // namespace cb::hal
