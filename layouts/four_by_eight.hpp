// 4x8: a day agenda for a 480×800 screen.
#pragma once

#include "layouts/layout.hpp"

namespace cb::layouts {
void drawFourByEight(render::Canvas& canvas, const Agenda& agenda, const LayoutContext& context);
}
