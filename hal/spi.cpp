// spidev transfers: one SPI_IOC_MESSAGE(1) per chunk of at most bufsiz bytes.
#include "hal/spi.hpp"

#include <fcntl.h>
#include <linux/spi/spidev.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace cb::hal {

std::size_t spidevBufferSize() {
  std::ifstream in("/sys/module/spidev/parameters/bufsiz");
  std::size_t n = 0;
  if (in >> n && n >= 64) return n;
  return 4096;
}

std::unique_ptr<SpidevBus> SpidevBus::create(Sys& sys, const std::string& path,
                                             std::uint32_t speedHz, std::string& error,
                                             std::size_t chunkBytes) {
  std::unique_ptr<SpidevBus> bus(new SpidevBus(sys, path));
  const int fd = sys.open(path.c_str(), O_RDWR);
  if (fd < 0) {
    error =
        fmt::format("SPI {}: {}{}", path, std::strerror(-fd),
                    fd == -EACCES || fd == -EPERM ? " (add the service user to group spi)"
                    : fd == -ENOENT ? " (enable SPI: dtparam=spi=on in /boot/firmware/config.txt)"
                                    : "");
    return nullptr;
  }
  bus->fd_ = UniqueFd(sys, fd);
  std::uint8_t mode = SPI_MODE_0;
  std::uint8_t bits = 8;
  int rc = sys.ioctl(fd, SPI_IOC_WR_MODE, &mode);
  if (rc >= 0) rc = sys.ioctl(fd, SPI_IOC_WR_BITS_PER_WORD, &bits);
  if (rc >= 0) rc = sys.ioctl(fd, SPI_IOC_WR_MAX_SPEED_HZ, &speedHz);
  if (rc < 0) {
    error =
        fmt::format("SPI {}: setting mode 0, 8 bits, {} Hz: {}", path, speedHz, std::strerror(-rc));
    return nullptr;
  }
  bus->speed_ = speedHz;
  bus->chunk_ = chunkBytes != 0 ? chunkBytes : spidevBufferSize();
  return bus;
}

int SpidevBus::write(std::span<const std::uint8_t> bytes) {
  while (!bytes.empty()) {
    const std::size_t n = std::min(bytes.size(), chunk_);
    spi_ioc_transfer t{};
    t.tx_buf = reinterpret_cast<std::uintptr_t>(bytes.data());
    t.len = std::uint32_t(n);
    t.speed_hz = speed_;
    t.bits_per_word = 8;
    const int rc = sys_.ioctl(fd_.get(), SPI_IOC_MESSAGE(1), &t);
    if (rc < 0) return rc;
    bytes = bytes.subspan(n);
  }
  return 0;
}

}  // namespace cb::hal
