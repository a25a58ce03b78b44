// Font cache control for the resource governor.
#pragma once

namespace cb::render {

// Drops Pango's font map (glyph and font caches) and Cairo's static caches;
// the next layout rebuilds what it needs. Call only between frames.
void resetFontCaches();

}  // namespace cb::render
