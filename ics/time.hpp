// Instants, civil times and display time zones shared by every module.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cb::ics {

// Instants are UTC seconds; civil (wall-clock) values only exist at the edges.
using Instant = std::chrono::sys_seconds;
using LocalSeconds = std::chrono::local_seconds;
using Date = std::chrono::sys_days;  // a civil date, independent of any zone

struct CivilTime {
  std::chrono::year_month_day date;
  std::chrono::hh_mm_ss<std::chrono::seconds> time{std::chrono::seconds{0}};
};

// A time zone: an IANA zone (tzdata through libical) or one defined by a
// calendar's own VTIMEZONE. locate() results are cached and live as long as
// the process; VTIMEZONE zones are owned by whoever holds the shared_ptr.
//
// Conversions use our own table of UTC offset changes, built once from the
// zone's VTIMEZONE observances up to kTableEndYear and searched in O(log n).
// It reproduces libical's rules exactly (tests/ics/test_zone_table.cpp compares
// them): libical expands Outlook's rules from 1601 through ICU on every zone and
// converts each time with a linear walk, which was 70 % of ingest. Times past
// the table (and zones whose observances we cannot read) still go to libical.
class TimeZone {
 public:
  // One change of UTC offset: from `utc` on, `offset` applies (seconds east of UTC).
  struct Change {
    std::int64_t utc = 0;
    std::int32_t offset = 0;
    std::int32_t prevOffset = 0;
    bool daylight = false;
  };
  static constexpr int kTableEndYear = 2100;

  // IANA name (exact, then case-insensitive) or "UTC"/"Z"/"GMT"; nullptr if unknown.
  [[nodiscard]] static const TimeZone* locate(std::string_view name);
  [[nodiscard]] static const TimeZone& utc();
  // A zone from the text of one BEGIN:VTIMEZONE...END:VTIMEZONE block; nullptr if
  // libical cannot use it.
  [[nodiscard]] static std::shared_ptr<const TimeZone> fromVtimezone(std::string_view text,
                                                                     std::string_view name);
  ~TimeZone();
  TimeZone(const TimeZone&) = delete;
  TimeZone& operator=(const TimeZone&) = delete;

  [[nodiscard]] bool isUtc() const { return utc_; }

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] LocalSeconds toLocal(Instant t) const;
  // A wall-clock time in this zone as an instant, as libical converts it: in a
  // DST gap the new offset applies (02:30 in a 02:00->03:00 gap is 01:30 in the
  // old offset's terms); in an overlap standard time (the later instant) wins.
  [[nodiscard]] Instant toInstant(LocalSeconds local) const;
  // Midnight that starts the civil date in this zone.
  [[nodiscard]] Instant startOfDay(Date d) const;
  [[nodiscard]] Date dateOf(Instant t) const;
  // The offset changes the table holds (empty when libical answers every query).
  [[nodiscard]] std::span<const Change> changes() const { return changes_; }
  [[nodiscard]] bool hasTable() const { return table_; }

  struct Impl;
  TimeZone(std::string name, void* icalZone, bool owned = false);

 private:
  std::string name_;
  void* zone_;  // icaltimezone*: libical's builtin cache, or ours when owned_
  bool owned_ = false;
  bool utc_ = false;
  bool table_ = false;  // changes_ answers queries up to kTableEndYear
  std::vector<Change> changes_;
  [[nodiscard]] std::int32_t offsetAtUtc(std::int64_t t) const;
  [[nodiscard]] std::int32_t offsetOfLocal(std::int64_t local) const;
};

// Parses "2025-03-10T09:30:00" (wall clock in `tz`), "...Z" or "...+01:00"
// (absolute), or "2025-03-10" (midnight in `tz`).
[[nodiscard]] std::optional<Instant> parseIsoInstant(std::string_view text, const TimeZone& tz);

// "2025-03-10T08:30:00Z"
[[nodiscard]] std::string formatUtc(Instant t);
// "2025-03-10"
[[nodiscard]] std::string formatDate(Date d);

}  // namespace cb::ics
