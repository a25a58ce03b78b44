// The `calendarbot` command line: subcommands, their options and help texts.
#pragma once

#include <string_view>
#include <vector>

#include "hal/clock.hpp"

namespace cb::daemon {

// Exit codes shared by every subcommand.
enum Exit : int { kOk = 0, kFailure = 1, kUsage = 2, kNotCalendar = 3 };

[[nodiscard]] int runCli(const std::vector<std::string_view>& args, hal::Clock& clock);

// Subcommands (args exclude the subcommand's own name).
[[nodiscard]] int cmdRender(const std::vector<std::string_view>& args);
[[nodiscard]] int cmdOccurrences(const std::vector<std::string_view>& args);
[[nodiscard]] int cmdCheckConfig(const std::vector<std::string_view>& args);
[[nodiscard]] int cmdProbe(const std::vector<std::string_view>& args);
// The daemon's fetch child (fetch_child.hpp): not for people, listed nowhere.
[[nodiscard]] int cmdFetchChild(const std::vector<std::string_view>& args);
[[nodiscard]] int cmdRun(const std::vector<std::string_view>& args, hal::Clock& clock);

}  // namespace cb::daemon
