// Render benchmark: ms per frame for each layout, theme and size — first frame, steady state — and
// RSS.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "ics/store.hpp"
#include "layouts/layout.hpp"
#include "render/canvas.hpp"
#include "render/fonts.hpp"

using namespace cb;
using Clock = std::chrono::steady_clock;

namespace {

long statusKb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(key)) return std::stol(line.substr(std::string(key).size()));
  return -1;
}

double msSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string ics = argc > 1 ? argv[1] : CB_SOURCE_ROOT "/tests/fixtures/golden-week.ics";
  const int frames = argc > 2 ? std::atoi(argv[2]) : 200;
  const ics::TimeZone& zone = *ics::TimeZone::locate("Europe/Berlin");
  ics::IngestOptions options;
  options.displayZone = &zone;
  options.ownerEmails = {"owner@example.com"};
  ics::LoadResult loaded = ics::loadFile(ics, options);
  if (!loaded.error.empty()) {
    fmt::print(stderr, "bench_render: {}\n", loaded.error);
    return 1;
  }
  const ics::EventStore* stores[] = {&loaded.store};
  const ics::Instant start = *ics::parseIsoInstant("2025-03-10T08:40:00", zone);
  fmt::print("bench_render: {} ({} events), {} frames per case\n", ics, loaded.store.eventCount(),
             frames);
  fmt::print("{:<11} {:<5} {:<8} {:>10} {:>13} {:>13} {:>11}\n", "layout", "theme", "size",
             "first ms", "same-min ms", "new-min ms", "hash+dmg ms");
  for (const layouts::LayoutInfo& layout : layouts::allLayouts()) {
    for (const render::Theme* theme : {&render::lcdTheme(), &render::einkTheme()}) {
      for (auto [w, h] : {std::pair{480, 800}, std::pair{800, 480}}) {
        layouts::LayoutContext ctx;
        ctx.zone = &zone;
        ctx.now = start;
        ctx.state.lastSync = start;
        // Cold: no shaped text, a fresh font map (what the first frame after boot pays).
        render::resetFontCaches();
        auto t0 = Clock::now();
        layouts::Agenda agenda = layouts::buildAgenda(stores, ctx.now, {});
        render::Frame prev = layouts::renderFrame(layout, agenda, ctx, *theme, w, h);
        const double first = msSince(t0);

        // Steady state, same minute: what a redraw with nothing new costs.
        t0 = Clock::now();
        for (int i = 0; i < frames; ++i) {
          const render::Frame f = layouts::renderFrame(layout, agenda, ctx, *theme, w, h);
          if (f.width() != w) return 1;
        }
        const double same = msSince(t0) / frames;

        // Steady state, a new minute per frame (agenda rebuilt, countdown
        // changes): the daemon's per-minute tick. 30 distinct minutes cycle.
        double hashDamage = 0;
        t0 = Clock::now();
        for (int i = 0; i < frames; ++i) {
          ctx.now = start + std::chrono::minutes{i % 30};
          agenda = layouts::buildAgenda(stores, ctx.now, {});
          render::Frame f = layouts::renderFrame(layout, agenda, ctx, *theme, w, h);
          const auto t1 = Clock::now();
          const auto hash = f.hash();
          const render::Rect d = render::damage(prev, f);
          hashDamage += msSince(t1);
          if (hash == 0 && d.width < 0) return 1;
          prev = std::move(f);
        }
        const double tick = msSince(t0) / frames;
        fmt::print("{:<11} {:<5} {:<8} {:>10.2f} {:>13.3f} {:>13.3f} {:>11.3f}\n", layout.name,
                   theme->eink() ? "eink" : "lcd", fmt::format("{}x{}", w, h), first, same, tick,
                   hashDamage / frames);
      }
    }
  }
  fmt::print("text cache: {} layouts, {} hits, {} misses\n", render::TextCache::shared().size(),
             render::TextCache::shared().hits(), render::TextCache::shared().misses());
  fmt::print("RSS: {} kB now, {} kB peak\n", statusKb("VmRSS:"), statusKb("VmHWM:"));
  return 0;
}
