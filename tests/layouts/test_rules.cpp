// Issue 14's rules, each through its real interface: what the screen says on office calendars.
#include <pango/pangocairo.h>
#include <catch2/catch.hpp>

#include "ics/screen_tally.hpp"
#include "ics/store.hpp"
#include "layouts/focus.hpp"
#include "layouts/format.hpp"
#include "layouts/layout.hpp"
#include "layouts/whats_next.hpp"
#include "render/canvas.hpp"
#include "support.hpp"

using namespace cb;
using namespace std::chrono;

namespace {

const ics::TimeZone& berlin() {
  return *ics::TimeZone::locate("Europe/Berlin");
}

ics::Instant at(const char* local) {
  return *ics::parseIsoInstant(local, berlin());
}

const ics::EventStore& officeStore() {
  static const ics::EventStore store = [] {
    ics::IngestOptions options;
    options.displayZone = &berlin();
    options.ownerEmails = {"owner@example.com"};
    ics::LoadResult r = ics::loadFile(test::fixture("office-week.ics"), options);
    REQUIRE(r.error.empty());
    return std::move(r.store);
  }();
  return store;
}

layouts::Agenda officeAgenda(ics::Instant now, layouts::AgendaOptions options = {}) {
  const ics::EventStore* stores[] = {&officeStore()};
  return layouts::buildAgenda(stores, now, options);
}

const layouts::AgendaItem* find(const layouts::Agenda& a, std::string_view title) {
  for (const auto& i : a.items)
    if (i.summary == title) return &i;
  return nullptr;
}

std::string titleOf(const layouts::AgendaItem* item) {
  return item ? item->summary : "(none)";
}

}  // namespace

TEST_CASE("rule 1: times carry their day when start or end is not that day", "[rules]") {
  const ics::Date mon = berlin().dateOf(at("2025-03-17T12:00:00"));
  CHECK(layouts::eventTimes(at("2025-03-16T09:00:00"), at("2025-03-19T17:00:00"), mon, berlin(),
                            true) == "Sun 09:00 – Wed 17:00");
  CHECK(layouts::eventTimes(at("2025-03-17T09:00:00"), at("2025-03-17T17:00:00"), mon, berlin(),
                            true) == "09:00 – 17:00");
  CHECK(layouts::eventTimes(at("2025-03-17T23:30:00"), at("2025-03-18T00:30:00"), mon, berlin(),
                            false) == "Mon 11:30 PM – Tue 12:30 AM");
  // An end at midnight belongs to the day before.
  CHECK(layouts::eventTimes(at("2025-03-17T22:00:00"), at("2025-03-18T00:00:00"), mon, berlin(),
                            true) == "22:00 – 00:00");
  // Rule 8: a zero-length reminder is one time, not "10:00 – 10:00".
  CHECK(layouts::eventTimes(at("2025-03-17T10:00:00"), at("2025-03-17T10:00:00"), mon, berlin(),
                            true) == "10:00");
}

TEST_CASE("rule 2: the countdown serves the next moment to move", "[rules]") {
  // 09:05: the summit (multi-day), the 8-hour training and focus time run; none is served.
  const auto now = at("2025-03-17T09:05:00");
  const auto a = officeAgenda(now);
  const layouts::Focus f = layouts::focusAt(a, now, berlin());
  CHECK(titleOf(f.served) == "Hiring sync 🚀");  // 10:00, ends first of the three
  CHECK_FALSE(f.servedRunning);
  CHECK(f.current == nullptr);
  std::vector<std::string> context;
  for (const auto* it : f.runningContext) context.push_back(it->summary);
  CHECK(context == std::vector<std::string>{
                       "Focus time",
                       "Arbeitsschutzunterweisung für Mitarbeiter des Hauptbetriebsgeländes",
                       "Architecture summit"});
  // Before it starts a long block is a meeting to get to.
  const auto early = at("2025-03-17T07:30:00");
  const auto e = officeAgenda(early);
  CHECK(titleOf(layouts::focusAt(e, early, berlin()).served) ==
        "Arbeitsschutzunterweisung für Mitarbeiter des Hauptbetriebsgeländes");
  // Out of office is context, running or not.
  const auto noon = at("2025-03-17T12:50:00");
  const auto n = officeAgenda(noon);
  const layouts::Focus g = layouts::focusAt(n, noon, berlin());
  CHECK(titleOf(g.served) == "Lunch");  // running, ends 13:00: before the OOF block starts
  CHECK(titleOf(g.next) == "R&D roadmap – Q3 – draft");
  // A meeting starting before the running one ends wins the countdown.
  layouts::Agenda clash;
  layouts::AgendaItem longOne;
  longOne.summary = "Planning";
  longOne.start = noon - hours{1};
  longOne.end = noon + hours{2};
  layouts::AgendaItem soon = longOne;
  soon.summary = "Call";
  soon.start = noon + minutes{10};
  soon.end = noon + minutes{40};
  clash.items = {longOne, soon};
  const layouts::Focus h = layouts::focusAt(clash, noon, berlin());
  CHECK(titleOf(h.served) == "Call");
  REQUIRE(h.alsoNow.size() == 1);
  CHECK(h.alsoNow[0]->summary == "Planning");
}

TEST_CASE("rule 2: lunch yields to a business meeting within 30 minutes", "[rules]") {
  const auto now = at("2025-03-17T11:40:00");
  const auto a = officeAgenda(now);
  CHECK(titleOf(layouts::focusAt(a, now, berlin()).served) == "Customer call ✅ 🎉");
  CHECK(layouts::isLunch(*find(a, "Lunch")));
  layouts::AgendaItem learn;
  learn.summary = "Lunch & learn: Kubernetes operators";
  CHECK_FALSE(layouts::isLunch(learn));
}

TEST_CASE("a skipped meeting leaves the countdown until it ends", "[rules]") {
  const auto now = at("2025-03-17T11:40:00");
  const auto a = officeAgenda(now);
  const auto* call = find(a, "Customer call ✅ 🎉");
  REQUIRE(call);
  const layouts::SkipKey skip = layouts::skipKeyOf(*call);
  const std::vector<layouts::SkipKey> skipped{skip};
  CHECK(titleOf(layouts::focusAt(a, now, berlin(), skipped).served) == "Lunch");
  // The whats-next frame follows the skip.
  layouts::LayoutContext ctx;
  ctx.now = now;
  ctx.zone = &berlin();
  const auto* wn = layouts::findLayout("whats-next");
  const auto before = layouts::renderFrame(*wn, a, ctx, render::lcdTheme(), 480, 800);
  ctx.skipped = skipped;
  const auto after = layouts::renderFrame(*wn, a, ctx, render::lcdTheme(), 480, 800);
  CHECK(before.hash() != after.hash());
}

TEST_CASE("rule 3: clashes are counted and named", "[rules]") {
  const auto before = at("2025-03-17T09:30:00");
  const auto a = officeAgenda(before);
  const layouts::Focus f = layouts::focusAt(a, before, berlin());
  CHECK(f.sameStart.size() == 2);
  const auto during = at("2025-03-17T10:10:00");
  const auto b = officeAgenda(during);
  const layouts::Focus g = layouts::focusAt(b, during, berlin());
  CHECK(titleOf(g.current) == "Hiring sync 🚀");
  REQUIRE(g.alsoNow.size() == 2);
  layouts::LayoutContext ctx;
  ctx.now = during;
  ctx.zone = &berlin();
  const std::string status = layouts::whatsNextStatus(g, ctx);
  CHECK(status.find("Sprint review") != std::string::npos);
  CHECK(status.find("产品路线图评审") != std::string::npos);
}

TEST_CASE("rule 4: stale-data times carry their day", "[rules]") {
  const auto mon = at("2025-03-17T12:45:00");
  CHECK(layouts::stamp(at("2025-03-17T09:02:00"), mon, berlin(), true) == "09:02");
  CHECK(layouts::stamp(at("2025-03-16T23:00:00"), mon, berlin(), true) == "yesterday 23:00");
  CHECK(layouts::stamp(at("2025-03-14T18:05:00"), mon, berlin(), true) == "Fri 18:05");
  CHECK(layouts::stamp(at("2025-03-03T18:05:00"), mon, berlin(), false) == "3 Mar 6:05 PM");
  layouts::LayoutContext ctx;
  ctx.now = mon;
  ctx.zone = &berlin();
  ctx.state.offlineSince = at("2025-03-14T18:05:00");
  CHECK(layouts::offlineText(ctx) == "Offline since Fri 18:05");
  // Offline keeps the "Next:" line.
  const auto a = officeAgenda(mon);
  CHECK(layouts::whatsNextStatus(layouts::focusAt(a, mon, berlin()), ctx) ==
        "\u200eNext: 14:00 \u200e\u202aR&D roadmap – Q3 – draft\u202c\u200e");
}

TEST_CASE("rule 5: calendar fields are isolated, composed lines run left to right", "[rules]") {
  // An embedding of the field's first strong direction between left-to-right marks.
  CHECK(layouts::isolate("חדר") == "\u200e\u202bחדר\u202c\u200e");
  CHECK(layouts::isolate("2 · قاعة") == "\u200e\u202b2 · قاعة\u202c\u200e");
  CHECK(layouts::isolate("Raum חדר") == "\u200e\u202aRaum חדר\u202c\u200e");
  CHECK(layouts::isolate("12:00 \u2067חדר\u2069 Raum") ==
        "\u200e\u202a12:00 \u2067חדר\u2069 Raum\u202c\u200e");  // P2 skips isolates
  CHECK(layouts::isolate("") == "\u200e\u202a\u202c\u200e");
  CHECK(layouts::ltrLine("x") == "\u200ex");
  // Pango agrees: the time range stays at the left of a line that ends in Hebrew.
  PangoFontMap* map = pango_cairo_font_map_get_default();
  PangoContext* context = pango_font_map_create_context(map);
  PangoLayout* layout = pango_layout_new(context);
  const std::string line = layouts::ltrLine("11:00 – 11:30 · " + layouts::isolate("חדר ישיבות 2"));
  pango_layout_set_text(layout, line.c_str(), -1);
  CHECK(pango_layout_get_direction(layout, 0) == PANGO_DIRECTION_LTR);
  // The byte of "11:00" is drawn left of the Hebrew.
  PangoRectangle time, hebrew;
  pango_layout_index_to_pos(layout, int(line.find("11:00")), &time);
  pango_layout_index_to_pos(layout, int(line.find("חדר")), &hebrew);
  CHECK(time.x < hebrew.x);
  // Two right-to-left fields keep their order in the line: neither is drawn right of the other
  // as one right-to-left run would draw them.
  const std::string both = layouts::ltrLine("Also now: " + layouts::isolate("חדר א") + " · " +
                                            layouts::isolate("חדר ב"));
  pango_layout_set_text(layout, both.c_str(), -1);
  PangoRectangle first, second;
  pango_layout_index_to_pos(layout, int(both.find("חדר א")), &first);
  pango_layout_index_to_pos(layout, int(both.find("חדר ב")), &second);
  CHECK(first.x < second.x);
  // Every character, the controls too, is shaped with a font that has it: Pango measures one
  // the font lacks as a hex box, and that loads a monospace font never drawn.
  const std::string fields = layouts::ltrField("R&D roadmap") + " " + layouts::isolate("会議") +
                             " " + layouts::isolate("قاعة");
  PangoFontDescription* desc = pango_font_description_from_string(cb::render::kFontFamilies);
  pango_font_description_set_weight(desc, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description(layout, desc);
  pango_font_description_free(desc);
  pango_layout_set_text(layout, fields.c_str(), -1);
  int lacking = 0, chars = 0;
  for (GSList* run = pango_layout_get_line_readonly(layout, 0)->runs; run; run = run->next) {
    const PangoItem* item = static_cast<PangoGlyphItem*>(run->data)->item;
    for (const char* p = fields.c_str() + item->offset;
         p < fields.c_str() + item->offset + item->length; p = g_utf8_next_char(p), ++chars)
      lacking += !pango_font_has_char(item->analysis.font, g_utf8_get_char(p));
  }
  CHECK(chars == int(g_utf8_strlen(fields.c_str(), -1)));
  CHECK(lacking == 0);
  g_object_unref(layout);
  g_object_unref(context);
}

TEST_CASE("rule 6: free all-day items show by default, free timed ones per option", "[rules]") {
  const auto now = at("2025-03-17T09:00:00");
  const auto a = officeAgenda(now);
  CHECK(find(a, "St. Patrick's Day ☘"));
  const layouts::Focus f = layouts::focusAt(a, now, berlin());
  REQUIRE(f.allDayToday.size() == 1);
  CHECK(f.allDayToday[0]->busy == ics::BusyStatus::Free);
}

TEST_CASE("rule 8: cancel prefixes, HTML references, vocabulary", "[rules]") {
  const auto now = at("2025-03-17T13:50:00");
  const auto a = officeAgenda(now);
  CHECK(find(a, "Canceled: Budget review") == nullptr);
  CHECK(find(a, "R&D roadmap – Q3 – draft"));
  CHECK(ics::hasCancelPrefix("Abgesagt: Jour fixe"));
  CHECK(ics::hasCancelPrefix("CANCELLED: x"));
  CHECK_FALSE(ics::hasCancelPrefix("Cancellation policy review"));
  CHECK(layouts::cleanText("R&amp;D &lt;b&gt; &#x2013; &#8211; &bogus; &#;") ==
        "R&D <b> – – &bogus; &#;");
  // One duration vocabulary: the countdown's units in small text.
  CHECK(layouts::countdown(hours{55} + minutes{30}).units == "DAYS 7 HOURS");
  CHECK(layouts::remaining(hours{55} + minutes{30}) == "2 days 7 h left");
  CHECK(layouts::startsIn(minutes{65}) == "in 1 h 5 min");
  // The empty window says how far it looked.
  const auto sat = at("2025-03-22T10:00:00");
  const auto empty = officeAgenda(sat);
  CHECK(layouts::nothingAheadText(empty, sat) == "No meetings in the next 7 days");
}

TEST_CASE("rule 9: every script draws without a missing-glyph box", "[rules]") {
  // One line per script and the emoji of the scenarios; Pango reports a glyph it
  // could not find as PANGO_GLYPH_UNKNOWN_FLAG (drawn as a hex box).
  const std::vector<std::string> lines = {
      "Arbeitsschutzunterweisung Überlingen",
      "Ελληνικά Русский",
      "פגישת צוות שבועית",
      "اجتماع المراجعة الأسبوعي",
      "产品路线图评审",
      "東京チーム ミーティング",
      "서울 팀 회의",
      "🎉 🚀 ✅ 🇩🇪 👩‍💻 ☕ ✔ ☎ ♥ ★ ⚠ → ✈"};
  for (const render::Theme* theme : {&render::lcdTheme(), &render::einkTheme()}) {
    for (const std::string& line : lines) {
      INFO(line);
      render::TextSize size;
      PangoLayout* layout =
          render::TextCache::shared().layout(*theme, line, 0, {.sizePx = 24}, &size);
      int unknown = 0;
      PangoLayoutIter* iter = pango_layout_get_iter(layout);
      do {
        PangoLayoutRun* run = pango_layout_iter_get_run_readonly(iter);
        if (!run) continue;
        for (int i = 0; i < run->glyphs->num_glyphs; ++i)
          if (run->glyphs->glyphs[i].glyph & PANGO_GLYPH_UNKNOWN_FLAG) ++unknown;
      } while (pango_layout_iter_next_run(iter));
      pango_layout_iter_free(iter);
      CHECK(unknown == 0);
    }
  }
}

TEST_CASE("rule 11: no text below the floor, raised on denser panels", "[rules]") {
  CHECK(layouts::minTextPx(480, 800, 0) == Approx(18));
  CHECK(layouts::minTextPx(800, 480, 0) == Approx(18));
  CHECK(layouts::minTextPx(240, 400, 0) == Approx(9));
  CHECK(layouts::minTextPx(480, 800, 124) == Approx(18));  // a 7.5" panel: not below 18
  CHECK(layouts::minTextPx(480, 800, 300) == Approx(18 * 300 / 217.0));
  const auto now = at("2025-03-17T13:50:00");
  const auto a = officeAgenda(now);
  for (const layouts::LayoutInfo& layout : layouts::allLayouts()) {
    for (int dpi : {0, 300}) {
      layouts::LayoutContext ctx;
      ctx.now = now;
      ctx.zone = &berlin();
      ctx.dpi = dpi;
      ctx.state.lastSync = now - minutes{3};
      layouts::RenderStats stats;
      (void)layouts::renderFrame(layout, a, ctx, render::einkTheme(), 480, 800, &stats);
      INFO(layout.name << " dpi " << dpi);
      CHECK(stats.smallestTextPx >= layouts::minTextPx(480, 800, dpi) - 1e-9);
      CHECK(stats.smallestTextPx > 0);
    }
  }
}

TEST_CASE("rule 12: a row's pill never covers its location line", "[rules]") {
  // A row starting within the hour carries an "in 30 min" pill at its right end; a long
  // location must stop left of it, at both sizes.
  const auto now = at("2025-03-17T09:00:00");
  for (auto [w, h] : {std::pair{480, 800}, std::pair{800, 480}}) {
    auto frameWith = [&](std::string where) {
      layouts::Agenda a;
      layouts::AgendaItem it;
      it.start = now + minutes{30};
      it.end = it.start + minutes{30};
      it.summary = "Review";
      it.location = std::move(where);
      a.items.push_back(it);
      layouts::LayoutContext ctx;
      ctx.now = now;
      ctx.zone = &berlin();
      return layouts::renderFrame(*layouts::findLayout("4x8"), a, ctx, render::lcdTheme(), w, h);
    };
    const render::Frame shortWhere = frameWith("Room 1");
    const render::Frame longWhere = frameWith(std::string(40, 'W') + " building, floor 7, wing B");
    const render::Rect d = render::damage(shortWhere, longWhere);
    INFO(w << "x" << h);
    REQUIRE_FALSE(d.empty());
    // The pill ("in 30 min", at least 90 px wide at 18 px bold) ends 18 px from the edge.
    CHECK(d.x + d.width <= w - 18 - 90);
  }
}

TEST_CASE("rule 13: a German compound broken across lines gets no hyphen", "[rules]") {
  // Pango inserts a hyphen glyph where it breaks a word; the layouts turn that off
  // (it fell mid-syllable: "hauptbet-riebs"). Broken or not, glyphs = characters.
  const std::string word = "Hauptbetriebsgeländeerweiterungsplanung";
  render::TextSize size;
  PangoLayout* layout = render::TextCache::shared().layout(
      render::lcdTheme(), word, 150, {.sizePx = 24, .weight = 700, .maxLines = 10}, &size);
  REQUIRE(pango_layout_get_line_count(layout) > 1);  // it does break
  REQUIRE_FALSE(size.ellipsized);
  int glyphs = 0;
  PangoLayoutIter* iter = pango_layout_get_iter(layout);
  do {
    if (PangoLayoutRun* run = pango_layout_iter_get_run_readonly(iter))
      glyphs += run->glyphs->num_glyphs;
  } while (pango_layout_iter_next_run(iter));
  pango_layout_iter_free(iter);
  CHECK(glyphs == g_utf8_strlen(word.c_str(), -1));
}

TEST_CASE("rule 8: a meeting ending in the repeated autumn hour ends at its first occurrence",
          "[rules]") {
  // 01:30-02:30 on 2025-10-26 in Berlin: 02:30 happens twice; RFC 5545 3.3.5 takes the first
  // (CEST), so the meeting lasts an hour and at 01:45 it ends in 45 minutes.
  const layouts::Agenda a = officeAgenda(at("2025-10-26T01:45:00"));
  const layouts::AgendaItem* handover = find(a, "Night shift handover");
  REQUIRE(handover != nullptr);
  CHECK(handover->end - handover->start == hours{1});
  CHECK(ics::formatUtc(handover->end) == "2025-10-26T00:30:00Z");
}

TEST_CASE("rule 12: the 4x8 offline pill shows its whole time with its day, beside the date",
          "[rules]") {
  // Wednesday 24 September (the long month), offline since a time whose words are long on the
  // 12-hour clock. The pill's text is never cut, never below 18 px, has room inside its pill,
  // and neither it nor the date covers the other.
  const auto now = at("2025-09-24T10:00:00");
  struct Case {
    const char* since;
    bool use24h;
    const char* when;
  };
  const Case cases[] = {{"2025-09-23T23:05:00", false, "YESTERDAY 11:05 PM"},
                        {"2025-09-23T23:05:00", true, "YESTERDAY 23:05"},
                        {"2025-09-19T18:05:00", false, "FRI 6:05 PM"},
                        {"2025-09-10T23:05:00", false, "10 SEP 11:05 PM"},
                        {"2025-09-24T09:58:00", false, "9:58 AM"}};
  for (const Case& k : cases)
    for (auto [w, h] : {std::pair{480, 800}, std::pair{800, 480}})
      for (const render::Theme* theme : {&render::lcdTheme(), &render::einkTheme()}) {
        layouts::LayoutContext ctx;
        ctx.now = now;
        ctx.zone = &berlin();
        ctx.use24h = k.use24h;
        ctx.state.offlineSince = at(k.since);
        layouts::RenderStats stats;
        (void)layouts::renderFrame(*layouts::findLayout("4x8"), layouts::Agenda{}, ctx, *theme, w,
                                   h, &stats);
        INFO(k.since << (k.use24h ? " 24h " : " 12h ") << w << "x" << h << " "
                     << (theme == &render::lcdTheme() ? "lcd" : "eink"));
        std::vector<const render::DrawnText*> pill;
        const render::DrawnText* date = nullptr;
        std::string pillText;
        for (const render::DrawnText& t : stats.texts) {
          if (t.text.find("OFFLINE") != std::string::npos || t.text.find(k.when) == 0) {
            pill.push_back(&t);
            pillText += t.text + " ";
          }
          if (t.text.find("2025") != std::string::npos) date = &t;
        }
        INFO("pill: " << pillText);
        REQUIRE(date != nullptr);
        REQUIRE_FALSE(pill.empty());
        CHECK(pillText.find(k.when) != std::string::npos);
        CHECK_FALSE(date->ellipsized);
        CHECK_FALSE(date->clipped);
        CHECK(date->width <= date->box.width);
        for (const render::DrawnText* p : pill) {
          INFO(p->text);
          CHECK_FALSE(p->ellipsized);
          CHECK_FALSE(p->clipped);
          CHECK(p->sizePx >= 18);
          // Clear of the pill's rounded ends: at least 6 px either side.
          CHECK(p->width + 12 <= p->box.width);
          CHECK(p->box.x + p->box.width <= w);
          const render::Rect& a = p->box;
          const render::Rect& b = date->box;
          const bool apart = a.x >= b.x + b.width || b.x >= a.x + a.width ||
                             a.y >= b.y + b.height || b.y >= a.y + a.height;
          CHECK(apart);
        }
      }
}
