// Private: libical 3.0.16's verdict on an RRULE value, read without libical for common rules.
#pragma once

#include <string_view>

namespace cb::ics {

enum class RruleVerdict : unsigned char {
  kInvalid,  // libical rejects it
  kValid,    // libical accepts it
  kUnsure,   // outside the shapes read here: only libical can tell
};

// A strict reader of the RFC 5545 RRULE parts feeds use (upper case, no spaces, plain numbers);
// kValid/kInvalid only where the answer is certain to be icalrecurrencetype_from_string's.
// No allocation. validRrule() asks libical on kUnsure.
[[nodiscard]] RruleVerdict quickRruleVerdict(std::string_view rrule) noexcept;

// False when the rule's INTERVAL or COUNT does not fit libical's field (a short, an int):
// libical would read a wrapped value (INTERVAL=4294967297 as 1), we call it an error.
[[nodiscard]] bool rruleNumbersFit(std::string_view rule);

}  // namespace cb::ics
