// cb_test_httpd: the loopback test server as a program, serving a directory for integration tests.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "http_server.hpp"

namespace {

constexpr const char* kUsage =
    "usage: cb_test_httpd [--port N] [--quiet] DIR\n"
    "\n"
    "Serves DIR on 127.0.0.1 (port 0: a free one) and prints the port on the first\n"
    "line of stdout. A file's optional FILE.mode steers how it is served (re-read on\n"
    "every request): status CODE | redirect TARGET | stall | stall-body N | slow MS |\n"
    "truncate N | no-length | chunked | chunked-cut N | gzip | deflate | basic USER PASS |\n"
    "bearer TOKEN.\n"
    "Runs until SIGTERM or SIGINT; logs one line per request on stderr.\n";

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  bool quiet = false;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--port" && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else if (arg == "--quiet") {
      quiet = true;
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (dir.empty() && !arg.starts_with("-")) {
      dir = arg;
    } else {
      std::fputs(kUsage, stderr);
      return 2;
    }
  }
  if (dir.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  // Block the stop signals before any thread starts, then wait for one.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  cb::test::HttpServer server(port);
  server.fallback(cb::test::directoryHandler(dir));
  if (!quiet)
    server.setLog([](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); });
  std::printf("%d\n", server.port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stopSignals, &sig);
  server.stop();
  return 0;
}
