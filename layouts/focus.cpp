// Picking the running and the next meeting, and today's all-day events.
#include "layouts/focus.hpp"

namespace cb::layouts {

Focus focusAt(const Agenda& agenda, ics::Instant now, const ics::TimeZone& zone) {
  Focus f;
  f.today = zone.dateOf(now);
  for (const AgendaItem& item : agenda.items) {
    if (item.allDay) {
      if (coversDate(item, f.today)) f.allDayToday.push_back(&item);
      continue;
    }
    if (isRunning(item, now)) {
      if (f.current == nullptr || item.end < f.current->end) {
        if (f.current && !f.alsoNow) f.alsoNow = f.current;
        f.current = &item;
      } else if (f.alsoNow == nullptr) {
        f.alsoNow = &item;
      }
    } else if (item.start > now && f.next == nullptr) {
      f.next = &item;  // items are sorted by start
    }
  }
  return f;
}

}  // namespace cb::layouts
