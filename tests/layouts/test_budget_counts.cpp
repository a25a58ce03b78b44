// The screens' counts stay exact when a store's screen budget left events out: "+N more" and
// the all-day counts include what the store tallied, as the same feed kept whole shows them.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <regex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ics/store.hpp"
#include "layouts/layout.hpp"
#include "render/theme.hpp"

using namespace cb;
using namespace std::chrono;

namespace {

std::string stamp(ics::Instant t) {
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}00Z", int(ymd.year()), unsigned(ymd.month()),
                     unsigned(ymd.day()), hms.hours().count(), hms.minutes().count());
}

std::string event(const std::string& uid, ics::Instant start, const std::string& extra = "",
                  const std::string& summary = "") {
  return fmt::format(
      "BEGIN:VEVENT\r\nUID:{}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:{}\r\nDTEND:{}\r\n{}"
      "SUMMARY:{}\r\nEND:VEVENT\r\n",
      uid, stamp(start), stamp(start + minutes{30}), extra, summary.empty() ? uid : summary);
}

ics::EventStore ingest(const std::string& body, const ics::IngestOptions& options) {
  ics::Ingest in(options);
  in.feed("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + body + "END:VCALENDAR\r\n");
  return in.finish();
}

// Every count a screen drew: "+N more" (4x8's rows) and "+N" (all-day strips, context).
std::vector<std::string> counts(const layouts::RenderStats& stats) {
  static const std::regex kCount(R"(\+[0-9]+( more)?)");
  std::vector<std::string> out;
  for (const render::DrawnText& t : stats.texts)
    if (std::regex_match(t.text, kCount)) out.push_back(t.text);
  return out;
}

std::string allDay(const std::string& uid, ics::Date day, const std::string& summary) {
  const year_month_day ymd{day};
  const year_month_day next{day + days{1}};
  return fmt::format(
      "BEGIN:VEVENT\r\nUID:{}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;VALUE=DATE:{:04}{:02}{:02}\r\n"
      "DTEND;VALUE=DATE:{:04}{:02}{:02}\r\nSUMMARY:{}\r\nEND:VEVENT\r\n",
      uid, int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()), int(next.year()),
      unsigned(next.month()), unsigned(next.day()), summary);
}

// How many all-day items each all-day strip (4x8's "ALL DAY", whats-next's "TODAY" context
// line) stands for: the item it names, if any, and its "+N". A strip's texts are drawn after
// its tag, on the tag's line.
std::vector<std::uint64_t> stripTotals(const layouts::RenderStats& stats) {
  static const std::regex kPlus(R"(\+([0-9]+))");
  std::vector<std::uint64_t> out;
  const std::vector<render::DrawnText>& texts = stats.texts;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (texts[i].text != "ALL DAY" && texts[i].text != "TODAY") continue;
    const render::Rect tag = texts[i].box;
    std::uint64_t total = 0;
    for (std::size_t k = i + 1; k < texts.size(); ++k) {
      const render::Rect& b = texts[k].box;
      const int middle = b.y + b.height / 2;
      if (middle < tag.y || middle >= tag.y + tag.height) break;
      std::smatch m;
      total += std::regex_match(texts[k].text, m, kPlus) ? std::stoull(m[1]) : 1;
    }
    out.push_back(total);
  }
  return out;
}

// What `layout` drew at `now` and w x h.
layouts::RenderStats drawn(const layouts::LayoutInfo& layout, const layouts::Agenda& agenda,
                           ics::Instant now, int w, int h) {
  layouts::LayoutContext ctx;
  ctx.now = now;
  layouts::RenderStats stats;
  (void)layouts::renderFrame(layout, agenda, ctx, render::lcdTheme(), w, h, &stats);
  return stats;
}

}  // namespace

TEST_CASE("a day with more events than the store keeps: the screens count every one",
          "[layouts][budget]") {
  const ics::Instant now = sys_days{2025y / March / 10} + hours{9};
  const ics::Instant first = now + minutes{10};
  constexpr int kMeetings = 500;
  std::string body;
  for (int i = 0; i < kMeetings; ++i) body += event(fmt::format("m{}", i), first + minutes{i});
  // Not counted anywhere: no screen shows them.
  for (int i = 0; i < 5; ++i)
    body += event(fmt::format("c{}", i), first + minutes{10 + i}, "STATUS:CANCELLED\r\n");
  for (int i = 0; i < 3; ++i)
    body += event(fmt::format("o{}", i), first + minutes{20 + i}, "", "Canceled: sync");
  // Shown (and counted) only with free events shown.
  for (int i = 0; i < 7; ++i)
    body += event(fmt::format("f{}", i), first + minutes{30 + i}, "TRANSP:TRANSPARENT\r\n");
  // 40 all-day items today: one strip names the first and counts 39.
  for (int i = 0; i < 40; ++i)
    body += fmt::format(
        "BEGIN:VEVENT\r\nUID:h{0}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;VALUE=DATE:20250310\r\n"
        "DTEND;VALUE=DATE:20250311\r\nSUMMARY:Holiday {0}\r\nEND:VEVENT\r\n",
        i);

  ics::IngestOptions forScreens;  // as the daemon builds a store
  forScreens.now = now;
  const ics::EventStore budgeted = ingest(body, forScreens);
  ics::IngestOptions whole;  // every event kept
  whole.window = ics::TimeWindow{now - days{1}, now + days{62}};
  const ics::EventStore all = ingest(body, whole);
  REQUIRE(all.eventCount() == kMeetings + 5 + 3 + 7 + 40);
  REQUIRE(budgeted.eventCount() == ics::screen::kStoreEvents);
  CHECK(budgeted.leftOut().total() > 300);

  for (const bool hideFree : {true, false}) {
    layouts::AgendaOptions options;
    options.hideFree = hideFree;
    const ics::EventStore* budgetedStores[] = {&budgeted};
    const ics::EventStore* allStores[] = {&all};
    const layouts::Agenda fromBudgeted = layouts::buildAgenda(budgetedStores, now, options);
    const layouts::Agenda fromAll = layouts::buildAgenda(allStores, now, options);
    CHECK(fromBudgeted.items.size() < fromAll.items.size());
    for (const layouts::LayoutInfo& layout : layouts::allLayouts()) {
      for (auto [w, h] : {std::pair{480, 800}, std::pair{800, 480}}) {
        INFO(layout.name << " " << w << "x" << h << " hideFree " << hideFree);
        const layouts::RenderStats budgetedStats = drawn(layout, fromBudgeted, now, w, h);
        const layouts::RenderStats allStats = drawn(layout, fromAll, now, w, h);
        const std::vector<std::string> shown = counts(budgetedStats);
        CHECK(shown == counts(allStats));
        CHECK(std::find(shown.begin(), shown.end(), "+39") != shown.end());  // the strip
        if (layout.name != "4x8") continue;
        // Every timed meeting is a row drawn (its title, isolated) or counted in "+N more".
        static const std::regex kRowTitle("\u200e\u200e\u202a[mf][0-9]+\u202c\u200e");
        int rows = 0;
        for (const render::DrawnText& t : budgetedStats.texts)
          rows += std::regex_match(t.text, kRowTitle);
        const int meetings = kMeetings + (hideFree ? 0 : 7);
        INFO(fmt::format("{} rows; {}", rows, fmt::join(shown, ", ")));
        CHECK(std::find(shown.begin(), shown.end(), fmt::format("+{} more", meetings - rows)) !=
              shown.end());
      }
    }
  }
}

// The budget keeps the all-day items nearest to now (ics::screen::kAllDayKept, when timed rows
// take the rest): a later day's may all be left out, and its strip still stands for them.
TEST_CASE("a day whose all-day items the store left out keeps its strip and its count",
          "[layouts][budget]") {
  const ics::Instant now = sys_days{2025y / March / 10} + hours{9};
  const ics::Date today = floor<days>(now);
  struct Case {
    const char* name;
    std::size_t screenEvents;
    std::vector<std::uint64_t> strips;  // what the whole feed's 4x8 draws at 480x800
  };
  // A full budget: 20 all-day items tomorrow are nearer than the 3 of the day after, which
  // are all left out (with 200 timed meetings from day 3 on taking the rows' share). A budget
  // of 8 events, all rows: today's 3 all-day items are left out too.
  for (const Case& c :
       {Case{"later day", ics::screen::kStoreEvents, {20, 3}}, Case{"today", 8, {3, 20, 3}}}) {
    std::string body;
    if (c.screenEvents < 16)
      for (int i = 0; i < 3; ++i) body += allDay(fmt::format("t{}", i), today, "Today off");
    for (int i = 0; i < 20; ++i)
      body += allDay(fmt::format("a{}", i), today + days{1}, fmt::format("Near {}", i));
    for (int i = 0; i < 3; ++i)
      body += allDay(fmt::format("b{}", i), today + days{2}, fmt::format("Far {}", i));
    // One meeting a day for the strips to stand over (a day without rows has no heading).
    for (int d = 0; d < 3; ++d) body += event(fmt::format("d{}", d), now + days{d} + hours{1});
    for (int i = 0; i < 200; ++i)
      body += event(fmt::format("m{}", i), now + days{3} + minutes{10 * i});

    ics::IngestOptions forScreens;
    forScreens.now = now;
    forScreens.limits.screenEvents = c.screenEvents;
    const ics::EventStore budgeted = ingest(body, forScreens);
    ics::IngestOptions whole;
    whole.window = ics::TimeWindow{now - days{1}, now + days{62}};
    const ics::EventStore all = ingest(body, whole);
    INFO(c.name);
    REQUIRE(budgeted.eventCount() == c.screenEvents);
    REQUIRE(budgeted.leftOut().allDayStarting(today + days{2}) == 3);

    const ics::EventStore* budgetedStores[] = {&budgeted};
    const ics::EventStore* allStores[] = {&all};
    const layouts::Agenda fromBudgeted = layouts::buildAgenda(budgetedStores, now, {});
    const layouts::Agenda fromAll = layouts::buildAgenda(allStores, now, {});
    for (const layouts::LayoutInfo& layout : layouts::allLayouts()) {
      for (auto [w, h] : {std::pair{480, 800}, std::pair{800, 480}}) {
        INFO(layout.name << " " << w << "x" << h);
        const layouts::RenderStats budgetedStats = drawn(layout, fromBudgeted, now, w, h);
        const layouts::RenderStats allStats = drawn(layout, fromAll, now, w, h);
        const std::vector<std::uint64_t> strips = stripTotals(budgetedStats);
        CHECK(strips == stripTotals(allStats));
        // 4x8's "+N more": the rows it could not draw, as many either way.
        auto more = [](const layouts::RenderStats& stats) {
          std::vector<std::string> out = counts(stats);
          std::erase_if(out, [](const std::string& t) { return !t.ends_with(" more"); });
          return out;
        };
        CHECK(more(budgetedStats) == more(allStats));
        if (layout.name == "4x8" && w == 480) CHECK(strips == c.strips);
        if (layout.name == "whats-next") CHECK(strips.size() == (c.screenEvents < 16 ? 1u : 0u));
      }
    }
  }
}
