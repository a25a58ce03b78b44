// Helpers shared by the tests: fixture paths and environment lookups.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace cb::test {

inline std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

inline std::string fixture(const std::string& name) {
  return env("CB_FIXTURES") + "/" + name;
}

// A fresh, empty directory of this process's own (suites may run concurrently).
inline std::filesystem::path tempDir(const std::string& name) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("cb-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// The zone names a tzdata table lists (zone1970.tab, zone.tab: the third tab-separated
// field of each line that is not a comment), added to `names`.
inline void readZoneTab(const std::string& path, std::set<std::string>& names) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string code, coordinates, name;
    if (std::getline(fields, code, '\t') && std::getline(fields, coordinates, '\t') &&
        std::getline(fields, name, '\t'))
      names.insert(name);
  }
}

}  // namespace cb::test
