// The palette's RGB values and the two themes.
#include "render/theme.hpp"

#include <array>

namespace cb::render {
namespace {
// #ffffff … #000000 as in the original design's CSS custom properties.
constexpr std::array<std::uint32_t, 8> kGreys = {0xffffff, 0xf5f5f5, 0xe0e0e0, 0xbdbdbd,
                                                 0x757575, 0x424242, 0x212121, 0x000000};
// Luminance threshold of the e-ink rule: below it a shade prints black.
constexpr std::uint32_t kEinkThreshold = 0x80;
}  // namespace

std::uint32_t Theme::rgb(Shade s) const {
  const std::uint32_t grey = kGreys[static_cast<std::size_t>(s)];
  if (kind == ThemeKind::Eink) return (grey & 0xff) >= kEinkThreshold ? 0xffffff : 0x000000;
  return grey;
}

bool Theme::isDark(Shade s) const {
  return (rgb(s) & 0xff) < kEinkThreshold;
}

const Theme& lcdTheme() {
  static const Theme t{ThemeKind::Lcd, kFontFamilies, 0, true, 1};
  return t;
}

const Theme& einkTheme() {
  static const Theme t{ThemeKind::Eink, kFontFamilies, 200, false, 2};
  return t;
}

std::optional<ThemeKind> parseThemeKind(std::string_view name) {
  if (name == "lcd") return ThemeKind::Lcd;
  if (name == "eink") return ThemeKind::Eink;
  return std::nullopt;
}

const Theme& themeFor(ThemeKind kind) {
  return kind == ThemeKind::Eink ? einkTheme() : lcdTheme();
}

}  // namespace cb::render
