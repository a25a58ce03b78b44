// Canvas drawing primitives and Pango text layout.
#include "render/canvas.hpp"

#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace cb::render {

Canvas::Canvas(Frame& frame, const Theme& theme)
    : frame_(frame),
      theme_(theme),
      width_(frame.width()),
      height_(frame.height()),
      surface_(cairo_image_surface_create_for_data(
          reinterpret_cast<unsigned char*>(frame.pixels().data()), CAIRO_FORMAT_ARGB32,
          frame.width(), frame.height(), frame.width() * 4)),
      cr_(cairo_create(surface_.get())),
      layout_(pango_cairo_create_layout(cr_.get())) {
  cairo_set_antialias(cr_.get(), theme_.antialias ? CAIRO_ANTIALIAS_GRAY : CAIRO_ANTIALIAS_NONE);
  cairo_font_options_t* opts = cairo_font_options_create();
  cairo_font_options_set_antialias(opts,
                                   theme_.antialias ? CAIRO_ANTIALIAS_GRAY : CAIRO_ANTIALIAS_NONE);
  cairo_font_options_set_hint_style(opts, CAIRO_HINT_STYLE_SLIGHT);
  cairo_font_options_set_hint_metrics(opts, CAIRO_HINT_METRICS_OFF);
  pango_cairo_context_set_font_options(pango_layout_get_context(layout_.get()), opts);
  cairo_font_options_destroy(opts);
  pango_layout_context_changed(layout_.get());
}

Canvas::~Canvas() {
  finish();
}

void Canvas::finish() {
  cairo_surface_flush(surface_.get());
}

void Canvas::setSource(Shade shade) {
  const std::uint32_t c = theme_.rgb(shade);
  cairo_set_source_rgb(cr_.get(), ((c >> 16) & 0xff) / 255.0, ((c >> 8) & 0xff) / 255.0,
                       (c & 0xff) / 255.0);
}

void Canvas::clear(Shade shade) {
  setSource(shade);
  cairo_paint(cr_.get());
}

void Canvas::fillRect(Rect r, Shade shade) {
  setSource(shade);
  cairo_rectangle(cr_.get(), r.x, r.y, r.width, r.height);
  cairo_fill(cr_.get());
}

static void roundedPath(cairo_t* cr, double x, double y, double w, double h, double r) {
  r = std::min({r, w / 2, h / 2});
  cairo_new_sub_path(cr);
  cairo_arc(cr, x + w - r, y + r, r, -M_PI / 2, 0);
  cairo_arc(cr, x + w - r, y + h - r, r, 0, M_PI / 2);
  cairo_arc(cr, x + r, y + h - r, r, M_PI / 2, M_PI);
  cairo_arc(cr, x + r, y + r, r, M_PI, 3 * M_PI / 2);
  cairo_close_path(cr);
}

void Canvas::fillRoundedRect(Rect r, double radius, Shade shade) {
  setSource(shade);
  roundedPath(cr_.get(), r.x, r.y, r.width, r.height, radius);
  cairo_fill(cr_.get());
}

void Canvas::strokeRoundedRect(Rect r, double radius, double lineWidth, Shade shade) {
  setSource(shade);
  const double half = lineWidth / 2;
  roundedPath(cr_.get(), r.x + half, r.y + half, r.width - lineWidth, r.height - lineWidth, radius);
  cairo_set_line_width(cr_.get(), lineWidth);
  cairo_stroke(cr_.get());
}

void Canvas::hline(int x, int y, int width, double lineWidth, Shade shade) {
  fillRect({x, y, width, int(std::ceil(lineWidth))}, shade);
}

PangoLayout* Canvas::layoutFor(std::string_view utf8, int width, const TextStyle& style) {
  PangoLayout* layout = layout_.get();
  FontDescPtr desc(pango_font_description_new());
  pango_font_description_set_family(desc.get(), style.family ? style.family : theme_.family);
  pango_font_description_set_weight(
      desc.get(), static_cast<PangoWeight>(std::min(900, style.weight + theme_.weightBoost)));
  pango_font_description_set_absolute_size(desc.get(), style.sizePx * PANGO_SCALE);
  pango_layout_set_font_description(layout, desc.get());
  pango_layout_set_text(layout, utf8.data(), int(utf8.size()));
  pango_layout_set_width(layout, width > 0 ? width * PANGO_SCALE : -1);
  pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_ellipsize(layout, width > 0 ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
  // A negative height limits the paragraph to that many lines.
  pango_layout_set_height(layout, width > 0 ? -std::max(1, style.maxLines) : -1);
  pango_layout_set_alignment(layout, style.align == Align::Center  ? PANGO_ALIGN_CENTER
                                     : style.align == Align::Right ? PANGO_ALIGN_RIGHT
                                                                   : PANGO_ALIGN_LEFT);
  return layout;
}

Rect Canvas::measure(std::string_view utf8, int width, const TextStyle& style) {
  PangoLayout* layout = layoutFor(utf8, width, style);
  int w = 0, h = 0;
  pango_layout_get_pixel_size(layout, &w, &h);
  return {0, 0, w, h};
}

int Canvas::text(std::string_view utf8, Rect box, const TextStyle& style) {
  PangoLayout* layout = layoutFor(utf8, box.width, style);
  int w = 0, h = 0;
  pango_layout_get_pixel_size(layout, &w, &h);
  cairo_save(cr_.get());
  cairo_rectangle(cr_.get(), box.x, box.y, box.width, box.height);
  cairo_clip(cr_.get());
  setSource(style.color);
  cairo_move_to(cr_.get(), box.x, box.y);
  pango_cairo_show_layout(cr_.get(), layout);
  cairo_restore(cr_.get());
  return std::min(h, box.height);
}

int Canvas::fitText(std::string_view utf8, Rect box, TextStyle style, double minSizePx) {
  while (style.sizePx > minSizePx) {
    PangoLayout* layout = layoutFor(utf8, box.width, style);
    int w = 0, h = 0;
    pango_layout_get_pixel_size(layout, &w, &h);
    if (!pango_layout_is_ellipsized(layout) && h <= box.height) break;
    style.sizePx = std::max(minSizePx, style.sizePx - 2);
  }
  return text(utf8, box, style);
}

}  // namespace cb::render
