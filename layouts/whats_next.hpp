// whats-next: a big countdown to the next meeting, its card, one status line.
#pragma once

#include <string>

#include "layouts/focus.hpp"
#include "layouts/layout.hpp"

namespace cb::layouts {

// How the countdown box looks: > 30 min calm, ≤ 30 soon, ≤ 10 tight,
// ≤ 2 critical (inverted, ringed; "WRAP UP NOW" when a meeting is ending).
enum class Urgency { Calm, Soon, Tight, Critical };
[[nodiscard]] Urgency urgencyFor(std::chrono::seconds left);

// The status line of zone 3 (what else runs, what comes next, how far off).
[[nodiscard]] std::string whatsNextStatus(const Focus& focus, const LayoutContext& context);
// Its second line when the data is stale: "Offline since Fri 18:05" (empty when online).
[[nodiscard]] std::string offlineText(const LayoutContext& context);

void drawWhatsNext(render::Canvas& canvas, const Agenda& agenda, const LayoutContext& context);

}  // namespace cb::layouts
