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
  std::vector<const AgendaItem*> allDay{};
  std::string title{};     // Message
  std::string subtitle{};  // Message
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
  c.fitText(weekdayName(today), {in.x, top, in.width * 3 / 5, ui.px(44)},
            {.sizePx = 36 * ui.s, .weight = 700, .color = Shade::White, .valign = VAlign::Bottom},
            24 * ui.s);
  const int line2 = top + ui.px(46);
  const int lineH = r.y + r.height - line2 - ui.px(8);
  c.text(dayMonthYear(today), {in.x, line2, in.width / 2, lineH},
         {.sizePx = 20 * ui.s, .color = Shade::Grey3, .valign = VAlign::Middle});

  const auto& st = ui.ctx.state;
  const auto& zone = *ui.ctx.zone;
  if (st.offlineSince) {
    const std::string text =
        fmt::format("OFFLINE SINCE {}", clockTime(*st.offlineSince, zone, ui.ctx.use24h));
    const TextStyle style{.sizePx = 14 * ui.s,
                          .weight = 700,
                          .color = Shade::Black,
                          .align = Align::Center,
                          .letterSpacingPx = ui.s,
                          .valign = VAlign::Middle};
    const int w = c.measureText(text, 0, style).width + ui.px(18);
    const int h = ui.px(26);
    const Rect pill{in.x + in.width - w, line2 + (lineH - h) / 2, w, h};
    c.fillRoundedRect(pill, h / 2.0, Shade::White);
    c.text(text, pill, style);
  } else {
    const std::string text =
        !st.haveData  ? std::string("waiting for data")
        : st.lastSync ? fmt::format("updated {}", clockTime(*st.lastSync, zone, ui.ctx.use24h))
                      : std::string{};
    c.text(text, {in.x + in.width / 2, line2, in.width / 2, lineH},
           {.sizePx = 16 * ui.s,
            .color = Shade::Grey3,
            .align = Align::Right,
            .valign = VAlign::Middle});
  }
}

void drawAllDayStrip(Ui& ui, Rect r, const std::vector<const AgendaItem*>& items) {
  Canvas& c = ui.c;
  const Rect strip{r.x, r.y + ui.px(3), r.width, r.height - ui.px(6)};
  if (ui.eink)
    c.strokeRoundedRect(strip, ui.px(6), 2, Shade::Black);
  else
    c.fillRoundedRect(strip, ui.px(6), Shade::Grey2);
  const TextStyle tag{.sizePx = 12 * ui.s,
                      .weight = 700,
                      .color = Shade::Grey5,
                      .letterSpacingPx = ui.s,
                      .valign = VAlign::Middle};
  const int tagW = c.measureText("ALL DAY", 0, tag).width;
  c.text("ALL DAY", {strip.x + ui.px(10), strip.y, tagW + 2, strip.height}, tag);
  std::string text;
  for (const AgendaItem* it : items) {
    if (!text.empty()) text += "  ·  ";
    text += it->summary;
  }
  const int x = strip.x + ui.px(20) + tagW;
  c.text(text, {x, strip.y, strip.x + strip.width - x - ui.px(10), strip.height},
         {.sizePx = 17 * ui.s, .weight = 700, .color = Shade::Grey6, .valign = VAlign::Middle});
}

TextStyle nowTitleStyle(const Ui& ui) {
  return {.sizePx = 26 * ui.s, .weight = 700, .color = Shade::White, .maxLines = 2};
}

// The Now card grows to a second title line when the title needs it.
int nowCardHeight(Ui& ui, int width, const AgendaItem& m) {
  const int titleH = ui.c.measureText(m.summary, width - ui.px(32), nowTitleStyle(ui)).height;
  return ui.px(12 + 22 + 4) + titleH + ui.px(4 + 26 + 12) + ui.px(8);
}

void drawNowCard(Ui& ui, Rect r, const AgendaItem& m) {
  Canvas& c = ui.c;
  c.fillRoundedRect(r, ui.px(12), Shade::Grey6);
  const Rect in{r.x + ui.px(16), r.y + ui.px(12), r.width - ui.px(32), r.height - ui.px(24)};
  const int capH = ui.px(22);
  c.text("NOW", {in.x, in.y, in.width / 2, capH},
         {.sizePx = 14 * ui.s,
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
  std::string detail = timeRange(m.start, m.end, *ui.ctx.zone, ui.ctx.use24h);
  if (!m.location.empty()) detail += "  ·  " + m.location;
  const int detailH = ui.px(26);
  const int titleY = in.y + capH + ui.px(4);
  c.text(m.summary, {in.x, titleY, in.width, in.y + in.height - detailH - ui.px(4) - titleY},
         nowTitleStyle(ui));
  c.text(detail, {in.x, in.y + in.height - detailH, in.width, detailH},
         {.sizePx = 18 * ui.s, .color = Shade::Grey2, .valign = VAlign::Middle});
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
      .sizePx = 16 * ui.s, .color = Shade::Grey5, .align = Align::Center, .maxLines = 2};
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
            16 * ui.s);
  if (sh) c.text(subtitle, {card.x + ui.pad, y + th + ui.px(2), subW, sh}, subStyle);
}

void drawDaySeparator(Ui& ui, Rect r, ics::Date day, ics::Date today) {
  Canvas& c = ui.c;
  std::string label = day == today ? "LATER TODAY" : upper(dayHeading(day, today));
  if (day == today + days{1}) label += " · " + upper(shortDate(day));
  const TextStyle style{.sizePx = 14 * ui.s,
                        .weight = 700,
                        .color = Shade::Grey5,
                        .letterSpacingPx = 1.5 * ui.s,
                        .valign = VAlign::Bottom};
  const int base = r.y + r.height - ui.px(6);
  const Rect textBox{r.x, r.y, r.width, base - r.y};
  c.text(label, textBox, style);
  const int w = std::min(r.width, c.measureText(label, 0, style).width);
  const int x = r.x + w + ui.px(10);
  if (x < r.x + r.width) c.hline(x, base - ui.px(8), r.x + r.width - x, 1, ui.rule());
}

void drawRow(Ui& ui, Rect r, const AgendaItem& m, bool last) {
  Canvas& c = ui.c;
  const auto& ctx = ui.ctx;
  const int timeW = ui.px(ctx.use24h ? 82 : 122);
  const int mid = r.y + r.height / 2;
  const std::string from = clockTime(m.start, *ctx.zone, ctx.use24h);
  const std::string to = clockTime(m.end, *ctx.zone, ctx.use24h);
  c.text(from, {r.x, r.y + ui.px(6), timeW, mid - r.y - ui.px(6)},
         {.sizePx = 21 * ui.s, .weight = 700, .valign = VAlign::Bottom});
  c.text(to, {r.x, mid + ui.px(2), timeW, r.y + r.height - mid - ui.px(8)},
         {.sizePx = 16 * ui.s, .color = Shade::Grey5, .valign = VAlign::Top});

  // "now" or "in 12 min" on rows starting within the hour.
  std::string badge;
  if (isRunning(m, ctx.now))
    badge = "now";
  else if (m.start > ctx.now && m.start - ctx.now <= minutes{60})
    badge = startsIn(m.start - ctx.now);
  int right = r.x + r.width;
  if (!badge.empty()) {
    const TextStyle style{.sizePx = 15 * ui.s,
                          .weight = 700,
                          .color = Shade::White,
                          .align = Align::Center,
                          .valign = VAlign::Middle};
    const int w = c.measureText(badge, 0, style).width + ui.px(16);
    const int h = ui.px(26);
    const Rect pill{right - w, r.y + ui.px(8), w, h};
    c.fillRoundedRect(pill, h / 2.0, Shade::Black);
    c.text(badge, pill, style);
    right -= w + ui.px(8);
  }
  const int x = r.x + timeW;
  std::string where = m.location;
  if (m.tentative) where = where.empty() ? "tentative" : "tentative · " + where;
  const Shade titleShade = m.tentative ? Shade::Grey5 : Shade::Black;
  if (where.empty()) {
    c.text(m.summary, {x, r.y + ui.px(4), right - x, r.height - ui.px(8)},
           {.sizePx = 21 * ui.s, .weight = 700, .color = titleShade, .valign = VAlign::Middle});
  } else {
    c.text(m.summary, {x, r.y + ui.px(6), right - x, mid - r.y - ui.px(6)},
           {.sizePx = 21 * ui.s, .weight = 700, .color = titleShade, .valign = VAlign::Bottom});
    c.text(where, {x, mid + ui.px(2), r.x + r.width - x, r.y + r.height - mid - ui.px(8)},
           {.sizePx = 16 * ui.s, .color = Shade::Grey5, .valign = VAlign::Top});
  }
  if (!last && !ui.eink) c.hline(x, r.y + r.height - 1, r.x + r.width - x, 1, Shade::Grey2);
}

// Places blocks top-down in `r`; the rows that do not fit become "+N more".
void drawColumn(Ui& ui, Rect r, const std::vector<Block>& blocks) {
  int total = 0;
  for (const Block& b : blocks) total += b.height;
  const int moreH = ui.px(32);
  std::size_t shown = blocks.size();
  if (total > r.height) {
    int used = 0;
    shown = 0;
    while (shown < blocks.size() && used + blocks[shown].height <= r.height - moreH)
      used += blocks[shown++].height;
    // A day separator or all-day strip with no row after it says nothing.
    while (shown > 0 && (blocks[shown - 1].kind == Block::DaySeparator ||
                         blocks[shown - 1].kind == Block::AllDay))
      --shown;
  }
  int hidden = 0;
  for (std::size_t i = shown; i < blocks.size(); ++i) hidden += blocks[i].kind == Block::Row;
  int y = r.y;
  for (std::size_t i = 0; i < shown; ++i) {
    const Block& b = blocks[i];
    const Rect br{r.x, y, r.width, b.height};
    const bool lastRow = i + 1 == shown || blocks[i + 1].kind != Block::Row;
    switch (b.kind) {
      case Block::DaySeparator:
        drawDaySeparator(ui, br, b.day, ui.today);
        break;
      case Block::AllDay:
        drawAllDayStrip(ui, br, b.allDay);
        break;
      case Block::Row:
        drawRow(ui, br, *b.item, lastRow);
        break;
      case Block::Message:
        drawMessage(ui, br, b.title, b.subtitle);
        break;
    }
    y += b.height;
  }
  if (hidden > 0)
    ui.c.text(fmt::format("+{} more", hidden), {r.x, r.y + r.height - moreH, r.width, moreH},
              {.sizePx = 18 * ui.s,
               .weight = 700,
               .color = Shade::Grey5,
               .align = Align::Right,
               .valign = VAlign::Middle});
}

// All-day items that get a strip on `day`: those covering today, and on
// later days those starting then (a week-long event is not repeated daily).
std::vector<const AgendaItem*> allDayFor(const Agenda& agenda, ics::Date day, ics::Date today) {
  std::vector<const AgendaItem*> out;
  for (const AgendaItem& it : agenda.items)
    if (it.allDay && (day == today ? coversDate(it, day) : it.startDate == day)) out.push_back(&it);
  return out;
}

}  // namespace

void drawFourByEight(Canvas& c, const Agenda& agenda, const LayoutContext& ctx) {
  const int w = c.width();
  const int h = c.height();
  const bool landscape = w > h;
  const double s = landscape ? std::min(w / 800.0, h / 480.0) : std::min(w / 480.0, h / 800.0);
  const Focus f = focusAt(agenda, ctx.now, *ctx.zone);
  Ui ui{c, ctx, s, int(std::lround(18 * s)), c.theme().eink(), f.today};
  c.clear(Shade::White);

  const int headerH = ui.px(landscape ? 84 : 96);
  drawHeader(ui, {0, 0, w, headerH}, f.today);
  const Rect body{ui.pad, headerH + ui.px(10), w - 2 * ui.pad, h - headerH - ui.px(16)};

  // Head: today's all-day strip, the running meeting or a calm message.
  std::vector<Block> head;
  std::vector<Block> list;
  const int rowH = ui.px(landscape ? 58 : 64);
  const int sepH = ui.px(36);
  const int stripH = ui.px(40);
  if (!ctx.state.haveData) {
    head.push_back({.kind = Block::Message,
                    .height = ui.px(110),
                    .title = "Waiting for calendar data",
                    .subtitle = "The agenda appears after the first sync."});
  } else {
    if (!f.allDayToday.empty())
      head.push_back({.kind = Block::AllDay, .height = stripH, .allDay = f.allDayToday});

    // Upcoming rows: today's remaining meetings, then the next days.
    bool todayHasRows = false;
    bool hadToday = false;
    ics::Date lastDay{};
    bool first = true;
    for (const AgendaItem& it : agenda.items) {
      if (it.allDay) continue;
      const ics::Date day = ctx.zone->dateOf(it.start);
      if (day == f.today || (it.start < ctx.now && ctx.now < it.end)) hadToday = true;
      if (&it == f.current) continue;  // drawn as the Now card
      // Over: ended, or a zero-length reminder whose instant has passed.
      if (it.start == it.end ? it.start < ctx.now : it.end <= ctx.now) continue;
      const ics::Date rowDay = std::max(day, f.today);
      if (first || rowDay != lastDay) {
        if (rowDay != f.today || f.current)
          list.push_back({.kind = Block::DaySeparator, .height = sepH, .day = rowDay});
        if (rowDay != f.today) {
          auto strip = allDayFor(agenda, rowDay, f.today);
          if (!strip.empty())
            list.push_back(
                {.kind = Block::AllDay, .height = stripH, .day = rowDay, .allDay = strip});
        }
        lastDay = rowDay;
        first = false;
      }
      if (rowDay == f.today) todayHasRows = true;
      list.push_back({.kind = Block::Row, .height = rowH, .item = &it, .day = rowDay});
    }
    if (f.current) {
      const int width = landscape && !list.empty() ? body.width * 40 / 100 : body.width;
      head.push_back(
          {.kind = Block::Row, .height = nowCardHeight(ui, width, *f.current), .item = f.current});
    }
    if (landscape && !f.current && todayHasRows && f.next) {
      // The wide screen has room to say what the gap is.
      head.push_back(
          {.kind = Block::Message,
           .height = ui.px(100),
           .title = fmt::format("Free until {}", clockTime(f.next->start, *ctx.zone, ctx.use24h)),
           .subtitle = fmt::format("{} · {}", startsIn(f.next->start - ctx.now), f.next->summary)});
    }
    if (!f.current && !todayHasRows) {
      std::string sub;
      if (list.empty()) sub = "Nothing in the coming days.";
      head.push_back({.kind = Block::Message,
                      .height = ui.px(sub.empty() ? 76 : 100),
                      .title = hadToday ? "No more meetings today" : "No meetings today",
                      .subtitle = sub});
    }
  }

  // The running meeting is drawn as the Now card, not as a row.
  auto drawHead = [&](Rect r) {
    int y = r.y;
    for (const Block& b : head) {
      const Rect br{r.x, y, r.width, b.height};
      if (b.kind == Block::Row)
        drawNowCard(ui, {br.x, br.y + ui.px(4), br.width, br.height - ui.px(8)}, *b.item);
      else if (b.kind == Block::AllDay)
        drawAllDayStrip(ui, br, b.allDay);
      else
        drawMessage(ui, br, b.title, b.subtitle);
      y += b.height;
    }
    return y - r.y;
  };

  if (!landscape || list.empty()) {  // nothing for a second column: one calm column
    const int used = drawHead(body);
    drawColumn(ui, {body.x, body.y + used, body.width, body.height - used}, list);
  } else {
    const int leftW = body.width * 40 / 100;
    drawHead({body.x, body.y, leftW, body.height});
    const int gap = ui.px(24);
    const Rect right{body.x + leftW + gap, body.y, body.width - leftW - gap, body.height};
    if (!list.empty() && list.front().kind != Block::DaySeparator)
      list.insert(list.begin(), {.kind = Block::DaySeparator, .height = sepH, .day = f.today});
    drawColumn(ui, right, list);
  }
}

}  // namespace cb::layouts
