// Canvas: Cairo + Pango drawing onto a Frame, in the theme's colours, with a text layout cache.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "render/cairo_ptr.hpp"
#include "render/frame.hpp"
#include "render/theme.hpp"

namespace cb::render {

enum class Align : std::uint8_t { Left, Center, Right };
// Vertical placement inside the box. InkMiddle centres the glyphs' ink (not
// the line box): what big digits need to look centred.
enum class VAlign : std::uint8_t { Top, Middle, Bottom, InkMiddle };

struct TextStyle {
  double sizePx = 20;  // font size in pixels
  int weight = 400;    // CSS-like: 400 regular, 700 bold, 900 black
  Shade color = Shade::Black;
  Align align = Align::Left;
  int maxLines = 1;              // wrap up to this many lines, then ellipsize
  const char* family = nullptr;  // nullptr: the theme's family
  double letterSpacingPx = 0;    // tracking for small caps labels
  VAlign valign = VAlign::Top;
  bool italic = false;  // tentative meetings: a difference that survives 1-bit
};

struct TextSize {
  int width = 0;  // logical extents
  int height = 0;
  Rect ink{};  // ink extents relative to the layout origin
  bool ellipsized = false;
};

// One text() call, as the layout tests see it: what was drawn, into which box, whether it
// had to be cut (an ellipsis, or lines below the box).
struct DrawnText {
  std::string text;
  Rect box;
  int width = 0;  // the laid-out text's logical width
  double sizePx = 0;
  bool ellipsized = false;
  bool clipped = false;  // its ink reaches past the box
};

// Shaped Pango layouts keyed by (text, width, style, theme), reused across
// frames: a steady-state frame re-shapes nothing. One PangoContext per
// antialias mode. Entries unused for `kKeepFrames` frames are dropped at the
// end of a frame; the governor's resetFontCaches() clears everything.
class TextCache {
 public:
  static constexpr std::uint64_t kKeepFrames = 8;

  TextCache();
  ~TextCache();
  TextCache(const TextCache&) = delete;
  TextCache& operator=(const TextCache&) = delete;

  // The process-wide cache the layouts use (the daemon renders on one thread).
  [[nodiscard]] static TextCache& shared();

  [[nodiscard]] PangoLayout* layout(const Theme& theme, std::string_view utf8, int width,
                                    const TextStyle& style, TextSize* size);
  // The font size fitText() settled on for a request (0 when unknown).
  [[nodiscard]] double fittedSize(const std::string& key);
  void storeFit(const std::string& key, double sizePx);
  void endFrame();
  void clear();

  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  [[nodiscard]] std::uint64_t hits() const { return hits_; }
  [[nodiscard]] std::uint64_t misses() const { return misses_; }

 private:
  struct Entry {
    LayoutPtr layout;
    TextSize size;
    std::uint64_t lastUse = 0;
  };
  struct Fit {
    double sizePx = 0;
    std::uint64_t lastUse = 0;
  };
  PangoContext* context(const Theme& theme);

  std::unique_ptr<PangoContext, CairoDeleter> contexts_[2];
  std::unordered_map<std::string, Entry> entries_;
  std::unordered_map<std::string, Fit> fits_;
  std::string key_;  // scratch, reused to avoid an allocation per lookup
  std::uint64_t frame_ = 1;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

class Canvas {
 public:
  Canvas(Frame& frame, const Theme& theme, TextCache& cache = TextCache::shared());
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;
  ~Canvas();

  [[nodiscard]] const Theme& theme() const { return theme_; }
  // No text is laid out smaller than this (the panel's legibility floor; see
  // layouts::minTextPx): smaller requested sizes, fitText()'s floor included, are raised.
  void setMinTextPx(double px) { minTextPx_ = px; }
  // The smallest font size text() drew in this frame, and the smallest a caller asked
  // for before the floor raised it (0: no text yet).
  [[nodiscard]] double smallestTextPx() const { return smallest_; }
  [[nodiscard]] double smallestRequestedPx() const { return smallestRequested_; }
  // When set, every text() call is appended here (tests check fit and overlap with it).
  void setTextLog(std::vector<DrawnText>* log) { log_ = log; }
  [[nodiscard]] int width() const { return width_; }
  [[nodiscard]] int height() const { return height_; }

  void clear(Shade shade);
  void fillRect(Rect r, Shade shade);
  void fillRoundedRect(Rect r, double radius, Shade shade);
  // The stroke lies inside `r`; its width is raised to the theme's minimum.
  void strokeRoundedRect(Rect r, double radius, double lineWidth, Shade shade);
  void hline(int x, int y, int width, double lineWidth, Shade shade);

  // Draws text inside `box` (wrapping and ellipsizing per style, clipped to
  // the box); returns the height the text used.
  int text(std::string_view utf8, Rect box, const TextStyle& style);
  // Like text(), but first shrinks the font (not below minSizePx) until the
  // text fits the box without ellipsis; the size chosen is cached.
  int fitText(std::string_view utf8, Rect box, TextStyle style, double minSizePx);
  // The size fitText() would choose.
  [[nodiscard]] double fitSize(std::string_view utf8, Rect box, const TextStyle& style,
                               double minSizePx);
  // Extents of `utf8` laid out at `width` (single line, no limit when width <= 0).
  [[nodiscard]] TextSize measureText(std::string_view utf8, int width, const TextStyle& style);
  // Pixel size of `utf8` laid out at `width` (kept for existing callers).
  [[nodiscard]] Rect measure(std::string_view utf8, int width, const TextStyle& style);

 private:
  void setSource(Shade shade);
  [[nodiscard]] TextStyle floored(TextStyle style) const;

  const Theme& theme_;
  TextCache& cache_;
  int width_;
  int height_;
  SurfacePtr surface_;
  CairoPtr cr_;
  double minTextPx_ = 0;
  double smallest_ = 0;
  double smallestRequested_ = 0;
  std::vector<DrawnText>* log_ = nullptr;
};

}  // namespace cb::render
