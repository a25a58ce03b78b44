// TZif files (RFC 8536) read into TimeZone's table of UTC offset changes, without libical.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "ics/time.hpp"

namespace cb::ics {

// The offset changes of a TZif file (versions 1 to 4; the 64-bit data of version 2 and later),
// sorted, extended past the last transition by the footer's POSIX TZ rule
// ("CET-1CEST,M3.5.0,M10.5.0/3") through the end of `endYear`. nullopt when the bytes are not a
// well-formed TZif file: every count and index is checked against the data, never trusted.
//
// Conventions, those of Python's zoneinfo (the conformance oracle): before the first transition
// the file's first standard-time type applies (glibc's choice too; RFC 8536's type 0 in every
// file zic writes); the footer's rule only after the last transition (RFC 8536; glibc from its
// very second) and throughout a file without transitions (RFC 8536; glibc keeps the type). Leap
// second records are skipped (tzdata's "right/" zones are off by them). A zone whose offset never
// changes has one change, to and from that offset.
[[nodiscard]] std::optional<std::vector<TimeZone::Change>> readTzif(std::string_view bytes,
                                                                    int endYear);

}  // namespace cb::ics
