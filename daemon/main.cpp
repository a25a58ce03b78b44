// calendarbot's entry point: wires the real clock into the CLI.
#include <fmt/format.h>

#include <exception>

#include "daemon/cli.hpp"
#include "daemon/log.hpp"

int main(int argc, char** argv) {
  cb::log::detectJournal();
  std::vector<std::string_view> args(argv + 1, argv + argc);
  cb::hal::SystemClock clock;
  try {
    return cb::daemon::runCli(args, clock);
  } catch (const std::exception& e) {
    cb::log::error("{}", e.what());
    return cb::daemon::kFailure;
  }
}
