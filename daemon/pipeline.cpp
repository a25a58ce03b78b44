// Shared pipeline helpers for the CLI and the daemon.
#include "daemon/pipeline.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "daemon/fetcher.hpp"
#include "daemon/log.hpp"

namespace cb::daemon {

hal::Image toImage(const render::Frame& frame, render::Rect damage, std::uint64_t hash) {
  hal::Image img;
  img.pixels = frame.pixels();
  img.width = frame.width();
  img.height = frame.height();
  img.strideWords = frame.strideWords();
  img.hash = hash != 0 ? hash : frame.hash();
  img.damage = {damage.x, damage.y, damage.width, damage.height};
  return img;
}

hal::Image toImage(const render::Frame& frame, const render::Frame* previous, std::uint64_t hash) {
  return toImage(frame,
                 previous ? render::damage(*previous, frame)
                          : render::Rect{0, 0, frame.width(), frame.height()},
                 hash);
}

std::optional<ics::EventStore> loadCalendar(const std::string& location,
                                            const ics::IngestOptions& options,
                                            const std::string& label, std::string& error,
                                            bool* notCalendar) {
  if (notCalendar != nullptr) *notCalendar = false;
  std::string path = location;
  if (isRemote(location)) {
    // The label may be the URL itself: only its redacted form is ever printed.
    SourceConfig source{.name = label == location ? log::redactUrl(location) : label,
                        .url = location};
    FetchResult r = fetchNow(source, options);
    if (r.kind != FetchResult::Kind::Updated) {
      error = r.error;
      if (notCalendar != nullptr) *notCalendar = r.notCalendar;
      return std::nullopt;
    }
    return std::move(r.store);
  }
  if (path.starts_with("file://")) path.erase(0, 7);
  if (path.find("://") != std::string::npos) {
    error = fmt::format("{}: {}: unsupported URL scheme (http, https, webcal or a file path)",
                        label.find("://") != std::string::npos ? log::redactUrl(label) : label,
                        log::redactUrl(location));
    return std::nullopt;
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    error = fmt::format("{}: no such file: {}", label, path);
    return std::nullopt;
  }
  std::size_t warnings = 0;
  auto warn = [&](std::string_view w) {
    if (++warnings <= 20) log::warning("{}: {}", label, w);
  };
  ics::LoadResult r = ics::loadFile(path, options, warn);
  if (warnings > 20) log::warning("{}: {} more warnings not shown", label, warnings - 20);
  if (!r.error.empty()) {
    error = fmt::format("{}: {}", label, r.error);
    if (notCalendar != nullptr) *notCalendar = r.notCalendar;
    return std::nullopt;
  }
  return std::move(r.store);
}

}  // namespace cb::daemon
