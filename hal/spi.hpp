// SpiBus: bytes out to an SPI device; SpidevBus is the real one (/dev/spidevB.C).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "hal/sys.hpp"

namespace cb::hal {

class SpiBus {
 public:
  virtual ~SpiBus() = default;
  // Clocks `bytes` out (chip select asserted per transfer). 0 or -errno.
  [[nodiscard]] virtual int write(std::span<const std::uint8_t> bytes) = 0;
  [[nodiscard]] virtual std::string describe() const = 0;
};

// spidev: mode 0, 8 bits per word, SPI_IOC_MESSAGE transfers no larger than the
// driver's buffer (spidev's `bufsiz` module parameter, 4096 by default).
class SpidevBus final : public SpiBus {
 public:
  // nullptr with `error` set (naming the group to join on EACCES).
  [[nodiscard]] static std::unique_ptr<SpidevBus> create(Sys& sys, const std::string& path,
                                                         std::uint32_t speedHz, std::string& error,
                                                         std::size_t chunkBytes = 0);
  int write(std::span<const std::uint8_t> bytes) override;
  [[nodiscard]] std::string describe() const override { return path_; }
  [[nodiscard]] std::size_t chunkBytes() const { return chunk_; }

 private:
  SpidevBus(Sys& sys, std::string path) : sys_(sys), path_(std::move(path)) {}
  Sys& sys_;
  std::string path_;
  UniqueFd fd_;
  std::uint32_t speed_ = 0;
  std::size_t chunk_ = 4096;
};

// spidev's transfer buffer size from /sys/module/spidev/parameters/bufsiz (4096 if unknown).
[[nodiscard]] std::size_t spidevBufferSize();

}  // namespace cb::hal
