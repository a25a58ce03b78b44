// Whether this process loaded libical (ics/ical_lib.hpp), for those who mean to do without it.
#pragma once

#include <string>

namespace cb::ics {

// True once ical() succeeded in this process.
[[nodiscard]] bool icalLoaded();
// The `why` of the first ical(why) call, empty when none gave one.
[[nodiscard]] std::string icalLoadedFor();

}  // namespace cb::ics
