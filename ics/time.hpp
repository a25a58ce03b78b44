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

// A time zone: an IANA zone (tzdata's TZif files) or one defined by a calendar's
// own VTIMEZONE. locate() results are cached and live as long as the process;
// VTIMEZONE zones are owned by whoever holds the shared_ptr.
//
// Conversions use our own table of UTC offset changes up to kTableEndYear,
// searched in O(log n). IANA zones: read from the TZif file (ics/tzif.hpp), its
// footer's POSIX rule extending it; it agrees with glibc's localtime
// (tests/ics/test_zone_table.cpp). libical's reader of those files runs its
// recurrence iterator, which opens an ICU calendar: 2.3 MB of ICU pages stayed
// resident in the daemon for it (tests/ics/test_no_icu.cpp keeps them out).
// VTIMEZONE zones: expanded from their observances as libical expands them, our
// RRULE iterator standing in for libical's wherever it knows the rule; the same
// test compares them with libical, whose own expansion runs Outlook's rules from
// 1601 and converts each time with a linear walk (70 % of ingest once).
// Past the table (2100; 2200 for the zones with explicit changes into the 2080s) the zone's
// last yearly rules go on: a year is read as the one of the table's last 28 with its calendar
// (or, where those do not repeat, the last offset stays). Only VTIMEZONEs whose observances we
// cannot read go to libical, asked for offsets of civil times: no instant passes through a time_t,
// which is 32 bits on armhf (Raspberry Pi OS bookworm) and would wrap in 2038.
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
  // No zone is further than this from UTC (seconds).
  static constexpr std::int32_t kMaxOffset = 26 * 3600;
  // A VTIMEZONE with more changes than this through kTableEndYear is left to libical
  // (real ones have a few hundred: two a year since 1601).
  static constexpr std::size_t kMaxTableChanges = 1 << 16;
  // Changes further than this from 1970 (seconds, about 300,000 years) are refused.
  static constexpr std::int64_t kMaxChangeUtc = std::int64_t{10'000'000} * 1'000'000;

  // IANA name (exact, then case-insensitive) or "UTC"/"Z"/"GMT"; nullptr if unknown.
  // Each zone is loaded once, whatever the spelling asked for (its name is tzdata's).
  [[nodiscard]] static const TimeZone* locate(std::string_view name);
  // What locate() holds: zones loaded, spellings remembered (bounded), and loads so far.
  struct LocateStats {
    std::size_t zones = 0;
    std::size_t spellings = 0;
    std::uint64_t loads = 0;
  };
  [[nodiscard]] static LocateStats locateStats();
  [[nodiscard]] static const TimeZone& utc();
  // A zone from the text of one BEGIN:VTIMEZONE...END:VTIMEZONE block; nullptr if
  // libical cannot use it. Loads libical (ics/ical_lib.hpp).
  [[nodiscard]] static std::shared_ptr<const TimeZone> fromVtimezone(std::string_view text,
                                                                     std::string_view name);
  // A zone from its table (what changes() and tableEndYear() say of a zone with hasTable()),
  // as the fetch child hands VTIMEZONE zones to the daemon; nullptr unless the changes are
  // sorted and within the bounds above.
  [[nodiscard]] static std::shared_ptr<const TimeZone> fromTable(std::string name,
                                                                 std::vector<Change> changes,
                                                                 int endYear);
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
  [[nodiscard]] int tableEndYear() const { return tableEndYear_; }

  struct Impl;
  // A VTIMEZONE zone libical answers for (an icaltimezone*, freed with this).
  TimeZone(std::string name, void* icalZone);
  // A zone by its table, through the end of `endYear` (no change at all: UTC).
  TimeZone(std::string name, std::vector<Change> changes, int endYear = kTableEndYear);

 private:
  // icaltimezone_free(zone, 1), out of line: this header does not include libical.
  struct IcalZoneFree {
    void operator()(void* zone) const noexcept;
  };
  std::string name_;
  void* zone_;  // icaltimezone* of a VTIMEZONE libical answers for (then also ownedZone_)
  std::unique_ptr<void, IcalZoneFree> ownedZone_;
  bool utc_ = false;
  bool table_ = false;  // changes_ answers every query (past its end as said above)
  int tableEndYear_ = kTableEndYear;
  std::vector<Change> changes_;
  [[nodiscard]] std::int64_t inTable(std::int64_t t) const;
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
