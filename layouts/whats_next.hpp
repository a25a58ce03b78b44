// whats-next: a big countdown to the next meeting, its card, one status line.
#pragma once

#include "layouts/layout.hpp"

namespace cb::layouts {
void drawWhatsNext(render::Canvas& canvas, const Agenda& agenda, const LayoutContext& context);
}
