// Option parsing for the subcommands.
#include "daemon/args.hpp"

#include <fmt/format.h>

namespace cb::daemon {

Args::Args(const std::vector<std::string_view>& args, std::set<std::string_view> valued,
           std::set<std::string_view> flags) {
  for (std::size_t i = 0; i < args.size() && error_.empty(); ++i) {
    std::string_view a = args[i];
    if (!a.starts_with("--") || a == "--") {
      positional_.emplace_back(a);
      continue;
    }
    std::string_view name = a.substr(2);
    std::optional<std::string_view> inlineValue;
    if (const std::size_t eq = name.find('='); eq != std::string_view::npos) {
      inlineValue = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (flags.contains(name)) {
      if (inlineValue) error_ = fmt::format("--{} takes no value", name);
      flags_.emplace(name);
    } else if (valued.contains(name)) {
      if (inlineValue) {
        values_.emplace(name, *inlineValue);
      } else if (i + 1 < args.size()) {
        values_.emplace(name, args[++i]);
        // Options like --ics take several values: the words up to the next option.
        while (name == "ics" && i + 1 < args.size() && !args[i + 1].starts_with("--"))
          values_.emplace(name, args[++i]);
      } else {
        error_ = fmt::format("--{} needs a value", name);
      }
    } else {
      error_ = fmt::format("unknown option --{}", name);
    }
  }
}

std::optional<std::string> Args::value(std::string_view name) const {
  auto it = values_.find(std::string(name));
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Args::values(std::string_view name) const {
  std::vector<std::string> out;
  auto [b, e] = values_.equal_range(std::string(name));
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

}  // namespace cb::daemon
