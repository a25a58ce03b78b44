// File names for per-source state.
#include "daemon/state_paths.hpp"

#include <fmt/format.h>

#include <cctype>

#include "daemon/fnv.hpp"

namespace cb::daemon {

std::filesystem::path sourceStatePath(const std::filesystem::path& stateDir,
                                      const SourceConfig& source, std::string_view subdir,
                                      std::string_view ext) {
  std::string name;
  for (char c : source.name.substr(0, 40))
    name.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_');
  const std::uint64_t h = fnv1a(source.name + '\n' + source.url);
  return stateDir / subdir / fmt::format("{}-{:016x}.{}", name, h, ext);
}

}  // namespace cb::daemon
