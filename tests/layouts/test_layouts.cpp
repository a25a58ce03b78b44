// layouts: agenda filtering, countdown text and both layouts drawn from a real fixture.
#include <glib.h>
#include <catch2/catch.hpp>

#include "ics/store.hpp"
#include "layouts/focus.hpp"
#include "layouts/format.hpp"
#include "layouts/layout.hpp"
#include "layouts/whats_next.hpp"
#include "render/fonts.hpp"
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
  CHECK(layouts::countdown(hours{48}).units == "DAYS");
  CHECK(layouts::countdown(hours{50}).units == "DAYS 2 HOURS");
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

namespace {

layouts::AgendaItem timed(ics::Instant start, minutes len, std::string title) {
  layouts::AgendaItem it;
  it.start = start;
  it.end = start + len;
  it.summary = std::move(title);
  return it;
}

layouts::AgendaItem allDay(ics::Date from, int days, std::string title) {
  layouts::AgendaItem it;
  it.allDay = true;
  it.startDate = from;
  it.endDate = from + std::chrono::days{days};
  it.summary = std::move(title);
  return it;
}

}  // namespace

TEST_CASE("online-meeting noise is dropped from locations, rooms are kept", "[layouts]") {
  CHECK(layouts::displayLocation("Microsoft Teams Meeting").empty());
  CHECK(layouts::displayLocation("microsoft teams meeting ").empty());
  CHECK(layouts::displayLocation("Microsoft Teams-Besprechung").empty());
  CHECK(layouts::displayLocation("https://teams.microsoft.com/l/meetup-join/x").empty());
  CHECK(layouts::displayLocation("Zoom Meeting; https://zoom.us/j/123").empty());
  CHECK(layouts::displayLocation("Room Ada; Microsoft Teams Meeting") == "Room Ada");
  CHECK(layouts::displayLocation("Room Ada") == "Room Ada");
  CHECK(layouts::displayLocation("Teams room 4.01") == "Teams room 4.01");
  CHECK(layouts::displayLocation("Hall B; Room C") == "Hall B; Room C");
}

TEST_CASE("display text is one clean line of valid UTF-8", "[layouts]") {
  CHECK(layouts::cleanText("  Design\n\treview  ") == "Design review");
  CHECK(layouts::cleanText("a\r\n\r\nb") == "a b");
  const std::string fixed = layouts::cleanText(std::string("caf\xc3", 4) + " x");
  CHECK(g_utf8_validate(fixed.data(), gssize(fixed.size()), nullptr));
  CHECK(layouts::cleanText("ok \xe2\x80\x94 fine") == "ok \xe2\x80\x94 fine");
}

TEST_CASE("time ranges in 12 h and 24 h", "[layouts]") {
  const ics::TimeZone& berlin = *ics::TimeZone::locate("Europe/Berlin");
  const auto ten = *ics::parseIsoInstant("2025-03-10T10:00:00", berlin);
  CHECK(layouts::timeRange(ten, ten + hours{1}, berlin, true) == "10:00 – 11:00");
  CHECK(layouts::timeRange(ten, ten + hours{1}, berlin, false) == "10:00 – 11:00 AM");
  CHECK(layouts::timeRange(ten + minutes{90}, ten + minutes{150}, berlin, false) ==
        "11:30 AM – 12:30 PM");
  CHECK(layouts::countdown(hours{1}).units == "HOUR");
  CHECK(layouts::countdown(hours{26}).units == "DAY 2 HOURS");
  CHECK(layouts::startsIn(minutes{12}) == "in 12 min");
  CHECK(layouts::remaining(minutes{65}) == "1 h 5 min left");
}

TEST_CASE("focus: running meeting ending first, the other named, all-day never next", "[layouts]") {
  const ics::TimeZone& berlin = *ics::TimeZone::locate("Europe/Berlin");
  const auto now = *ics::parseIsoInstant("2025-03-10T11:40:00", berlin);
  layouts::Agenda a;
  a.items.push_back(allDay(berlin.dateOf(now), 1, "Offsite"));
  a.items.push_back(allDay(berlin.dateOf(now) + days{1}, 1, "Tomorrow all day"));
  a.items.push_back(timed(now - minutes{40}, minutes{60}, "Budget call"));  // ends 12:00
  a.items.push_back(timed(now - minutes{10}, minutes{60}, "Vendor demo"));  // ends 12:30
  a.items.push_back(timed(now + minutes{50}, minutes{30}, "Lunch"));
  const layouts::Focus f = layouts::focusAt(a, now, berlin);
  REQUIRE(f.current);
  CHECK(f.current->summary == "Budget call");
  REQUIRE(f.alsoNow.size() == 1);
  CHECK(f.alsoNow[0]->summary == "Vendor demo");
  REQUIRE(f.next);
  CHECK(f.next->summary == "Lunch");
  REQUIRE(f.allDayToday.size() == 1);
  CHECK(f.allDayToday[0]->summary == "Offsite");

  layouts::LayoutContext ctx;
  ctx.now = now;
  ctx.zone = &berlin;
  CHECK(layouts::whatsNextStatus(f, ctx) == "\u200eAlso now: \u200e\u202aVendor demo\u202c\u200e");

  // Only all-day events: there is no next meeting.
  layouts::Agenda onlyAllDay;
  onlyAllDay.items.push_back(allDay(berlin.dateOf(now), 3, "Holiday"));
  const layouts::Focus g = layouts::focusAt(onlyAllDay, now, berlin);
  CHECK(g.next == nullptr);
  CHECK(g.current == nullptr);
  CHECK(g.allDayToday.size() == 1);
}

TEST_CASE("status line texts and urgency thresholds", "[layouts]") {
  const ics::TimeZone& berlin = *ics::TimeZone::locate("Europe/Berlin");
  const auto now = *ics::parseIsoInstant("2025-03-10T09:00:00", berlin);
  layouts::LayoutContext ctx;
  ctx.now = now;
  ctx.zone = &berlin;
  auto statusWith = [&](std::vector<layouts::AgendaItem> items) {
    static layouts::Agenda a;
    a.items = std::move(items);
    return layouts::whatsNextStatus(layouts::focusAt(a, now, berlin), ctx);
  };
  CHECK(statusWith({timed(now + minutes{4}, minutes{30}, "A")}) == "Starting very soon");
  CHECK(statusWith({timed(now + minutes{15}, minutes{30}, "A")}) == "Starting soon");
  CHECK(statusWith({timed(now + minutes{45}, minutes{30}, "A")}) == "Starts within the hour");
  CHECK(statusWith({timed(now + hours{5}, minutes{30}, "A")}) == "Free until 14:00");
  CHECK(statusWith({timed(now + hours{30}, minutes{30}, "A")}) == "No meetings today");
  CHECK(statusWith({timed(now - hours{2}, minutes{30}, "Early"),
                    timed(now + hours{30}, minutes{30}, "A")}) == "No more meetings today");
  CHECK(statusWith({timed(now - minutes{5}, minutes{30}, "A"),
                    timed(now + hours{5}, minutes{30}, "Design review")}) ==
        "\u200eNext: 14:00 \u200e\u202aDesign review\u202c\u200e");
  ctx.use24h = false;
  CHECK(statusWith({timed(now - minutes{5}, minutes{30}, "A"),
                    timed(now + hours{5}, minutes{30}, "Design review")}) ==
        "\u200eNext: 2:00 PM \u200e\u202aDesign review\u202c\u200e");
  ctx.state.offlineSince = now - minutes{108};
  CHECK(layouts::offlineText(ctx) == "Offline since 7:12 AM");
  ctx.state.offlineSince = now - hours{63};  // Friday 18:00, read on Monday
  CHECK(layouts::offlineText(ctx) == "Offline since Fri 6:00 PM");
  ctx.state = {.haveData = false, .lastSync = {}, .offlineSince = {}};
  CHECK(statusWith({}) == "Not synced yet");

  using layouts::Urgency;
  CHECK(layouts::urgencyFor(minutes{31}) == Urgency::Calm);
  CHECK(layouts::urgencyFor(minutes{30}) == Urgency::Soon);
  CHECK(layouts::urgencyFor(minutes{10}) == Urgency::Tight);
  CHECK(layouts::urgencyFor(minutes{2}) == Urgency::Critical);
  CHECK(layouts::urgencyFor(seconds{30}) == Urgency::Critical);
}

TEST_CASE("free events hide per option, private ones show as Busy", "[layouts]") {
  const ics::TimeZone& berlin = *ics::TimeZone::locate("Europe/Berlin");
  ics::IngestOptions options;
  options.displayZone = &berlin;
  options.ownerEmails = {"owner@example.com"};
  ics::LoadResult r = ics::loadFile(test::fixture("golden-week.ics"), options);
  REQUIRE(r.error.empty());
  const ics::EventStore* stores[] = {&r.store};
  const auto now = *ics::parseIsoInstant("2025-03-10T08:00:00", berlin);
  auto titles = [&](layouts::AgendaOptions o) {
    std::vector<std::string> t;
    for (const auto& i : layouts::buildAgenda(stores, now, o).items) t.push_back(i.summary);
    return t;
  };
  auto has = [](const std::vector<std::string>& v, const char* s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  const auto def = titles({});
  CHECK_FALSE(has(def, "Focus time"));
  CHECK_FALSE(has(def, "Cancelled sync"));
  CHECK_FALSE(has(def, "Declined vendor call"));
  CHECK(has(def, "Doctor appointment"));
  const auto withFree = titles({.hideFree = false});
  CHECK(has(withFree, "Focus time"));
  const auto masked = titles({.maskPrivate = true});
  CHECK_FALSE(has(masked, "Doctor appointment"));
  CHECK(has(masked, "Busy"));
  for (const auto& i : layouts::buildAgenda(stores, now, {}).items)
    if (i.summary == "Design review, quarterly planning and the roadmap for the second half")
      CHECK(i.location == "Room Ada");
}

TEST_CASE("hostile text never crashes nor leaves its zone", "[layouts]") {
  const ics::TimeZone& berlin = *ics::TimeZone::locate("Europe/Berlin");
  const auto now = *ics::parseIsoInstant("2025-03-10T09:00:00", berlin);
  std::string huge;
  while (huge.size() < 600)
    huge += "長い会議のタイトル 👩‍👩‍👧‍👦 e\u0301\u0302\u0303 مرحبا ";
  const std::vector<std::string> titles = {huge, "🎉🎉🎉", std::string(500, 'W'), "ﷺ‮reversed‬",
                                           "\u0301\u0301\u0301 combining first"};
  for (const layouts::LayoutInfo& layout : layouts::allLayouts()) {
    for (const render::Theme* theme : {&render::lcdTheme(), &render::einkTheme()}) {
      for (auto [w, h] : {std::pair{480, 800}, std::pair{800, 480}}) {
        layouts::LayoutContext ctx;
        ctx.now = now;
        ctx.zone = &berlin;
        // whats-next shows the first meeting big; 4x8 gets it as its second row.
        const bool big = layout.name == "whats-next";
        auto frameWith = [&](const std::string& title) {
          layouts::Agenda a;
          a.items.push_back(timed(now + minutes{20}, minutes{30}, big ? title : "Short"));
          a.items.push_back(timed(now + minutes{70}, minutes{30}, big ? "Short" : title));
          a.items[big ? 0 : 1].location = title;
          a.items.push_back(timed(now + minutes{200}, minutes{30}, "After"));
          return layouts::renderFrame(layout, a, ctx, *theme, w, h);
        };
        const render::Frame base = frameWith("x");
        for (const std::string& t : titles) {
          const render::Frame f = frameWith(t);
          const render::Rect d = render::damage(base, f);
          INFO(layout.name << " " << w << "x" << h << " " << t.substr(0, 20));
          CHECK_FALSE(d.empty());
          if (!big) {
            // The header and the row before it stay put (a long title may take a
            // second line and move the rows after it).
            CHECK(d.y >= (w > h ? 84 : 96) + 10 + 64);
          } else if (w < h) {
            CHECK(d.y >= 300);  // the card zone: countdown and status untouched
            CHECK(d.y + d.height <= 700);
          } else {
            CHECK(d.x >= w * 42 / 100);
            CHECK(d.y + d.height <= h - 80);
          }
        }
      }
    }
  }
}

TEST_CASE("steady-state frames reuse shaped text", "[layouts]") {
  const ics::TimeZone& berlin = *ics::TimeZone::locate("Europe/Berlin");
  const ics::EventStore store = fixtureStore(berlin);
  const ics::EventStore* stores[] = {&store};
  layouts::LayoutContext ctx;
  ctx.zone = &berlin;
  ctx.now = *ics::parseIsoInstant("2025-03-10T08:40:00", berlin);
  const auto agenda = layouts::buildAgenda(stores, ctx.now, {});
  render::TextCache& cache = render::TextCache::shared();
  for (const layouts::LayoutInfo& layout : layouts::allLayouts()) {
    const auto first = layouts::renderFrame(layout, agenda, ctx, render::lcdTheme(), 480, 800);
    const auto misses = cache.misses();
    const auto again = layouts::renderFrame(layout, agenda, ctx, render::lcdTheme(), 480, 800);
    CHECK(cache.misses() == misses);  // nothing re-shaped
    CHECK(first.hash() == again.hash());
    CHECK(render::damage(first, again).empty());
  }
  CHECK(cache.size() > 0);
  render::resetFontCaches();
  CHECK(cache.size() == 0);
  const auto after =
      layouts::renderFrame(*layouts::findLayout("4x8"), agenda, ctx, render::lcdTheme(), 480, 800);
  CHECK(after.width() == 480);
}
