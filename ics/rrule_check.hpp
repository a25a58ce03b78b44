// Private: libical 3.0.16's reading of an RRULE value, done without libical for common rules.
#pragma once

#include <libical/ical.h>  // icalrecurrencetype and its constants only: no libical function

#include <string_view>

namespace cb::ics {

enum class RruleVerdict : unsigned char {
  kInvalid,  // libical rejects it
  kValid,    // libical accepts it
  kUnsure,   // outside the shapes read here: only libical can tell
};

// The rule as icalrecurrencetype_from_string() reads it. `rule.until.zone` stays nullptr:
// libical's is its UTC zone exactly when `untilUtc` (UNTIL ends in 'Z').
struct ParsedRrule {
  icalrecurrencetype rule;
  bool untilUtc = false;
};

// A strict reader of the RFC 5545 RRULE parts feeds use (upper case, plain numbers, no spaces but
// those Outlook puts in lists: "BYDAY=MO, TU"); kValid/kInvalid only where the answer is certain to
// be icalrecurrencetype_from_string's. On kValid `out` holds every field as libical fills it (all
// of each BY array, its unused entries ICAL_RECURRENCE_ARRAY_MAX, BYDAY in libical's order);
// otherwise it means nothing. No allocation, no libical call; the caller asks libical on kUnsure.
[[nodiscard]] RruleVerdict parseRrule(std::string_view rrule, ParsedRrule& out) noexcept;

// parseRrule's verdict alone (nothing filled, nothing copied). validRrule() asks libical on
// kUnsure.
[[nodiscard]] RruleVerdict quickRruleVerdict(std::string_view rrule) noexcept;

// False when the rule's INTERVAL or COUNT does not fit libical's field (a short, an int):
// libical would read a wrapped value (INTERVAL=4294967297 as 1), we call it an error.
[[nodiscard]] bool rruleNumbersFit(std::string_view rule);

}  // namespace cb::ics
