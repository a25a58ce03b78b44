// Layout registry: name → draw function, an explicit table.
#pragma once

#include <optional>
#include <span>
#include <string_view>

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
                                        int width, int height);

}  // namespace cb::layouts
