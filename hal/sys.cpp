// The real Sys: thin wrappers over open/close/ioctl/mmap that retry EINTR and return -errno.
#include "hal/sys.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

namespace cb::hal {
namespace {

class KernelSys final : public Sys {
 public:
  int open(const char* path, int flags) override {
    int fd;
    do {
      fd = ::open(path, flags | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    return fd < 0 ? -errno : fd;
  }
  int close(int fd) override { return ::close(fd) == 0 ? 0 : -errno; }
  int ioctl(int fd, unsigned long request, void* arg) override {
    int rc;
    do {
      rc = ::ioctl(fd, request, arg);
    } while (rc < 0 && errno == EINTR);
    return rc < 0 ? -errno : rc;
  }
  void* mmap(std::size_t length, int prot, int fd, off_t offset, int& error) override {
    void* p = ::mmap(nullptr, length, prot, MAP_SHARED, fd, offset);
    if (p == MAP_FAILED) {
      error = errno;
      return nullptr;
    }
    return p;
  }
  int munmap(void* address, std::size_t length) override {
    return ::munmap(address, length) == 0 ? 0 : -errno;
  }
};

}  // namespace

Sys& realSys() {
  static KernelSys sys;
  return sys;
}

int UniqueFd::close() {
  const int fd = std::exchange(fd_, -1);
  if (fd < 0) return 0;
  if (sys_ != nullptr) return sys_->close(fd);
  // Linux frees the descriptor even when close() fails (EINTR included): never retry.
  return ::close(fd) == 0 ? 0 : -errno;
}

}  // namespace cb::hal
