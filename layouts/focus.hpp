// What a screen is about at an instant: the running meeting, the next one, today's all-day events.
#pragma once

#include <vector>

#include "layouts/agenda.hpp"

namespace cb::layouts {

struct Focus {
  // The running meeting that ends first (overlaps: the one to leave first).
  const AgendaItem* current = nullptr;
  // Another meeting running at the same time, if any (named, not shown big).
  const AgendaItem* alsoNow = nullptr;
  // The first timed meeting that starts after now. All-day events never are.
  const AgendaItem* next = nullptr;
  // All-day events covering today's date in the display zone.
  std::vector<const AgendaItem*> allDayToday;
  ics::Date today{};
};

[[nodiscard]] Focus focusAt(const Agenda& agenda, ics::Instant now, const ics::TimeZone& zone);

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
