// whats-next: countdown zone, meeting card and status line; portrait or landscape.
#include "layouts/whats_next.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "layouts/focus.hpp"
#include "layouts/format.hpp"

namespace cb::layouts {

using render::Align;
using render::Canvas;
using render::Rect;
using render::Shade;
using render::TextStyle;
using render::VAlign;
using std::chrono::minutes;
using std::chrono::seconds;

Urgency urgencyFor(seconds left) {
  const long m = minutesLeft(left);
  if (m <= 2) return Urgency::Critical;
  if (m <= 10) return Urgency::Tight;
  if (m <= 30) return Urgency::Soon;
  return Urgency::Calm;
}

namespace {

// "Also now: A · B", every other running meeting named.
std::string alsoNowText(const Focus& f) {
  std::string names;
  for (const AgendaItem* it : f.alsoNow) {
    if (!names.empty()) names += " · ";
    names += isolate(it->summary);
  }
  return ltrLine("Also now: " + names);
}

}  // namespace

std::string whatsNextStatus(const Focus& f, const LayoutContext& ctx) {
  const auto& zone = *ctx.zone;
  if (!ctx.state.haveData) return "Not synced yet";
  if (!f.alsoNow.empty()) return alsoNowText(f);
  if (f.current) {
    if (f.next && zone.dateOf(f.next->start) == f.today)
      return ltrLine(fmt::format("Next: {} {}", clockTime(f.next->start, zone, ctx.use24h),
                                 isolate(f.next->summary)));
    return restOfDayText(f);
  }
  if (f.served) {
    const long m = minutesLeft(f.served->start - ctx.now);
    if (m <= 5) return "Starting very soon";
    if (m <= 15) return "Starting soon";
    if (m <= 60) return "Starts within the hour";
    if (zone.dateOf(f.served->start) == f.today)
      return fmt::format("Free until {}", clockTime(f.served->start, zone, ctx.use24h));
    return restOfDayText(f);
  }
  if (ctx.state.lastSync && !ctx.state.offlineSince)
    return fmt::format("Updated {}", stamp(*ctx.state.lastSync, ctx.now, zone, ctx.use24h));
  return restOfDayText(f);
}

std::string offlineText(const LayoutContext& ctx) {
  if (!ctx.state.offlineSince) return {};
  return fmt::format("Offline since {}",
                     stamp(*ctx.state.offlineSince, ctx.now, *ctx.zone, ctx.use24h));
}

namespace {

// The four states differ in pure black and white, not only in grey: calm is an
// outline, soon adds a black label band, tight is a solid black box, critical a
// solid box in an extra ring.
struct BoxLook {
  Shade fill, border, label, number, units;
  double borderWidth;
  bool band;  // the label sits on a black band
  bool ring;  // an extra outer ring: the most urgent state
};

BoxLook lookFor(Urgency u) {
  switch (u) {
    case Urgency::Critical:
      return {Shade::Black, Shade::Black, Shade::White, Shade::White, Shade::White, 0, false, true};
    case Urgency::Tight:
      return {Shade::Grey6, Shade::Grey6, Shade::Grey2, Shade::White, Shade::Grey2, 0,
              false,        false};
    case Urgency::Soon:
      return {Shade::Grey1, Shade::Black, Shade::White, Shade::Black, Shade::Grey6, 4, true, false};
    case Urgency::Calm:
      break;
  }
  return {Shade::Grey1, Shade::Grey4, Shade::Grey5, Shade::Black, Shade::Grey5, 2, false, false};
}

// Zones at the logical size: portrait stacks them (300/400/100 of 800 px),
// landscape puts the countdown left of the card above a full-width bar.
struct Zones {
  Rect countdown, card, status;
  double s = 1;  // type scale against the 480-px short side
  int pad = 24;
  bool landscape = false;
};

Zones zonesFor(int w, int h) {
  Zones z;
  z.landscape = w > h;
  if (!z.landscape) {
    z.s = std::min(w / 480.0, h / 800.0);
    const int y1 = h * 300 / 800, y2 = h * 700 / 800;
    z.countdown = {0, 0, w, y1};
    z.card = {0, y1, w, y2 - y1};
    z.status = {0, y2, w, h - y2};
  } else {
    z.s = std::min(w / 800.0, h / 480.0);
    const int bar = int(std::lround(80 * z.s));
    const int split = w * 42 / 100;
    z.countdown = {0, 0, split, h - bar};
    z.card = {split, 0, w - split, h - bar};
    z.status = {0, h - bar, w, bar};
  }
  z.pad = int(std::lround(24 * z.s));
  return z;
}

std::string upper(std::string s) {
  for (char& ch : s) ch = char(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

Rect inset(Rect r, int dx, int dy) {
  return {r.x + dx, r.y + dy, r.width - 2 * dx, r.height - 2 * dy};
}

void drawCountdownBox(Canvas& c, const Zones& z, Urgency u, std::string_view label,
                      const Countdown& cd) {
  const double s = z.s;
  Rect box;
  if (!z.landscape) {
    const int bw = std::min(int(z.countdown.width * 0.74), int(360 * s));
    const int bh = int(z.countdown.height * 0.80);
    box = {z.countdown.x + (z.countdown.width - bw) / 2,
           z.countdown.y + (z.countdown.height - bh) / 2, bw, bh};
  } else {
    box = inset(z.countdown, z.pad, z.pad);
    const int bh = std::min(box.height, int(box.width * 0.9));
    box.y += (box.height - bh) / 2;
    box.height = bh;
  }
  const BoxLook look = lookFor(u);
  const double radius = 18 * s;
  if (look.ring) {
    const int gap = int(std::lround(7 * s));
    const Rect outer = {box.x - gap, box.y - gap, box.width + 2 * gap, box.height + 2 * gap};
    c.strokeRoundedRect(outer, radius + gap, 3 * s, Shade::Black);
  }
  c.fillRoundedRect(box, radius, look.fill);
  const int h = box.height;
  if (look.band) {
    c.fillRoundedRect({box.x, box.y, box.width, int(h * 0.25)}, radius, Shade::Black);
    c.fillRect({box.x, box.y + int(h * 0.25) - int(radius), box.width, int(radius)}, Shade::Black);
  }
  if (look.borderWidth > 0) c.strokeRoundedRect(box, radius, look.borderWidth * s, look.border);

  c.text(label, {box.x, box.y + int(h * 0.05), box.width, int(h * 0.16)},
         {.sizePx = std::max(h * 0.085, 18 * s),
          .weight = 700,
          .color = look.label,
          .align = Align::Center,
          .letterSpacingPx = 2 * s,
          .valign = VAlign::Middle});
  c.fitText(cd.number, {box.x + z.pad / 2, box.y + int(h * 0.25), box.width - z.pad, int(h * 0.5)},
            {.sizePx = h * 0.50,
             .weight = 700,
             .color = look.number,
             .align = Align::Center,
             .valign = VAlign::InkMiddle},
            h * 0.25);
  c.fitText(cd.units, {box.x + z.pad / 2, box.y + int(h * 0.76), box.width - z.pad, int(h * 0.15)},
            {.sizePx = std::max(h * 0.075, 18 * s),
             .weight = 700,
             .color = look.units,
             .align = Align::Center,
             .letterSpacingPx = 1.5 * s,
             .valign = VAlign::Middle},
            18 * s);
}

// A calm, centred date: the empty and the waiting screens.
void drawDate(Canvas& c, const Zones& z, ics::Date today) {
  const double s = z.s;
  const Rect r = inset(z.countdown, z.pad, z.pad);
  const int wh = int(64 * s), dh = int(40 * s);
  const int y = r.y + (r.height - wh - dh) / 2;
  c.fitText(weekdayName(today), {r.x, y, r.width, wh},
            {.sizePx = 56 * s, .weight = 700, .align = Align::Center, .valign = VAlign::Bottom},
            30 * s);
  c.fitText(
      dayMonthYear(today), {r.x, y + wh, r.width, dh},
      {.sizePx = 28 * s, .color = Shade::Grey5, .align = Align::Center, .valign = VAlign::Middle},
      18 * s);
}

// Title, time and location of the meeting the countdown serves, centred in a card;
// "+2 at 10:00: A · B" when others start with it.
void drawMeetingCard(Canvas& c, const Zones& z, Rect area, const AgendaItem& m, bool running,
                     const Focus& f, const LayoutContext& ctx) {
  const double s = z.s;
  const bool eink = c.theme().eink();
  const Rect card = area;
  if (running) {
    c.strokeRoundedRect(card, 12 * s, 3 * s, eink ? Shade::Black : Shade::Grey5);
  } else {
    c.strokeRoundedRect(card, 12 * s, 2 * s, eink ? Shade::Black : Shade::Grey3);
  }
  const Rect in = inset(card, int(22 * s), int(18 * s));
  const ics::Date day = ctx.zone->dateOf(m.start);
  std::string caption = running ? "NOW" : day == f.today ? "NEXT MEETING" : "";
  if (caption.empty()) caption = upper(dayHeading(day, f.today));
  if (m.tentative) caption += " · TENTATIVE";
  // Read on the caption's day: "TOMORROW" over "09:30 – 10:00", "NOW" over "Sun 09:00 – …".
  const std::string when =
      eventTimes(m.start, m.end, running ? f.today : day, *ctx.zone, ctx.use24h);
  std::string where = m.location.empty() ? std::string{} : ltrLine(isolate(m.location));
  std::string clash;
  if (!f.sameStart.empty()) {
    clash =
        fmt::format("+{} at {}:", f.sameStart.size(), clockTime(m.start, *ctx.zone, ctx.use24h));
    for (std::size_t i = 0; i < f.sameStart.size(); ++i)
      clash += (i ? " · " : " ") + isolate(f.sameStart[i]->summary);
    clash = ltrLine(clash);
  }

  const TextStyle captionStyle{.sizePx = 18 * s,
                               .weight = 700,
                               .color = Shade::Grey5,
                               .align = Align::Center,
                               .letterSpacingPx = 2 * s};
  const TextStyle whenStyle{
      .sizePx = 26 * s, .color = Shade::Grey6, .align = Align::Center, .maxLines = 2};
  const TextStyle whereStyle{
      .sizePx = 21 * s, .color = Shade::Grey5, .align = Align::Center, .maxLines = 2};
  const TextStyle clashStyle{.sizePx = 21 * s,
                             .weight = 700,
                             .color = Shade::Black,
                             .align = Align::Center,
                             .maxLines = 2};
  const int gap = int(14 * s);
  const int capH = c.measureText(caption, in.width, captionStyle).height;
  const int whenH = c.measureText(when, in.width, whenStyle).height;
  const int whereH = where.empty() ? 0 : c.measureText(where, in.width, whereStyle).height;
  const int clashH = clash.empty() ? 0 : c.measureText(clash, in.width, clashStyle).height;
  const int fixed =
      capH + gap + gap + whenH + (whereH ? gap / 2 + whereH : 0) + (clashH ? gap / 2 + clashH : 0);
  // Tentative reads in black and white too: slanted, and named in the caption.
  TextStyle titleStyle{.sizePx = 46 * s,
                       .weight = 700,
                       .color = Shade::Black,
                       .align = Align::Center,
                       .maxLines = 8,
                       .italic = m.tentative};
  const Rect titleBox{in.x, 0, in.width, std::max(int(40 * s), in.height - fixed)};
  titleStyle.sizePx = c.fitSize(m.summary, titleBox, titleStyle, 28 * s);
  // As many lines as the card has room for at that size; the last one ellipsized.
  const int lineH = std::max(1, c.measureText("Ag", 0, titleStyle).height);
  titleStyle.maxLines = std::max(1, titleBox.height / lineH);
  const int titleH =
      std::min(titleBox.height, c.measureText(m.summary, in.width, titleStyle).height);
  int y = in.y + std::max(0, (in.height - fixed - titleH) / 2);
  y += c.text(caption, {in.x, y, in.width, capH}, captionStyle) + gap;
  y += c.text(m.summary, {in.x, y, in.width, titleH}, titleStyle) + gap;
  y += c.text(when, {in.x, y, in.width, whenH}, whenStyle);
  if (whereH) y += gap / 2 + c.text(where, {in.x, y + gap / 2, in.width, whereH}, whereStyle);
  if (clashH) c.text(clash, {in.x, y + gap / 2, in.width, clashH}, clashStyle);
}

// "TODAY  Company holiday  +11": all-day items and running long blocks are context,
// one line whose count stays visible however long the first title is.
// `leftOut`: more items the store's screen budget left out (counted, not named).
void drawContextLine(Canvas& c, const Zones& z, Rect r, const std::vector<std::string>& items,
                     std::uint64_t leftOut) {
  const double s = z.s;
  const TextStyle tag{.sizePx = 18 * s,
                      .weight = 700,
                      .color = Shade::White,
                      .align = Align::Center,
                      .letterSpacingPx = s,
                      .valign = VAlign::Middle};
  const int tagW = c.measureText("TODAY", 0, tag).width + int(16 * s);
  const int tagH = int(28 * s);
  const int ty = r.y + (r.height - tagH) / 2;
  c.fillRoundedRect({r.x, ty, tagW, tagH}, 5 * s, Shade::Grey5);
  c.text("TODAY", {r.x, ty, tagW, tagH}, tag);
  const TextStyle textStyle{.sizePx = 20 * s, .color = Shade::Grey6, .valign = VAlign::Middle};
  int right = r.x + r.width;
  const std::uint64_t count = items.size() + leftOut - (items.empty() ? 0 : 1);
  if (count > 0) {
    const std::string more = fmt::format("+{}", count);
    TextStyle moreStyle = textStyle;
    moreStyle.weight = 700;
    moreStyle.align = Align::Right;
    const int w = c.measureText(more, 0, moreStyle).width + 2;
    c.text(more, {right - w, r.y, w, r.height}, moreStyle);
    right -= w + int(10 * s);
  }
  const int x = r.x + tagW + int(10 * s);
  if (!items.empty()) c.text(items.front(), {x, r.y, right - x, r.height}, textStyle);
}

// The status bar; offline it turns black, says since when on a first line and
// keeps the status (the "Next:" line) below it.
void drawStatus(Canvas& c, const Zones& z, const std::string& text, const std::string& offline,
                bool urgent) {
  const double s = z.s;
  const bool dark = urgent || !offline.empty();
  c.fillRect(z.status, dark ? Shade::Black : Shade::Grey2);
  if (!dark) c.hline(z.status.x, z.status.y, z.status.width, 2 * s, Shade::Grey4);
  Rect in = inset(z.status, z.pad, int(6 * s));
  if (!offline.empty()) {
    const int top = in.height * 45 / 100;
    c.fitText("⚠ " + offline, {in.x, in.y, in.width, top},
              {.sizePx = 24 * s,
               .weight = 700,
               .color = Shade::White,
               .align = Align::Center,
               .valign = VAlign::Middle},
              18 * s);
    c.fitText(text, {in.x, in.y + top, in.width, in.height - top},
              {.sizePx = 24 * s,
               .color = Shade::White,
               .align = Align::Center,
               .maxLines = 2,
               .valign = VAlign::Middle},
              18 * s);
    return;
  }
  // As many lines as the bar holds at the smallest size, so "Next: 14:00
  // Arbeitsschutzunterweisung" stays whole; the text shrinks from 28 to 22 px first.
  const double minPx = 22 * s;
  const int lines = std::max(1, in.height / int(std::ceil(minPx * 1.2)));
  c.fitText(text, in,
            {.sizePx = 28 * s,
             .weight = 700,
             .color = dark ? Shade::White : Shade::Grey6,
             .align = Align::Center,
             .maxLines = lines,
             .valign = VAlign::Middle},
            minPx);
}

}  // namespace

void drawWhatsNext(Canvas& c, const Agenda& agenda, const LayoutContext& ctx) {
  const Zones z = zonesFor(c.width(), c.height());
  const double s = z.s;
  c.clear(Shade::White);
  const Focus f = focusAt(agenda, ctx.now, *ctx.zone, ctx.skipped);
  const AgendaItem* shown = ctx.state.haveData ? f.served : nullptr;

  Rect cardArea = inset(z.card, z.pad, int(14 * s));
  if (z.landscape)
    cardArea = {z.card.x, z.card.y + z.pad, z.card.width - z.pad, z.card.height - 2 * z.pad};
  std::vector<std::string> context;
  for (const AgendaItem* it : f.runningContext)
    context.push_back(ltrLine(fmt::format("{} until {}", isolate(it->summary),
                                          clockOn(it->end, f.today, *ctx.zone, ctx.use24h))));
  for (const AgendaItem* it : f.allDayToday) context.push_back(ltrField(it->summary));
  // Also when the store's screen budget left out every all-day item of today: "TODAY  +3".
  const std::uint64_t allDayTodayLeftOut = allDayLeftOut(agenda, f.today, f.today);
  if ((!context.empty() || allDayTodayLeftOut > 0) && ctx.state.haveData) {
    const int lineH = int(40 * s);
    drawContextLine(c, z, {cardArea.x, cardArea.y + cardArea.height - lineH, cardArea.width, lineH},
                    context, allDayTodayLeftOut);
    cardArea.height -= lineH + int(10 * s);
  }

  if (shown) {
    const bool running = f.servedRunning;
    const seconds left = running ? shown->end - ctx.now : shown->start - ctx.now;
    const Urgency u = urgencyFor(left);
    const std::string_view label = !running                 ? "STARTS IN"
                                   : u == Urgency::Critical ? "WRAP UP NOW"
                                                            : "ENDS IN";
    drawCountdownBox(c, z, u, label, countdown(left));
    drawMeetingCard(c, z, cardArea, *shown, running, f, ctx);
  } else {
    drawDate(c, z, f.today);
    const bool waiting = !ctx.state.haveData;
    const std::string title =
        waiting ? "Waiting for calendar data" : nothingAheadText(agenda, ctx.now);
    const std::string sub = waiting ? "The screen fills in as soon as the calendar arrives."
                                    : "Your calendar is clear.";
    const Rect in = inset(cardArea, int(10 * s), 0);
    const int th = int(84 * s), sh = int(64 * s);
    const int y = in.y + (in.height - th - sh) / 2;
    c.fitText(title, {in.x, y, in.width, th},
              {.sizePx = 34 * s,
               .weight = 700,
               .color = Shade::Grey6,
               .align = Align::Center,
               .maxLines = 2,
               .valign = VAlign::Bottom},
              24 * s);
    c.text(sub, {in.x, y + th + int(6 * s), in.width, sh},
           {.sizePx = 21 * s, .color = Shade::Grey5, .align = Align::Center, .maxLines = 2});
  }

  const bool urgent =
      ctx.state.haveData && shown && !f.servedRunning && minutesLeft(shown->start - ctx.now) <= 5;
  drawStatus(c, z, whatsNextStatus(f, ctx), offlineText(ctx), urgent);
}

}  // namespace cb::layouts
