// hal's log hook: drivers report a problem once, where it happens; the daemon routes it.
#pragma once

#include <functional>
#include <string_view>

namespace cb::hal {

// Syslog priorities, as daemon/log.hpp.
enum class LogLevel { Error = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7 };

using LogSink = std::function<void(LogLevel, std::string_view)>;

// Replaces the sink (default: "error: …"/"warning: …" lines on stderr). Not thread-safe:
// set it once at start-up.
void setLogSink(LogSink sink);
void logMessage(LogLevel level, std::string_view message);

}  // namespace cb::hal
