// What a screen is about at an instant: the meeting the countdown serves, what else runs,
// what comes next, and the context around it (all-day items, long blocks).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "layouts/agenda.hpp"

namespace cb::layouts {

// A meeting the person skipped (button double press): hidden from the countdown until it ends.
struct SkipKey {
  std::uint64_t uid = 0;
  ics::Instant start{};
  friend bool operator==(const SkipKey&, const SkipKey&) = default;
};
[[nodiscard]] inline SkipKey skipKeyOf(const AgendaItem& item) {
  return {item.uid, item.start};
}

// THE COUNTDOWN RULE — which event the big countdown serves (README, "whats-next").
// The countdown is for the next moment the person has to move.
//  1. Context, never served: out-of-office (X-MICROSOFT-CDO-BUSYSTATUS:OOF), free time
//     (TRANSP:TRANSPARENT, shown with --show-free), focus time (a title starting "Focus
//     time", "Focus block", "Fokuszeit" or "Deep work"), all-day items, and — while it runs —
//     any block of kLongBlock or more (a training, a workshop, a multi-day event). Before it
//     starts a long block is an ordinary meeting: the person has to get there.
//  2. Every other timed meeting is a candidate unless skipped: its moment is its end when it
//     runs, its start when it is ahead. The earliest moment wins; at a tie the running one
//     (leave before joining).
//  3. Lunch yields: when the winner is an upcoming lunch (a title of at most 20 characters
//     containing "lunch", "mittag" or "déjeuner") and another candidate starts within
//     30 minutes of it, the earliest such business meeting is served instead.
inline constexpr std::chrono::hours kLongBlock{4};
inline constexpr std::chrono::minutes kLunchWindow{30};

[[nodiscard]] bool isFocusTime(const AgendaItem& item);
[[nodiscard]] bool isLunch(const AgendaItem& item);
// Rule 1: never what the countdown serves at `now`.
[[nodiscard]] bool isContext(const AgendaItem& item, ics::Instant now);

struct Focus {
  // The meeting the countdown serves (see the rule above), or nullptr.
  const AgendaItem* served = nullptr;
  bool servedRunning = false;
  // `served` when it is running: the Now card and "ENDS IN".
  const AgendaItem* current = nullptr;
  // Other meetings running now, not context (a clash): all of them are named.
  std::vector<const AgendaItem*> alsoNow;
  // Others starting at the served meeting's start ("+2 at 10:00"), when it is ahead.
  std::vector<const AgendaItem*> sameStart;
  // Context blocks running now (rule 1), earliest end first.
  std::vector<const AgendaItem*> runningContext;
  // The first candidate meeting that starts after now and is not `served`.
  const AgendaItem* next = nullptr;
  // All-day events covering today's date in the display zone (free ones included).
  std::vector<const AgendaItem*> allDayToday;
  ics::Date today{};
  // A meeting (not context) started earlier today: "No more meetings today", not "No meetings".
  bool hadMeetingToday = false;
};

[[nodiscard]] Focus focusAt(const Agenda& agenda, ics::Instant now, const ics::TimeZone& zone,
                            std::span<const SkipKey> skipped = {});

// The vocabulary both layouts share for an empty rest of the day and an empty window.
[[nodiscard]] std::string restOfDayText(
    const Focus& f);  // "No more meetings today" | "No meetings today"
[[nodiscard]] std::string nothingAheadText(const Agenda& agenda, ics::Instant now);

// Timed meetings running at `now` (start <= now < end).
[[nodiscard]] inline bool isRunning(const AgendaItem& item, ics::Instant now) {
  return !item.allDay && item.start <= now && now < item.end;
}

// Does an all-day item cover civil date `d`?
[[nodiscard]] inline bool coversDate(const AgendaItem& item, ics::Date d) {
  return item.allDay && item.startDate <= d &&
         d < std::max(item.endDate, item.startDate + std::chrono::days{1});
}

}  // namespace cb::layouts
