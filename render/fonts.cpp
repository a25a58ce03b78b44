// Releasing Pango/fontconfig/Cairo caches between frames.
#include "render/fonts.hpp"

#include <cairo.h>
#include <pango/pangocairo.h>

#include "render/canvas.hpp"

namespace cb::render {

void resetFontCaches() {
  // Our shaped layouts hold the old font map's fonts: drop them first.
  TextCache::shared().clear();
  // A null default makes pango_cairo_font_map_get_default() create a fresh,
  // empty map on next use; the old one is freed with its caches.
  pango_cairo_font_map_set_default(nullptr);
  cairo_debug_reset_static_data();
}

}  // namespace cb::render
