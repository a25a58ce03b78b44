// NotifySocket: a NOTIFY_SOCKET for integration tests, collecting what the daemon tells systemd.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace cb::test {

using namespace std::chrono;
namespace fs = std::filesystem;

// A NOTIFY_SOCKET that collects what the daemon tells systemd.
class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) : path_(path) {
    fs::remove(path);
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~NotifySocket() {
    close(fd_);
    fs::remove(path_);
  }
  // Waits up to `timeout` for a message containing `needle`; all messages are kept.
  bool waitFor(const std::string& needle, milliseconds timeout) {
    const auto end = steady_clock::now() + timeout;
    while (steady_clock::now() < end) {
      char buf[4096];
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n > 0) {
        messages.emplace_back(buf, std::size_t(n));
        if (messages.back().find(needle) != std::string::npos) return true;
      } else {
        std::this_thread::sleep_for(milliseconds(10));
      }
    }
    return false;
  }
  // The newest STATUS= text received so far (after collecting what is queued).
  std::string lastStatus() {
    waitFor("\x01never", milliseconds{50});
    for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
      const auto at = it->find("STATUS=");
      if (at != std::string::npos) return it->substr(at + 7, it->find('\n', at) - at - 7);
    }
    return {};
  }
  // Waits until the newest STATUS= text contains `needle`.
  bool waitStatus(const std::string& needle, milliseconds timeout) {
    const auto end = steady_clock::now() + timeout;
    do {
      if (lastStatus().find(needle) != std::string::npos) return true;
    } while (steady_clock::now() < end);
    return false;
  }
  int count(const std::string& needle) const {
    int c = 0;
    for (const auto& m : messages) c += m.find(needle) != std::string::npos;
    return c;
  }
  std::vector<std::string> messages;

 private:
  fs::path path_;
  int fd_ = -1;
};

}  // namespace cb::test
