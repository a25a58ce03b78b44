// A small option parser: "--name value", "--name=value" and flags, with clear errors.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cb::daemon {

class Args {
 public:
  // `valued`: options that take a value (may repeat); `flags`: options without one.
  Args(const std::vector<std::string_view>& args, std::set<std::string_view> valued,
       std::set<std::string_view> flags);

  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] bool has(std::string_view flag) const { return flags_.contains(std::string(flag)); }
  [[nodiscard]] std::optional<std::string> value(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> values(std::string_view name) const;
  [[nodiscard]] const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::string error_;
  std::set<std::string> flags_;
  std::multimap<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace cb::daemon
