// render: frames, hashes, damage rectangles, text drawing and PNG round trips.
#include <catch2/catch.hpp>

#include <cstdio>

#include "render/canvas.hpp"
#include "render/frame.hpp"

using namespace cb::render;

namespace {
int darkPixels(const Frame& f, Rect r) {
  int n = 0;
  for (int y = r.y; y < r.y + r.height; ++y)
    for (int x = r.x; x < r.x + r.width; ++x)
      if ((f.at(x, y) & 0xff) < 0x80) ++n;
  return n;
}
}  // namespace

TEST_CASE("hash and damage follow the pixels", "[render]") {
  Frame a(100, 50), b(100, 50);
  CHECK(a.hash() == b.hash());
  CHECK(damage(a, b).empty());
  b.pixels()[std::size_t(20 * 100 + 30)] = 0xff000000;
  b.pixels()[std::size_t(25 * 100 + 70)] = 0xff000000;
  CHECK(a.hash() != b.hash());
  CHECK(damage(a, b) == Rect{30, 20, 41, 6});
  CHECK(damage(a, Frame(10, 10)) == Rect{0, 0, 10, 10});
}

TEST_CASE("text is drawn inside its box, in both themes", "[render]") {
  for (const Theme* theme : {&lcdTheme(), &einkTheme()}) {
    Frame f(300, 200);
    {
      Canvas c(f, *theme);
      c.clear(Shade::White);
      c.text("Hello 世界 مرحبا 👋", {10, 10, 280, 40}, {.sizePx = 24});
    }
    CHECK(darkPixels(f, {10, 10, 280, 40}) > 50);
    CHECK(darkPixels(f, {0, 60, 300, 140}) == 0);
    if (theme->kind == ThemeKind::Eink) {
      for (std::uint32_t p : f.pixels()) {
        const std::uint32_t rgb = p & 0xffffff;
        REQUIRE((rgb == 0 || rgb == 0xffffff));
      }
    }
  }
}

TEST_CASE("long text is ellipsized, never overflowing its box", "[render]") {
  Frame f(200, 200);
  std::string title;
  for (int i = 0; i < 100; ++i) title += "word ";
  Canvas c(f, lcdTheme());
  c.clear(Shade::White);
  const int used = c.text(title, {0, 0, 200, 60}, {.sizePx = 20, .maxLines = 2});
  CHECK(used <= 60);
  CHECK(darkPixels(f, {0, 60, 200, 140}) == 0);
  const Rect m = c.measure(title, 200, {.sizePx = 20, .maxLines = 2});
  CHECK(m.height < 60);
}

TEST_CASE("fitText shrinks before it ellipsizes", "[render]") {
  Frame f(200, 100);
  Canvas c(f, lcdTheme());
  const Rect big = c.measure("A fairly long meeting title", 200, {.sizePx = 40, .maxLines = 1});
  const Rect fitted = c.measure("A fairly long meeting title", 200, {.sizePx = 14, .maxLines = 1});
  CHECK(fitted.height < big.height);
  const int used = c.fitText("A fairly long meeting title", {0, 0, 200, 30}, {.sizePx = 40}, 10);
  CHECK(used <= 30);
}

TEST_CASE("PNG write and read round-trip exactly", "[render]") {
  Frame f(64, 32);
  {
    Canvas c(f, lcdTheme());
    c.clear(Shade::Grey2);
    c.fillRoundedRect({4, 4, 40, 20}, 6, Shade::Black);
  }
  const std::string path = "render-roundtrip.png";
  REQUIRE(writePng(f, path).empty());
  Frame back;
  REQUIRE(readPng(path, back));
  CHECK(back.width() == 64);
  CHECK(back.height() == 32);
  CHECK(back.hash() == f.hash());
  std::remove(path.c_str());
  CHECK_FALSE(readPng("does-not-exist.png", back));
}

TEST_CASE("the e-ink rule thresholds every shade at 50 % luminance", "[render]") {
  const Theme& eink = einkTheme();
  for (Shade s : {Shade::White, Shade::Grey1, Shade::Grey2, Shade::Grey3}) {
    CHECK(eink.rgb(s) == 0xffffff);
    CHECK_FALSE(eink.isDark(s));
  }
  for (Shade s : {Shade::Grey4, Shade::Grey5, Shade::Grey6, Shade::Black}) {
    CHECK(eink.rgb(s) == 0x000000);
    CHECK(eink.isDark(s));
  }
  CHECK(lcdTheme().rgb(Shade::Grey4) == 0x757575);
  CHECK(eink.line(1) == 2);  // no hairlines on e-ink
  CHECK(lcdTheme().line(1) == 1);
}

TEST_CASE("the hash sees every pixel, including the last of an odd frame", "[render]") {
  Frame a(33, 7), b(33, 7);
  b.pixels().back() = 0xff000000;
  CHECK(a.hash() != b.hash());
  CHECK(damage(a, b) == Rect{32, 6, 1, 1});
  CHECK(Frame(7, 33).hash() != Frame(33, 7).hash());
}

TEST_CASE("the text cache shapes once and drops what a frame no longer uses", "[render]") {
  TextCache cache;
  Frame f(200, 100);
  const auto frameWith = [&](const char* text) {
    Canvas c(f, lcdTheme(), cache);
    c.clear(Shade::White);
    c.text(text, {0, 0, 200, 40}, {.sizePx = 20});
    c.fitText(text, {0, 50, 120, 30}, {.sizePx = 40}, 10);
  };
  frameWith("Daily stand-up");
  const auto misses = cache.misses();
  CHECK(misses > 0);
  frameWith("Daily stand-up");
  CHECK(cache.misses() == misses);
  CHECK(cache.hits() > 0);
  const std::size_t both = [&] {
    frameWith("Lunch");
    return cache.size();
  }();
  for (std::uint64_t i = 0; i < TextCache::kKeepFrames; ++i) frameWith("Lunch");
  // The stand-up's layouts went unused for kKeepFrames frames: dropped.
  TextCache fresh;
  {
    Canvas c(f, lcdTheme(), fresh);
    c.text("Lunch", {0, 0, 200, 40}, {.sizePx = 20});
    c.fitText("Lunch", {0, 50, 120, 30}, {.sizePx = 40}, 10);
  }
  CHECK(cache.size() < both);
  // What stays: "Lunch" at 20 px and at the size fitText settled on; the
  // trial sizes of its first search went unused and were dropped too.
  CHECK(cache.size() == 2);
  CHECK(fresh.size() > 2);
  cache.clear();
  CHECK(cache.size() == 0);
}
