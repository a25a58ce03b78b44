// Log sink: one line per message on stderr, prefixed for journald when it is listening.
#include "daemon/log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace cb::log {
namespace {
Level gLevel = Level::Info;
bool gJournal = false;
}  // namespace

void setLevel(Level l) {
  gLevel = l;
}
Level level() {
  return gLevel;
}

bool parseLevel(std::string_view name, Level& out) {
  if (name == "error")
    out = Level::Error;
  else if (name == "warning")
    out = Level::Warning;
  else if (name == "notice")
    out = Level::Notice;
  else if (name == "info")
    out = Level::Info;
  else if (name == "debug")
    out = Level::Debug;
  else
    return false;
  return true;
}

void detectJournal() {
  // JOURNAL_STREAM is "device:inode" of the journal's stream; it only counts
  // when stderr is still that very stream (not redirected by a child).
  gJournal = false;
  const char* env = std::getenv("JOURNAL_STREAM");
  if (env == nullptr) return;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2) return;
  struct stat st {};
  if (::fstat(STDERR_FILENO, &st) != 0) return;
  gJournal = st.st_dev == dev && st.st_ino == ino;
}

void write(Level l, std::string_view message) {
  std::string line;
  if (gJournal)
    line = fmt::format("<{}>", static_cast<int>(l));
  else if (l == Level::Error)
    line = "error: ";
  else if (l == Level::Warning)
    line = "warning: ";
  line.append(message);
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

std::string redactUrl(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) {
    // A file path: the file name is no secret, but directories may hold user names.
    const std::size_t slash = url.rfind('/');
    return slash == std::string_view::npos ? std::string(url)
                                           : "…/" + std::string(url.substr(slash + 1));
  }
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const std::size_t at = rest.rfind('@'); at != std::string_view::npos)
    rest.remove_prefix(at + 1);
  return fmt::format("{}://{}/…", url.substr(0, scheme), rest);
}

}  // namespace cb::log
