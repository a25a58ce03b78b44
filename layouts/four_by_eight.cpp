// 4x8: date header, the running meeting, then upcoming rows by day until the screen is full.
#include "layouts/four_by_eight.hpp"

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
using std::chrono::days;
using std::chrono::minutes;

namespace {

std::string upper(std::string s) {
  for (char& ch : s) ch = char(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

// One vertical piece of the agenda column.
struct Block {
  enum Kind { DaySeparator, AllDay, Row, Message } kind = Row;
  int height = 0;
  const AgendaItem* item = nullptr;
  ics::Date day{};
  bool running = false;  // a row (or the heading) of what runs now
  int titleLines = 1;    // Row: two when the column has room for a long title
  std::vector<const AgendaItem*> allDay{};
  std::uint64_t allDayLeftOut = 0;  // AllDay: more items the store's screen budget left out
  std::string title{};              // Message
  std::string subtitle{};           // Message
};

struct Ui {
  Canvas& c;
  const LayoutContext& ctx;
  double s;
  int pad;
  bool eink;
  ics::Date today;
  [[nodiscard]] int px(double v) const { return int(std::lround(v * s)); }
  // Hairline rules vanish on e-ink: there they are 2 px and black.
  [[nodiscard]] Shade rule() const { return eink ? Shade::Black : Shade::Grey3; }
};

void drawHeader(Ui& ui, Rect r, ics::Date today) {
  Canvas& c = ui.c;
  c.fillRect(r, Shade::Grey6);
  const Rect in{r.x + ui.pad, r.y, r.width - 2 * ui.pad, r.height};
  const int top = r.y + ui.px(12);
  const int line2 = top + ui.px(46);
  const int lineH = r.y + r.height - line2 - ui.px(8);
  const int gap = ui.px(12);

  // The right side first: the date gets what it leaves, never the space under it.
  const auto& st = ui.ctx.state;
  const auto& zone = *ui.ctx.zone;
  int rightW = 0;
  int weekdayW = in.width * 3 / 5;
  std::string date = dayMonthYear(today);
  if (st.offlineSince) {
    const std::string when = upper(stamp(*st.offlineSince, ui.ctx.now, zone, ui.ctx.use24h));
    TextStyle style{.sizePx = 18 * ui.s,
                    .weight = 700,
                    .color = Shade::Black,
                    .align = Align::Center,
                    .letterSpacingPx = ui.s,
                    .valign = VAlign::Middle};
    // One line beside the date while it fits, giving up the date's long month
    // ("24 Sep 2025"), then the word SINCE and the tracking. Still too wide (the
    // 12-hour clock: "OFFLINE · YESTERDAY 11:05 PM"), it stands on two lines at the
    // right of the whole header, beside the weekday and the date: the day and the
    // time stay whole and at full size, and never cover the date.
    auto room = [&] {
      return in.width - c.measureText(date, 0, {.sizePx = 18 * ui.s}).width - gap;
    };
    auto width = [&](const std::string& t) { return c.measureText(t, 0, style).width + ui.px(18); };
    std::string text = "OFFLINE SINCE " + when;
    if (width(text) > room()) date = dayMonYear(today);
    if (width(text) > room()) {
      text = "OFFLINE · " + when;
      style.letterSpacingPx = 0;
    }
    if (width(text) <= room()) {
      const int w = width(text);
      const int h = ui.px(28);
      const Rect pill{in.x + in.width - w, line2 + (lineH - h) / 2, w, h};
      c.fillRoundedRect(pill, h / 2.0, Shade::White);
      c.fitText(text, pill, style, 18 * ui.s);
      rightW = w;
    } else {
      style.letterSpacingPx = ui.s;
      const std::string first = "OFFLINE SINCE";
      const int w = std::max(width(first), width(when));
      const Rect pill{in.x + in.width - w, r.y + ui.px(10), w, r.height - ui.px(20)};
      c.fillRoundedRect(pill, ui.px(10), Shade::White);
      const int half = pill.height / 2;
      style.valign = VAlign::Bottom;
      c.fitText(first, {pill.x, pill.y, pill.width, half}, style, 18 * ui.s);
      style.valign = VAlign::Top;
      c.fitText(when, {pill.x, pill.y + half, pill.width, pill.height - half}, style, 18 * ui.s);
      rightW = w;
      weekdayW = in.width - w - gap;
      const bool longFits =
          c.measureText(dayMonthYear(today), 0, {.sizePx = 18 * ui.s}).width <= weekdayW;
      date = longFits ? dayMonthYear(today) : dayMonYear(today);
    }
  } else {
    const std::string text = !st.haveData ? std::string("waiting for data")
                             : st.lastSync
                                 ? "updated " + stamp(*st.lastSync, ui.ctx.now, zone, ui.ctx.use24h)
                                 : std::string{};
    const TextStyle style{.sizePx = 18 * ui.s,
                          .color = Shade::Grey3,
                          .align = Align::Right,
                          .valign = VAlign::Middle};
    if (!text.empty()) {
      rightW = std::min(in.width / 2, c.measureText(text, 0, style).width + 2);
      c.text(text, {in.x + in.width - rightW, line2, rightW, lineH}, style);
    }
  }
  c.fitText(weekdayName(today), {in.x, top, weekdayW, ui.px(44)},
            {.sizePx = 36 * ui.s, .weight = 700, .color = Shade::White, .valign = VAlign::Bottom},
            24 * ui.s);
  const int dateW = in.width - rightW - (rightW ? gap : 0);
  // Centred on the line as before, in a box tall enough for the descender ("Sep") at 800x480.
  c.fitText(date, {in.x, line2 - ui.px(4), dateW, lineH + ui.px(8)},
            {.sizePx = 20 * ui.s, .color = Shade::Grey3, .valign = VAlign::Middle}, 18 * ui.s);
}

// "ALL DAY  Company holiday  +11": the count stays visible however long the first title. When
// the store's screen budget left out every item of the day, the strip names none and counts
// them all ("ALL DAY  +3"), so that the day's all-day items are never silently missing.
void drawAllDayStrip(Ui& ui, Rect r, const std::vector<const AgendaItem*>& items,
                     std::uint64_t leftOut) {
  Canvas& c = ui.c;
  const Rect strip{r.x, r.y + ui.px(3), r.width, r.height - ui.px(6)};
  if (ui.eink)
    c.strokeRoundedRect(strip, ui.px(6), 2, Shade::Black);
  else
    c.fillRoundedRect(strip, ui.px(6), Shade::Grey2);
  const TextStyle tag{.sizePx = 18 * ui.s,
                      .weight = 700,
                      .color = Shade::Grey5,
                      .letterSpacingPx = ui.s,
                      .valign = VAlign::Middle};
  const int tagW = c.measureText("ALL DAY", 0, tag).width;
  c.text("ALL DAY", {strip.x + ui.px(10), strip.y, tagW + 2, strip.height}, tag);
  const TextStyle textStyle{
      .sizePx = 19 * ui.s, .weight = 700, .color = Shade::Grey6, .valign = VAlign::Middle};
  int right = strip.x + strip.width - ui.px(10);
  const std::uint64_t more = items.size() + leftOut - (items.empty() ? 0 : 1);
  if (more > 0) {
    const std::string text = fmt::format("+{}", more);
    const int w = c.measureText(text, 0, textStyle).width + 2;
    c.text(text, {right - w, strip.y, w, strip.height}, textStyle);
    right -= w + ui.px(10);
  }
  const int x = strip.x + ui.px(20) + tagW;
  if (!items.empty())
    c.text(ltrField(items.front()->summary), {x, strip.y, right - x, strip.height}, textStyle);
}

TextStyle nowTitleStyle(const Ui& ui) {
  return {.sizePx = 26 * ui.s, .weight = 700, .color = Shade::White, .maxLines = 2};
}

// The Now card grows to a second title line when the title needs it.
int nowCardHeight(Ui& ui, int width, const AgendaItem& m) {
  const int titleH =
      ui.c.measureText(ltrField(m.summary), width - ui.px(32), nowTitleStyle(ui)).height;
  return ui.px(12 + 22 + 4) + titleH + ui.px(4 + 26 + 12) + ui.px(8);
}

// "10:00 – 11:00 · Room" with the times left to right whatever script the room is in.
std::string detailLine(const Ui& ui, const AgendaItem& m, ics::Date day) {
  std::string detail = eventTimes(m.start, m.end, day, *ui.ctx.zone, ui.ctx.use24h);
  if (m.tentative) detail += "  ·  tentative";
  if (!m.location.empty()) detail += "  ·  " + isolate(m.location);
  return ltrLine(detail);
}

void drawNowCard(Ui& ui, Rect r, const AgendaItem& m) {
  Canvas& c = ui.c;
  c.fillRoundedRect(r, ui.px(12), Shade::Grey6);
  const Rect in{r.x + ui.px(16), r.y + ui.px(12), r.width - ui.px(32), r.height - ui.px(24)};
  const int capH = ui.px(22);
  c.text("NOW", {in.x, in.y, in.width / 2, capH},
         {.sizePx = 18 * ui.s,
          .weight = 700,
          .color = Shade::Grey3,
          .letterSpacingPx = 2 * ui.s,
          .valign = VAlign::Middle});
  c.text(remaining(m.end - ui.ctx.now), {in.x + in.width / 3, in.y, in.width * 2 / 3, capH},
         {.sizePx = 18 * ui.s,
          .weight = 700,
          .color = Shade::White,
          .align = Align::Right,
          .valign = VAlign::Middle});
  const int detailH = ui.px(26);
  const int titleY = in.y + capH + ui.px(4);
  TextStyle title = nowTitleStyle(ui);
  title.italic = m.tentative;
  c.text(ltrField(m.summary),
         {in.x, titleY, in.width, in.y + in.height - detailH - ui.px(4) - titleY}, title);
  c.fitText(detailLine(ui, m, ui.today), {in.x, in.y + in.height - detailH, in.width, detailH},
            {.sizePx = 18 * ui.s, .color = Shade::Grey2, .valign = VAlign::Middle}, 18 * ui.s);
}

// A calm card for "nothing here": never an empty box.
void drawMessage(Ui& ui, Rect r, const std::string& title, const std::string& subtitle) {
  Canvas& c = ui.c;
  const Rect card{r.x, r.y + ui.px(4), r.width, r.height - ui.px(8)};
  if (ui.eink)
    c.strokeRoundedRect(card, ui.px(12), 2, Shade::Black);
  else
    c.fillRoundedRect(card, ui.px(12), Shade::Grey1);
  const TextStyle subStyle{
      .sizePx = 18 * ui.s, .color = Shade::Grey5, .align = Align::Center, .maxLines = 2};
  const int subW = card.width - 2 * ui.pad;
  const int th = ui.px(30);
  const int sh = subtitle.empty()
                     ? 0
                     : std::min(card.height - th - ui.px(8),
                                c.measureText(subtitle, subW, subStyle).height + ui.px(4));
  const int y = card.y + (card.height - th - sh) / 2;
  c.fitText(title, {card.x + ui.pad, y, subW, th},
            {.sizePx = 22 * ui.s,
             .weight = 700,
             .color = Shade::Grey6,
             .align = Align::Center,
             .valign = VAlign::Middle},
            18 * ui.s);
  if (sh) c.text(subtitle, {card.x + ui.pad, y + th + ui.px(2), subW, sh}, subStyle);
}

// "NOW", "LATER TODAY", "TOMORROW", "WEDNESDAY 12 MARCH": the heading rows sit under.
void drawDaySeparator(Ui& ui, Rect r, const std::string& label) {
  Canvas& c = ui.c;
  const TextStyle style{.sizePx = 18 * ui.s,
                        .weight = 700,
                        .color = Shade::Grey5,
                        .letterSpacingPx = 1.5 * ui.s,
                        .valign = VAlign::Bottom};
  const int base = r.y + r.height - ui.px(6);
  const Rect textBox{r.x, r.y, r.width, base - r.y};
  c.text(label, textBox, style);
  const int w = std::min(r.width, c.measureText(label, 0, style).width);
  const int x = r.x + w + ui.px(10);
  if (x < r.x + r.width) c.hline(x, base - ui.px(9), r.x + r.width - x, 1, ui.rule());
}

std::string separatorLabel(const Block& b, ics::Date today) {
  if (b.running) return "NOW";
  return b.day == today ? "LATER TODAY" : upper(dayHeading(b.day, today));
}

int timeColumnWidth(const Ui& ui) {
  return ui.px(ui.ctx.use24h ? 82 : 122);
}

// The pill on a running row or one starting within the hour: "now", "in 12 min".
std::string badgeFor(const Ui& ui, const AgendaItem& m) {
  if (isRunning(m, ui.ctx.now)) return "now";
  if (m.start > ui.ctx.now && m.start - ui.ctx.now <= minutes{60})
    return startsIn(m.start - ui.ctx.now);
  return {};
}

TextStyle badgeStyle(const Ui& ui) {
  return {.sizePx = 18 * ui.s,
          .weight = 700,
          .color = Shade::White,
          .align = Align::Center,
          .valign = VAlign::Middle};
}

TextStyle rowTitleStyle(const Ui& ui, const AgendaItem& m, int lines) {
  // Tentative: slanted (and named below), a difference that survives black and white.
  return {.sizePx = 21 * ui.s,
          .weight = 700,
          .color = m.tentative ? Shade::Grey5 : Shade::Black,
          .maxLines = lines,
          .valign = VAlign::Bottom,
          .italic = m.tentative};
}

// Where a row's title may go: right of the times, left of its pill.
int titleWidth(Ui& ui, int rowWidth, const AgendaItem& m) {
  int w = rowWidth - timeColumnWidth(ui);
  const std::string badge = badgeFor(ui, m);
  if (!badge.empty()) w -= ui.c.measureText(badge, 0, badgeStyle(ui)).width + ui.px(24);
  return w;
}

// Start above end; a side on another day than the heading shows that day instead
// ("Sun" over "Wed"), the detail line then spells the whole span out.
void drawRow(Ui& ui, Rect r, const AgendaItem& m, ics::Date day, bool last, int titleLines) {
  Canvas& c = ui.c;
  const auto& ctx = ui.ctx;
  const auto& zone = *ctx.zone;
  const int timeW = timeColumnWidth(ui);
  const int lineH = ui.px(25);
  const int top = r.y + ui.px(7);
  const bool startsOn = zone.dateOf(m.start) == day;
  const bool endsOn = m.end <= m.start || zone.dateOf(m.end - std::chrono::seconds{1}) == day;
  const std::string from = startsOn ? clockTime(m.start, zone, ctx.use24h)
                                    : weekdayName(zone.dateOf(m.start)).substr(0, 3);
  std::string to;
  if (m.end > m.start)
    to = endsOn ? clockTime(m.end, zone, ctx.use24h)
                : "– " + weekdayName(zone.dateOf(m.end - std::chrono::seconds{1})).substr(0, 3);
  c.text(from, {r.x, top, timeW, lineH},
         {.sizePx = 21 * ui.s, .weight = 700, .valign = VAlign::Bottom});
  if (!to.empty())
    c.text(to, {r.x, top + lineH + ui.px(2), timeW, lineH},
           {.sizePx = 18 * ui.s, .color = Shade::Grey5, .valign = VAlign::Top});

  const std::string badge = badgeFor(ui, m);
  int right = r.x + r.width;
  if (!badge.empty()) {
    const TextStyle style = badgeStyle(ui);
    const int w = c.measureText(badge, 0, style).width + ui.px(16);
    const int h = ui.px(28);
    const Rect pill{right - w, top, w, h};
    c.fillRoundedRect(pill, h / 2.0, Shade::Black);
    c.text(badge, pill, style);
    right -= w + ui.px(8);
  }
  const int x = r.x + timeW;
  const bool multiDay = !startsOn || !endsOn;
  std::string detail;
  if (multiDay) detail = eventTimes(m.start, m.end, day, zone, ctx.use24h);
  if (m.tentative) detail += detail.empty() ? "tentative" : " · tentative";
  if (!m.location.empty()) detail += (detail.empty() ? "" : " · ") + isolate(m.location);
  if (!detail.empty()) detail = ltrLine(detail);
  const TextStyle title = rowTitleStyle(ui, m, titleLines);
  const int titleH = lineH * titleLines + ui.px(titleLines > 1 ? 2 : 0);
  if (detail.empty()) {
    TextStyle centred = title;
    centred.valign = VAlign::Middle;
    c.text(ltrField(m.summary), {x, r.y + ui.px(4), right - x, r.height - ui.px(8)}, centred);
  } else {
    c.text(ltrField(m.summary), {x, top, right - x, titleH}, title);
    // Beside the title the pill keeps its room: the detail line never runs under it.
    const int dy = top + titleH + ui.px(2);
    const int detailRight = titleLines > 1 ? r.x + r.width : right;
    c.text(detail, {x, dy, detailRight - x, r.y + r.height - dy - ui.px(4)},
           {.sizePx = 18 * ui.s, .color = Shade::Grey5, .valign = VAlign::Top});
  }
  if (!last && !ui.eink) c.hline(x, r.y + r.height - 1, r.x + r.width - x, 1, Shade::Grey2);
}

void drawBlock(Ui& ui, Rect br, const Block& b, bool lastRow) {
  switch (b.kind) {
    case Block::DaySeparator:
      drawDaySeparator(ui, br, separatorLabel(b, ui.today));
      break;
    case Block::AllDay:
      drawAllDayStrip(ui, br, b.allDay, b.allDayLeftOut);
      break;
    case Block::Row:
      drawRow(ui, br, *b.item, b.running ? ui.today : b.day, lastRow, b.titleLines);
      break;
    case Block::Message:
      drawMessage(ui, br, b.title, b.subtitle);
      break;
  }
}

// Places blocks[from…] top-down in `r`; returns the first block not placed. With
// `more`, the rows that do not fit, and `beyond` rows not in `blocks` at all, become "+N more"
// at the bottom.
std::size_t drawColumn(Ui& ui, Rect r, const std::vector<Block>& blocks, std::size_t from,
                       bool more, std::uint64_t beyond = 0) {
  int total = 0;
  for (std::size_t i = from; i < blocks.size(); ++i) total += blocks[i].height;
  const int moreH = ui.px(32);
  std::size_t shown = blocks.size();
  if (total > r.height || (more && beyond > 0)) {
    const int room = more ? r.height - moreH : r.height;
    int used = 0;
    shown = from;
    while (shown < blocks.size() && used + blocks[shown].height <= room)
      used += blocks[shown++].height;
    // A day separator or all-day strip with no row after it says nothing.
    while (shown > from && (blocks[shown - 1].kind == Block::DaySeparator ||
                            blocks[shown - 1].kind == Block::AllDay))
      --shown;
  }
  int y = r.y;
  for (std::size_t i = from; i < shown; ++i) {
    const Block& b = blocks[i];
    const bool lastRow = i + 1 == shown || blocks[i + 1].kind != Block::Row;
    drawBlock(ui, {r.x, y, r.width, b.height}, b, lastRow);
    y += b.height;
  }
  std::uint64_t hidden = beyond;
  for (std::size_t i = shown; i < blocks.size(); ++i) hidden += blocks[i].kind == Block::Row;
  if (more && hidden > 0)
    ui.c.text(fmt::format("+{} more", hidden), {r.x, r.y + r.height - moreH, r.width, moreH},
              {.sizePx = 18 * ui.s,
               .weight = 700,
               .color = Shade::Grey5,
               .align = Align::Right,
               .valign = VAlign::Middle});
  return shown;
}

// All-day items that get a strip on `day`: those covering today, and on
// later days those starting then (a week-long event is not repeated daily).
std::vector<const AgendaItem*> allDayFor(const Agenda& agenda, ics::Date day, ics::Date today) {
  std::vector<const AgendaItem*> out;
  for (const AgendaItem& it : agenda.items)
    if (it.allDay && (day == today ? coversDate(it, day) : it.startDate == day)) out.push_back(&it);
  return out;
}

// Rows get a second title line, top to bottom, while the column has room for it.
void growTitles(Ui& ui, std::vector<Block>& list, int width, int room) {
  int used = 0;
  for (const Block& b : list) used += b.height;
  const int extra = ui.px(25);
  for (Block& b : list) {
    if (b.kind != Block::Row || used + extra > room) continue;
    const int w = titleWidth(ui, width, *b.item);
    if (!ui.c.measureText(ltrField(b.item->summary), w, rowTitleStyle(ui, *b.item, 1)).ellipsized)
      continue;
    b.titleLines = 2;
    b.height += extra;
    used += extra;
  }
}

}  // namespace

void drawFourByEight(Canvas& c, const Agenda& agenda, const LayoutContext& ctx) {
  const int w = c.width();
  const int h = c.height();
  const bool landscape = w > h;
  const double s = landscape ? std::min(w / 800.0, h / 480.0) : std::min(w / 480.0, h / 800.0);
  const Focus f = focusAt(agenda, ctx.now, *ctx.zone, ctx.skipped);
  Ui ui{c, ctx, s, int(std::lround(18 * s)), c.theme().eink(), f.today};
  c.clear(Shade::White);

  const int headerH = ui.px(landscape ? 84 : 96);
  drawHeader(ui, {0, 0, w, headerH}, f.today);
  const Rect body{ui.pad, headerH + ui.px(10), w - 2 * ui.pad, h - headerH - ui.px(16)};

  // Head: today's all-day strip, the meeting the countdown serves when it runs, or a
  // calm message. List: what else runs (under NOW), then the rest by day.
  std::vector<Block> head;
  std::vector<Block> list;
  const int rowH = ui.px(landscape ? 62 : 64);
  const int sepH = ui.px(38);
  const int stripH = ui.px(42);
  const int colGap = ui.px(24);
  const int leftW = landscape ? (body.width - colGap) / 2 : body.width;
  if (!ctx.state.haveData) {
    head.push_back({.kind = Block::Message,
                    .height = ui.px(110),
                    .title = "Waiting for calendar data",
                    .subtitle = "The agenda appears after the first sync."});
  } else {
    // A strip for the items a day has, or for those the store's screen budget left out.
    const std::uint64_t todayLeftOut = allDayLeftOut(agenda, f.today, f.today);
    if (!f.allDayToday.empty() || todayLeftOut > 0)
      head.push_back({.kind = Block::AllDay,
                      .height = stripH,
                      .allDay = f.allDayToday,
                      .allDayLeftOut = todayLeftOut});

    // Running rows first, under NOW, whatever day they started.
    std::vector<const AgendaItem*> running(f.alsoNow.begin(), f.alsoNow.end());
    running.insert(running.end(), f.runningContext.begin(), f.runningContext.end());
    std::stable_sort(running.begin(), running.end(),
                     [](const AgendaItem* a, const AgendaItem* b) { return a->start < b->start; });
    if (!running.empty())
      list.push_back({.kind = Block::DaySeparator, .height = sepH, .running = true});
    for (const AgendaItem* it : running)
      list.push_back({.kind = Block::Row, .height = rowH, .item = it, .running = true});

    // Upcoming rows: today's remaining meetings, then the next days.
    bool todayHasRows = false;
    ics::Date lastDay{};
    bool first = true;
    for (const AgendaItem& it : agenda.items) {
      if (it.allDay || it.start < ctx.now) continue;  // all-day: strips; started: above
      if (it.start == it.end && it.start < ctx.now) continue;
      const ics::Date day = ctx.zone->dateOf(it.start);
      if (first || day != lastDay) {
        if (day != f.today || f.current || !running.empty())
          list.push_back({.kind = Block::DaySeparator, .height = sepH, .day = day});
        if (day != f.today) {
          auto strip = allDayFor(agenda, day, f.today);
          const std::uint64_t leftOut = allDayLeftOut(agenda, day, f.today);
          if (!strip.empty() || leftOut > 0)
            list.push_back({.kind = Block::AllDay,
                            .height = stripH,
                            .day = day,
                            .allDay = std::move(strip),
                            .allDayLeftOut = leftOut});
        }
        lastDay = day;
        first = false;
      }
      if (day == f.today) todayHasRows = true;
      list.push_back({.kind = Block::Row, .height = rowH, .item = &it, .day = day});
    }
    if (f.current) {
      head.push_back(
          {.kind = Block::Row, .height = nowCardHeight(ui, leftW, *f.current), .item = f.current});
    }
    if (landscape && !f.current && todayHasRows && f.served && !f.servedRunning) {
      // The wide screen has room to say what the gap is.
      head.push_back(
          {.kind = Block::Message,
           .height = ui.px(100),
           .title = fmt::format("Free until {}", clockTime(f.served->start, *ctx.zone, ctx.use24h)),
           .subtitle = ltrLine(fmt::format("{} · {}", startsIn(f.served->start - ctx.now),
                                           isolate(f.served->summary)))});
    }
    if (!f.current && !todayHasRows && running.empty()) {
      std::string sub;
      if (list.empty()) sub = nothingAheadText(agenda, ctx.now) + ".";
      head.push_back({.kind = Block::Message,
                      .height = ui.px(sub.empty() ? 76 : 100),
                      .title = restOfDayText(f),
                      .subtitle = sub});
    }
  }

  // At most screen::kMaxRows rows (what the store's screen budget is derived from); the rest,
  // and the rows the budget left out of the store, are counted in "+N more".
  std::uint64_t beyond = agenda.rowsLeftOut;
  std::size_t rows = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i].kind != Block::Row || ++rows <= ics::screen::kMaxRows) continue;
    for (std::size_t k = i; k < list.size(); ++k) beyond += list[k].kind == Block::Row;
    list.resize(i);
    while (!list.empty() && list.back().kind != Block::Row) list.pop_back();
    break;
  }

  // The running meeting is drawn as the Now card, not as a row.
  auto drawHead = [&](Rect r) {
    int y = r.y;
    for (const Block& b : head) {
      const Rect br{r.x, y, r.width, b.height};
      if (b.kind == Block::Row)
        drawNowCard(ui, {br.x, br.y + ui.px(4), br.width, br.height - ui.px(8)}, *b.item);
      else
        drawBlock(ui, br, b, false);
      y += b.height;
    }
    return y - r.y;
  };

  if (!landscape || list.empty()) {  // nothing for a second column: one calm column
    int headH = 0;
    for (const Block& b : head) headH += b.height;
    growTitles(ui, list, body.width, body.height - headH);
    const int used = drawHead(body);
    (void)drawColumn(ui, {body.x, body.y + used, body.width, body.height - used}, list, 0, true,
                     beyond);
    return;
  }
  // Landscape: the list runs down the left column under the head, then on in the right
  // one (its day heading repeated), which says "+N more" for what is left.
  const int used = drawHead({body.x, body.y, leftW, body.height});
  const Rect left{body.x, body.y + used, leftW, body.height - used};
  const Rect right{body.x + leftW + colGap, body.y, body.width - leftW - colGap, body.height};
  growTitles(ui, list, leftW, left.height + right.height);
  std::size_t next = drawColumn(ui, left, list, 0, false);
  if (next < list.size() && list[next].kind == Block::Row) {
    // The continuation keeps its heading: the heading of the row's group, repeated.
    std::size_t sep = next;
    while (sep > 0 && list[sep].kind != Block::DaySeparator) --sep;
    Block heading = list[sep].kind == Block::DaySeparator
                        ? list[sep]
                        : Block{.kind = Block::DaySeparator, .height = sepH, .day = f.today};
    list.insert(list.begin() + long(next), heading);
  }
  (void)drawColumn(ui, right, list, next, true, beyond);
}

}  // namespace cb::layouts
