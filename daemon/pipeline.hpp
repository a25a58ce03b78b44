// The pipeline pieces every subcommand shares: feeds into stores, frames onto displays.
#pragma once

#include <string>

#include "hal/display.hpp"
#include "hal/image.hpp"
#include "ics/store.hpp"
#include "render/frame.hpp"

namespace cb::daemon {

// A view of `frame` for a Display (the frame must outlive the view).
// `hash` is frame.hash() when the caller has it already (0: computed here).
[[nodiscard]] hal::Image toImage(const render::Frame& frame, const render::Frame* previous,
                                 std::uint64_t hash = 0);
// The same with the damage already known (empty: unknown, the display redraws all).
[[nodiscard]] hal::Image toImage(const render::Frame& frame, render::Rect damage,
                                 std::uint64_t hash);

// Loads a calendar from a file path, file:// URL or an http(s)/webcal URL
// (fetched synchronously, without conditional requests), logging each skipped
// event as a warning prefixed with `label`. On failure `error` is one line, and
// `*notCalendar` (when given) says whether the data came but was not a calendar at all.
[[nodiscard]] std::optional<ics::EventStore> loadCalendar(const std::string& location,
                                                          const ics::IngestOptions& options,
                                                          const std::string& label,
                                                          std::string& error,
                                                          bool* notCalendar = nullptr);

}  // namespace cb::daemon
