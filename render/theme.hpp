// Palette and themes: the original's 8-shade grey ramp, LCD and e-ink variants.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace cb::render {

// The eight greys of the original whats-next design, light to dark
// (#ffffff, #f5f5f5, #e0e0e0, #bdbdbd, #757575, #424242, #212121, #000000).
enum class Shade : std::uint8_t { White, Grey1, Grey2, Grey3, Grey4, Grey5, Grey6, Black };

enum class ThemeKind : std::uint8_t { Lcd, Eink };

// The e-ink rule: a 1-bit panel gets pure black and white only. Every shade
// is thresholded at 50 % luminance — White…Grey3 (#bdbdbd, 74 %) become
// white, Grey4 (#757575, 46 %)…Black become black — and nothing is dithered:
// a dither pattern behind text costs more legibility than the tone it adds.
// Layouts therefore give every light surface an outline, and pick light
// shades only for decoration that may vanish. Text is drawn without
// antialiasing (so no grey edge pixels), one weight step heavier (400 → 600,
// 700 → 900), and lines are at least `minLineWidth` pixels.
// The fonts, in the order Pango tries them for each character (all from Debian,
// installed with the package and by .ci/install-deps):
//  1. DejaVu Sans (fonts-dejavu-core): Latin, Greek, Cyrillic, Hebrew, Arabic, Armenian,
//     Georgian and the common symbols (☕ ✔ ☎ ★ ⚠ → ✈). Its Oblique and Bold Oblique, the
//     tentative meetings' titles, come with fonts-dejavu-extra (7.2 MB): without them
//     fontconfig slants the upright glyphs, another frame than the golden images'.
//  2. WenQuanYi Micro Hei (fonts-wqy-microhei, 5.0 MB): Chinese, Japanese kana, Korean Hangul.
//  3. Symbola (fonts-symbola, 3.1 MB): emoji up to Unicode 9 as monochrome outlines, which
//     threshold cleanly on a 1-bit panel (a colour bitmap emoji font turns to blots there).
//     Flags draw as their two letters, ZWJ sequences as their parts.
// Anything none covers falls to fontconfig's own fallback, then to a hex box.
inline constexpr const char* kFontFamilies = "DejaVu Sans,WenQuanYi Micro Hei,Symbola";

struct Theme {
  ThemeKind kind = ThemeKind::Lcd;
  const char* family = kFontFamilies;
  int weightBoost = 0;  // e-ink: heavier strokes
  bool antialias = true;
  double minLineWidth = 1;  // e-ink: no hairlines

  // The colour a shade draws with, 0xRRGGBB (see the e-ink rule above).
  [[nodiscard]] std::uint32_t rgb(Shade s) const;
  // True when `s` draws dark: text on it must be light.
  [[nodiscard]] bool isDark(Shade s) const;
  // A line width honouring the theme's minimum.
  [[nodiscard]] double line(double width) const {
    return width < minLineWidth ? minLineWidth : width;
  }
  [[nodiscard]] bool eink() const { return kind == ThemeKind::Eink; }
};

[[nodiscard]] const Theme& lcdTheme();
[[nodiscard]] const Theme& einkTheme();
[[nodiscard]] std::optional<ThemeKind> parseThemeKind(std::string_view name);
[[nodiscard]] const Theme& themeFor(ThemeKind kind);

}  // namespace cb::render
