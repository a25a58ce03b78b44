// layouts: agenda filtering, countdown text and both layouts drawn from a real fixture.
#include <catch2/catch.hpp>

#include "ics/store.hpp"
#include "layouts/format.hpp"
#include "layouts/layout.hpp"
#include "support.hpp"

using namespace cb;
using namespace std::chrono;

namespace {

ics::EventStore fixtureStore(const ics::TimeZone& zone) {
  ics::IngestOptions options;
  options.displayZone = &zone;
  options.ownerEmails = {"owner@example.com"};
  ics::LoadResult r = ics::loadFile(test::fixture("meeting-day.ics"), options);
  REQUIRE(r.error.empty());
  return std::move(r.store);
}

int darkPixels(const render::Frame& f, render::Rect r) {
  int n = 0;
  for (int y = r.y; y < r.y + r.height; ++y)
    for (int x = r.x; x < r.x + r.width; ++x)
      if ((f.at(x, y) & 0xff) < 0x80) ++n;
  return n;
}

}  // namespace

TEST_CASE("the agenda hides cancelled and declined meetings", "[layouts]") {
  const ics::TimeZone& berlin = *ics::TimeZone::locate("Europe/Berlin");
  const ics::EventStore store = fixtureStore(berlin);
  const ics::EventStore* stores[] = {&store};
  const auto now = *ics::parseIsoInstant("2025-03-10T08:00:00", berlin);
  const layouts::Agenda agenda = layouts::buildAgenda(stores, now, {});
  std::vector<std::string> titles;
  for (const auto& i : agenda.items) titles.push_back(i.summary);
  CHECK(std::find(titles.begin(), titles.end(), "Cancelled sync") == titles.end());
  CHECK(std::find(titles.begin(), titles.end(), "Declined vendor call") == titles.end());
  CHECK(std::find(titles.begin(), titles.end(), "Daily stand-up") != titles.end());
  CHECK(std::find(titles.begin(), titles.end(), "Team offsite week") != titles.end());
  CHECK(std::is_sorted(agenda.items.begin(), agenda.items.end(),
                       [](const auto& a, const auto& b) { return a.start < b.start; }));
}

TEST_CASE("countdown units", "[layouts]") {
  CHECK(layouts::countdown(seconds{30}).number == "1");
  CHECK(layouts::countdown(seconds{30}).units == "MINUTE");
  CHECK(layouts::countdown(minutes{25}).units == "MINUTES");
  const auto c = layouts::countdown(hours{2} + minutes{58});
  CHECK(c.number == "2");
  CHECK(c.units == "HOURS 58 MINUTES");
  CHECK(layouts::countdown(hours{50}).units == "DAYS");
}

TEST_CASE("clock times in the display zone, 12 h and 24 h", "[layouts]") {
  const ics::TimeZone& berlin = *ics::TimeZone::locate("Europe/Berlin");
  const auto t = *ics::parseIsoInstant("2025-03-10T14:05:00", berlin);
  CHECK(layouts::clockTime(t, berlin, true) == "14:05");
  CHECK(layouts::clockTime(t, berlin, false) == "2:05 PM");
  CHECK(layouts::longDate(t, berlin) == "Monday, 10 March");
}

TEST_CASE("both layouts draw at both sizes and differ with time", "[layouts]") {
  const ics::TimeZone& berlin = *ics::TimeZone::locate("Europe/Berlin");
  const ics::EventStore store = fixtureStore(berlin);
  const ics::EventStore* stores[] = {&store};
  for (const layouts::LayoutInfo& layout : layouts::allLayouts()) {
    for (auto [w, h] : {std::pair{480, 800}, std::pair{800, 480}}) {
      layouts::LayoutContext ctx;
      ctx.zone = &berlin;
      ctx.now = *ics::parseIsoInstant("2025-03-10T08:40:00", berlin);
      const auto a = layouts::renderFrame(layout, layouts::buildAgenda(stores, ctx.now, {}), ctx,
                                          render::lcdTheme(), w, h);
      REQUIRE(a.width() == w);
      CHECK(darkPixels(a, {0, 0, w, h}) > 1000);
      ctx.now += minutes{25};  // the stand-up is now running
      const auto b = layouts::renderFrame(layout, layouts::buildAgenda(stores, ctx.now, {}), ctx,
                                          render::lcdTheme(), w, h);
      CHECK(a.hash() != b.hash());
    }
  }
  CHECK(layouts::findLayout("nope") == nullptr);
}
