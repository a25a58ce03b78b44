// calendarbot's entry point: wires the real clock into the CLI.
#include <fmt/format.h>

#include <exception>

#include "daemon/cli.hpp"
#include "daemon/log.hpp"
#include "hal/log.hpp"

int main(int argc, char** argv) {
  cb::log::detectJournal();
  // hal reports through the same sink (its levels are the sd-daemon priorities too).
  cb::hal::setLogSink([](cb::hal::LogLevel level, std::string_view message) {
    const auto l = static_cast<cb::log::Level>(level);
    if (cb::log::level() >= l) cb::log::write(l, message);
  });
  std::vector<std::string_view> args(argv + 1, argv + argc);
  cb::hal::SystemClock clock;
  try {
    return cb::daemon::runCli(args, clock);
  } catch (const std::exception& e) {
    cb::log::error("{}", e.what());
    return cb::daemon::kFailure;
  }
}
