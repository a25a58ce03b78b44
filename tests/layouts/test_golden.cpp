// Golden images: every screen state, both layouts, both themes, both sizes, at a frozen clock;
// the office scenarios (tests/fixtures/office-week.ics) in both layouts.
//
// Fonts are pinned (Debian's packages, .ci/install-deps), so frames compare almost
// exactly: a pixel differs when any channel is off by more than kChannelTolerance,
// and a frame matches when at most kPixelBudget pixels differ — an absolute budget
// far under the smallest one-minute change of small text ("updated 09:37" → 09:38
// changes 77 px or more; the guard test below proves each such change fails).
// Regenerate after an intended change (then look at every image):
//   CB_BLESS=1 meson test -C build --suite golden      (or: make bless)
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "ics/store.hpp"
#include "layouts/layout.hpp"
#include "support.hpp"

using namespace cb;
using namespace std::chrono;
namespace fs = std::filesystem;

namespace {

constexpr int kChannelTolerance = 16;
constexpr long kPixelBudget = 24;  // pixels per frame, whatever its size

const ics::TimeZone& berlin() {
  return *ics::TimeZone::locate("Europe/Berlin");
}

ics::Instant at(const char* local) {
  return *ics::parseIsoInstant(local, berlin());
}

ics::EventStore loadStore(const char* name) {
  ics::IngestOptions options;
  options.displayZone = &berlin();
  options.ownerEmails = {"owner@example.com"};
  ics::LoadResult r = ics::loadFile(test::fixture(name), options);
  REQUIRE(r.error.empty());
  return std::move(r.store);
}

const ics::EventStore& weekStore() {
  static const ics::EventStore store = loadStore("golden-week.ics");
  return store;
}

const ics::EventStore& officeStore() {
  static const ics::EventStore store = loadStore("office-week.ics");
  return store;
}

// Titles no fixture font set can break: right-to-left, combining marks,
// Greek and Cyrillic (DejaVu covers them all, so the images are stable).
layouts::Agenda scriptsAgenda(ics::Instant now) {
  layouts::Agenda a;
  auto item = [&](minutes from, minutes len, std::string title, std::string where) {
    layouts::AgendaItem it;
    it.start = now + from;
    it.end = it.start + len;
    it.summary = std::move(title);
    it.location = std::move(where);
    a.items.push_back(std::move(it));
  };
  std::string longTitle;
  while (longTitle.size() < 500)
    longTitle += "Quarterly planning with every team lead and partner ";
  item(minutes{-20}, minutes{50}, longTitle, "Besprechungsraum Überlingen, 3. OG, Flügel Süd");
  item(minutes{25}, minutes{30}, "פגישת צוות שבועית", "חדר ישיבות");
  item(minutes{70}, minutes{30}, "اجتماع المراجعة الأسبوعي", "");
  item(minutes{120}, minutes{60}, "Cafe\u0301 con Zoë — Ελληνικά, Русский", "Salle Fe\u0301licie");
  return a;
}

struct Scenario {
  std::string name;
  std::string layout;
  ics::Instant now;
  layouts::ScreenState state{};
  layouts::AgendaOptions options{};
  bool use24h = true;
  bool synthetic = false;
  bool office = false;  // office-week.ics instead of golden-week.ics
};

std::vector<Scenario> scenarios() {
  const auto day = [](const char* hhmm) {
    return at(fmt::format("2025-03-10T{}:00", hhmm).c_str());
  };
  std::vector<Scenario> v;
  auto add = [&](std::string name, std::string layout, ics::Instant now) -> Scenario& {
    v.push_back({std::move(name), std::move(layout), now});
    v.back().state.lastSync = now - minutes{3};
    return v.back();
  };
  // whats-next: urgency by time left, running, overlapping, far, empty, waiting, offline.
  add("wn-calm", "whats-next", day("08:00"));
  add("wn-soon", "whats-next", day("08:35"));
  add("wn-tight", "whats-next", day("08:52"));
  add("wn-critical", "whats-next", day("08:59"));
  add("wn-running", "whats-next", day("09:05"));
  add("wn-wrapup", "whats-next", day("09:14"));
  add("wn-overlap", "whats-next", day("11:40"));
  add("wn-12h-hours", "whats-next", day("13:20")).use24h = false;
  add("wn-private-busy", "whats-next", day("14:50")).options.maskPrivate = true;
  add("wn-tomorrow", "whats-next", day("18:00"));
  add("wn-empty", "whats-next", at("2025-03-25T10:00:00"));
  add("wn-nodata", "whats-next", day("08:00")).state = {.haveData = false};
  add("wn-offline", "whats-next", day("09:40")).state.offlineSince = day("07:12");
  add("wn-scripts", "whats-next", day("10:00")).synthetic = true;
  // 4x8: a full day with "+N more", the Now card, evening, empty, waiting, offline.
  add("48-morning", "4x8", day("08:30"));
  add("48-now", "4x8", day("11:40")).options.maskPrivate = true;
  add("48-evening", "4x8", day("18:00")).use24h = false;
  add("48-empty", "4x8", at("2025-03-25T10:00:00"));
  add("48-nodata", "4x8", day("08:00")).state = {.haveData = false};
  add("48-offline", "4x8", day("09:40")).state.offlineSince = day("07:12");
  add("48-scripts", "4x8", day("10:00")).synthetic = true;

  // Office scenarios (issue 14): each in both layouts. Monday 17 March 2025 unless said.
  const auto office = [&](std::string name, const char* local) -> Scenario& {
    for (const char* layout : {"wn", "48"}) {
      Scenario& sc = add(fmt::format("{}-{}", layout, name),
                         layout == std::string_view("wn") ? "whats-next" : "4x8", at(local));
      sc.office = true;
    }
    return v.back();
  };
  auto both = [&](auto&& edit) {  // applies to the two scenarios just added
    edit(v[v.size() - 2]);
    edit(v.back());
  };
  // A multi-day summit, an 8-hour training and focus time run; three meetings at 10:00 next.
  office("o-longblocks", "2025-03-17T09:05:00");
  // Three at once: the one ending first is served, both others named.
  office("o-clash", "2025-03-17T10:10:00");
  // A Hebrew room beside the time range.
  office("o-rtl", "2025-03-17T11:10:00");
  // Lunch at 12:00 yields to the customer call at 12:15.
  office("o-lunch", "2025-03-17T11:40:00");
  // Out of office runs; the tentative "R&amp;D" meeting is next, "Canceled: …" is gone.
  office("o-oof", "2025-03-17T13:50:00");
  // A zero-length reminder, then an Arabic title.
  office("o-reminder", "2025-03-17T15:40:00");
  // A release window past midnight, on the 12-hour clock.
  office("o-midnight", "2025-03-17T23:40:00");
  both([](Scenario& sc) { sc.use24h = false; });
  // Twelve all-day items, a third of them free.
  office("o-allday", "2025-03-18T09:00:00");
  // Monday noon, offline since Friday evening.
  office("o-offline", "2025-03-17T12:45:00");
  both([&](Scenario& sc) {
    sc.state.offlineSince = at("2025-03-14T18:05:00");
    sc.state.lastSync = at("2025-03-14T18:05:00");
  });
  // Nothing in the week looked at; the next meeting is 14 days out.
  office("o-far", "2025-03-22T10:00:00");
  // 12-hour clock, a long month name and the offline pill together.
  office("o-september", "2025-09-24T10:00:00");
  both([&](Scenario& sc) {
    sc.use24h = false;
    sc.state.offlineSince = at("2025-09-23T23:05:00");
  });
  // The autumn clock change.
  office("o-dst", "2025-10-26T01:45:00");
  return v;
}

render::Frame draw(const Scenario& sc, const render::Theme& theme, int w, int h,
                   layouts::RenderStats* stats = nullptr) {
  layouts::LayoutContext ctx;
  ctx.now = sc.now;
  ctx.zone = &berlin();
  ctx.use24h = sc.use24h;
  ctx.state = sc.state;
  const ics::EventStore* stores[] = {sc.office ? &officeStore() : &weekStore()};
  const layouts::Agenda agenda = sc.synthetic ? scriptsAgenda(sc.now)
                                 : sc.state.haveData
                                     ? layouts::buildAgenda(stores, sc.now, sc.options)
                                     : layouts::Agenda{};
  return layouts::renderFrame(*layouts::findLayout(sc.layout), agenda, ctx, theme, w, h, stats);
}

// Pixels that differ beyond the channel tolerance.
long differing(const render::Frame& a, const render::Frame& b) {
  long n = 0;
  const auto pa = a.pixels();
  const auto pb = b.pixels();
  for (std::size_t i = 0; i < pa.size(); ++i) {
    if (pa[i] == pb[i]) continue;
    for (int shift : {0, 8, 16}) {
      const int d = int((pa[i] >> shift) & 0xff) - int((pb[i] >> shift) & 0xff);
      if (d > kChannelTolerance || d < -kChannelTolerance) {
        ++n;
        break;
      }
    }
  }
  return n;
}

}  // namespace

TEST_CASE("golden images of every state", "[golden]") {
  // CB_GOLDEN_DIR (with CB_BLESS): render the set elsewhere, as `make gallery` does.
  const fs::path dir = test::env("CB_GOLDEN_DIR").empty()
                           ? fs::path(test::env("CB_SOURCE_ROOT")) / "tests" / "golden"
                           : fs::path(test::env("CB_GOLDEN_DIR"));
  fs::create_directories(dir);
  const bool bless = !test::env("CB_BLESS").empty();
  const fs::path failures = fs::current_path() / "golden-failures";
  int compared = 0;
  for (const Scenario& sc : scenarios()) {
    for (const render::Theme* theme : {&render::lcdTheme(), &render::einkTheme()}) {
      for (auto [w, h] : {std::pair{480, 800}, std::pair{800, 480}}) {
        const std::string name =
            fmt::format("{}-{}-{}x{}.png", sc.name, theme->eink() ? "eink" : "lcd", w, h);
        INFO(name);
        layouts::RenderStats stats;
        const render::Frame frame = draw(sc, *theme, w, h, &stats);
        // Rule 11: the layouts ask for nothing below the legibility floor (18 px at these
        // sizes); the canvas's floor is a safety net, not the design.
        CHECK(stats.smallestRequestedPx >= 18.0 - 1e-9);
        CHECK(stats.smallestTextPx >= 18.0 - 1e-9);
        if (bless) {
          REQUIRE(render::writePng(frame, (dir / name).string()).empty());
          continue;
        }
        render::Frame golden;
        if (!render::readPng((dir / name).string(), golden)) {
          FAIL_CHECK("missing golden " << name << ": run CB_BLESS=1 meson test --suite golden");
          continue;
        }
        REQUIRE(golden.width() == w);
        REQUIRE(golden.height() == h);
        const long diff = differing(golden, frame);
        const long budget = kPixelBudget;
        if (diff > budget) {
          fs::create_directories(failures);
          (void)render::writePng(frame, (failures / name).string());
        }
        CHECK(diff <= budget);
        ++compared;
      }
    }
  }
  if (!bless) CHECK(compared == int(scenarios().size()) * 4);
}

TEST_CASE("the tolerance catches a changed text", "[golden]") {
  // Guard against a comparison that cannot fail: one minute later changes
  // the countdown digits, far beyond the pixel budget.
  const Scenario sc{"probe", "whats-next", at("2025-03-10T08:35:00")};
  Scenario later = sc;
  later.now += minutes{1};
  const auto a = draw(sc, render::lcdTheme(), 480, 800);
  const auto b = draw(later, render::lcdTheme(), 480, 800);
  CHECK(differing(a, b) > kPixelBudget);
  CHECK(differing(a, a) == 0);
}

TEST_CASE("the budget catches a one-minute change in the smallest text", "[golden]") {
  // The smallest texts that carry a time: 4x8's "updated HH:MM" and offline pill,
  // whats-next's offline line. A minute later must fail the comparison at every size.
  for (auto [w, h] : {std::pair{480, 800}, std::pair{800, 480}}) {
    for (const char* layout : {"4x8", "whats-next"}) {
      for (bool offline : {false, true}) {
        for (int minute = 0; minute < 10; ++minute) {
          Scenario a{"probe", layout, at("2025-03-25T10:00:00")};
          const auto stamp = at("2025-03-25T09:00:00") + minutes{minute};
          if (offline)
            a.state.offlineSince = stamp;
          else
            a.state.lastSync = stamp;
          Scenario b = a;
          (offline ? b.state.offlineSince : b.state.lastSync) = stamp + minutes{1};
          for (const render::Theme* theme : {&render::lcdTheme(), &render::einkTheme()}) {
            INFO(layout << " " << w << "x" << h << " offline " << offline << " minute " << minute
                        << " eink " << theme->eink());
            CHECK(differing(draw(a, *theme, w, h), draw(b, *theme, w, h)) > kPixelBudget);
          }
        }
      }
    }
  }
}

TEST_CASE("calendarbot render draws the same frames from the ICS file", "[golden]") {
  // End to end: file → store → agenda → layout → PNG through the CLI's
  // state flags, against the goldens above (whats-next ignores lastSync here).
  const std::string binary = test::env("CB_BINARY");
  if (binary.empty() || !test::env("CB_BLESS").empty()) return;
  const fs::path dir = fs::path(test::env("CB_SOURCE_ROOT")) / "tests" / "golden";
  const fs::path out = fs::temp_directory_path() / fmt::format("cb-golden-{}.png", ::getpid());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"wn-offline-eink-800x480",
       "--at 2025-03-10T09:40:00 --offline-since 2025-03-10T07:12:00 --theme eink --size 800x480"},
      {"wn-nodata-lcd-480x800", "--at 2025-03-10T08:00:00 --no-data"},
      {"wn-private-busy-lcd-480x800", "--at 2025-03-10T14:50:00 --private-busy"},
      {"wn-12h-hours-lcd-800x480", "--at 2025-03-10T13:20:00 --12h --size 800x480"},
  };
  for (const auto& [name, flags] : cases) {
    INFO(name);
    const std::string cmd = fmt::format(
        "'{}' render --ics '{}' --layout whats-next --tz Europe/Berlin --owner Owner@Example.com "
        "{} --out '{}'",
        binary, test::fixture("golden-week.ics"), flags, out.string());
    REQUIRE(std::system(cmd.c_str()) == 0);
    render::Frame drawn, golden;
    REQUIRE(render::readPng(out.string(), drawn));
    REQUIRE(render::readPng((dir / (name + ".png")).string(), golden));
    REQUIRE(drawn.width() == golden.width());
    CHECK(differing(golden, drawn) <= kPixelBudget);
  }
  fs::remove(out);
}
