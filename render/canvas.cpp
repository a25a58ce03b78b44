// Canvas drawing primitives, Pango text layout and the layout cache.
#include "render/canvas.hpp"

#include <fmt/format.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace cb::render {

namespace {

PangoAlignment pangoAlign(Align a) {
  return a == Align::Center  ? PANGO_ALIGN_CENTER
         : a == Align::Right ? PANGO_ALIGN_RIGHT
                             : PANGO_ALIGN_LEFT;
}

void appendKey(std::string& key, const Theme& theme, std::string_view utf8, int width,
               const TextStyle& s) {
  key.clear();
  fmt::format_to(std::back_inserter(key), "{}|{}|{}|{:.2f}|{}|{}|{}|{:.2f}|{}|",
                 int(theme.antialias), s.family ? s.family : theme.family, width, s.sizePx,
                 std::min(900, s.weight + theme.weightBoost), int(s.align), s.maxLines,
                 s.letterSpacingPx, int(s.italic));
  key.append(utf8);
}

}  // namespace

TextCache::TextCache() = default;
TextCache::~TextCache() = default;

TextCache& TextCache::shared() {
  static TextCache cache;
  return cache;
}

PangoContext* TextCache::context(const Theme& theme) {
  auto& slot = contexts_[theme.antialias ? 1 : 0];
  if (!slot) {
    slot.reset(pango_font_map_create_context(pango_cairo_font_map_get_default()));
    cairo_font_options_t* opts = cairo_font_options_create();
    cairo_font_options_set_antialias(opts,
                                     theme.antialias ? CAIRO_ANTIALIAS_GRAY : CAIRO_ANTIALIAS_NONE);
    // Monochrome glyphs need full hinting to keep even stems; greyscale ones
    // look best lightly hinted. Metrics stay unhinted so layouts do not
    // depend on the hinter.
    cairo_font_options_set_hint_style(
        opts, theme.antialias ? CAIRO_HINT_STYLE_SLIGHT : CAIRO_HINT_STYLE_FULL);
    cairo_font_options_set_hint_metrics(opts, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(slot.get(), opts);
    cairo_font_options_destroy(opts);
  }
  return slot.get();
}

PangoLayout* TextCache::layout(const Theme& theme, std::string_view utf8, int width,
                               const TextStyle& style, TextSize* size) {
  appendKey(key_, theme, utf8, width, style);
  auto it = entries_.find(key_);
  if (it != entries_.end()) {
    ++hits_;
    it->second.lastUse = frame_;
    if (size) *size = it->second.size;
    return it->second.layout.get();
  }
  ++misses_;
  LayoutPtr layout(pango_layout_new(context(theme)));
  FontDescPtr desc(pango_font_description_new());
  pango_font_description_set_family(desc.get(), style.family ? style.family : theme.family);
  pango_font_description_set_weight(
      desc.get(), static_cast<PangoWeight>(std::min(900, style.weight + theme.weightBoost)));
  pango_font_description_set_absolute_size(desc.get(), style.sizePx * PANGO_SCALE);
  if (style.italic) pango_font_description_set_style(desc.get(), PANGO_STYLE_ITALIC);
  pango_layout_set_font_description(layout.get(), desc.get());
  std::unique_ptr<PangoAttrList, CairoDeleter> attrs(pango_attr_list_new());
  if (style.letterSpacingPx != 0)
    pango_attr_list_insert(attrs.get(),
                           pango_attr_letter_spacing_new(int(style.letterSpacingPx * PANGO_SCALE)));
  // A word broken at the line's end gets no hyphen: Pango's automatic hyphens fall
  // mid-syllable in German compounds ("hauptbet-riebs"), and without the language a
  // hyphen there is a guess. The break itself stays (PANGO_WRAP_WORD_CHAR).
  pango_attr_list_insert(attrs.get(), pango_attr_insert_hyphens_new(FALSE));
  pango_layout_set_attributes(layout.get(), attrs.get());
  pango_layout_set_text(layout.get(), utf8.data(), int(utf8.size()));
  pango_layout_set_width(layout.get(), width > 0 ? width * PANGO_SCALE : -1);
  pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  pango_layout_set_ellipsize(layout.get(), width > 0 ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
  // A negative height limits the paragraph to that many lines.
  pango_layout_set_height(layout.get(), width > 0 ? -std::max(1, style.maxLines) : -1);
  pango_layout_set_alignment(layout.get(), pangoAlign(style.align));
  // The line limit counts per paragraph: one paragraph keeps it absolute.
  pango_layout_set_single_paragraph_mode(layout.get(), TRUE);

  Entry entry;
  PangoRectangle ink, logical;
  pango_layout_get_pixel_extents(layout.get(), &ink, &logical);
  entry.size.width = logical.width;
  entry.size.height = logical.height;
  entry.size.ink = {ink.x, ink.y, ink.width, ink.height};
  entry.size.ellipsized = pango_layout_is_ellipsized(layout.get());
  entry.layout = std::move(layout);
  entry.lastUse = frame_;
  if (size) *size = entry.size;
  return entries_.emplace(key_, std::move(entry)).first->second.layout.get();
}

double TextCache::fittedSize(const std::string& key) {
  auto it = fits_.find(key);
  if (it == fits_.end()) return 0;
  it->second.lastUse = frame_;
  return it->second.sizePx;
}

void TextCache::storeFit(const std::string& key, double sizePx) {
  fits_[key] = {sizePx, frame_};
}

void TextCache::endFrame() {
  const std::uint64_t keepFrom = frame_ >= kKeepFrames ? frame_ - kKeepFrames + 1 : 0;
  std::erase_if(entries_, [&](const auto& kv) { return kv.second.lastUse < keepFrom; });
  std::erase_if(fits_, [&](const auto& kv) { return kv.second.lastUse < keepFrom; });
  ++frame_;
}

void TextCache::clear() {
  entries_.clear();
  fits_.clear();
  for (auto& c : contexts_) c.reset();
}

Canvas::Canvas(Frame& frame, const Theme& theme, TextCache& cache)
    : theme_(theme),
      cache_(cache),
      width_(frame.width()),
      height_(frame.height()),
      surface_(cairo_image_surface_create_for_data(
          reinterpret_cast<unsigned char*>(frame.pixels().data()), CAIRO_FORMAT_ARGB32,
          frame.width(), frame.height(), frame.width() * 4)),
      cr_(cairo_create(surface_.get())) {
  cairo_set_antialias(cr_.get(), theme_.antialias ? CAIRO_ANTIALIAS_GRAY : CAIRO_ANTIALIAS_NONE);
}

Canvas::~Canvas() {
  cairo_surface_flush(surface_.get());
  cache_.endFrame();
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
  if (r.empty()) return;
  setSource(shade);
  cairo_rectangle(cr_.get(), r.x, r.y, r.width, r.height);
  cairo_fill(cr_.get());
}

static void roundedPath(cairo_t* cr, double x, double y, double w, double h, double r) {
  r = std::max(0.0, std::min({r, w / 2, h / 2}));
  cairo_new_sub_path(cr);
  cairo_arc(cr, x + w - r, y + r, r, -M_PI / 2, 0);
  cairo_arc(cr, x + w - r, y + h - r, r, 0, M_PI / 2);
  cairo_arc(cr, x + r, y + h - r, r, M_PI / 2, M_PI);
  cairo_arc(cr, x + r, y + r, r, M_PI, 3 * M_PI / 2);
  cairo_close_path(cr);
}

void Canvas::fillRoundedRect(Rect r, double radius, Shade shade) {
  if (r.empty()) return;
  setSource(shade);
  roundedPath(cr_.get(), r.x, r.y, r.width, r.height, radius);
  cairo_fill(cr_.get());
}

void Canvas::strokeRoundedRect(Rect r, double radius, double lineWidth, Shade shade) {
  if (r.empty()) return;
  lineWidth = theme_.line(lineWidth);
  setSource(shade);
  const double half = lineWidth / 2;
  roundedPath(cr_.get(), r.x + half, r.y + half, r.width - lineWidth, r.height - lineWidth,
              radius - half);
  cairo_set_line_width(cr_.get(), lineWidth);
  cairo_stroke(cr_.get());
}

void Canvas::hline(int x, int y, int width, double lineWidth, Shade shade) {
  fillRect({x, y, width, int(std::ceil(theme_.line(lineWidth)))}, shade);
}

TextStyle Canvas::floored(TextStyle style) const {
  style.sizePx = std::max(style.sizePx, minTextPx_);
  return style;
}

TextSize Canvas::measureText(std::string_view utf8, int width, const TextStyle& style) {
  TextSize size;
  (void)cache_.layout(theme_, utf8, width, floored(style), &size);
  return size;
}

Rect Canvas::measure(std::string_view utf8, int width, const TextStyle& style) {
  const TextSize s = measureText(utf8, width, style);
  return {0, 0, s.width, s.height};
}

int Canvas::text(std::string_view utf8, Rect box, const TextStyle& requested) {
  if (box.empty() || utf8.empty()) return 0;
  const TextStyle style = floored(requested);
  smallest_ = smallest_ == 0 ? style.sizePx : std::min(smallest_, style.sizePx);
  smallestRequested_ =
      smallestRequested_ == 0 ? requested.sizePx : std::min(smallestRequested_, requested.sizePx);
  TextSize size;
  PangoLayout* layout = cache_.layout(theme_, utf8, box.width, style, &size);
  double y = box.y;
  switch (style.valign) {
    case VAlign::Top:
      break;
    case VAlign::Middle:
      y += (box.height - size.height) / 2.0;
      break;
    case VAlign::Bottom:
      y += box.height - size.height;
      break;
    case VAlign::InkMiddle:
      y += (box.height - size.ink.height) / 2.0 - size.ink.y;
      break;
  }
  if (log_) {
    const double inkTop = std::round(y) + size.ink.y;
    const bool clipped = inkTop < box.y || inkTop + size.ink.height > box.y + box.height;
    log_->push_back({std::string(utf8), box, size.width, style.sizePx, size.ellipsized, clipped});
  }
  cairo_t* cr = cr_.get();
  cairo_save(cr);
  cairo_rectangle(cr, box.x, box.y, box.width, box.height);
  cairo_clip(cr);
  setSource(style.color);
  cairo_move_to(cr, box.x, std::round(y));
  pango_cairo_show_layout(cr, layout);
  cairo_restore(cr);
  return std::min(size.height, box.height);
}

double Canvas::fitSize(std::string_view utf8, Rect box, const TextStyle& requested,
                       double minSizePx) {
  const TextStyle style = floored(requested);
  minSizePx = std::max(minSizePx, minTextPx_);
  std::string key;
  appendKey(key, theme_, utf8, box.width, style);
  key += fmt::format("|fit{}|{:.2f}", box.height, minSizePx);
  if (const double known = cache_.fittedSize(key); known > 0) return known;
  TextStyle s = style;
  // Shrink in ~6 % steps: few trial layouts, sizes still look deliberate.
  while (s.sizePx > minSizePx) {
    const TextSize size = measureText(utf8, box.width, s);
    if (!size.ellipsized && size.height <= box.height) break;
    s.sizePx = std::max(minSizePx, std::floor(s.sizePx * 0.94));
  }
  cache_.storeFit(key, s.sizePx);
  return s.sizePx;
}

int Canvas::fitText(std::string_view utf8, Rect box, TextStyle style, double minSizePx) {
  style.sizePx = fitSize(utf8, box, style, minSizePx);
  return text(utf8, box, style);
}

}  // namespace cb::render
