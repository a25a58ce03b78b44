// Layout registry: name → draw function, an explicit table.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ics/time.hpp"
#include "layouts/agenda.hpp"
#include "layouts/focus.hpp"
#include "render/canvas.hpp"
#include "render/frame.hpp"
#include "render/theme.hpp"

namespace cb::layouts {

// What a screen knows besides the agenda.
struct ScreenState {
  bool haveData = true;                        // false: first boot, nothing fetched yet
  std::optional<ics::Instant> lastSync{};      // last successful fetch
  std::optional<ics::Instant> offlineSince{};  // set when the data is stale
};

struct LayoutContext {
  ics::Instant now{};
  const ics::TimeZone* zone = &ics::TimeZone::utc();
  bool use24h = true;
  ScreenState state;
  // Meetings skipped with the button: the countdown passes over them until they end.
  std::vector<SkipKey> skipped;
  // The panel's density in dots per inch (`display.dpi`); 0: unknown, a 4–5" panel assumed.
  int dpi = 0;
};

// The legibility floor: no text smaller than 18 px on a 480×800 panel of 4.3" (217 dpi),
// scaled with the layout's size and, when the panel is denser, with its density (its pixels
// are smaller: more of them make the same 1.4 mm capital height).
inline constexpr double kMinTextPx = 18;
inline constexpr double kReferenceDpi = 217;
[[nodiscard]] double minTextPx(int width, int height, int dpi);

struct RenderStats {
  double smallestTextPx = 0;             // the smallest font size drawn
  double smallestRequestedPx = 0;        // the smallest the layout asked for (before the floor)
  std::vector<render::DrawnText> texts;  // every text drawn, in order
};

using DrawFn = void (*)(render::Canvas&, const Agenda&, const LayoutContext&);

struct LayoutInfo {
  std::string_view name;
  DrawFn draw;
};

[[nodiscard]] std::span<const LayoutInfo> allLayouts();
[[nodiscard]] const LayoutInfo* findLayout(std::string_view name);

// Draws `layout` into a new frame of the given logical size.
[[nodiscard]] render::Frame renderFrame(const LayoutInfo& layout, const Agenda& agenda,
                                        const LayoutContext& context, const render::Theme& theme,
                                        int width, int height, RenderStats* stats = nullptr);

}  // namespace cb::layouts
