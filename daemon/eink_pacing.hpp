// E-ink countdown granularity: which minutes the daemon redraws an e-ink panel on.
// (The refresh policy proper — partial/full, minimum intervals — is hal/eink_policy.)
#pragma once

#include <chrono>
#include <span>

#include "ics/time.hpp"
#include "layouts/agenda.hpp"
#include "layouts/focus.hpp"

namespace cb::daemon {

// How coarsely the big countdown may move on e-ink when its moment is `left` away:
// every minute within the hour, every 5 minutes within 3 hours, every 15 within
// 12 hours, every hour beyond. The screen is redrawn on those steps, so the number
// it shows is exact when drawn and never more than one step old.
[[nodiscard]] std::chrono::minutes countdownStep(std::chrono::seconds left);

// Whether an e-ink panel needs a redraw at the minute `now`, the last frame having been
// drawn at `last`: on a new local day, when a meeting started or ended since, when the
// countdown reaches a step (countdownStep) or a step has passed since `last`; always
// when nothing is counted down (the frame's hash then decides).
[[nodiscard]] bool einkRedrawDue(const layouts::Agenda& agenda, const ics::TimeZone& zone,
                                 std::span<const layouts::SkipKey> skipped, ics::Instant last,
                                 ics::Instant now);

}  // namespace cb::daemon
