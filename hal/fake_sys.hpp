// FakeSys: device nodes for tests — a memfd-backed framebuffer, a console tty, spidev —
// answering the same ioctls the kernel would, so drivers run unchanged against them.
#pragma once

#include <linux/fb.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "hal/sys.hpp"

namespace cb::hal {

class FakeSys final : public Sys {
 public:
  FakeSys() = default;
  ~FakeSys() override;
  FakeSys(const FakeSys&) = delete;
  FakeSys& operator=(const FakeSys&) = delete;

  // A framebuffer with this geometry and format, its memory a memfd of
  // fix.smem_len bytes (filled with `fill` so untouched bytes are visible).
  void addFramebuffer(const std::string& path, const fb_var_screeninfo& var,
                      const fb_fix_screeninfo& fix, unsigned char fill = 0xA5);
  // A console tty answering KDGETMODE/KDSETMODE.
  void addTty(const std::string& path, int mode);
  // A spidev node that records every SPI_IOC_MESSAGE transfer.
  void addSpidev(const std::string& path);
  // open() of `path` fails with -err (e.g. EACCES).
  void deny(const std::string& path, int err);
  // `path` may be opened for writing only (a console tty, root:tty 0620): O_RDONLY and O_RDWR
  // fail with -EACCES.
  void writeOnly(const std::string& path) { writeOnly_.insert(path); }
  // The next ioctl `request` fails with -err.
  void failIoctl(unsigned long request, int err) { ioctlFailures_[request] = err; }

  [[nodiscard]] std::vector<unsigned char> memory(const std::string& path) const;
  // Overwrites the whole framebuffer memory (mappings see it at once).
  void fillMemory(const std::string& path, unsigned char value);
  // What systemd does to a tty when a getty starts on it (TTYVHangup=, TTYReset=): every
  // descriptor open on it is hung up (its ioctls fail with EIO from then on, as after the
  // kernel's vhangup) and the console is put back into text mode.
  void resetTty(const std::string& path);
  [[nodiscard]] int ttyMode(const std::string& path) const;
  [[nodiscard]] const std::vector<int>& ttyModeHistory(const std::string& path) const;
  // Transfers seen on a spidev node, one entry per spi_ioc_transfer.
  [[nodiscard]] const std::vector<std::vector<std::uint8_t>>& spiTransfers(
      const std::string& path) const;
  [[nodiscard]] std::uint32_t spiSpeed(const std::string& path) const;
  [[nodiscard]] int openCount() const { return int(open_.size()); }
  // How many times `request` was asked on an open descriptor, answered or failed.
  [[nodiscard]] int ioctlCount(unsigned long request) const {
    const auto it = ioctlCalls_.find(request);
    return it == ioctlCalls_.end() ? 0 : it->second;
  }

  int open(const char* path, int flags) override;
  int close(int fd) override;
  int ioctl(int fd, unsigned long request, void* arg) override;
  void* mmap(std::size_t length, int prot, int fd, off_t offset, int& error) override;
  int munmap(void* address, std::size_t length) override;

 private:
  struct Node {
    enum class Kind { Framebuffer, Tty, Spidev } kind = Kind::Framebuffer;
    int memfd = -1;
    fb_var_screeninfo var{};
    fb_fix_screeninfo fix{};
    int mode = 0;
    std::vector<int> modes;
    std::vector<std::vector<std::uint8_t>> transfers;
    std::uint32_t speed = 0;
    std::uint8_t spiMode = 0;
    std::uint8_t bits = 8;
  };
  const Node& node(const std::string& path) const;

  std::map<std::string, Node> nodes_;
  std::map<std::string, int> denied_;
  std::set<std::string> writeOnly_;
  std::map<int, std::string> open_;  // fd → path
  std::set<int> hungUp_;
  std::map<unsigned long, int> ioctlFailures_;
  std::map<unsigned long, int> ioctlCalls_;
};

}  // namespace cb::hal
