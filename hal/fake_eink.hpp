// PanelSimulator: a fake Waveshare panel on a fake SPI bus and GPIO lines. It records the
// command stream and decodes it as the controller would — resets, commands, data,
// BUSY handshakes, deep sleep — into the image the glass would show.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hal/clock.hpp"
#include "hal/eink_display.hpp"

namespace cb::hal {

// What the simulated controller knows of itself. Deliberately separate from the
// driver's model table: the simulator decodes data polarity from the VCOM/data
// interval register the driver programmed (DDX[0], bit 4 of its first byte:
// set = a 1 in new data is black), as the UC81xx controllers do in KW mode.
struct PanelSpec {
  int width = 800;
  int height = 480;
  int busyLevel = 0;
  bool hasPower = true;  // PWR line wired
  std::chrono::milliseconds powerOn{80}, powerOff{30}, fullRefresh{3500}, partialRefresh{700};
};

[[nodiscard]] PanelSpec panelSpecFor(const EinkModel& model);

// One thing the driver did on the bus, as the recorder saw it.
struct BusEvent {
  enum class Kind { Line, Spi, Read } kind = Kind::Line;
  int line = 0;                     // Line/Read: PanelSimulator::Line
  bool high = false;                // Line: the level set
  std::vector<std::uint8_t> bytes;  // Spi: what was clocked out
  std::chrono::nanoseconds at{};    // monotonic time of the event
};

class PanelSimulator {
 public:
  PanelSimulator(PanelSpec spec, FakeMonotonicClock& clock);

  // Fakes the driver takes ownership of; they forward to this simulator (which must outlive them).
  [[nodiscard]] std::unique_ptr<SpiBus> spi();
  [[nodiscard]] EinkPins pins();

  // Pixels on the glass, row-major: 1 black, 0 white, 2 never drawn.
  [[nodiscard]] const std::vector<std::uint8_t>& glass() const { return glass_; }
  // Protocol violations, in order (empty when the driver followed the datasheet).
  [[nodiscard]] const std::vector<std::string>& errors() const { return errors_; }
  // "pwr on", "reset", "cmd 12", "wait" (BUSY seen idle after a busy period),
  // "refresh full", "refresh partial X,Y WxH", "sleep", "pwr off".
  [[nodiscard]] const std::vector<std::string>& trace() const { return trace_; }
  void clearTrace() { trace_.clear(); }
  [[nodiscard]] int fullRefreshes() const { return fulls_; }
  [[nodiscard]] int partialRefreshes() const { return partials_; }
  [[nodiscard]] bool asleep() const { return asleep_; }
  [[nodiscard]] std::size_t largestWrite() const { return largestWrite_; }
  // Everything the driver did, in order (the recorder).
  [[nodiscard]] const std::vector<BusEvent>& recording() const { return recording_; }
  // Decodes a recording as if it happened live: the simulator's clock is moved to
  // each event's time first (recordings never go back in time).
  void replay(const std::vector<BusEvent>& events);
  // BUSY never deasserts (a disconnected or dead panel).
  void setStuckBusy(bool stuck) { stuck_ = stuck; }

  // Called through the fakes.
  void spiWrite(std::span<const std::uint8_t> bytes);
  void setLine(int which, bool high);
  [[nodiscard]] int readLine(int which);

  enum Line { kRst, kDc, kBusy, kPwr };

 private:
  void error(std::string what);
  void beginCommand(std::uint8_t c);
  void finishCommand();
  void dataByte(std::uint8_t b);
  void refresh();
  [[nodiscard]] bool busy() const;
  void busyFor(std::chrono::milliseconds d);

  PanelSpec spec_;
  FakeMonotonicClock& clock_;
  bool pwr_ = false, rst_ = true, dc_ = false;
  bool everReset_ = false, asleep_ = false, powered_ = false, partialMode_ = false;
  bool stuck_ = false, waited_ = true;
  std::chrono::nanoseconds busyUntil_{};
  int current_ = -1;  // command receiving data
  std::vector<std::uint8_t> args_;
  std::vector<std::uint8_t> vcom_, resolution_, window_;
  // Controller RAM, one entry per pixel bit as sent; -1: not written since reset.
  std::vector<int> dtm1_, dtm2_;
  std::size_t cursor_ = 0;
  std::size_t written1_ = 0, written2_ = 0;
  std::vector<std::uint8_t> glass_;
  std::vector<std::string> errors_, trace_;
  int fulls_ = 0, partials_ = 0;
  std::size_t largestWrite_ = 0;
  std::vector<BusEvent> recording_;
};

// The panel image the simulator should show for `image`: rotated by `rotation`,
// centred on the panel, thresholded at 50 % luma (1 black, 0 white). Written
// independently of the driver for the tests' expectations.
[[nodiscard]] std::vector<std::uint8_t> expectedPanel(const Image& image, int rotation,
                                                      int panelWidth, int panelHeight);

}  // namespace cb::hal
