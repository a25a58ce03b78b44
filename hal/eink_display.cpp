// E-ink refresh cycles: scripts from the model table, frame data, BUSY with a time-out.
#include "hal/eink_display.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "calendarbot_config.h"
#include "hal/log.hpp"
#include "hal/sys.hpp"
#if CB_HAVE_EINK
#include "hal/gpiod_lines.hpp"
#endif

namespace cb::hal {

using namespace eink_cmd;
using Kind = RefreshDecision::Kind;

EinkDisplay::EinkDisplay(const EinkModel& model, const EinkSettings& settings, int rotation,
                         Fit fit, std::unique_ptr<SpiBus> spi, EinkPins pins, MonotonicClock& clock)
    : model_(model),
      settings_(settings),
      rotation_(rotation),
      fit_(fit),
      spi_(std::move(spi)),
      pins_(std::move(pins)),
      clock_(clock),
      policy_(settings.partialRefresh && model.supportsPartial(), settings.fullEveryPartials,
              std::chrono::hours{settings.fullEveryHours}) {}

EinkDisplay::~EinkDisplay() {
  // The panel already sleeps after each refresh; cutting its power also covers a
  // refresh that failed half-way.
  if (pins_.pwr) (void)pins_.pwr->set(false);
}

std::unique_ptr<EinkDisplay> EinkDisplay::create(const DisplayConfig& config, std::string& error,
                                                 MonotonicClock* clock) {
  const EinkModel* model = findEinkModel(config.eink.model);
  if (model == nullptr) {
    error = fmt::format("e-ink: unknown model \"{}\"", config.eink.model);
    return nullptr;
  }
#if CB_HAVE_EINK
  const EinkSettings& s = config.eink;
  auto spi = SpidevBus::create(realSys(), config.path, s.spiSpeedHz, error);
  if (!spi) return nullptr;
  EinkPins pins;
  if (s.pinPwr >= 0 && !(pins.pwr = openOutputLine(s.gpioChip, s.pinPwr, false, error)))
    return nullptr;
  if (!(pins.rst = openOutputLine(s.gpioChip, s.pinRst, true, error))) return nullptr;
  if (!(pins.dc = openOutputLine(s.gpioChip, s.pinDc, false, error))) return nullptr;
  if (!(pins.busy = openInputLine(s.gpioChip, s.pinBusy, error))) return nullptr;
  std::unique_ptr<MonotonicClock> owned;
  if (clock == nullptr) {
    owned = std::make_unique<SteadyClock>();
    clock = owned.get();
  }
  auto display = std::make_unique<EinkDisplay>(*model, s, config.rotation,
                                               config.fit == "scale" ? Fit::Scale : Fit::Center,
                                               std::move(spi), std::move(pins), *clock);
  display->ownedClock_ = std::move(owned);
  return display;
#else
  (void)clock;
  error = "e-ink: this build has no e-ink support (meson -Deink=enabled)";
  return nullptr;
#endif
}

std::string EinkDisplay::describe() const {
  return fmt::format("{} on {}", model_.description, spi_->describe());
}

void EinkDisplay::invalidate() {
  policy_.forceFull();
  lastHash_ = 0;
}

void EinkDisplay::pack(const Image& image) {
  const int rowBytes = model_.rowBytes();
  next_.assign(std::size_t(rowBytes) * std::size_t(model_.height), 0);  // white
  const Region& t = placement_.target();
  const std::uint32_t* px = image.pixels.data();
  for (int y = t.y; y < t.y + t.height; ++y) {
    std::uint8_t* row = next_.data() + std::size_t(y) * std::size_t(rowBytes);
    for (int x = t.x; x < t.x + t.width; ++x) {
      const std::uint32_t p = px[placement_.sourceIndex(x, y)];
      // Rec. 601 luma in 8.8 fixed point; below half is ink.
      const std::uint32_t luma =
          (((p >> 16) & 0xff) * 77 + ((p >> 8) & 0xff) * 150 + (p & 0xff) * 29) >> 8;
      if (luma < 128) row[x >> 3] |= std::uint8_t(0x80u >> (x & 7));
    }
  }
}

Region EinkDisplay::changedWindow() const {
  if (shown_.size() != next_.size()) return {0, 0, model_.width, model_.height};
  const auto rowBytes = std::size_t(model_.rowBytes());
  int y0 = -1, y1 = -1, b0 = int(rowBytes), b1 = -1;
  for (int y = 0; y < model_.height; ++y) {
    const std::uint8_t* a = shown_.data() + std::size_t(y) * rowBytes;
    const std::uint8_t* b = next_.data() + std::size_t(y) * rowBytes;
    if (std::memcmp(a, b, rowBytes) == 0) continue;
    if (y0 < 0) y0 = y;
    y1 = y;
    for (int i = 0; i < int(rowBytes); ++i)
      if (a[i] != b[i]) {
        b0 = std::min(b0, i);
        break;
      }
    for (int i = int(rowBytes) - 1; i >= 0; --i)
      if (a[i] != b[i]) {
        b1 = std::max(b1, i);
        break;
      }
  }
  if (y0 < 0) return {};
  return {b0 * 8, y0, (b1 - b0 + 1) * 8, y1 - y0 + 1};
}

int EinkDisplay::show(const Image& image) {
  if (image.width <= 0 || image.height <= 0 || image.strideWords < image.width ||
      image.pixels.size() <
          std::size_t(image.strideWords) * std::size_t(image.height - 1) + std::size_t(image.width))
    return -EINVAL;
  if (image.hash != 0 && image.hash == lastHash_) {
    last_ = Kind::Skip;
    return 0;
  }
  if (!placement_.matches(image.width, image.height, image.strideWords))
    placement_ = Placement(image.width, image.height, image.strideWords, rotation_, model_.width,
                           model_.height, fit_);
  pack(image);
  const RefreshDecision d = policy_.decide(changedWindow(), clock_.now());
  last_ = d.kind;
  if (d.kind == Kind::Skip) {
    lastHash_ = image.hash;
    return 0;
  }
  const auto started = clock_.now();
  const int rc = d.kind == Kind::Full ? refreshFull() : refreshPartial(d.window);
  if (rc < 0) {
    if (rc != lastError_)
      logMessage(LogLevel::Error,
                 fmt::format("e-ink {}: {} refresh failed: {}", describe(),
                             d.kind == Kind::Full ? "full" : "partial",
                             rc == -ETIMEDOUT ? "BUSY stuck (time-out)" : std::strerror(-rc)));
    lastError_ = rc;
    policy_.forceFull();
    lastHash_ = 0;
    return rc;
  }
  lastError_ = 0;
  policy_.done(d, clock_.now());
  shown_ = next_;
  lastHash_ = image.hash;
  logMessage(
      LogLevel::Debug,
      fmt::format(
          "e-ink: {} refresh ({}) in {} ms", d.kind == Kind::Full ? "full" : "partial", d.reason,
          std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now() - started).count()));
  return 0;
}

int EinkDisplay::command(std::uint8_t c) {
  int rc = pins_.dc->set(false);
  if (rc == 0) rc = spi_->write(std::span<const std::uint8_t>(&c, 1));
  return rc;
}

int EinkDisplay::data(std::span<const std::uint8_t> bytes) {
  int rc = pins_.dc->set(true);
  if (rc == 0) rc = spi_->write(bytes);
  return rc;
}

int EinkDisplay::waitIdle() {
  const auto start = clock_.now();
  const auto limit = std::chrono::seconds{settings_.busyTimeoutSeconds};
  while (true) {
    if (model_.pollStatus)
      if (const int rc = command(kGetStatus); rc < 0) return rc;
    const int v = pins_.busy->get();
    if (v < 0) return v;
    if (v != model_.busyLevel) return 0;
    if (clock_.now() - start >= limit) return -ETIMEDOUT;
    sleepMs(10);
  }
}

int EinkDisplay::runScript(std::span<const std::uint8_t> s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::uint8_t op = s[i++];
    int rc = 0;
    if (op == kEinkWaitIdle) {
      rc = waitIdle();
    } else if (op == kEinkDelayMs) {
      sleepMs(s[i++]);
    } else {
      const std::size_t n = s[i++];
      rc = command(op);
      if (rc == 0 && n > 0) rc = data(s.subspan(i, n));
      i += n;
    }
    if (rc < 0) return rc;
  }
  return 0;
}

int EinkDisplay::wake() {
  int rc = 0;
  if (pins_.pwr && !powered_) {
    rc = pins_.pwr->set(true);
    if (rc < 0) return rc;
    sleepMs(10);
  }
  powered_ = true;
  // Deep sleep ends only with a hardware reset.
  if ((rc = pins_.rst->set(true)) < 0) return rc;
  sleepMs(model_.resetMs[0]);
  if ((rc = pins_.rst->set(false)) < 0) return rc;
  sleepMs(model_.resetMs[1]);
  if ((rc = pins_.rst->set(true)) < 0) return rc;
  sleepMs(model_.resetMs[2]);
  // A controller still busy after its reset is not listening (or not there).
  return waitIdle();
}

int EinkDisplay::refreshFull() {
  int rc = wake();
  if (rc == 0) rc = runScript(model_.initFull);
  if (rc < 0) return rc;
  // New data in the controller's polarity; old data its complement, so the
  // waveform drives every pixel (that is what clears the ghosting).
  const std::uint8_t flip = model_.fullOneIsBlack ? 0x00 : 0xFF;
  out_.resize(next_.size());
  for (std::size_t i = 0; i < next_.size(); ++i) out_[i] = std::uint8_t(~(next_[i] ^ flip));
  if ((rc = command(kDataStart1)) < 0 || (rc = data(out_)) < 0) return rc;
  for (std::size_t i = 0; i < next_.size(); ++i) out_[i] = std::uint8_t(next_[i] ^ flip);
  if ((rc = command(kDataStart2)) < 0 || (rc = data(out_)) < 0) return rc;
  if ((rc = command(kDisplayRefresh)) < 0) return rc;
  sleepMs(model_.refreshDelayMs);
  if ((rc = waitIdle()) < 0) return rc;
  return runScript(model_.sleep);
}

int EinkDisplay::refreshPartial(const Region& w) {
  int rc = wake();
  if (rc == 0) rc = runScript(model_.initPartial);
  if (rc < 0) return rc;
  const int x1 = w.x + w.width - 1, y1 = w.y + w.height - 1;
  const std::uint8_t window[] = {
      std::uint8_t(w.x >> 8), std::uint8_t(w.x),      std::uint8_t(x1 >> 8),
      std::uint8_t(x1),       std::uint8_t(w.y >> 8), std::uint8_t(w.y),
      std::uint8_t(y1 >> 8),  std::uint8_t(y1),       model_.partialScan};
  if ((rc = command(kPartialIn)) < 0 || (rc = command(kPartialWindow)) < 0 ||
      (rc = data(window)) < 0)
    return rc;
  // Old data (what the glass shows: RAM does not survive deep sleep), then new.
  const std::uint8_t flip = model_.partialOneIsBlack ? 0x00 : 0xFF;
  const auto rowBytes = std::size_t(model_.rowBytes());
  const auto windowBytes = std::size_t(w.width / 8);
  for (const std::vector<std::uint8_t>* src : {&shown_, &next_}) {
    out_.clear();
    for (int y = w.y; y <= y1; ++y) {
      const std::uint8_t* row = src->data() + std::size_t(y) * rowBytes + std::size_t(w.x / 8);
      for (std::size_t i = 0; i < windowBytes; ++i) out_.push_back(std::uint8_t(row[i] ^ flip));
    }
    if ((rc = command(src == &shown_ ? kDataStart1 : kDataStart2)) < 0 || (rc = data(out_)) < 0)
      return rc;
  }
  if ((rc = command(kDisplayRefresh)) < 0) return rc;
  sleepMs(model_.refreshDelayMs);
  if ((rc = waitIdle()) < 0) return rc;
  if ((rc = command(kPartialOut)) < 0) return rc;
  return runScript(model_.sleep);
}

}  // namespace cb::hal
