// FakeSys: real file descriptors (memfds) behind fake device semantics.
#include "hal/fake_sys.hpp"

#include <fcntl.h>
#include <linux/kd.h>
#include <linux/spi/spidev.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace cb::hal {

FakeSys::~FakeSys() {
  for (const auto& [fd, path] : open_) ::close(fd);
  for (auto& [path, n] : nodes_)
    if (n.memfd >= 0) ::close(n.memfd);
}

void FakeSys::addFramebuffer(const std::string& path, const fb_var_screeninfo& var,
                             const fb_fix_screeninfo& fix, unsigned char fill) {
  Node n;
  n.kind = Node::Kind::Framebuffer;
  n.var = var;
  n.fix = fix;
  n.memfd = ::memfd_create("cb-fake-fb", MFD_CLOEXEC);
  if (n.memfd < 0 || ::ftruncate(n.memfd, off_t(fix.smem_len)) != 0)
    throw std::runtime_error("memfd for the fake framebuffer");
  const std::vector<unsigned char> bytes(fix.smem_len, fill);
  if (::pwrite(n.memfd, bytes.data(), bytes.size(), 0) != ssize_t(bytes.size()))
    throw std::runtime_error("filling the fake framebuffer");
  nodes_[path] = std::move(n);
}

void FakeSys::addTty(const std::string& path, int mode) {
  Node n;
  n.kind = Node::Kind::Tty;
  n.mode = mode;
  nodes_[path] = std::move(n);
}

void FakeSys::addSpidev(const std::string& path) {
  Node n;
  n.kind = Node::Kind::Spidev;
  nodes_[path] = std::move(n);
}

void FakeSys::deny(const std::string& path, int err) {
  denied_[path] = err;
}

const FakeSys::Node& FakeSys::node(const std::string& path) const {
  const auto it = nodes_.find(path);
  if (it == nodes_.end()) throw std::logic_error("no fake device " + path);
  return it->second;
}

std::vector<unsigned char> FakeSys::memory(const std::string& path) const {
  const Node& n = node(path);
  std::vector<unsigned char> out(n.fix.smem_len);
  if (::pread(n.memfd, out.data(), out.size(), 0) != ssize_t(out.size()))
    throw std::runtime_error("reading the fake framebuffer");
  return out;
}

void FakeSys::fillMemory(const std::string& path, unsigned char value) {
  const Node& n = node(path);
  const std::vector<unsigned char> bytes(n.fix.smem_len, value);
  if (::pwrite(n.memfd, bytes.data(), bytes.size(), 0) != ssize_t(bytes.size()))
    throw std::runtime_error("filling the fake framebuffer");
}

void FakeSys::resetTty(const std::string& path) {
  Node& n = nodes_.at(path);
  for (const auto& [fd, p] : open_)
    if (p == path) hungUp_.insert(fd);
  n.mode = KD_TEXT;
}

int FakeSys::ttyMode(const std::string& path) const {
  return node(path).mode;
}

const std::vector<int>& FakeSys::ttyModeHistory(const std::string& path) const {
  return node(path).modes;
}

const std::vector<std::vector<std::uint8_t>>& FakeSys::spiTransfers(const std::string& path) const {
  return node(path).transfers;
}

std::uint32_t FakeSys::spiSpeed(const std::string& path) const {
  return node(path).speed;
}

int FakeSys::open(const char* path, int flags) {
  if (const auto d = denied_.find(path); d != denied_.end()) return -d->second;
  if (writeOnly_.count(path) != 0 && (flags & O_ACCMODE) != O_WRONLY) return -EACCES;
  const auto it = nodes_.find(path);
  if (it == nodes_.end()) return -ENOENT;
  // A real descriptor, so mmap and close behave as with a device node.
  const int fd = it->second.memfd >= 0 ? ::fcntl(it->second.memfd, F_DUPFD_CLOEXEC, 0)
                                       : ::memfd_create("cb-fake-dev", MFD_CLOEXEC);
  if (fd < 0) return -errno;
  open_[fd] = path;
  return fd;
}

int FakeSys::close(int fd) {
  if (open_.erase(fd) == 0) return -EBADF;
  hungUp_.erase(fd);
  ::close(fd);
  return 0;
}

int FakeSys::ioctl(int fd, unsigned long request, void* arg) {
  const auto o = open_.find(fd);
  if (o == open_.end()) return -EBADF;
  ++ioctlCalls_[request];
  if (hungUp_.count(fd) != 0) return -EIO;
  if (const auto f = ioctlFailures_.find(request); f != ioctlFailures_.end()) {
    const int err = f->second;
    ioctlFailures_.erase(f);
    return -err;
  }
  Node& n = nodes_.at(o->second);
  switch (n.kind) {
    case Node::Kind::Framebuffer:
      if (request == FBIOGET_VSCREENINFO) {
        *static_cast<fb_var_screeninfo*>(arg) = n.var;
        return 0;
      }
      if (request == FBIOGET_FSCREENINFO) {
        *static_cast<fb_fix_screeninfo*>(arg) = n.fix;
        return 0;
      }
      return -ENOTTY;
    case Node::Kind::Tty:
      if (request == KDGETMODE) {
        *static_cast<int*>(arg) = n.mode;
        return 0;
      }
      if (request == KDSETMODE) {
        const auto mode = int(reinterpret_cast<std::uintptr_t>(arg));
        if (mode != KD_TEXT && mode != KD_GRAPHICS) return -EINVAL;
        n.mode = mode;
        n.modes.push_back(mode);
        return 0;
      }
      return -ENOTTY;
    case Node::Kind::Spidev:
      if (request == SPI_IOC_WR_MODE) {
        n.spiMode = *static_cast<const std::uint8_t*>(arg);
        return 0;
      }
      if (request == SPI_IOC_WR_BITS_PER_WORD) {
        n.bits = *static_cast<const std::uint8_t*>(arg);
        return 0;
      }
      if (request == SPI_IOC_WR_MAX_SPEED_HZ) {
        n.speed = *static_cast<const std::uint32_t*>(arg);
        return 0;
      }
      if (request == SPI_IOC_MESSAGE(1)) {
        const auto* t = static_cast<const spi_ioc_transfer*>(arg);
        if (t->len > 4096) return -EMSGSIZE;  // spidev's default bufsiz
        const auto* tx = reinterpret_cast<const std::uint8_t*>(std::uintptr_t(t->tx_buf));
        n.transfers.emplace_back(tx, tx + t->len);
        return int(t->len);
      }
      return -ENOTTY;
  }
  return -ENOTTY;
}

void* FakeSys::mmap(std::size_t length, int prot, int fd, off_t offset, int& error) {
  const auto o = open_.find(fd);
  if (o == open_.end() || nodes_.at(o->second).kind != Node::Kind::Framebuffer) {
    error = ENODEV;
    return nullptr;
  }
  void* p = ::mmap(nullptr, length, prot, MAP_SHARED, fd, offset);
  if (p == MAP_FAILED) {
    error = errno;
    return nullptr;
  }
  return p;
}

int FakeSys::munmap(void* address, std::size_t length) {
  return ::munmap(address, length) == 0 ? 0 : -errno;
}

}  // namespace cb::hal
