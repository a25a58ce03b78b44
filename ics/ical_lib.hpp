// libical, opened with dlopen where it is needed, not at process start.
#pragma once

#include <libical/ical.h>

#include "ics/ical_loaded.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace cb::ics {

// Loading libical maps ICU with it (libicuuc, libicui18n, libicudata): 2.2 MB resident in
// every process that loads it, whether or not a function is called. The fetch child and the
// CLI commands that read ICS need it; the daemon, which only reads the child's store images,
// needs it for none of what feeds commonly say: our own reader takes the RRULE shapes feeds
// use (ics/rrule_check.hpp), our iterators expand them, and a VTIMEZONE arrives as its table
// of offset changes. A rule only libical expands, or a VTIMEZONE only libical reads, loads it.
//
// The functions our code calls, bound by name; their types come from libical's header.
#define CB_ICAL_FUNCTIONS(X)                 \
  X(icalerror_clear_errno)                   \
  X(icalerrno_return)                        \
  X(icalrecurrencetype_from_string)          \
  X(icalrecurrencetype_rscale_is_supported)  \
  X(icalrecur_iterator_new)                  \
  X(icalrecur_iterator_set_start)            \
  X(icalrecur_iterator_next)                 \
  X(icalrecur_iterator_free)                 \
  X(icaltime_is_utc)                         \
  X(icaltime_compare)                        \
  X(icaltime_adjust)                         \
  X(icaltimezone_new)                        \
  X(icaltimezone_free)                       \
  X(icaltimezone_set_component)              \
  X(icaltimezone_get_component)              \
  X(icaltimezone_get_utc_timezone)           \
  X(icaltimezone_get_utc_offset)             \
  X(icaltimezone_get_utc_offset_of_utc_time) \
  X(icalparser_parse_string)                 \
  X(icalcomponent_free)                      \
  X(icalcomponent_isa)                       \
  X(icalcomponent_get_first_component)       \
  X(icalcomponent_get_next_component)        \
  X(icalcomponent_get_first_property)        \
  X(icalcomponent_get_next_property)         \
  X(icalproperty_isa)                        \
  X(icalproperty_get_dtstart)                \
  X(icalproperty_get_rdate)                  \
  X(icalproperty_get_rrule)                  \
  X(icalproperty_get_tzoffsetfrom)           \
  X(icalproperty_get_tzoffsetto)

struct IcalLib {
#define CB_ICAL_MEMBER(name) decltype(&::name) name = nullptr;
  CB_ICAL_FUNCTIONS(CB_ICAL_MEMBER)
#undef CB_ICAL_MEMBER
};

// libical is missing or lacks a function: the package's dependency was broken.
class IcalUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Opens libical on the first call (thread-safe) and stays loaded (ICU cannot be unloaded).
// Throws IcalUnavailable, every time, when it cannot be opened. `why`: what needs it, for
// icalLoadedFor(), where a process means to do without it (the daemon's expansion).
[[nodiscard]] const IcalLib& ical();
[[nodiscard]] const IcalLib& ical(std::string_view why);

// libical's small value helpers, which need no library: a null time is all zeros
// (icaltime_null_time), BYDAY values are (8 * |ordinal| + weekday) with the ordinal's sign
// (icalrecurrencetype_day_position, icalrecurrencetype_day_day_of_week: 1 = Sunday).
[[nodiscard]] constexpr icaltimetype nullIcalTime() {
  return icaltimetype{};
}
[[nodiscard]] constexpr bool isNullIcalTime(const icaltimetype& t) {
  return t.second + t.minute + t.hour + t.year + t.month + t.day == 0;
}
[[nodiscard]] constexpr int dayPosition(short day) {
  const int magnitude = (day < 0 ? -day : day) / 8;
  return day < 0 ? -magnitude : magnitude;
}
[[nodiscard]] constexpr int dayOfWeek(short day) {
  return (day < 0 ? -day : day) % 8;
}

}  // namespace cb::ics
