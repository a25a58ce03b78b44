// whats-next: countdown zone, meeting card and status line, scaled to the canvas.
#include "layouts/whats_next.hpp"

#include <fmt/format.h>

#include "layouts/format.hpp"

namespace cb::layouts {

using render::Align;
using render::Rect;
using render::Shade;
using render::TextStyle;

void drawWhatsNext(render::Canvas& c, const Agenda& agenda, const LayoutContext& ctx) {
  const int w = c.width();
  const int h = c.height();
  const int pad = w / 24;
  c.clear(Shade::White);

  const AgendaItem* current = nullptr;
  const AgendaItem* next = nullptr;
  for (const AgendaItem& item : agenda.items) {
    if (item.allDay) continue;
    if (item.start <= ctx.now && ctx.now < item.end) {
      if (current == nullptr || item.end < current->end) current = &item;
    } else if (item.start > ctx.now && next == nullptr) {
      next = &item;
    }
  }
  const AgendaItem* shown = current ? current : next;

  // Zone 1: countdown box (top 3/8).
  const Rect box{pad, pad, w - 2 * pad, h * 3 / 8 - 2 * pad};
  c.fillRoundedRect(box, 24, Shade::Grey1);
  c.strokeRoundedRect(box, 24, 3, Shade::Grey5);
  if (shown) {
    const auto left = current ? current->end - ctx.now : shown->start - ctx.now;
    const Countdown cd = countdown(left);
    c.text(current ? "ENDS IN" : "STARTS IN", {box.x, box.y + box.height / 12, box.width, 40},
           {.sizePx = 26, .weight = 700, .color = Shade::Grey5, .align = Align::Center});
    c.text(cd.number, {box.x, box.y + box.height / 5, box.width, box.height / 2},
           {.sizePx = box.height * 0.45,
            .weight = 700,
            .color = Shade::Black,
            .align = Align::Center});
    c.text(cd.units, {box.x, box.y + box.height * 3 / 4, box.width, 40},
           {.sizePx = 24, .weight = 700, .color = Shade::Grey5, .align = Align::Center});
  } else {
    c.text(ctx.state.haveData ? "No upcoming meetings" : "Waiting for calendar data",
           {box.x + pad, box.y + box.height / 3, box.width - 2 * pad, box.height / 3},
           {.sizePx = 30,
            .weight = 700,
            .color = Shade::Grey6,
            .align = Align::Center,
            .maxLines = 2});
  }

  // Zone 2: meeting card (next 1/2).
  const int cardTop = h * 3 / 8;
  const Rect card{pad, cardTop, w - 2 * pad, h / 2 - pad};
  if (shown) {
    int y = card.y + pad;
    y += c.fitText(shown->summary, {card.x, y, card.width, card.height / 2},
                   {.sizePx = 40, .weight = 700, .color = Shade::Black, .maxLines = 3}, 26) +
         pad / 2;
    const std::string range = fmt::format("{} – {}", clockTime(shown->start, *ctx.zone, ctx.use24h),
                                          clockTime(shown->end, *ctx.zone, ctx.use24h));
    y +=
        c.text(range, {card.x, y, card.width, 40}, {.sizePx = 28, .color = Shade::Grey5}) + pad / 2;
    if (!shown->location.empty())
      c.text(shown->location, {card.x, y, card.width, 70},
             {.sizePx = 24, .color = Shade::Grey4, .maxLines = 2});
  } else {
    c.text(longDate(ctx.now, *ctx.zone), {card.x, card.y + pad, card.width, 50},
           {.sizePx = 30, .color = Shade::Grey5, .align = Align::Center});
  }

  // Zone 3: status line (bottom 1/8).
  std::string status;
  if (ctx.state.offlineSince)
    status =
        fmt::format("Offline since {}", clockTime(*ctx.state.offlineSince, *ctx.zone, ctx.use24h));
  else if (current && next)
    status =
        fmt::format("Next: {} {}", clockTime(next->start, *ctx.zone, ctx.use24h), next->summary);
  else if (next) {
    const auto mins = (next->start - ctx.now).count() / 60;
    status = mins <= 5    ? "Starting very soon"
             : mins <= 15 ? "Starting soon"
             : mins <= 60 ? "Starts within the hour"
                          : "";
  } else if (!current && ctx.state.haveData)
    status = "No more meetings today";
  const Rect bar{0, h - h / 8, w, h / 8};
  c.hline(pad, bar.y, w - 2 * pad, 2, Shade::Grey3);
  c.text(status, {pad, bar.y + bar.height / 3, w - 2 * pad, bar.height / 2},
         {.sizePx = 24, .weight = 700, .color = Shade::Grey6, .align = Align::Center});
}

}  // namespace cb::layouts
