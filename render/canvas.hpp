// Canvas: Cairo + Pango drawing onto a Frame, in the theme's colours.
#pragma once

#include <cstdint>
#include <string_view>

#include "render/cairo_ptr.hpp"
#include "render/frame.hpp"
#include "render/theme.hpp"

namespace cb::render {

enum class Align { Left, Center, Right };

struct TextStyle {
  double sizePx = 20;  // font size in pixels
  int weight = 400;    // CSS-like: 400 regular, 700 bold
  Shade color = Shade::Black;
  Align align = Align::Left;
  int maxLines = 1;              // wrap up to this many lines, then ellipsize
  const char* family = nullptr;  // nullptr: the theme's family
};

class Canvas {
 public:
  Canvas(Frame& frame, const Theme& theme);
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;
  ~Canvas();

  [[nodiscard]] const Theme& theme() const { return theme_; }
  [[nodiscard]] int width() const { return width_; }
  [[nodiscard]] int height() const { return height_; }

  void clear(Shade shade);
  void fillRect(Rect r, Shade shade);
  void fillRoundedRect(Rect r, double radius, Shade shade);
  void strokeRoundedRect(Rect r, double radius, double lineWidth, Shade shade);
  void hline(int x, int y, int width, double lineWidth, Shade shade);

  // Draws text inside `box` (wrapping and ellipsizing per style); returns the
  // height the text used.
  int text(std::string_view utf8, Rect box, const TextStyle& style);
  // Like text(), but first shrinks the font (not below minSizePx) until the
  // text fits the box without ellipsis.
  int fitText(std::string_view utf8, Rect box, TextStyle style, double minSizePx);
  // Pixel size of `utf8` laid out at `width` (single line when width <= 0).
  [[nodiscard]] Rect measure(std::string_view utf8, int width, const TextStyle& style);

 private:
  void setSource(Shade shade);
  PangoLayout* layoutFor(std::string_view utf8, int width, const TextStyle& style);
  void finish();

  Frame& frame_;
  const Theme& theme_;
  int width_;
  int height_;
  SurfacePtr surface_;
  CairoPtr cr_;
  LayoutPtr layout_;
};

}  // namespace cb::render
