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
