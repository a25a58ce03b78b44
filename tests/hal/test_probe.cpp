// hal: the diagnostics behind `calendarbot probe`, against fake devices.
#include <linux/kd.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "hal/fake_sys.hpp"
#include "hal/probe.hpp"

using namespace cb::hal;

namespace {
bool has(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}
}  // namespace

TEST_CASE("probe: a framebuffer's geometry and format, or why it cannot be used", "[hal][probe]") {
  FakeSys sys;
  fb_var_screeninfo var{};
  var.xres = 800;
  var.yres = 480;
  var.xres_virtual = 800;
  var.yres_virtual = 960;
  var.yoffset = 480;
  var.bits_per_pixel = 16;
  var.red = {11, 5, 0};
  var.green = {5, 6, 0};
  var.blue = {0, 5, 0};
  fb_fix_screeninfo fix{};
  std::strcpy(fix.id, "fb_ili9486");
  fix.type = FB_TYPE_PACKED_PIXELS;
  fix.visual = FB_VISUAL_TRUECOLOR;
  fix.line_length = 1600;
  fix.smem_len = 1600 * 960;
  sys.addFramebuffer("/dev/fb1", var, fix);
  const std::string ok = probeFramebuffer(sys, "/dev/fb1");
  CHECK(has(ok,
            "/dev/fb1: 800x480 RGB565 (16 bpp, virtual 800x960 at 0,480, line 1600 bytes, "
            "driver \"fb_ili9486\") — usable"));

  var.bits_per_pixel = 8;
  sys.addFramebuffer("/dev/fb2", var, fix);
  CHECK(has(probeFramebuffer(sys, "/dev/fb2"), "not usable: 8 bits per pixel"));

  sys.addTty("/dev/fb3", KD_TEXT);  // answers no framebuffer ioctls
  CHECK(has(probeFramebuffer(sys, "/dev/fb3"), "/dev/fb3: not a framebuffer"));

  sys.deny("/dev/fb1", EACCES);
  CHECK(has(probeFramebuffer(sys, "/dev/fb1"), "add the service user to group video"));
  CHECK(has(probeFramebuffer(sys, "/dev/fb9"), "No such file"));
  CHECK(sys.openCount() == 0);
}

TEST_CASE("probe: console, SPI and the permission explanation", "[hal][probe]") {
  FakeSys sys;
  sys.addTty("/dev/tty1", KD_GRAPHICS);
  CHECK(has(probeTty(sys, "/dev/tty1"), "graphics mode"));
  sys.writeOnly("/dev/tty1");  // root:tty 0620: the service user's group may only write
  CHECK(has(probeTty(sys, "/dev/tty1"), "graphics mode"));
  sys.deny("/dev/tty2", EPERM);
  CHECK(has(probeTty(sys, "/dev/tty2"), "group tty"));
  sys.addSpidev("/dev/spidev0.0");
  CHECK(probeSpidev(sys, "/dev/spidev0.0") == "/dev/spidev0.0: ok");
  sys.deny("/dev/spidev0.1", EACCES);
  CHECK(has(probeSpidev(sys, "/dev/spidev0.1"), "group spi"));

  // The explanation names the node's owner, group and mode when it exists.
  const auto dir =
      std::filesystem::temp_directory_path() / ("cb-probe-test-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "fb0") << "";
  std::ofstream(dir / "fb10") << "";
  std::ofstream(dir / "fbx") << "";
  std::ofstream(dir / "spidev0.0") << "";
  std::filesystem::permissions(
      dir / "fb0", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                       std::filesystem::perms::group_read | std::filesystem::perms::group_write);
  const std::string why = explainOpenError((dir / "fb0").string(), EACCES, "video");
  CHECK(has(why, "add the service user to group video"));
  CHECK(has(why, " 0660)"));
  CHECK(listDevices(dir.string(), "fb") ==
        std::vector<std::string>{(dir / "fb0").string(), (dir / "fb10").string()});
  CHECK(listDevices(dir.string(), "gpiochip").empty());
  std::filesystem::remove_all(dir);
}
