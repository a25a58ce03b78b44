// Palette and themes: the original's 8-shade grey ramp, LCD and e-ink variants.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace cb::render {

// The eight greys of the original whats-next design, light to dark.
enum class Shade : std::uint8_t { White, Grey1, Grey2, Grey3, Grey4, Grey5, Grey6, Black };

enum class ThemeKind : std::uint8_t { Lcd, Eink };

struct Theme {
  ThemeKind kind = ThemeKind::Lcd;
  const char* family = "DejaVu Sans";
  int weightBoost = 0;  // e-ink: heavier strokes
  bool antialias = true;

  // The colour a shade draws with, 0xRRGGBB. E-ink maps every shade to pure
  // black or white: shades up to Grey3 become white, darker ones black.
  [[nodiscard]] std::uint32_t rgb(Shade s) const;
};

[[nodiscard]] const Theme& lcdTheme();
[[nodiscard]] const Theme& einkTheme();
[[nodiscard]] std::optional<ThemeKind> parseThemeKind(std::string_view name);
[[nodiscard]] const Theme& themeFor(ThemeKind kind);

}  // namespace cb::render
