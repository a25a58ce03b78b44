// hal: the framebuffer display against a file-backed fake device — every format and rotation.
#include <linux/kd.h>
#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <vector>

#include "hal/fake_sys.hpp"
#include "hal/fb_display.hpp"
#include "hal/rotate.hpp"

using namespace cb::hal;

namespace {

struct Format {
  const char* name;
  unsigned bpp;
  fb_bitfield r, g, b, t;
};

// The formats the issue names, with their bit fields as fbdev drivers report them.
const Format kFormats[] = {
    {"RGB565", 16, {11, 5, 0}, {5, 6, 0}, {0, 5, 0}, {0, 0, 0}},
    {"XRGB8888", 32, {16, 8, 0}, {8, 8, 0}, {0, 8, 0}, {0, 0, 0}},
    {"ARGB8888", 32, {16, 8, 0}, {8, 8, 0}, {0, 8, 0}, {24, 8, 0}},
    {"BGRX8888", 32, {8, 8, 0}, {16, 8, 0}, {24, 8, 0}, {0, 0, 0}},
    {"RGB888", 24, {16, 8, 0}, {8, 8, 0}, {0, 8, 0}, {0, 0, 0}},
    {"BGR888", 24, {0, 8, 0}, {8, 8, 0}, {16, 8, 0}, {0, 0, 0}},
};

// The bytes the panel must hold for ARGB pixel p, written out per format by hand.
std::vector<unsigned char> expectedBytes(const std::string& fmt, std::uint32_t p) {
  const unsigned r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
  if (fmt == "RGB565") {
    const unsigned v = ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3);
    return {static_cast<unsigned char>(v), static_cast<unsigned char>(v >> 8)};
  }
  if (fmt == "XRGB8888") return {(unsigned char)b, (unsigned char)g, (unsigned char)r, 0};
  if (fmt == "ARGB8888") return {(unsigned char)b, (unsigned char)g, (unsigned char)r, 0xff};
  if (fmt == "BGRX8888") return {0, (unsigned char)r, (unsigned char)g, (unsigned char)b};
  if (fmt == "RGB888") return {(unsigned char)b, (unsigned char)g, (unsigned char)r};
  if (fmt == "BGR888") return {(unsigned char)r, (unsigned char)g, (unsigned char)b};
  FAIL("unknown format " << fmt);
  return {};
}

struct Panel {
  fb_var_screeninfo var{};
  fb_fix_screeninfo fix{};
};

// A panel whose visible area sits at (xoff, yoff) inside a larger virtual buffer
// with padded lines, so offsets and line_length are exercised.
Panel makePanel(const Format& f, unsigned xres, unsigned yres, unsigned xoff = 3, unsigned yoff = 2,
                unsigned pad = 12) {
  Panel p;
  p.var.xres = xres;
  p.var.yres = yres;
  p.var.xres_virtual = xres + xoff;
  p.var.yres_virtual = yres + yoff + 1;
  p.var.xoffset = xoff;
  p.var.yoffset = yoff;
  p.var.bits_per_pixel = f.bpp;
  p.var.red = f.r;
  p.var.green = f.g;
  p.var.blue = f.b;
  p.var.transp = f.t;
  std::strcpy(p.fix.id, "fakefb");
  p.fix.type = FB_TYPE_PACKED_PIXELS;
  p.fix.visual = FB_VISUAL_TRUECOLOR;
  p.fix.line_length = p.var.xres_virtual * (f.bpp / 8) + pad;
  p.fix.smem_len = p.fix.line_length * p.var.yres_virtual;
  return p;
}

std::vector<std::uint32_t> randomPixels(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint32_t> px{};
  px.resize(std::size_t(n));
  for (auto& p : px) p = 0xff000000u | (rng() & 0xffffff);
  return px;
}

// Checks every byte of the buffer: visible pixels against `panel` (ARGB per panel
// pixel, 0 = expect black), everything else still the fill byte.
void checkMemory(const std::vector<unsigned char>& mem, const Panel& p, const std::string& fmt,
                 const std::vector<std::uint32_t>& panelPixels) {
  const unsigned bpp = p.var.bits_per_pixel / 8;
  std::vector<bool> visible(mem.size(), false);
  int mismatches = 0;
  for (unsigned y = 0; y < p.var.yres; ++y)
    for (unsigned x = 0; x < p.var.xres; ++x) {
      const std::size_t at =
          std::size_t(p.var.yoffset + y) * p.fix.line_length + (p.var.xoffset + x) * bpp;
      const auto want = expectedBytes(fmt, panelPixels[y * p.var.xres + x]);
      for (unsigned i = 0; i < bpp; ++i) {
        visible[at + i] = true;
        if (mem[at + i] != want[i] && ++mismatches <= 5)
          FAIL_CHECK(fmt << " pixel " << x << "," << y << " byte " << i << ": got "
                         << int(mem[at + i]) << " want " << int(want[i]));
      }
    }
  for (std::size_t i = 0; i < mem.size(); ++i)
    if (!visible[i] && mem[i] != 0xA5 && ++mismatches <= 5)
      FAIL_CHECK(fmt << " byte " << i << " outside the visible area was written");
  CHECK(mismatches == 0);
}

}  // namespace

TEST_CASE("framebuffer: every format and rotation, pixel-exact, offsets and stride honoured",
          "[hal][fb]") {
  const int w = 7, h = 5;  // odd sizes catch off-by-one errors in rotation
  const auto px = randomPixels(w * h, 42);
  const Image image{px, w, h, w, 1, {}};
  for (const Format& f : kFormats) {
    for (int rotation : {0, 90, 180, 270}) {
      INFO(f.name << " rotation " << rotation);
      const bool swap = rotation % 180 != 0;
      const Panel panel = makePanel(f, swap ? h : w, swap ? w : h);
      FakeSys sys;
      sys.addFramebuffer("/dev/fb0", panel.var, panel.fix);
      std::string error;
      auto d = FramebufferDisplay::create({"/dev/fb0", "", rotation, Fit::Center}, sys, error);
      REQUIRE(d);
      CHECK(describeFormat(d->var()) == f.name);
      REQUIRE(d->show(image) == 0);
      checkMemory(sys.memory("/dev/fb0"), panel, f.name, rotate(image, rotation));
    }
  }
}

TEST_CASE("framebuffer: a smaller frame is centred on black, or scaled to fit", "[hal][fb]") {
  const Format& f = kFormats[1];  // XRGB8888
  const std::vector<std::uint32_t> px = {0xff102030, 0xff405060, 0xff708090, 0xffa0b0c0};
  const Image image{px, 2, 2, 2, 0, {}};
  SECTION("centre") {
    const Panel panel = makePanel(f, 6, 4);
    FakeSys sys;
    sys.addFramebuffer("/dev/fb0", panel.var, panel.fix);
    std::string error;
    auto d = FramebufferDisplay::create({"/dev/fb0", "", 0, Fit::Center}, sys, error);
    REQUIRE(d);
    REQUIRE(d->show(image) == 0);
    std::vector<std::uint32_t> want(6 * 4, 0xff000000);
    want[1 * 6 + 2] = px[0];
    want[1 * 6 + 3] = px[1];
    want[2 * 6 + 2] = px[2];
    want[2 * 6 + 3] = px[3];
    checkMemory(sys.memory("/dev/fb0"), panel, f.name, want);
  }
  SECTION("scale, keeping the aspect ratio") {
    const Panel panel = makePanel(f, 6, 4);
    FakeSys sys;
    sys.addFramebuffer("/dev/fb0", panel.var, panel.fix);
    std::string error;
    auto d = FramebufferDisplay::create({"/dev/fb0", "", 0, Fit::Scale}, sys, error);
    REQUIRE(d);
    REQUIRE(d->show(image) == 0);
    // 2x2 → 4x4 (height-limited), centred with a 1-pixel black border left and right.
    std::vector<std::uint32_t> want(6 * 4, 0xff000000);
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 4; ++x)
        want[std::size_t(y * 6 + x + 1)] = px[std::size_t((y / 2) * 2 + x / 2)];
    checkMemory(sys.memory("/dev/fb0"), panel, f.name, want);
  }
  SECTION("a larger frame is cropped evenly") {
    const Panel panel = makePanel(f, 1, 1);
    FakeSys sys;
    sys.addFramebuffer("/dev/fb0", panel.var, panel.fix);
    std::string error;
    auto d = FramebufferDisplay::create({"/dev/fb0", "", 0, Fit::Center}, sys, error);
    REQUIRE(d);
    REQUIRE(d->show(image) == 0);
    checkMemory(sys.memory("/dev/fb0"), panel, f.name, {px[0]});
  }
}

TEST_CASE("framebuffer: only the damaged rows are written", "[hal][fb]") {
  const Format& f = kFormats[0];  // RGB565
  const int w = 8, h = 10;
  auto px = randomPixels(w * h, 7);
  for (int rotation : {0, 90}) {
    INFO("rotation " << rotation);
    const bool swap = rotation == 90;
    const Panel panel = makePanel(f, swap ? h : w, swap ? w : h, 0, 0, 0);
    FakeSys sys;
    sys.addFramebuffer("/dev/fb0", panel.var, panel.fix);
    std::string error;
    auto d = FramebufferDisplay::create({"/dev/fb0", "", rotation, Fit::Center}, sys, error);
    REQUIRE(d);
    REQUIRE(d->show(Image{px, w, h, w, 1, {}}) == 0);
    CHECK(d->lastRowsWritten() == int(panel.var.yres));
    // Scribble over the panel, then change rows 3..4 of the frame (columns 2..5).
    sys.fillMemory("/dev/fb0", 0xA5);
    for (int y = 3; y < 5; ++y)
      for (int x = 2; x < 6; ++x) px[std::size_t(y * w + x)] ^= 0x00ffffff;
    REQUIRE(d->show(Image{px, w, h, w, 2, {2, 3, 4, 2}}) == 0);
    const auto mem = sys.memory("/dev/fb0");
    const auto rotated = rotate(Image{px, w, h, w, 2, {}}, rotation);
    const unsigned pw = panel.var.xres;
    // Damaged source rows 3..4 are panel rows 3..4 (0°) or panel columns 5..6 (90°).
    for (unsigned y = 0; y < panel.var.yres; ++y)
      for (unsigned x = 0; x < pw; ++x) {
        const bool damaged =
            swap ? (x == 5 || x == 6) && y >= 2 && y < 6 : (y == 3 || y == 4) && x >= 2 && x < 6;
        const std::size_t at = y * panel.fix.line_length + x * 2;
        if (damaged) {
          const auto want = expectedBytes(f.name, rotated[y * pw + x]);
          CHECK(mem[at] == want[0]);
          CHECK(mem[at + 1] == want[1]);
        } else {
          CHECK(mem[at] == 0xA5);
        }
      }
    CHECK(d->lastRowsWritten() == (swap ? 4 : 2));
    // invalidate() forces a complete redraw even of an unchanged frame.
    d->invalidate();
    REQUIRE(d->show(Image{px, w, h, w, 2, {2, 3, 4, 2}}) == 0);
    CHECK(d->lastRowsWritten() == int(panel.var.yres));
  }
}

TEST_CASE("framebuffer: the console is in graphics mode while a display lives", "[hal][fb]") {
  const Panel panel = makePanel(kFormats[1], 4, 4);
  FakeSys sys;
  sys.addFramebuffer("/dev/fb0", panel.var, panel.fix);
  sys.addTty("/dev/tty1", KD_TEXT);
  std::string error;
  {
    auto d = FramebufferDisplay::create({"/dev/fb0", "/dev/tty1", 0, Fit::Center}, sys, error);
    REQUIRE(d);
    CHECK(sys.ttyMode("/dev/tty1") == KD_GRAPHICS);
    // A config reload opens the new display before the old one closes: the
    // console stays in graphics mode until the last one is gone.
    auto second =
        FramebufferDisplay::create({"/dev/fb0", "/dev/tty1", 90, Fit::Center}, sys, error);
    REQUIRE(second);
    d.reset();
    CHECK(sys.ttyMode("/dev/tty1") == KD_GRAPHICS);
  }
  CHECK(sys.ttyMode("/dev/tty1") == KD_TEXT);
  CHECK(sys.ttyModeHistory("/dev/tty1") == std::vector<int>{KD_GRAPHICS, KD_TEXT});
  CHECK(sys.openCount() == 0);  // every fd closed

  // A console tty as Debian and Raspberry Pi OS have it (root:tty 0620): write access suffices.
  {
    sys.writeOnly("/dev/tty1");
    auto d = FramebufferDisplay::create({"/dev/fb0", "/dev/tty1", 0, Fit::Center}, sys, error);
    REQUIRE(d);
    CHECK(sys.ttyMode("/dev/tty1") == KD_GRAPHICS);
  }
  CHECK(sys.ttyMode("/dev/tty1") == KD_TEXT);

  // No usable tty: the display still works (a warning is logged).
  sys.deny("/dev/tty1", EACCES);
  auto d = FramebufferDisplay::create({"/dev/fb0", "/dev/tty1", 0, Fit::Center}, sys, error);
  CHECK(d);
}

TEST_CASE("framebuffer: a getty's console reset and any scribble are healed by a whole repaint",
          "[hal][fb]") {
  const Format& f = kFormats[1];  // XRGB8888
  const std::vector<std::uint32_t> px = {0xff102030, 0xff405060, 0xff708090, 0xffa0b0c0};
  const Panel panel = makePanel(f, 6, 4);  // the 2x2 frame centred, black borders around it
  std::vector<std::uint32_t> want(6 * 4, 0xff000000);
  want[1 * 6 + 2] = px[0];
  want[1 * 6 + 3] = px[1];
  want[2 * 6 + 2] = px[2];
  want[2 * 6 + 3] = px[3];
  FakeSys sys;
  sys.addFramebuffer("/dev/fb0", panel.var, panel.fix);
  sys.addTty("/dev/tty1", KD_TEXT);
  FakeMonotonicClock clock;
  std::string error;
  {
    auto d =
        FramebufferDisplay::create({"/dev/fb0", "/dev/tty1", 0, Fit::Center}, sys, error, &clock);
    REQUIRE(d);
    // Every show() asks the console once, changed frame or not, and nothing else does.
    int asked = 0;
    auto show = [&](Image image) {
      REQUIRE(d->show(image) == 0);
      CHECK(sys.ioctlCount(KDGETMODE) == ++asked);
    };
    const auto unchanged = [&](std::uint64_t hash) {
      return Image{px, 2, 2, 2, hash, {}, /*unchanged=*/true};
    };
    show(Image{px, 2, 2, 2, 1, {}});
    CHECK(d->rewroteWhole());
    show(unchanged(1));  // the panel has it
    CHECK_FALSE(d->rewroteWhole());
    CHECK(d->lastRowsWritten() == 0);
    show(Image{px, 2, 2, 2, 1, {0, 0, 1, 1}});
    CHECK_FALSE(d->rewroteWhole());
    CHECK(d->lastRowsWritten() == 1);  // the damage only

    // getty@tty1 starts: systemd hangs the tty up (our descriptor is dead), puts it back into
    // text mode, and the console clears the screen and prints the login prompt.
    sys.resetTty("/dev/tty1");
    sys.fillMemory("/dev/fb0", 0xA5);
    REQUIRE(sys.ttyMode("/dev/tty1") == KD_TEXT);
    show(unchanged(1));  // the next frame, changed or not, is shown whole
    CHECK(d->rewroteWhole());
    CHECK(sys.ttyMode("/dev/tty1") == KD_GRAPHICS);
    CHECK(d->lastRowsWritten() == 2);
    checkMemory(sys.memory("/dev/fb0"), panel, f.name, want);  // borders black again
    show(unchanged(1));
    CHECK_FALSE(d->rewroteWhole());

    // Something else draws on /dev/fb0 while the console stays ours: the damage-only frames
    // leave it, the first frame kRepaintEvery after the last whole one removes it.
    sys.fillMemory("/dev/fb0", 0xA5);
    clock.advance(FramebufferDisplay::kRepaintEvery - std::chrono::seconds{1});
    show(unchanged(1));
    CHECK(d->lastRowsWritten() == 0);
    show(Image{px, 2, 2, 2, 3, {1, 1, 1, 1}});
    CHECK(d->lastRowsWritten() == 1);
    CHECK_FALSE(d->rewroteWhole());
    clock.advance(std::chrono::seconds{1});
    show(unchanged(3));
    CHECK(d->rewroteWhole());
    checkMemory(sys.memory("/dev/fb0"), panel, f.name, want);

    // A console that cannot be taken back (here: no longer openable) keeps every frame whole.
    sys.resetTty("/dev/tty1");
    sys.deny("/dev/tty1", EACCES);
    show(unchanged(3));
    CHECK(d->rewroteWhole());
    show(unchanged(3));
    CHECK(d->rewroteWhole());
    CHECK(sys.ttyMode("/dev/tty1") == KD_TEXT);
  }
  CHECK(sys.openCount() == 0);  // the hung-up descriptor and its replacement closed
}

TEST_CASE("framebuffer: errors say what is wrong and what to do", "[hal][fb]") {
  FakeSys sys;
  std::string error;
  CHECK_FALSE(FramebufferDisplay::create({"/dev/fb0", "", 0, Fit::Center}, sys, error));
  CHECK(error.find("/dev/fb0") != std::string::npos);
  CHECK(error.find("No such file") != std::string::npos);

  Panel p = makePanel(kFormats[1], 4, 4);
  sys.addFramebuffer("/dev/fb0", p.var, p.fix);
  sys.deny("/dev/fb0", EACCES);
  CHECK_FALSE(FramebufferDisplay::create({"/dev/fb0", "", 0, Fit::Center}, sys, error));
  CHECK(error.find("group video") != std::string::npos);

  p.var.bits_per_pixel = 8;
  sys.addFramebuffer("/dev/fb1", p.var, p.fix);
  CHECK_FALSE(FramebufferDisplay::create({"/dev/fb1", "", 0, Fit::Center}, sys, error));
  CHECK(error.find("8 bits per pixel") != std::string::npos);

  p = makePanel(kFormats[1], 4, 4);
  sys.addFramebuffer("/dev/fb2", p.var, p.fix);
  sys.failIoctl(FBIOGET_FSCREENINFO, EIO);
  CHECK_FALSE(FramebufferDisplay::create({"/dev/fb2", "", 0, Fit::Center}, sys, error));
  CHECK(error.find("Input/output error") != std::string::npos);
  CHECK(sys.openCount() == 0);

  auto d = FramebufferDisplay::create({"/dev/fb2", "", 0, Fit::Center}, sys, error);
  REQUIRE(d);
  CHECK(d->show(Image{}) == -EINVAL);
}
