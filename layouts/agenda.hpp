// Agenda: the occurrences a screen may show around "now", already filtered.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ics/event.hpp"
#include "ics/store.hpp"

namespace cb::layouts {

struct AgendaItem {
  ics::Instant start{};
  ics::Instant end{};
  bool allDay = false;
  ics::Date startDate{};  // all-day: civil dates, end exclusive
  ics::Date endDate{};
  std::string summary;   // one clean line; "Busy" when masked
  std::string location;  // without online-meeting boilerplate (see displayLocation)
  ics::Status status = ics::Status::None;
  ics::BusyStatus busy = ics::BusyStatus::Busy;
  bool tentative = false;  // the owner answered "tentative" or the event is tentative
  bool masked = false;     // private, shown as "Busy"
};

struct AgendaOptions {
  bool hideFree = true;      // TRANSP:TRANSPARENT / busy status FREE
  bool maskPrivate = false;  // CLASS:PRIVATE/CONFIDENTIAL shown as "Busy"
  std::chrono::days lookahead{7};
};

struct Agenda {
  std::vector<AgendaItem> items;  // sorted by start, then end
};

// Collects [now - 1 day, now + lookahead) from every store; drops cancelled
// meetings, those the owner declined and (per options) free ones; cleans the
// text (see cleanText, displayLocation) and masks private ones per options.
[[nodiscard]] Agenda buildAgenda(std::span<const ics::EventStore* const> stores, ics::Instant now,
                                 const AgendaOptions& options);

}  // namespace cb::layouts
