// FakeEdgeLine: a queue of scripted edges signalled through an eventfd.
#include "hal/fake_gpio.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>

namespace cb::hal {

FakeEdgeLine::FakeEdgeLine(int initialLevel) : level_(initialLevel) {
  fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd_ < 0) throw std::runtime_error("eventfd");
}

FakeEdgeLine::~FakeEdgeLine() {
  ::close(fd_);
}

void FakeEdgeLine::edge(int level, std::chrono::nanoseconds at) {
  queue_.push_back(Edge{level == 1, at});
  level_ = level;
  const std::uint64_t one = 1;
  if (::write(fd_, &one, sizeof one) != sizeof one) throw std::runtime_error("eventfd write");
}

void FakeEdgeLine::bounce(int level, std::chrono::nanoseconds at, int edges,
                          std::chrono::nanoseconds gap) {
  // Odd counts end on `level`: start on it and alternate.
  for (int i = 0; i < edges; ++i) {
    const int l = (edges - 1 - i) % 2 == 0 ? level : 1 - level;
    edge(l, at + i * gap);
  }
}

int FakeEdgeLine::readEdges(std::vector<Edge>& out) {
  std::uint64_t count = 0;
  (void)!::read(fd_, &count, sizeof count);  // drain readiness
  if (failure_ != 0) {
    const int err = failure_;
    failure_ = 0;
    return -err;
  }
  out.insert(out.end(), queue_.begin(), queue_.end());
  queue_.clear();
  return 0;
}

}  // namespace cb::hal
