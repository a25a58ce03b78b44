// Sys: the handful of system calls the device drivers make, behind an interface so
// tests run the very same driver code against fake devices (a memfd-backed framebuffer…).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <utility>

namespace cb::hal {

// Every call returns what the kernel would, but errors as -errno (never sets errno).
class Sys {
 public:
  virtual ~Sys() = default;
  [[nodiscard]] virtual int open(const char* path, int flags) = 0;  // fd or -errno
  virtual int close(int fd) = 0;
  [[nodiscard]] virtual int ioctl(int fd, unsigned long request, void* arg) = 0;  // >= 0 or -errno
  // The mapping, or nullptr with `error` set to the errno.
  [[nodiscard]] virtual void* mmap(std::size_t length, int prot, int fd, off_t offset,
                                   int& error) = 0;
  virtual int munmap(void* address, std::size_t length) = 0;
};

// The real kernel.
[[nodiscard]] Sys& realSys();

// Owns a file descriptor, opened through a Sys (closed through it) or straight from the
// kernel; closes it exactly once. The one fd owner of the project.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(Sys& sys, int fd) : sys_(&sys), fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& o) noexcept : sys_(o.sys_), fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset();
      sys_ = o.sys_;
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] bool valid() const { return fd_ >= 0; }
  void reset() { (void)close(); }
  // Closes now; 0 or -errno (close() can report a late write error).
  [[nodiscard]] int close();

 private:
  Sys* sys_ = nullptr;
  int fd_ = -1;
};

// Owns a mapping made through a Sys.
class UniqueMapping {
 public:
  UniqueMapping() = default;
  UniqueMapping(Sys& sys, void* address, std::size_t length)
      : sys_(&sys), address_(address), length_(length) {}
  ~UniqueMapping() { reset(); }
  UniqueMapping(UniqueMapping&& o) noexcept
      : sys_(o.sys_), address_(std::exchange(o.address_, nullptr)), length_(o.length_) {}
  UniqueMapping& operator=(UniqueMapping&& o) noexcept {
    if (this != &o) {
      reset();
      sys_ = o.sys_;
      address_ = std::exchange(o.address_, nullptr);
      length_ = o.length_;
    }
    return *this;
  }
  UniqueMapping(const UniqueMapping&) = delete;
  UniqueMapping& operator=(const UniqueMapping&) = delete;

  [[nodiscard]] unsigned char* data() const { return static_cast<unsigned char*>(address_); }
  [[nodiscard]] std::size_t size() const { return length_; }
  void reset() {
    if (address_ != nullptr && sys_ != nullptr) sys_->munmap(address_, length_);
    address_ = nullptr;
  }

 private:
  Sys* sys_ = nullptr;
  void* address_ = nullptr;
  std::size_t length_ = 0;
};

}  // namespace cb::hal
