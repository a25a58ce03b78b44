// The default hal log sink writes one line per message to stderr.
#include "hal/log.hpp"

#include <cstdio>
#include <string>

namespace cb::hal {
namespace {

LogSink& sink() {
  static LogSink s = [](LogLevel level, std::string_view message) {
    if (level == LogLevel::Debug) return;
    std::string line = level == LogLevel::Error     ? "error: "
                       : level == LogLevel::Warning ? "warning: "
                                                    : "";
    line.append(message);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stderr);
  };
  return s;
}

}  // namespace

void setLogSink(LogSink s) {
  if (s) sink() = std::move(s);
}

void logMessage(LogLevel level, std::string_view message) {
  sink()(level, message);
}

}  // namespace cb::hal
