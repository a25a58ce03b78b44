// Logging facade: fmt-style messages, levels, sd-daemon "<N>" prefixes under journald.
#pragma once

#include <fmt/format.h>

#include <string_view>

namespace cb::log {

// Values are the sd-daemon (syslog) priorities.
enum class Level { Error = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7 };

void setLevel(Level level);
[[nodiscard]] Level level();
[[nodiscard]] bool parseLevel(std::string_view name, Level& out);
// Re-reads JOURNAL_STREAM: "<N>" prefixes when stderr is the journal.
void detectJournal();
void write(Level level, std::string_view message);

template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::Error, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warning(fmt::format_string<Args...> f, Args&&... args) {
  if (level() >= Level::Warning) write(Level::Warning, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  if (level() >= Level::Info) write(Level::Info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (level() >= Level::Debug) write(Level::Debug, fmt::format(f, std::forward<Args>(args)...));
}

// "https://calendar.example.com/…" without user info, path or query: feed URLs carry secrets.
[[nodiscard]] std::string redactUrl(std::string_view url);

}  // namespace cb::log
