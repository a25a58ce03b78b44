// Helpers shared by the fetcher and fetch-child tests: feeds, a temp dir, a poll loop.
#pragma once

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "daemon/config.hpp"
#include "daemon/fetcher.hpp"

namespace cb::daemon::testing {

using namespace std::chrono;
namespace fs = std::filesystem;

inline std::string calendar(int events, const std::string& tag = "Meeting") {
  std::string s = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calendarbot//test//EN\r\n";
  for (int i = 0; i < events; ++i)
    s += fmt::format(
        "BEGIN:VEVENT\r\nUID:{0}-{1}@test\r\nDTSTAMP:20250101T000000Z\r\n"
        "DTSTART:202501{2:02}T100000Z\r\nDTEND:202501{2:02}T110000Z\r\nSUMMARY:{0} {1}\r\n"
        "END:VEVENT\r\n",
        tag, i, i % 28 + 1);
  return s + "END:VCALENDAR\r\n";
}

// A fresh directory, removed at the end of the test.
struct TempDir {
  TempDir() {
    static std::atomic<int> counter{0};
    path =
        fs::temp_directory_path() / fmt::format("cb-fetch-{}-{}", ::getpid(), counter.fetch_add(1));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

// Short limits so that every failure mode takes at most a second or two.
inline FetcherOptions testOptions(const fs::path& stateDir = {}) {
  FetcherOptions o;
  o.stateDir = stateDir;
  o.connectTimeout = milliseconds(2000);
  o.stallTimeout = milliseconds(500);
  o.maxTime = seconds(20);
  o.maxBodyBytes = 256 * 1024;
  o.maxRedirects = 3;
  return o;
}

inline SourceConfig source(const std::string& url, const std::string& name = "work") {
  return SourceConfig{.name = name, .url = url};
}

// The event loop in miniature: poll what the fetcher asks for until every
// started fetch has reported. A fetcher that goes idle before that fails the test.
template <typename Loop>
void drive(Loop& fetcher, const std::function<bool()>& finished) {
  const auto giveUp = steady_clock::now() + seconds(30);
  while (!finished()) {
    REQUIRE(steady_clock::now() < giveUp);
    std::vector<pollfd> fds = fetcher.pollFds();
    const int timeout = fetcher.timeoutMs();
    REQUIRE((timeout >= 0 || !fds.empty()));  // never wait forever on nothing
    const int n = ::poll(fds.data(), fds.size(), timeout);
    REQUIRE(n >= 0);
    std::vector<pollfd> ready;
    for (const pollfd& p : fds)
      if (p.revents != 0) ready.push_back(p);
    fetcher.process(ready);
  }
}

}  // namespace cb::daemon::testing
