// The panel simulator: a small UC81xx command decoder with the datasheet's rules as checks.
#include "hal/fake_eink.hpp"

#include <fmt/format.h>

#include <cerrno>

#include "hal/rotate.hpp"

namespace cb::hal {
namespace {

using namespace eink_cmd;

class SimSpi final : public SpiBus {
 public:
  explicit SimSpi(PanelSimulator& sim) : sim_(sim) {}
  int write(std::span<const std::uint8_t> bytes) override {
    sim_.spiWrite(bytes);
    return 0;
  }
  std::string describe() const override { return "simulated spidev"; }

 private:
  PanelSimulator& sim_;
};

class SimLine final : public GpioLine {
 public:
  SimLine(PanelSimulator& sim, int which) : sim_(sim), which_(which) {}
  int set(bool high) override {
    if (which_ == PanelSimulator::kBusy) return -EPERM;  // an input
    sim_.setLine(which_, high);
    return 0;
  }
  int get() override { return sim_.readLine(which_); }

 private:
  PanelSimulator& sim_;
  int which_;
};

}  // namespace

PanelSpec panelSpecFor(const EinkModel& model) {
  PanelSpec s;
  s.width = model.width;
  s.height = model.height;
  s.busyLevel = model.busyLevel;
  return s;
}

PanelSimulator::PanelSimulator(PanelSpec spec, FakeMonotonicClock& clock)
    : spec_(spec),
      clock_(clock),
      dtm1_(std::size_t(spec.width) * std::size_t(spec.height), -1),
      dtm2_(dtm1_.size(), -1),
      glass_(dtm1_.size(), 2) {}

std::unique_ptr<SpiBus> PanelSimulator::spi() {
  return std::make_unique<SimSpi>(*this);
}

EinkPins PanelSimulator::pins() {
  EinkPins p;
  p.rst = std::make_unique<SimLine>(*this, kRst);
  p.dc = std::make_unique<SimLine>(*this, kDc);
  p.busy = std::make_unique<SimLine>(*this, kBusy);
  if (spec_.hasPower) p.pwr = std::make_unique<SimLine>(*this, kPwr);
  return p;
}

void PanelSimulator::error(std::string what) {
  errors_.push_back(std::move(what));
}

bool PanelSimulator::busy() const {
  return stuck_ || clock_.now() < busyUntil_;
}

void PanelSimulator::busyFor(std::chrono::milliseconds d) {
  busyUntil_ = clock_.now() + d;
  waited_ = false;
}

void PanelSimulator::replay(const std::vector<BusEvent>& events) {
  for (const BusEvent& e : events) {
    if (e.at > clock_.now()) clock_.advance(e.at - clock_.now());
    switch (e.kind) {
      case BusEvent::Kind::Line:
        setLine(e.line, e.high);
        break;
      case BusEvent::Kind::Spi:
        spiWrite(e.bytes);
        break;
      case BusEvent::Kind::Read:
        (void)readLine(e.line);
        break;
    }
  }
}

void PanelSimulator::setLine(int which, bool high) {
  recording_.push_back({BusEvent::Kind::Line, which, high, {}, clock_.now()});
  if (which == kPwr) {
    if (high != pwr_) trace_.push_back(high ? "pwr on" : "pwr off");
    pwr_ = high;
    if (!high) {
      everReset_ = false;
      powered_ = false;
    }
  } else if (which == kDc) {
    dc_ = high;
  } else if (which == kRst) {
    if (spec_.hasPower && !pwr_ && !high) error("reset pulse while the panel has no power");
    if (!rst_ && high) {
      // End of a reset pulse: the controller starts afresh (RAM is not trusted).
      finishCommand();
      trace_.push_back("reset");
      everReset_ = true;
      asleep_ = powered_ = partialMode_ = false;
      vcom_.clear();
      resolution_.clear();
      window_.clear();
      std::fill(dtm1_.begin(), dtm1_.end(), -1);
      std::fill(dtm2_.begin(), dtm2_.end(), -1);
      busyUntil_ = {};
      waited_ = true;
    }
    rst_ = high;
  }
}

int PanelSimulator::readLine(int which) {
  recording_.push_back({BusEvent::Kind::Read, which, false, {}, clock_.now()});
  if (which == kBusy) {
    const bool b = busy();
    if (!b && !waited_) {
      trace_.push_back("wait");
      waited_ = true;
    }
    return b ? spec_.busyLevel : 1 - spec_.busyLevel;
  }
  if (which == kRst) return rst_;
  if (which == kDc) return dc_;
  return pwr_;
}

void PanelSimulator::spiWrite(std::span<const std::uint8_t> bytes) {
  recording_.push_back({BusEvent::Kind::Spi, 0, false, {bytes.begin(), bytes.end()}, clock_.now()});
  largestWrite_ = std::max(largestWrite_, bytes.size());
  if (spec_.hasPower && !pwr_) {
    error("SPI traffic while the panel has no power");
    return;
  }
  if (!everReset_) {
    error("SPI traffic before the first hardware reset");
    return;
  }
  if (!rst_) {
    error("SPI traffic while RST is held low");
    return;
  }
  if (dc_) {
    for (std::uint8_t b : bytes) dataByte(b);
  } else {
    for (std::uint8_t b : bytes) beginCommand(b);
  }
}

void PanelSimulator::beginCommand(std::uint8_t c) {
  finishCommand();
  if (asleep_) {
    error(fmt::format("command 0x{:02X} in deep sleep (only a hardware reset wakes the panel)", c));
    return;
  }
  if (c == kGetStatus) return;  // allowed at any time, also while busy
  if (busy()) {
    error(fmt::format("command 0x{:02X} while BUSY", c));
    return;
  }
  if (!waited_) {
    // The controller finished on its own, but the driver never looked at BUSY.
    error(fmt::format("command 0x{:02X} without waiting for BUSY", c));
    waited_ = true;
  }
  trace_.push_back(fmt::format("cmd {:02X}", c));
  current_ = c;
  args_.clear();
  switch (c) {
    case kPowerOn:
      powered_ = true;
      busyFor(spec_.powerOn);
      break;
    case kPowerOff:
      powered_ = false;
      busyFor(spec_.powerOff);
      break;
    case kDataStart1:
    case kDataStart2:
      cursor_ = 0;
      (c == kDataStart1 ? written1_ : written2_) = 0;
      break;
    case kDisplayRefresh:
      refresh();
      break;
    case kPartialIn:
      partialMode_ = true;
      break;
    case kPartialOut:
      partialMode_ = false;
      break;
    case kPanelSetting:
    case kPowerSetting:
    case kBoosterSoftStart:
    case kDeepSleep:
    case kDualSpi:
    case kPll:
    case kVcomDataInterval:
    case kTcon:
    case kResolution:
    case kVcmDc:
    case kPartialWindow:
    case kCascade:
    case kForceTemperature:
      break;
    default:
      error(fmt::format("unknown command 0x{:02X}", c));
  }
}

void PanelSimulator::dataByte(std::uint8_t b) {
  if (current_ < 0) {
    error("data without a command");
    return;
  }
  if (current_ == kDataStart1 || current_ == kDataStart2) {
    std::vector<int>& ram = current_ == kDataStart1 ? dtm1_ : dtm2_;
    // Full mode: the whole panel; partial mode: the window, row by row.
    int x0 = 0, y0 = 0, w = spec_.width, h = spec_.height;
    if (partialMode_ && window_.size() == 9) {
      x0 = (window_[0] << 8) | window_[1];
      y0 = (window_[4] << 8) | window_[5];
      w = ((window_[2] << 8) | window_[3]) - x0 + 1;
      h = ((window_[6] << 8) | window_[7]) - y0 + 1;
    }
    const std::size_t rowBytes = std::size_t(w) / 8;
    if (rowBytes == 0 || cursor_ >= rowBytes * std::size_t(h)) {
      if (cursor_ == rowBytes * std::size_t(h))
        error(fmt::format("more data than the {} window holds", partialMode_ ? "partial" : "full"));
      ++cursor_;
      return;
    }
    const int y = y0 + int(cursor_ / rowBytes);
    const int x = x0 + int(cursor_ % rowBytes) * 8;
    for (int i = 0; i < 8; ++i)
      ram[std::size_t(y) * std::size_t(spec_.width) + std::size_t(x + i)] = (b >> (7 - i)) & 1;
    ++cursor_;
    ++(current_ == kDataStart1 ? written1_ : written2_);
    return;
  }
  args_.push_back(b);
  // Commands of a fixed length act as soon as their last byte arrives.
  const std::size_t fixed = current_ == kDeepSleep       ? 1
                            : current_ == kResolution    ? 4
                            : current_ == kPartialWindow ? 9
                                                         : 0;
  if (args_.size() == fixed) finishCommand();
}

void PanelSimulator::finishCommand() {
  if (current_ < 0) return;
  const int c = current_;
  current_ = -1;
  auto expect = [&](std::size_t lo, std::size_t hi) {
    if (args_.size() < lo || args_.size() > hi)
      error(fmt::format("command 0x{:02X} with {} data bytes", c, args_.size()));
  };
  switch (c) {
    case kVcomDataInterval:
      expect(1, 2);
      vcom_ = args_;
      break;
    case kResolution: {
      expect(4, 4);
      resolution_ = args_;
      const int w = args_.size() == 4 ? (args_[0] << 8 | args_[1]) : -1;
      const int h = args_.size() == 4 ? (args_[2] << 8 | args_[3]) : -1;
      if (w != spec_.width || h != spec_.height)
        error(fmt::format("resolution set to {}x{} on a {}x{} panel", w, h, spec_.width,
                          spec_.height));
      break;
    }
    case kPartialWindow: {
      expect(9, 9);
      if (args_.size() != 9) break;
      window_ = args_;
      const int x0 = (args_[0] << 8) | args_[1], x1 = (args_[2] << 8) | args_[3];
      const int y0 = (args_[4] << 8) | args_[5], y1 = (args_[6] << 8) | args_[7];
      if (x0 % 8 != 0 || (x1 + 1) % 8 != 0 || x1 < x0 || y1 < y0 || x1 >= spec_.width ||
          y1 >= spec_.height) {
        error(fmt::format("bad partial window x {}..{} y {}..{}", x0, x1, y0, y1));
        window_.clear();
      }
      break;
    }
    case kDeepSleep:
      expect(1, 1);
      if (args_.size() == 1 && args_[0] == kDeepSleepCheck) {
        asleep_ = true;
        trace_.push_back("sleep");
        if (powered_) error("deep sleep without power off first");
      } else {
        error("deep sleep without the 0xA5 check code");
      }
      break;
    case kPowerOn:
    case kPowerOff:
    case kDisplayRefresh:
    case kPartialIn:
    case kPartialOut:
      expect(0, 0);
      break;
    default:
      break;
  }
}

void PanelSimulator::refresh() {
  if (!powered_) {
    error("display refresh without power on");
    return;
  }
  if (vcom_.empty()) {
    error("display refresh without the VCOM/data interval setting");
    return;
  }
  if (resolution_.empty() && !partialMode_) error("full refresh without a resolution setting");
  const bool oneIsBlack = (vcom_[0] >> 4) & 1;
  int x0 = 0, y0 = 0, w = spec_.width, h = spec_.height;
  if (partialMode_) {
    if (window_.size() != 9) {
      error("partial refresh without a valid window");
      return;
    }
    x0 = (window_[0] << 8) | window_[1];
    y0 = (window_[4] << 8) | window_[5];
    w = ((window_[2] << 8) | window_[3]) - x0 + 1;
    h = ((window_[6] << 8) | window_[7]) - y0 + 1;
  }
  const std::size_t want = std::size_t(w / 8) * std::size_t(h);
  if (written2_ != want)
    error(fmt::format("refresh with {} of {} new data bytes", written2_, want));
  if (written1_ != want)
    error(fmt::format("refresh with {} of {} old data bytes", written1_, want));
  int oldMismatch = 0;
  for (int y = y0; y < y0 + h; ++y)
    for (int x = x0; x < x0 + w; ++x) {
      const std::size_t i = std::size_t(y) * std::size_t(spec_.width) + std::size_t(x);
      if (partialMode_ && dtm1_[i] >= 0 && glass_[i] != 2 &&
          std::uint8_t((dtm1_[i] == 1) == oneIsBlack) != glass_[i])
        ++oldMismatch;
      if (dtm2_[i] < 0) continue;
      glass_[i] = std::uint8_t((dtm2_[i] == 1) == oneIsBlack);
    }
  if (oldMismatch > 0)
    error(fmt::format("partial refresh: old data differs from the glass in {} pixels (ghosting)",
                      oldMismatch));
  if (partialMode_) {
    ++partials_;
    trace_.push_back(fmt::format("refresh partial {},{} {}x{}", x0, y0, w, h));
    busyFor(spec_.partialRefresh);
  } else {
    ++fulls_;
    trace_.push_back("refresh full");
    busyFor(spec_.fullRefresh);
  }
}

std::vector<std::uint8_t> expectedPanel(const Image& image, int rotation, int pw, int ph) {
  const std::vector<std::uint32_t> r = rotate(image, rotation);
  const bool swap = rotation == 90 || rotation == 270;
  const int rw = swap ? image.height : image.width, rh = swap ? image.width : image.height;
  std::vector<std::uint8_t> out(std::size_t(pw) * std::size_t(ph), 0);
  const int ox = (pw - rw) / 2, oy = (ph - rh) / 2;
  for (int y = 0; y < ph; ++y)
    for (int x = 0; x < pw; ++x) {
      const int sx = x - ox, sy = y - oy;
      if (sx < 0 || sy < 0 || sx >= rw || sy >= rh) continue;
      const std::uint32_t p = r[std::size_t(sy) * std::size_t(rw) + std::size_t(sx)];
      const double luma =
          0.299 * ((p >> 16) & 0xff) + 0.587 * ((p >> 8) & 0xff) + 0.114 * (p & 0xff);
      out[std::size_t(y) * std::size_t(pw) + std::size_t(x)] = luma < 127.5 ? 1 : 0;
    }
  return out;
}

}  // namespace cb::hal
