// Agenda building: window, filtering and privacy masking.
#include "layouts/agenda.hpp"

#include <algorithm>

#include "ics/screen_tally.hpp"
#include "layouts/format.hpp"

namespace cb::layouts {

Agenda buildAgenda(std::span<const ics::EventStore* const> stores, ics::Instant now,
                   const AgendaOptions& options) {
  Agenda agenda;
  agenda.until = now + options.lookahead;
  const ics::Instant from = now - std::chrono::days{1};
  const ics::Instant to = now + options.lookahead;
  std::vector<ics::ScreenTally::Entry> allDay;
  const auto firstDay = std::chrono::floor<std::chrono::days>(from) - std::chrono::days{1};
  const auto lastDay = std::chrono::floor<std::chrono::days>(to) + std::chrono::days{1};
  for (const ics::EventStore* store : stores) {
    if (store == nullptr) continue;
    agenda.rowsLeftOut += store->leftOut().rows(now, to, options.hideFree);
    for (const ics::ScreenTally::Entry& e : store->leftOut().entries())
      if (e.kind == ics::ScreenTally::kAllDay && e.second > firstDay.time_since_epoch().count() &&
          e.first <= lastDay.time_since_epoch().count())
        allDay.push_back(e);
    for (const ics::Occurrence& o : store->occurrences(from, to, options.warn)) {
      if (o.status == ics::Status::Cancelled) continue;
      if (o.response == ics::Response::Declined) continue;
      if (options.hideFree && o.busy == ics::BusyStatus::Free && !o.allDay) continue;
      AgendaItem item;
      item.start = o.start;
      item.end = o.end;
      item.allDay = o.allDay;
      item.startDate = o.startDate;
      item.endDate = o.endDate;
      const bool masked = options.maskPrivate && o.privacy != ics::Privacy::Public;
      item.summary = cleanText(o.summary);
      // Outlook's "Canceled: " title: the list the screen budget ranks by too.
      if (ics::hasCancelPrefix(item.summary)) continue;
      if (masked) item.summary = "Busy";
      if (item.summary.empty()) item.summary = "(No title)";
      item.location = masked ? std::string{} : displayLocation(cleanText(o.location));
      item.masked = masked;
      item.status = o.status;
      item.busy = o.busy;
      item.uid = o.uidHash;
      item.tentative = o.status == ics::Status::Tentative || o.response == ics::Response::Tentative;
      agenda.items.push_back(std::move(item));
    }
  }
  agenda.allDayLeftOut.assign(std::move(allDay));
  std::stable_sort(agenda.items.begin(), agenda.items.end(),
                   [](const AgendaItem& a, const AgendaItem& b) {
                     return std::tie(a.start, a.end) < std::tie(b.start, b.end);
                   });
  return agenda;
}

std::uint64_t allDayLeftOut(const Agenda& agenda, ics::Date day, ics::Date today) {
  return day == today ? agenda.allDayLeftOut.allDayCovering(day)
                      : agenda.allDayLeftOut.allDayStarting(day);
}

}  // namespace cb::layouts
