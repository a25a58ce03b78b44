// Binary image of an EventStore for the daemon's snapshot file (the file itself is daemon/'s).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ics/store.hpp"

namespace cb::ics {

// Version of the image layout; bump it whenever serializeStore() changes.
// 2: Span::wallClock (flag 4 of a series), UID hashes by textHash (issue 16).
// 3: the screen budget's tally of what it left out (EventStore::leftOut), after the series.
// 4: VTIMEZONE zones as their tables of changes (a text only where libical answers), so that
//    the daemon reads an image without libical.
inline constexpr std::uint32_t kStoreImageVersion = 4;

// Compact binary image of everything the store holds (records, recurring masters,
// the VTIMEZONEs they use, text, stats). Equal content gives equal bytes.
[[nodiscard]] std::string serializeStore(const EventStore& store);

// The store back; nullopt on any inconsistency (wrong magic or version, truncation,
// out-of-range values, unknown zones). Every read is bounds-checked.
[[nodiscard]] std::optional<EventStore> deserializeStore(std::string_view bytes);

}  // namespace cb::ics
