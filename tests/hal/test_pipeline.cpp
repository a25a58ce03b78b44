// hal end to end: real rendered layouts (e-ink theme) onto the simulated 7.5" panel, and
// LCD frames onto a fake framebuffer — a frame, then the next minute's damage only.
#include <cairo.h>
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "hal/eink_display.hpp"
#include "hal/fake_eink.hpp"
#include "hal/fake_sys.hpp"
#include "hal/fb_display.hpp"
#include "hal/rotate.hpp"
#include "ics/store.hpp"
#include "layouts/layout.hpp"
#include "render/frame.hpp"
#include "render/theme.hpp"
#include "support.hpp"

using namespace cb;
using namespace std::chrono;

namespace {

struct Frames {
  render::Frame before, after;
};

// The whats-next layout at 08:40 and at 09:05 (the stand-up has started).
Frames renderTwo(const render::Theme& theme, int width = 480, int height = 800) {
  const ics::TimeZone& berlin = *ics::TimeZone::locate("Europe/Berlin");
  ics::IngestOptions options;
  options.displayZone = &berlin;
  ics::LoadResult r = ics::loadFile(test::fixture("meeting-day.ics"), options);
  REQUIRE(r.error.empty());
  const ics::EventStore* stores[] = {&r.store};
  const layouts::LayoutInfo& layout = *layouts::findLayout("whats-next");
  layouts::LayoutContext ctx;
  ctx.zone = &berlin;
  ctx.now = *ics::parseIsoInstant("2025-03-10T08:40:00", berlin);
  auto a = layouts::renderFrame(layout, layouts::buildAgenda(stores, ctx.now, {}), ctx, theme,
                                width, height);
  ctx.now += minutes{25};
  auto b = layouts::renderFrame(layout, layouts::buildAgenda(stores, ctx.now, {}), ctx, theme,
                                width, height);
  return {std::move(a), std::move(b)};
}

hal::Image view(const render::Frame& f, const render::Frame* previous) {
  hal::Image img{f.pixels(), f.width(), f.height(), f.strideWords(), f.hash(), {}};
  if (previous) {
    const render::Rect d = render::damage(*previous, f);
    img.damage = {d.x, d.y, d.width, d.height};
  }
  return img;
}

// The glass as a PNG (black and white), to look at: CB_EINK_DUMP=DIR.
void dumpGlass(const std::vector<std::uint8_t>& glass, int w, int h, const std::string& name) {
  const char* dir = std::getenv("CB_EINK_DUMP");
  if (dir == nullptr) return;
  struct Free {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
  };
  std::unique_ptr<cairo_surface_t, Free> s(cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h));
  unsigned char* data = cairo_image_surface_get_data(s.get());
  const int stride = cairo_image_surface_get_stride(s.get());
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const std::uint8_t g = glass[std::size_t(y * w + x)];
      const std::uint32_t v = g == 1   ? 0x000000u
                              : g == 0 ? 0xffffffu
                                       : 0xff0000u;  // red: never drawn
      std::memcpy(data + y * stride + x * 4, &v, 4);
    }
  cairo_surface_mark_dirty(s.get());
  (void)cairo_surface_write_to_png(s.get(), (std::string(dir) + "/" + name + ".png").c_str());
}

}  // namespace

TEST_CASE("pipeline: rendered e-ink frames on the simulated 7.5\" panel", "[hal][pipeline]") {
  const Frames f = renderTwo(render::einkTheme());
  REQUIRE(f.before.hash() != f.after.hash());
  const hal::EinkModel& model = *hal::findEinkModel("7in5_v2");
  hal::FakeMonotonicClock clock;
  hal::PanelSimulator sim(hal::panelSpecFor(model), clock);
  hal::EinkDisplay display(model, {}, 90, hal::Fit::Center, sim.spi(), sim.pins(), clock);

  for (const render::Frame* frame : {&f.before, &f.after}) {
    const render::Frame* previous = frame == &f.after ? &f.before : nullptr;
    clock.advance(minutes{1});  // the daemon's next minute (refresh pacing)
    REQUIRE(display.show(view(*frame, previous)) == 0);
    for (const auto& e : sim.errors()) FAIL_CHECK(e);
    const auto want = hal::expectedPanel(view(*frame, nullptr), 90, 800, 480);
    CHECK(sim.glass() == want);
  }
  CHECK(sim.fullRefreshes() == 1);
  CHECK(sim.partialRefreshes() == 1);
}

TEST_CASE("pipeline: rendered e-ink frames on the simulated 4.2\" panels, V1 and V2",
          "[hal][pipeline]") {
  const Frames f = renderTwo(render::einkTheme(), 300, 400);
  for (const char* name : {"4in2", "4in2_v2"}) {
    INFO(name);
    const hal::EinkModel& model = *hal::findEinkModel(name);
    hal::FakeMonotonicClock clock;
    hal::PanelSimulator sim(hal::panelSpecFor(model), clock);
    hal::EinkDisplay display(model, {}, 90, hal::Fit::Center, sim.spi(), sim.pins(), clock);
    int n = 0;
    for (const render::Frame* frame : {&f.before, &f.after}) {
      const render::Frame* previous = frame == &f.after ? &f.before : nullptr;
      clock.advance(minutes{5});
      REQUIRE(display.show(view(*frame, previous)) == 0);
      for (const auto& e : sim.errors()) FAIL_CHECK(e);
      const auto want = hal::expectedPanel(view(*frame, nullptr), 90, 400, 300);
      CHECK(sim.glass() == want);
      // Black text on white: the panel is mostly white.
      const auto black = std::count(sim.glass().begin(), sim.glass().end(), 1);
      CHECK(black > 1000);
      CHECK(black < 400 * 300 / 3);
      dumpGlass(sim.glass(), 400, 300, fmt::format("{}-{}", name, n++));
    }
    CHECK(sim.fullRefreshes() + sim.partialRefreshes() == 2);
    CHECK(sim.partialRefreshes() == (model.supportsPartial() ? 1 : 0));
  }
}

TEST_CASE("pipeline: rendered LCD frames on a fake RGB565 framebuffer", "[hal][pipeline]") {
  const Frames f = renderTwo(render::lcdTheme());
  fb_var_screeninfo var{};
  var.xres = var.xres_virtual = 800;
  var.yres = var.yres_virtual = 480;
  var.bits_per_pixel = 16;
  var.red = {11, 5, 0};
  var.green = {5, 6, 0};
  var.blue = {0, 5, 0};
  fb_fix_screeninfo fix{};
  fix.type = FB_TYPE_PACKED_PIXELS;
  fix.visual = FB_VISUAL_TRUECOLOR;
  fix.line_length = 1600;
  fix.smem_len = 1600 * 480;
  hal::FakeSys sys;
  sys.addFramebuffer("/dev/fb0", var, fix);
  std::string error;
  auto display =
      hal::FramebufferDisplay::create({"/dev/fb0", "", 270, hal::Fit::Center}, sys, error);
  REQUIRE(display);
  REQUIRE(display->show(view(f.before, nullptr)) == 0);
  REQUIRE(display->show(view(f.after, &f.before)) == 0);
  CHECK(display->lastRowsWritten() < 480);  // only the damaged part of the panel
  const auto mem = sys.memory("/dev/fb0");
  const auto rotated = hal::rotate(view(f.after, nullptr), 270);
  int bad = 0;
  for (std::size_t i = 0; i < rotated.size(); ++i) {
    const std::uint32_t p = rotated[i];
    const unsigned v =
        (((p >> 16) & 0xff) >> 3) << 11 | (((p >> 8) & 0xff) >> 2) << 5 | ((p & 0xff) >> 3);
    if (mem[2 * i] != (v & 0xff) || mem[2 * i + 1] != (v >> 8)) ++bad;
  }
  CHECK(bad == 0);
}
