// `calendarbot probe`: what display, SPI and GPIO hardware this machine offers, and what is
// missing.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "calendarbot_config.h"
#include "daemon/args.hpp"
#include "daemon/cli.hpp"
#include "daemon/config.hpp"
#include "hal/eink_model.hpp"
#include "hal/probe.hpp"
#include "hal/sys.hpp"

namespace cb::daemon {
namespace {

constexpr const char* kHelp =
    "usage: calendarbot probe [--config PATH] [--dev DIR]\n"
    "\n"
    "Prints what the daemon would find: framebuffers (geometry, pixel format), the\n"
    "console tty, SPI devices, GPIO chips and the lines the config uses — and, when\n"
    "something cannot be opened, which group the service user needs (video, tty,\n"
    "spi, gpio). Missing hardware is reported, not an error: exit 0.\n"
    "  --config PATH  the config whose [display] and [button] to check (default " CB_DEFAULT_CONFIG
    "\n"
    "                 if it exists, else the built-in defaults)\n"
    "  --dev DIR      look for device nodes in DIR instead of /dev\n";

// A configured /dev path, moved under `dev` when probing another device directory.
std::string underDev(const std::string& path, const std::string& dev) {
  if (dev == "/dev" || !path.starts_with("/dev/")) return path;
  return dev + path.substr(4);
}

std::string chipPath(const std::string& chip, const std::string& dev) {
  if (chip.starts_with("/")) return underDev(chip, dev);
  if (!chip.empty() && std::isdigit(static_cast<unsigned char>(chip[0])))
    return dev + "/gpiochip" + chip;
  return dev + "/" + chip;
}

}  // namespace

int cmdProbe(const std::vector<std::string_view>& argv) {
  Args args(argv, {"config", "dev"}, {"help"});
  if (args.has("help")) {
    std::fputs(kHelp, stdout);
    return kOk;
  }
  if (!args.error().empty() || !args.positional().empty()) {
    fmt::print(stderr, "calendarbot probe: {}\n",
               args.error().empty() ? "unexpected argument" : args.error());
    return kUsage;
  }
  std::string configPath = args.value("config").value_or("");
  Config config;
  if (configPath.empty() && std::filesystem::exists(CB_DEFAULT_CONFIG))
    configPath = CB_DEFAULT_CONFIG;
  if (!configPath.empty()) {
    ConfigResult r = loadConfig(configPath);
    for (const std::string& e : r.errors) fmt::print(stderr, "error: {}\n", e);
    if (!r.ok()) return kFailure;
    config = std::move(r.config);
  }
  const std::string dev = args.value("dev").value_or("/dev");
  hal::Sys& sys = hal::realSys();

  fmt::print("calendarbot probe ({}; devices in {})\n",
             configPath.empty() ? "no config: built-in defaults" : "config " + configPath, dev);
  fmt::print("build: GPIO {}, e-ink {}\n", CB_HAVE_GPIO ? "yes" : "no (-Dgpio=disabled)",
             CB_HAVE_EINK ? "yes" : "no (-Deink=disabled)");

  fmt::print("\nframebuffer:\n");
  const auto fbs = hal::listDevices(dev, "fb");
  if (fbs.empty())
    fmt::print("  {}/fb*: not found (no HDMI/DSI/TFT framebuffer driver is loaded)\n", dev);
  for (const std::string& fb : fbs) fmt::print("  {}\n", hal::probeFramebuffer(sys, fb));

  fmt::print("\nconsole:\n");
  const std::string tty =
      underDev(config.display.tty.empty() ? "/dev/tty1" : config.display.tty, dev);
  if (std::filesystem::exists(tty))
    fmt::print("  {}\n", hal::probeTty(sys, tty));
  else
    fmt::print("  {}: not found (no virtual console: nothing to hide)\n", tty);

  fmt::print("\nSPI:\n");
  const auto spis = hal::listDevices(dev, "spidev");
  if (spis.empty())
    fmt::print(
        "  {}/spidev*: not found (enable SPI: dtparam=spi=on in /boot/firmware/config.txt)\n", dev);
  for (const std::string& s : spis) fmt::print("  {}\n", hal::probeSpidev(sys, s));

  // Which panel is which: the 4.2" V1 and V2 look alike but take different protocols.
  fmt::print("\ne-ink panels (display.model):\n");
  for (const hal::EinkModel& m : hal::einkModels())
    fmt::print(
        "  {:<9} {}{}\n            how to tell: {}\n", m.name, m.product,
        config.display.kind == "eink" && config.display.eink.model == m.name ? " (configured)" : "",
        m.howToTell);

  // The lines the config uses, per chip.
  std::map<std::string, std::vector<int>> wanted;
  const hal::EinkSettings& e = config.display.eink;
  if (config.display.kind == "eink")
    for (int pin : {e.pinRst, e.pinDc, e.pinBusy, e.pinPwr})
      if (pin >= 0) wanted[chipPath(e.gpioChip, dev)].push_back(pin);
  if (config.button) wanted[chipPath(config.button->chip, dev)].push_back(config.button->line);

  fmt::print("\nGPIO:\n");
  const auto chips = hal::listDevices(dev, "gpiochip");
  if (chips.empty()) fmt::print("  {}/gpiochip*: not found (no GPIO controller)\n", dev);
  for (const std::string& c : chips) {
    const auto it = wanted.find(c);
    fmt::print("  {}\n",
               hal::probeGpioChip(c, it == wanted.end() ? std::vector<int>{} : it->second));
    if (it != wanted.end()) wanted.erase(it);
  }
  for (const auto& [chip, lines] : wanted) fmt::print("  {}: configured, but not found\n", chip);

  fmt::print("\nconfigured:\n");
  const hal::DisplayConfig& d = config.display;
  if (d.kind == "eink") {
    const hal::EinkModel* m = hal::findEinkModel(e.model);
    const std::string spi = underDev(d.path, dev);
    fmt::print(
        "  display: e-ink {} on {} at {} Hz; {} RST {} DC {} BUSY {} PWR {}; {}\n",
        m ? m->description : e.model, d.path, e.spiSpeedHz, e.gpioChip, e.pinRst, e.pinDc,
        e.pinBusy, e.pinPwr < 0 ? std::string("not wired") : std::to_string(e.pinPwr),
        std::filesystem::exists(spi) ? "the SPI device exists" : "the SPI device is not found");
  } else if (d.kind == "framebuffer") {
    fmt::print("  display: framebuffer {} ({}; console {}): {}\n", d.path, d.fit,
               d.tty.empty() ? "left alone" : d.tty,
               std::filesystem::exists(underDev(d.path, dev)) ? "exists" : "not found");
  } else {
    fmt::print("  display: {} {}\n", d.kind, d.path);
  }
  if (config.button)
    fmt::print("  button: {} line {} ({}, bias {}), debounce {} ms, long press {} ms\n",
               config.button->chip, config.button->line,
               config.button->activeLow ? "active low" : "active high", config.button->bias,
               config.button->debounceMs, config.button->longPressMs);
  else
    fmt::print("  button: none configured (SIGUSR1 cycles layouts)\n");
  return kOk;
}

}  // namespace cb::daemon
