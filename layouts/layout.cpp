// The layout table and the frame helper.
#include "layouts/layout.hpp"

#include <array>

#include "layouts/four_by_eight.hpp"
#include "layouts/whats_next.hpp"

namespace cb::layouts {
namespace {
constexpr std::array<LayoutInfo, 2> kLayouts = {{
    {"whats-next", &drawWhatsNext},
    {"4x8", &drawFourByEight},
}};
}  // namespace

std::span<const LayoutInfo> allLayouts() {
  return kLayouts;
}

const LayoutInfo* findLayout(std::string_view name) {
  for (const LayoutInfo& l : kLayouts)
    if (l.name == name) return &l;
  return nullptr;
}

render::Frame renderFrame(const LayoutInfo& layout, const Agenda& agenda,
                          const LayoutContext& context, const render::Theme& theme, int width,
                          int height) {
  render::Frame frame(width, height);
  {
    render::Canvas canvas(frame, theme);
    layout.draw(canvas, agenda, context);
  }
  return frame;
}

}  // namespace cb::layouts
