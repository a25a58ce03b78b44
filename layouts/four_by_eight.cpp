// 4x8: header with the date, the running meeting, then upcoming rows until the screen is full.
#include "layouts/four_by_eight.hpp"

#include <fmt/format.h>

#include "layouts/format.hpp"

namespace cb::layouts {

using render::Align;
using render::Rect;
using render::Shade;

void drawFourByEight(render::Canvas& c, const Agenda& agenda, const LayoutContext& ctx) {
  const int w = c.width();
  const int h = c.height();
  const int pad = 16;
  c.clear(Shade::White);

  c.fillRect({0, 0, w, 90}, Shade::Black);
  c.text(longDate(ctx.now, *ctx.zone), {pad, 14, w - 2 * pad, 40},
         {.sizePx = 30, .weight = 700, .color = Shade::White});
  std::string sub =
      ctx.state.offlineSince ? fmt::format("offline since {}", clockTime(*ctx.state.offlineSince,
                                                                         *ctx.zone, ctx.use24h))
      : ctx.state.lastSync
          ? fmt::format("updated {}", clockTime(*ctx.state.lastSync, *ctx.zone, ctx.use24h))
          : std::string("not synced yet");
  c.text(sub, {pad, 54, w - 2 * pad, 30}, {.sizePx = 18, .color = Shade::Grey3});

  int y = 90 + pad;
  const int rowH = 64;
  int shownRows = 0, hidden = 0;
  for (const AgendaItem& item : agenda.items) {
    if (item.end <= ctx.now && item.start != item.end) continue;
    if (y + rowH > h - 40) {
      ++hidden;
      continue;
    }
    const bool running = !item.allDay && item.start <= ctx.now && ctx.now < item.end;
    const std::string when =
        item.allDay ? std::string("All day")
                    : fmt::format("{} – {}", clockTime(item.start, *ctx.zone, ctx.use24h),
                                  clockTime(item.end, *ctx.zone, ctx.use24h));
    if (running) c.fillRect({0, y - 4, w, rowH}, Shade::Grey2);
    c.text(when, {pad, y, w - 2 * pad, 24}, {.sizePx = 18, .color = Shade::Grey5});
    c.text(item.summary, {pad, y + 24, w - 2 * pad, 32}, {.sizePx = 24, .weight = 700});
    y += rowH;
    ++shownRows;
  }
  if (shownRows == 0)
    c.text(ctx.state.haveData ? "Nothing on the calendar" : "Waiting for calendar data",
           {pad, h / 2 - 20, w - 2 * pad, 40},
           {.sizePx = 26, .color = Shade::Grey5, .align = Align::Center});
  if (hidden > 0)
    c.text(fmt::format("+{} more", hidden), {pad, h - 36, w - 2 * pad, 30},
           {.sizePx = 20, .color = Shade::Grey5, .align = Align::Right});
}

}  // namespace cb::layouts
