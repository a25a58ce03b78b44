// Benchmark: display drivers' CPU cost per frame — framebuffer conversion (full and damaged
// rows) and the e-ink pack/diff/encode path — printed as figures, never gated.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

#include "hal/eink_display.hpp"
#include "hal/fake_sys.hpp"
#include "hal/fb_display.hpp"

using namespace cb::hal;
using WallTimer = std::chrono::steady_clock;

namespace {

std::vector<std::uint32_t> frame(int w, int h, unsigned salt) {
  std::vector<std::uint32_t> px;
  px.resize(std::size_t(w) * std::size_t(h));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      px[std::size_t(y * w + x)] = 0xff000000u | (((unsigned(x) * 7 + salt) & 0xff) << 16) |
                                   ((unsigned(y) * 3) & 0xff) << 8 |
                                   ((unsigned(x + y) + salt) & 0xff);
  return px;
}

// Median wall time of `runs` calls, in milliseconds.
template <typename F>
double medianMs(int runs, F&& f) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    const auto a = WallTimer::now();
    f(i);
    t.push_back(std::chrono::duration<double, std::milli>(WallTimer::now() - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

struct Fmt {
  const char* name;
  unsigned bpp;
  fb_bitfield r, g, b;
};

const Fmt kXrgb8888{"XRGB8888", 32, {16, 8, 0}, {8, 8, 0}, {0, 8, 0}};

// A fake xres x yres panel of format `f` at /dev/fb0.
void addPanel(FakeSys& sys, unsigned xres, unsigned yres, const Fmt& f) {
  fb_var_screeninfo var{};
  var.xres = var.xres_virtual = xres;
  var.yres = var.yres_virtual = yres;
  var.bits_per_pixel = f.bpp;
  var.red = f.r;
  var.green = f.g;
  var.blue = f.b;
  fb_fix_screeninfo fix{};
  fix.type = FB_TYPE_PACKED_PIXELS;
  fix.visual = FB_VISUAL_TRUECOLOR;
  fix.line_length = var.xres * f.bpp / 8;
  fix.smem_len = fix.line_length * var.yres;
  sys.addFramebuffer("/dev/fb0", var, fix);
}

void benchFramebuffer() {
  const Fmt formats[] = {{"RGB565", 16, {11, 5, 0}, {5, 6, 0}, {0, 5, 0}},
                         {"RGB888", 24, {16, 8, 0}, {8, 8, 0}, {0, 8, 0}},
                         kXrgb8888};
  fmt::print("framebuffer: 480x800 frame, median of 50 shows (memfd-backed fake device)\n");
  fmt::print("  {:<9} {:>8} {:>12} {:>16}\n", "format", "rotation", "full ms", "60 rows dmg ms");
  for (const Fmt& f : formats)
    for (int rotation : {0, 90}) {
      const bool swap = rotation == 90;
      FakeSys sys;
      addPanel(sys, swap ? 800 : 480, swap ? 480 : 800, f);
      std::string error;
      auto d = FramebufferDisplay::create({"/dev/fb0", "", rotation, Fit::Center}, sys, error);
      if (!d) {
        fmt::print("  {}: {}\n", f.name, error);
        continue;
      }
      const auto a = frame(480, 800, 1), b = frame(480, 800, 2);
      const double full = medianMs(50, [&](int i) {
        d->invalidate();
        (void)d->show(Image{i % 2 ? a : b, 480, 800, 480, 0, {}});
      });
      const double damaged = medianMs(50, [&](int i) {
        (void)d->show(Image{i % 2 ? a : b, 480, 800, 480, 0, {0, 300, 480, 60}});
      });
      fmt::print("  {:<9} {:>8} {:>12.3f} {:>16.3f}\n", f.name, rotation, full, damaged);
    }
}

// The periodic whole repaint (hal/fb_display.hpp, kRepaintEvery) on an HDMI-sized panel: the
// frame converted and the borders around it cleared.
void benchWholeRepaint() {
  FakeSys sys;
  addPanel(sys, 1280, 800, kXrgb8888);
  std::string error;
  auto d = FramebufferDisplay::create({"/dev/fb0", "", 0, Fit::Center}, sys, error);
  if (!d) return;
  const auto a = frame(480, 800, 1);
  const double whole = medianMs(50, [&](int) {
    d->invalidate();
    (void)d->show(Image{a, 480, 800, 480, 0, {}});
  });
  fmt::print(
      "framebuffer: whole repaint (once a minute), 480x800 centred on 1280x800 XRGB8888, "
      "borders cleared: {:.3f} ms (median of 50)\n",
      whole);
}

// SPI and GPIO that cost nothing: the driver's own CPU time is what is measured.
class NullSpi final : public SpiBus {
 public:
  int write(std::span<const std::uint8_t> bytes) override {
    bytes_ += bytes.size();
    return 0;
  }
  std::string describe() const override { return "null"; }
  std::size_t bytes_ = 0;
};
class IdleLine final : public GpioLine {
 public:
  int set(bool) override { return 0; }
  int get() override { return 1; }  // BUSY high: idle
};

void benchEink() {
  const EinkModel& model = *findEinkModel("7in5_v2");
  FakeMonotonicClock clock;
  auto spi = std::make_unique<NullSpi>();
  NullSpi* bus = spi.get();
  EinkPins pins{std::make_unique<IdleLine>(), std::make_unique<IdleLine>(),
                std::make_unique<IdleLine>(), std::make_unique<IdleLine>()};
  EinkSettings s;
  s.fullEveryPartials = 1'000'000;
  s.fullEveryHours = 0;
  EinkDisplay d(model, s, 90, Fit::Center, std::move(spi), std::move(pins), clock);
  auto a = frame(480, 800, 1);
  std::uint64_t hash = 1;
  const double full = medianMs(20, [&](int i) {
    a[0] ^= 0x00ffffff;
    d.invalidate();
    (void)d.show(Image{a, 480, 800, 480, hash + std::uint64_t(i), {}});
  });
  (void)d.show(Image{a, 480, 800, 480, 999, {}});
  const std::size_t before = bus->bytes_;
  const double partial = medianMs(20, [&](int i) {
    for (int y = 100; y < 140; ++y)
      for (int x = 50; x < 400; ++x) a[std::size_t(y * 480 + x)] ^= 0x00ffffff;
    (void)d.show(Image{a, 480, 800, 480, 1000 + std::uint64_t(i), {}});
  });
  const std::size_t partialBytes = (bus->bytes_ - before) / 20;
  fmt::print("e-ink 7.5\" V2 (480x800 frame rotated onto 800x480), median of 20, CPU only:\n");
  fmt::print(
      "  full refresh:    {:.3f} ms to pack, compare and send; {} bytes on SPI "
      "(~{:.0f} ms at 4 MHz)\n",
      full, 2 * model.rowBytes() * model.height,
      2.0 * model.rowBytes() * model.height * 8 / 4e6 * 1e3);
  fmt::print("  partial refresh: {:.3f} ms; ~{} bytes on SPI per refresh (350x40 changed)\n",
             partial, partialBytes);
}

}  // namespace

int main() {
  benchFramebuffer();
  benchWholeRepaint();
  benchEink();
  return 0;
}
