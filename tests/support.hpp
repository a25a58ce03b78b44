// Helpers shared by the tests: fixture paths and environment lookups.
#pragma once

#include <cstdlib>
#include <string>

namespace cb::test {

inline std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

inline std::string fixture(const std::string& name) {
  return env("CB_FIXTURES") + "/" + name;
}

}  // namespace cb::test
