// File names for per-source state.
#include "daemon/state_paths.hpp"

#include <fmt/format.h>

#include <cctype>

namespace cb::daemon {

std::filesystem::path sourceStatePath(const std::filesystem::path& stateDir,
                                      const SourceConfig& source, std::string_view subdir,
                                      std::string_view ext) {
  std::string name;
  for (char c : source.name.substr(0, 40))
    name.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_');
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : source.name + '\n' + source.url) h = (h ^ c) * 1099511628211ULL;
  return stateDir / subdir / fmt::format("{}-{:016x}.{}", name, h, ext);
}

}  // namespace cb::daemon
