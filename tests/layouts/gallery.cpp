// Contact sheet of the golden images: one PNG a reviewer scans in a minute (`make gallery`).
//
// gallery OUT.png DIR: every DIR/*.png, grouped by scenario (one row each: the lcd and
// e-ink frames at both sizes), drawn at a third of their size under the scenario's name.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "render/canvas.hpp"
#include "render/frame.hpp"
#include "render/theme.hpp"

namespace fs = std::filesystem;
using namespace cb;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: gallery OUT.png GOLDEN_DIR\n");
    return 2;
  }
  // "wn-o-clash-eink-800x480.png" → scenario "wn-o-clash".
  std::map<std::string, std::vector<fs::path>> rows;
  for (const auto& entry : fs::directory_iterator(argv[2])) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".png") continue;
    const auto cut = name.find(name.find("-eink-") != std::string::npos ? "-eink-" : "-lcd-");
    if (cut == std::string::npos) continue;
    rows[name.substr(0, cut)].push_back(entry.path());
  }
  constexpr double kScale = 1.0 / 3;
  constexpr int kLabel = 28, kGap = 12, kTall = 267;  // 800 px at a third
  const int width = kGap + 2 * (160 + kGap) + 2 * (kTall + kGap);
  const int height = kGap + int(rows.size()) * (kLabel + kTall + kGap);
  render::Frame sheet(width, height);
  {
    render::Canvas canvas(sheet, render::lcdTheme());
    canvas.clear(render::Shade::Grey2);
    int y = kGap;
    for (auto& [scenario, files] : rows) {
      std::sort(files.begin(), files.end());
      canvas.text(scenario, {kGap, y, width - 2 * kGap, kLabel},
                  {.sizePx = 20, .weight = 700, .valign = render::VAlign::Middle});
      int x = kGap;
      for (const fs::path& file : files) {
        render::Frame frame;
        if (!render::readPng(file.string(), frame)) continue;
        render::SurfacePtr img(cairo_image_surface_create_for_data(
            reinterpret_cast<unsigned char*>(frame.pixels().data()), CAIRO_FORMAT_ARGB32,
            frame.width(), frame.height(), frame.width() * 4));
        render::SurfacePtr dst(cairo_image_surface_create_for_data(
            reinterpret_cast<unsigned char*>(sheet.pixels().data()), CAIRO_FORMAT_ARGB32, width,
            height, width * 4));
        render::CairoPtr cr(cairo_create(dst.get()));
        cairo_translate(cr.get(), x, y + kLabel);
        cairo_scale(cr.get(), kScale, kScale);
        cairo_set_source_surface(cr.get(), img.get(), 0, 0);
        cairo_paint(cr.get());
        x += int(frame.width() * kScale) + kGap;
      }
      y += kLabel + kTall + kGap;
    }
  }
  const std::string error = render::writePng(sheet, argv[1]);
  if (!error.empty()) {
    std::fprintf(stderr, "gallery: %s\n", error.c_str());
    return 1;
  }
  std::printf("gallery: %zu scenarios → %s\n", rows.size(), argv[1]);
  return 0;
}
