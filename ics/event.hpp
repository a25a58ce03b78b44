// The compact event record the store keeps and the occurrences it expands.
#pragma once

#include <cstdint>
#include <string_view>

#include "ics/time.hpp"

namespace cb::ics {

enum class Status : std::uint8_t { None, Tentative, Confirmed, Cancelled, Other };
// The owner's ATTENDEE;PARTSTAT (owner = any address of `owner_emails`).
enum class Response : std::uint8_t { None, NeedsAction, Accepted, Declined, Tentative, Delegated };
// TRANSP, refined by X-MICROSOFT-CDO-BUSYSTATUS when present.
enum class BusyStatus : std::uint8_t { Busy, Free, Tentative, OutOfOffice };
enum class Privacy : std::uint8_t { Public, Private, Confidential };

// One occurrence in a window. Text fields are views into the owning
// EventStore's arena and stay valid as long as that store lives.
struct Occurrence {
  Instant start{};   // timed: the UTC instant; all-day: 00:00 of startDate in the display zone
  Instant end{};     // exclusive
  Date startDate{};  // all-day only: civil dates, endDate exclusive
  Date endDate{};
  bool allDay = false;
  bool fromOverride = false;  // produced by a RECURRENCE-ID component
  Instant recurrenceId{};     // when fromOverride (a DATE: midnight UTC of the date)
  bool recurrenceIdIsDate = false;
  Status status = Status::None;
  Response response = Response::None;
  BusyStatus busy = BusyStatus::Busy;
  Privacy privacy = Privacy::Public;
  std::uint16_t source = 0;
  std::uint64_t uidHash = 0;
  std::string_view uid;         // empty unless IngestOptions::keepUids
  std::string_view statusText;  // STATUS as written
  std::string_view summary;
  std::string_view location;
};

}  // namespace cb::ics
