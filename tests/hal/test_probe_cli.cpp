// Integration: `calendarbot probe` on a machine without display hardware, and on a fake /dev.
#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "calendarbot_config.h"
#include "integration/process.hpp"
#include "support.hpp"

namespace fs = std::filesystem;

namespace {
bool has(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}
fs::path tempDir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("cb-probe-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}
}  // namespace

TEST_CASE("probe runs here and reports every section", "[hal][probe]") {
  const std::string bin = cb::test::env("CB_BINARY");
  const auto r = cb::test::run(bin, {"probe"});
  INFO(r.out << r.err);
  CHECK(r.exitCode == 0);
  for (const char* section : {"framebuffer:", "console:", "SPI:", "GPIO:", "configured:"})
    CHECK(has(r.out, section));

  const auto help = cb::test::run(bin, {"--help"});
  CHECK(has(help.out, "probe"));
  const auto sub = cb::test::run(bin, {"probe", "--help"});
  CHECK(sub.exitCode == 0);
  CHECK(has(sub.out, "usage: calendarbot probe"));
  CHECK(cb::test::run(bin, {"probe", "--frob"}).exitCode == 2);
}

TEST_CASE("probe without hardware says what is not found, and exits 0", "[hal][probe]") {
  const fs::path dev = tempDir("empty");
  const auto r = cb::test::run(cb::test::env("CB_BINARY"), {"probe", "--dev", dev.string()});
  INFO(r.out << r.err);
  CHECK(r.exitCode == 0);
  CHECK(has(r.out, dev.string() + "/fb*: not found"));
  CHECK(has(r.out, dev.string() + "/spidev*: not found (enable SPI: dtparam=spi=on"));
  CHECK(has(r.out, dev.string() + "/gpiochip*: not found"));
  CHECK(has(r.out, dev.string() + "/tty1: not found"));
  fs::remove_all(dev);
}

TEST_CASE("probe checks the nodes and the lines the config names", "[hal][probe]") {
  const fs::path dev = tempDir("fake-dev");
  for (const char* node : {"fb0", "spidev0.0", "gpiochip0"}) std::ofstream(dev / node) << "";
  const fs::path config = dev / "config.toml";
  std::ofstream(config) << "[display]\nkind = \"eink\"\nmodel = \"4in2\"\n\n[button]\nline = 5\n";
  const auto r = cb::test::run(cb::test::env("CB_BINARY"),
                               {"probe", "--dev", dev.string(), "--config", config.string()});
  INFO(r.out << r.err);
  CHECK(r.exitCode == 0);
  CHECK(has(r.out, (dev / "fb0").string() + ": not a framebuffer"));
  CHECK(has(r.out, (dev / "spidev0.0").string() + ": ok"));
#if CB_HAVE_GPIO
  CHECK(has(r.out, (dev / "gpiochip0").string() + ": not a GPIO chip"));
#else
  CHECK(has(r.out, "this build has no GPIO support"));
#endif
  CHECK(has(r.out, "display: e-ink Waveshare 4.2\""));
  // Every supported panel, with its product name and how to tell the versions apart.
  CHECK(has(r.out, "7in5_v2   Waveshare 7.5inch e-Paper (V2), 800x480"));
  CHECK(has(r.out, "4in2      Waveshare 4.2inch e-Paper (first version, no V2 mark)"));
  CHECK(has(r.out, "4in2_v2   Waveshare 4.2inch e-Paper (V2), 400x300, black/white"));
  CHECK(has(r.out, "BUSY idles LOW after a reset"));
  CHECK(has(r.out, "400x300, black/white (configured)"));
  CHECK(has(r.out, "gpiochip0 RST 17 DC 25 BUSY 24 PWR 18"));
  CHECK(has(r.out, "the SPI device exists"));
  CHECK(has(r.out, "button: gpiochip0 line 5 (active low, bias pull-up), debounce 30 ms"));

  std::ofstream(config) << "[display]\nkind = \"eink\"\nmodel = \"nope\"\n";
  const auto bad = cb::test::run(cb::test::env("CB_BINARY"),
                                 {"probe", "--dev", dev.string(), "--config", config.string()});
  CHECK(bad.exitCode == 1);
  CHECK(has(bad.err, "display.model"));
  fs::remove_all(dev);
}
