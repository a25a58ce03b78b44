// The loopback test HTTP server: a thread per connection, blocking sockets, scripted replies.
#include "http_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <list>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace cb::test {
namespace {

using namespace std::chrono;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string compress(std::string_view data, int windowBits) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string out(deflateBound(&z, uLong(data.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = uInt(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

std::string httpDate(time_t t) {
  char buf[64];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

}  // namespace

std::string HttpRequest::header(std::string_view name) const {
  const std::string key = lower(name);
  for (const auto& [k, v] : headers)
    if (k == key) return v;
  return {};
}

HttpReply HttpReply::ok(std::string body, std::string contentType) {
  HttpReply r;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", std::move(contentType));
  return r;
}

HttpReply HttpReply::withStatus(int status, std::string body) {
  HttpReply r;
  r.status = status;
  r.body = std::move(body);
  if (!r.body.empty()) r.headers.emplace_back("Content-Type", "text/plain");
  return r;
}

HttpReply HttpReply::redirect(std::string location, int status) {
  HttpReply r;
  r.status = status;
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

HttpReply& HttpReply::header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

std::string HttpReply::header(std::string_view name) const {
  const std::string key = lower(name);
  for (const auto& [k, v] : headers)
    if (lower(k) == key) return v;
  return {};
}

std::string gzipEncode(std::string_view data) {
  return compress(data, 15 + 16);
}

std::string deflateEncode(std::string_view data) {
  return compress(data, 15);
}

std::string etagFor(std::string_view body) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : body) h = (h ^ c) * 1099511628211ull;
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

HttpReply conditionalReply(const HttpRequest& request, std::string body) {
  const std::string tag = etagFor(body);
  if (request.header("If-None-Match") == tag) {
    HttpReply r = HttpReply::withStatus(304);
    r.header("ETag", tag);
    return r;
  }
  return HttpReply::ok(std::move(body)).header("ETag", tag);
}

std::string base64(std::string_view data) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const unsigned v = unsigned(static_cast<unsigned char>(data[i])) << 16 |
                       unsigned(static_cast<unsigned char>(data[i + 1])) << 8 |
                       unsigned(static_cast<unsigned char>(data[i + 2]));
    out += abc[v >> 18];
    out += abc[(v >> 12) & 63];
    out += abc[(v >> 6) & 63];
    out += abc[v & 63];
  }
  if (i < data.size()) {
    unsigned v = unsigned(static_cast<unsigned char>(data[i])) << 16;
    if (i + 1 < data.size()) v |= unsigned(static_cast<unsigned char>(data[i + 1])) << 8;
    out += abc[v >> 18];
    out += abc[(v >> 12) & 63];
    out += i + 1 < data.size() ? abc[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

HttpHandler basicAuth(std::string user, std::string password, HttpHandler inner) {
  const std::string expected = "Basic " + base64(user + ":" + password);
  return [expected, inner = std::move(inner)](const HttpRequest& request) {
    if (request.header("Authorization") != expected)
      return HttpReply::withStatus(401, "authentication required\n")
          .header("WWW-Authenticate", "Basic realm=\"calendar\"");
    return inner(request);
  };
}

HttpHandler bearerAuth(std::string token, HttpHandler inner) {
  const std::string expected = "Bearer " + token;
  return [expected, inner = std::move(inner)](const HttpRequest& request) {
    if (request.header("Authorization") != expected)
      return HttpReply::withStatus(401, "bad token\n")
          .header("WWW-Authenticate", "Bearer realm=\"calendar\"");
    return inner(request);
  };
}

HttpHandler directoryHandler(std::string dir) {
  return [dir = std::move(dir)](const HttpRequest& request) -> HttpReply {
    if (request.path.find("..") != std::string::npos || request.path.empty() ||
        request.path[0] != '/')
      return HttpReply::withStatus(400, "bad path\n");
    const std::string file = dir + request.path;
    std::vector<std::vector<std::string>> directives;
    {
      std::ifstream mode(file + ".mode");
      std::string line;
      while (std::getline(mode, line)) {
        std::istringstream words(line);
        std::vector<std::string> d;
        for (std::string w; words >> w;) d.push_back(w);
        if (!d.empty()) directives.push_back(std::move(d));
      }
    }
    auto arg = [](const std::vector<std::string>& d, std::size_t i) {
      return i < d.size() ? d[i] : std::string();
    };
    // Authentication comes first, as a real server would check it.
    for (const auto& d : directives) {
      if (d[0] == "basic" &&
          request.header("Authorization") != "Basic " + base64(arg(d, 1) + ":" + arg(d, 2)))
        return HttpReply::withStatus(401, "authentication required\n")
            .header("WWW-Authenticate", "Basic realm=\"calendar\"");
      if (d[0] == "bearer" && request.header("Authorization") != "Bearer " + arg(d, 1))
        return HttpReply::withStatus(401, "bad token\n");
    }
    HttpReply reply;
    struct stat st {};
    const bool exists = ::stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    if (exists) {
      std::ifstream in(file, std::ios::binary);
      reply = HttpReply::ok(std::string(std::istreambuf_iterator<char>(in), {}));
      const std::string tag = etagFor(reply.body);
      reply.header("ETag", tag).header("Last-Modified", httpDate(st.st_mtime));
      if (request.header("If-None-Match") == tag) {
        reply.status = 304;
        reply.body.clear();
      }
    } else {
      reply = HttpReply::withStatus(404, "not found\n");
    }
    for (const auto& d : directives) {
      const std::string& verb = d[0];
      const std::size_t n = std::size_t(std::atol(arg(d, 1).c_str()));
      if (verb == "status") {
        reply.status = std::atoi(arg(d, 1).c_str());
        if (!exists) reply.body = std::string(reason(reply.status)) + "\n";
      } else if (verb == "redirect") {
        reply = HttpReply::redirect(arg(d, 1));
      } else if (verb == "stall") {
        reply.mode = HttpReply::Mode::Stall;
      } else if (verb == "stall-body") {
        reply.mode = HttpReply::Mode::StallBody;
        reply.sendBytes = n;
      } else if (verb == "slow") {
        reply.mode = HttpReply::Mode::Slow;
        reply.sendBytes = 64;
        reply.interval = milliseconds(n);
      } else if (verb == "truncate") {
        reply.mode = HttpReply::Mode::Truncate;
        reply.sendBytes = n;
      } else if (verb == "no-length") {
        reply.mode = HttpReply::Mode::NoLength;
      } else if (verb == "chunked") {
        reply.mode = HttpReply::Mode::Chunked;
      } else if (verb == "chunked-cut") {
        reply.mode = HttpReply::Mode::ChunkedCut;
        reply.sendBytes = n;
      } else if (verb == "gzip" && reply.status == 200) {
        reply.body = gzipEncode(reply.body);
        reply.header("Content-Encoding", "gzip");
      } else if (verb == "deflate" && reply.status == 200) {
        reply.body = deflateEncode(reply.body);
        reply.header("Content-Encoding", "deflate");
      }
    }
    return reply;
  };
}

// ---------------------------------------------------------------------------

struct HttpServer::Impl {
  struct Worker {
    std::thread thread;
    std::atomic<bool> finished{false};
  };

  int listenFd = -1;
  int wakeFd = -1;  // an eventfd: readable once stop() was called
  int port = 0;
  std::thread acceptor;
  mutable std::mutex mutex;
  std::map<std::string, HttpHandler, std::less<>> routes;
  HttpHandler fallback = [](const HttpRequest&) {
    return HttpReply::withStatus(404, "not found\n");
  };
  std::function<void(const std::string&)> log;
  std::vector<HttpRequest> requests;
  std::list<Worker> workers;  // touched by the acceptor thread only (and stop() after it)
  std::vector<int> connections;
  bool stopped = false;

  // Waits until `fd` is readable (true) or the server stops / `timeout` passes (false).
  bool waitReadable(int fd, milliseconds timeout) const {
    pollfd fds[2] = {{fd, POLLIN, 0}, {wakeFd, POLLIN, 0}};
    const int n = ::poll(fds, 2, int(timeout.count()));
    return n > 0 && (fds[1].revents & POLLIN) == 0 && (fds[0].revents & (POLLIN | POLLHUP)) != 0;
  }

  // Sleeps for `d` unless the server stops first (false then).
  bool pause(milliseconds d) const {
    pollfd p{wakeFd, POLLIN, 0};
    return ::poll(&p, 1, int(d.count())) == 0;
  }

  static bool sendAll(int fd, std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(std::size_t(n));
    }
    return true;
  }

  // Holds the connection open until the client or the server gives up.
  void hold(int fd) const {
    char buf[512];
    for (;;) {
      pollfd fds[2] = {{fd, POLLIN, 0}, {wakeFd, POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
      if (fds[1].revents & POLLIN) return;
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        if (::recv(fd, buf, sizeof buf, 0) <= 0) return;
      }
    }
  }

  static bool parse(const std::string& head, HttpRequest& request) {
    std::istringstream in(head);
    std::string line;
    if (!std::getline(in, line)) return false;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream first(line);
    std::string version;
    if (!(first >> request.method >> request.target >> version)) return false;
    if (!version.starts_with("HTTP/1.")) return false;
    for (char c : request.method)
      if (c < 'A' || c > 'Z') return false;
    request.path = request.target.substr(0, request.target.find('?'));
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) break;
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      request.headers.emplace_back(lower(line.substr(0, colon)), std::move(value));
    }
    return true;
  }

  void serve(int fd) {
    std::string head;
    char buf[4096];
    bool bad = false;
    while (head.find("\r\n\r\n") == std::string::npos) {
      if (!waitReadable(fd, seconds(10))) return;
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      head.append(buf, std::size_t(n));
      // Not HTTP at all (a TLS ClientHello, say): answer at once instead of waiting.
      if (!std::isupper(static_cast<unsigned char>(head[0])) || head.size() > 64 * 1024) {
        bad = true;
        break;
      }
    }
    HttpRequest request;
    if (bad || !parse(head, request)) {
      sendAll(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    HttpHandler handler;
    std::function<void(const std::string&)> logTo;
    {
      std::lock_guard lock(mutex);
      requests.push_back(request);
      const auto it = routes.find(request.path);
      handler = it != routes.end() ? it->second : fallback;
      logTo = log;
    }
    HttpReply reply = handler(request);
    if (logTo)
      logTo(request.method + " " + request.path + " -> " + std::to_string(reply.status) + ", " +
            std::to_string(reply.body.size()) + " bytes");
    if (reply.mode == HttpReply::Mode::Stall) return hold(fd);

    std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " + reason(reply.status) +
                      "\r\nConnection: close\r\n";
    for (const auto& [k, v] : reply.headers) out += k + ": " + v + "\r\n";
    const bool bodyAllowed = reply.status != 304 && reply.status != 204 && request.method != "HEAD";
    const bool chunked =
        reply.mode == HttpReply::Mode::Chunked || reply.mode == HttpReply::Mode::ChunkedCut;
    if (chunked && bodyAllowed)
      out += "Transfer-Encoding: chunked\r\n";
    else if (reply.mode != HttpReply::Mode::NoLength && reply.mode != HttpReply::Mode::Endless)
      out += "Content-Length: " + std::to_string(bodyAllowed ? reply.body.size() : 0) + "\r\n";
    out += "\r\n";
    if (!sendAll(fd, out) || !bodyAllowed) return;
    const std::string_view body = reply.body;
    switch (reply.mode) {
      case HttpReply::Mode::Normal:
      case HttpReply::Mode::NoLength:
        sendAll(fd, body);
        return;
      case HttpReply::Mode::Truncate:
        sendAll(fd, body.substr(0, std::min(reply.sendBytes, body.size())));
        return;
      case HttpReply::Mode::StallBody:
        if (sendAll(fd, body.substr(0, std::min(reply.sendBytes, body.size())))) hold(fd);
        return;
      case HttpReply::Mode::Endless: {
        const std::string_view again =
            body.substr(body.size() - std::min(reply.sendBytes, body.size()));
        if (!sendAll(fd, body) || again.empty()) return;
        while (sendAll(fd, again)) {
          if (reply.interval.count() > 0 && !pause(reply.interval)) return;
        }
        return;
      }
      case HttpReply::Mode::Slow: {
        const std::size_t step = std::max<std::size_t>(1, reply.sendBytes);
        for (std::size_t at = 0; at < body.size(); at += step) {
          if (!sendAll(fd, body.substr(at, step)) || !pause(reply.interval)) return;
        }
        return;
      }
      case HttpReply::Mode::Chunked:
      case HttpReply::Mode::ChunkedCut: {
        const bool cut = reply.mode == HttpReply::Mode::ChunkedCut;
        const std::size_t end = cut ? std::min(reply.sendBytes, body.size()) : body.size();
        for (std::size_t at = 0; at < end; at += 1000) {
          const std::string_view piece = body.substr(at, std::min<std::size_t>(1000, end - at));
          char size[32];
          std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
          if (!sendAll(fd, size) || !sendAll(fd, piece) || !sendAll(fd, "\r\n")) return;
        }
        if (!cut) sendAll(fd, "0\r\n\r\n");
        return;
      }
      case HttpReply::Mode::Stall:
        return;
    }
  }

  void acceptLoop() {
    for (;;) {
      pollfd fds[2] = {{listenFd, POLLIN, 0}, {wakeFd, POLLIN, 0}};
      if (::poll(fds, 2, 1000) < 0 && errno != EINTR) return;
      if (fds[1].revents & POLLIN) return;
      // Reap finished connection threads so a long run does not pile them up.
      for (auto it = workers.begin(); it != workers.end();) {
        if (it->finished) {
          it->thread.join();
          it = workers.erase(it);
        } else {
          ++it;
        }
      }
      if ((fds[0].revents & POLLIN) == 0) continue;
      const int fd = ::accept4(listenFd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      {
        std::lock_guard lock(mutex);
        connections.push_back(fd);
      }
      Worker& w = workers.emplace_back();
      w.thread = std::thread([this, fd, &w] {
        serve(fd);
        ::shutdown(fd, SHUT_RDWR);
        {
          std::lock_guard lock(mutex);
          std::erase(connections, fd);
        }
        ::close(fd);
        w.finished = true;
      });
    }
  }
};

HttpServer::HttpServer(int port) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.listenFd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(m.listenFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(std::uint16_t(port));
  if (::bind(m.listenFd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(m.listenFd, 64) != 0)
    throw std::runtime_error(std::string("test http server: ") + std::strerror(errno));
  socklen_t len = sizeof addr;
  ::getsockname(m.listenFd, reinterpret_cast<sockaddr*>(&addr), &len);
  m.port = ntohs(addr.sin_port);
  m.wakeFd = ::eventfd(0, EFD_CLOEXEC);
  m.acceptor = std::thread([&m] { m.acceptLoop(); });
}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::stop() {
  Impl& m = *impl_;
  if (m.stopped) return;
  m.stopped = true;
  const std::uint64_t one = 1;
  (void)!::write(m.wakeFd, &one, sizeof one);
  m.acceptor.join();
  {
    std::lock_guard lock(m.mutex);
    for (int fd : m.connections) ::shutdown(fd, SHUT_RDWR);
  }
  for (Impl::Worker& w : m.workers) w.thread.join();
  m.workers.clear();
  ::close(m.listenFd);
  ::close(m.wakeFd);
}

void HttpServer::route(std::string path, HttpHandler handler) {
  std::lock_guard lock(impl_->mutex);
  impl_->routes[std::move(path)] = std::move(handler);
}

void HttpServer::fallback(HttpHandler handler) {
  std::lock_guard lock(impl_->mutex);
  impl_->fallback = std::move(handler);
}

void HttpServer::setLog(std::function<void(const std::string&)> log) {
  std::lock_guard lock(impl_->mutex);
  impl_->log = std::move(log);
}

int HttpServer::port() const {
  return impl_->port;
}

std::string HttpServer::url(std::string_view target) const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + std::string(target);
}

std::vector<HttpRequest> HttpServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

std::size_t HttpServer::hits(std::string_view path) const {
  std::lock_guard lock(impl_->mutex);
  return std::size_t(std::count_if(impl_->requests.begin(), impl_->requests.end(),
                                   [&](const HttpRequest& r) { return r.path == path; }));
}

}  // namespace cb::test
