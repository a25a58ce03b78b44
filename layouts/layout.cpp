// The layout table and the frame helper.
#include "layouts/layout.hpp"

#include <algorithm>
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

double minTextPx(int width, int height, int dpi) {
  const double scale = std::min(std::min(width, height) / 480.0, std::max(width, height) / 800.0);
  const double density = dpi > 0 ? std::max(1.0, dpi / kReferenceDpi) : 1.0;
  return kMinTextPx * scale * density;
}

render::Frame renderFrame(const LayoutInfo& layout, const Agenda& agenda,
                          const LayoutContext& context, const render::Theme& theme, int width,
                          int height, RenderStats* stats) {
  render::Frame frame(width, height);
  {
    render::Canvas canvas(frame, theme);
    canvas.setMinTextPx(minTextPx(width, height, context.dpi));
    if (stats) canvas.setTextLog(&stats->texts);
    layout.draw(canvas, agenda, context);
    if (stats) {
      stats->smallestTextPx = canvas.smallestTextPx();
      stats->smallestRequestedPx = canvas.smallestRequestedPx();
    }
  }
  return frame;
}

}  // namespace cb::layouts
