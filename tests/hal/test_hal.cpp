// hal: rotation, the atomic PNG display, the display factory and the fake clock.
#include <cairo.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <vector>

#include "hal/clock.hpp"
#include "hal/display.hpp"
#include "hal/png_display.hpp"
#include "hal/rotate.hpp"

using namespace cb::hal;

namespace {
// A 3×2 image with distinct pixels: p(x, y) = 10*y + x.
std::vector<std::uint32_t> kPixels = {0, 1, 2, 10, 11, 12};
Image sample() {
  return Image{kPixels, 3, 2, 3, 0, {}};
}
}  // namespace

TEST_CASE("rotation is clockwise and exact", "[hal]") {
  CHECK(rotate(sample(), 0) == kPixels);
  CHECK(rotate(sample(), 90) == std::vector<std::uint32_t>{10, 0, 11, 1, 12, 2});
  CHECK(rotate(sample(), 180) == std::vector<std::uint32_t>{12, 11, 10, 2, 1, 0});
  CHECK(rotate(sample(), 270) == std::vector<std::uint32_t>{2, 12, 1, 11, 0, 10});
}

TEST_CASE("the PNG display writes the rotated frame atomically", "[hal]") {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("cb-hal-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "out.png").string();
  std::vector<std::uint32_t> px(4 * 2, 0xffffffff);
  px[0] = 0xff000000;  // top-left black
  PngDisplay display(path, 90);
  REQUIRE(display.show(Image{px, 4, 2, 4, 0, {}}) == 0);
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
  REQUIRE(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS);
  CHECK(cairo_image_surface_get_width(s) == 2);
  CHECK(cairo_image_surface_get_height(s) == 4);
  // After a clockwise quarter turn the top-left pixel sits at the top-right.
  const auto* data = reinterpret_cast<const std::uint32_t*>(cairo_image_surface_get_data(s));
  CHECK((data[1] & 0xffffff) == 0);
  CHECK((data[0] & 0xffffff) == 0xffffff);
  cairo_surface_destroy(s);
  PngDisplay bad((dir / "missing-dir" / "x.png").string(), 0);
  CHECK(bad.show(Image{px, 4, 2, 4, 0, {}}) == -ENOENT);
  std::filesystem::remove_all(dir);
}

TEST_CASE("the display factory names what it cannot create", "[hal]") {
  std::string error;
  CHECK(createDisplay(DisplayConfig{.kind = "png", .path = "/tmp/x.png"}, error) != nullptr);
  CHECK(createDisplay(DisplayConfig{.kind = "hologram", .path = ""}, error) == nullptr);
  CHECK(error.find("hologram") != std::string::npos);
}

TEST_CASE("the fake clock stands still until moved", "[hal]") {
  FakeClock clock(std::chrono::sys_seconds{std::chrono::seconds{1000}});
  CHECK(clock.now().time_since_epoch().count() == 1000);
  clock.advance(std::chrono::seconds{60});
  CHECK(clock.now().time_since_epoch().count() == 1060);
}

TEST_CASE("the display factory explains missing hardware", "[hal]") {
  std::string error;
  DisplayConfig fb;
  fb.kind = "framebuffer";
  fb.path = "/nonexistent/fb0";
  CHECK(createDisplay(fb, error) == nullptr);
  CHECK(error.find("framebuffer /nonexistent/fb0") != std::string::npos);
  DisplayConfig eink;
  eink.kind = "eink";
  eink.path = "/nonexistent/spidev0.0";
  CHECK(createDisplay(eink, error) == nullptr);
  CHECK((error.find("/nonexistent/spidev0.0") != std::string::npos ||
         error.find("no e-ink support") != std::string::npos));
  eink.eink.model = "9in7";
  CHECK(createDisplay(eink, error) == nullptr);
  CHECK(error.find("unknown model \"9in7\"") != std::string::npos);
}
