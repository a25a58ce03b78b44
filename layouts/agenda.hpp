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
  std::uint64_t uid = 0;   // the event's UID hash: with `start`, what a skip remembers
};

struct AgendaOptions {
  // Timed TRANSP:TRANSPARENT / busy status FREE events. Free all-day items
  // (holidays, vacations: Google's and Outlook's default) are always kept and
  // shown as context.
  bool hideFree = true;
  bool maskPrivate = false;  // CLASS:PRIVATE/CONFIDENTIAL shown as "Busy"
  std::chrono::days lookahead{7};
  ics::WarningSink warn{};  // a recurring event dropped for its expansion cost, once each
};

struct Agenda {
  std::vector<AgendaItem> items;  // sorted by start, then end
  ics::Instant until{};           // end of the window looked at (the empty screen says so)
  // What the stores' screen budget left out (ics::ScreenTally), where the screens count it:
  // timed rows at `now` (running then, or starting before `until`; free ones per option),
  // and all-day items around the window (query with allDayLeftOut()).
  std::uint64_t rowsLeftOut = 0;
  ics::ScreenTally allDayLeftOut;
};

// All-day items left out that a strip on `day` lists: those covering it (today), or starting
// on it (a later day).
[[nodiscard]] std::uint64_t allDayLeftOut(const Agenda& agenda, ics::Date day, ics::Date today);

// Collects [now - 1 day, now + lookahead) from every store; drops cancelled
// meetings (STATUS or Outlook's "Canceled: " title), those the owner declined
// and (per options) free timed ones; cleans the
// text (see cleanText, displayLocation) and masks private ones per options.
[[nodiscard]] Agenda buildAgenda(std::span<const ics::EventStore* const> stores, ics::Instant now,
                                 const AgendaOptions& options);

}  // namespace cb::layouts
