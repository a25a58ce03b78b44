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
        layouts::LayoutContext ctx;
        ctx.now = now;
        layouts::RenderStats budgetedStats;
        layouts::RenderStats allStats;
        (void)layouts::renderFrame(layout, fromBudgeted, ctx, render::lcdTheme(), w, h,
                                   &budgetedStats);
        (void)layouts::renderFrame(layout, fromAll, ctx, render::lcdTheme(), w, h, &allStats);
        const std::vector<std::string> drawn = counts(budgetedStats);
        CHECK(drawn == counts(allStats));
        CHECK(std::find(drawn.begin(), drawn.end(), "+39") != drawn.end());  // the strip
        if (layout.name != "4x8") continue;
        // Every timed meeting is a row drawn (its title, isolated) or counted in "+N more".
        static const std::regex kRowTitle("\u200e\u200e\u202a[mf][0-9]+\u202c\u200e");
        int rows = 0;
        for (const render::DrawnText& t : budgetedStats.texts)
          rows += std::regex_match(t.text, kRowTitle);
        const int meetings = kMeetings + (hideFree ? 0 : 7);
        INFO(fmt::format("{} rows; {}", rows, fmt::join(drawn, ", ")));
        CHECK(std::find(drawn.begin(), drawn.end(), fmt::format("+{} more", meetings - rows)) !=
              drawn.end());
      }
    }
  }
}
