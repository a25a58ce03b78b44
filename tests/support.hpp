// Helpers shared by the tests: fixture paths and environment lookups.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
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

}  // namespace cb::test
