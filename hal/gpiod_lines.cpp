// libgpiod v1 lines: one chip handle per line, released (and the line freed) on destruction.
#include "hal/gpiod_lines.hpp"

#include <fmt/format.h>
#include <gpiod.h>

#include <cerrno>
#include <cstring>

#include "hal/log.hpp"

namespace cb::hal {
namespace {

constexpr const char* kConsumer = "calendarbot";

struct ChipCloser {
  void operator()(gpiod_chip* c) const { gpiod_chip_close(c); }
};
using ChipPtr = std::unique_ptr<gpiod_chip, ChipCloser>;

std::string hint(int err) {
  return err == EACCES || err == EPERM ? " (add the service user to group gpio)" : "";
}

// Opens the chip and finds the line; the line is owned by the chip.
gpiod_line* findLine(const std::string& chip, int offset, ChipPtr& out, std::string& error) {
  errno = 0;
  out.reset(gpiod_chip_open_lookup(chip.c_str()));
  if (!out) {
    const int err = errno ? errno : ENOENT;
    error = fmt::format("GPIO chip {}: {}{}", chip, std::strerror(err), hint(err));
    return nullptr;
  }
  gpiod_line* line = gpiod_chip_get_line(out.get(), unsigned(offset));
  if (line == nullptr) {
    error = fmt::format("GPIO {} line {}: {} (the chip has {} lines)", chip, offset,
                        std::strerror(errno), gpiod_chip_num_lines(out.get()));
    return nullptr;
  }
  return line;
}

std::string busyHint(gpiod_line* line, int err) {
  if (err != EBUSY) return hint(err);
  const char* who = gpiod_line_consumer(line);
  return fmt::format(" (already used by \"{}\")", who ? who : "another driver");
}

class GpiodLine final : public GpioLine {
 public:
  GpiodLine(ChipPtr chip, gpiod_line* line) : chip_(std::move(chip)), line_(line) {}
  ~GpiodLine() override { gpiod_line_release(line_); }
  GpiodLine(const GpiodLine&) = delete;
  GpiodLine& operator=(const GpiodLine&) = delete;
  int set(bool high) override {
    return gpiod_line_set_value(line_, high ? 1 : 0) == 0 ? 0 : -errno;
  }
  int get() override {
    const int v = gpiod_line_get_value(line_);
    return v < 0 ? -errno : v;
  }

 private:
  ChipPtr chip_;
  gpiod_line* line_;
};

class GpiodEdgeLine final : public EdgeLine {
 public:
  GpiodEdgeLine(ChipPtr chip, gpiod_line* line, std::string name)
      : chip_(std::move(chip)), line_(line), name_(std::move(name)) {}
  ~GpiodEdgeLine() override { gpiod_line_release(line_); }
  GpiodEdgeLine(const GpiodEdgeLine&) = delete;
  GpiodEdgeLine& operator=(const GpiodEdgeLine&) = delete;

  int fd() const override { return gpiod_line_event_get_fd(line_); }
  int readEdges(std::vector<Edge>& out) override {
    // Drain without blocking: wait with a zero time-out before each batch.
    while (true) {
      const timespec zero{0, 0};
      const int ready = gpiod_line_event_wait(line_, &zero);
      if (ready < 0) return -errno;
      if (ready == 0) return 0;
      gpiod_line_event events[16];
      const int n = gpiod_line_event_read_multiple(line_, events, 16);
      if (n < 0) return -errno;
      for (int i = 0; i < n; ++i)
        out.push_back(Edge{events[i].event_type == GPIOD_LINE_EVENT_RISING_EDGE,
                           std::chrono::seconds{events[i].ts.tv_sec} +
                               std::chrono::nanoseconds{events[i].ts.tv_nsec}});
      if (n < 16) return 0;
    }
  }
  int value() override {
    const int v = gpiod_line_get_value(line_);
    return v < 0 ? -errno : v;
  }
  std::string describe() const override { return name_; }

 private:
  ChipPtr chip_;
  gpiod_line* line_;
  std::string name_;
};

}  // namespace

std::unique_ptr<GpioLine> openOutputLine(const std::string& chip, int offset, bool initialHigh,
                                         std::string& error) {
  ChipPtr c;
  gpiod_line* line = findLine(chip, offset, c, error);
  if (line == nullptr) return nullptr;
  if (gpiod_line_request_output(line, kConsumer, initialHigh ? 1 : 0) != 0) {
    const int err = errno;
    error = fmt::format("GPIO {} line {} as output: {}{}", chip, offset, std::strerror(err),
                        busyHint(line, err));
    return nullptr;
  }
  return std::make_unique<GpiodLine>(std::move(c), line);
}

std::unique_ptr<GpioLine> openInputLine(const std::string& chip, int offset, std::string& error) {
  ChipPtr c;
  gpiod_line* line = findLine(chip, offset, c, error);
  if (line == nullptr) return nullptr;
  if (gpiod_line_request_input(line, kConsumer) != 0) {
    const int err = errno;
    error = fmt::format("GPIO {} line {} as input: {}{}", chip, offset, std::strerror(err),
                        busyHint(line, err));
    return nullptr;
  }
  return std::make_unique<GpiodLine>(std::move(c), line);
}

std::unique_ptr<EdgeLine> openEdgeLine(const std::string& chip, int offset, Bias bias,
                                       std::string& error) {
  ChipPtr c;
  gpiod_line* line = findLine(chip, offset, c, error);
  if (line == nullptr) return nullptr;
  int flags = 0;
  switch (bias) {
    case Bias::PullUp:
      flags = GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
      break;
    case Bias::PullDown:
      flags = GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
      break;
    case Bias::Disable:
      flags = GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
      break;
    case Bias::AsIs:
      break;
  }
  int rc = gpiod_line_request_both_edges_events_flags(line, kConsumer, flags);
  if (rc != 0 && errno == EINVAL && flags != 0) {
    // Kernels before 5.5 know no bias flags: the board needs its own pull resistor.
    logMessage(LogLevel::Warning,
               fmt::format("GPIO {} line {}: the kernel cannot set a bias; relying on an "
                           "external pull resistor",
                           chip, offset));
    rc = gpiod_line_request_both_edges_events_flags(line, kConsumer, 0);
  }
  if (rc != 0) {
    const int err = errno;
    error = fmt::format("GPIO {} line {} for edge events: {}{}", chip, offset, std::strerror(err),
                        busyHint(line, err));
    return nullptr;
  }
  return std::make_unique<GpiodEdgeLine>(std::move(c), line,
                                         fmt::format("{} line {}", chip, offset));
}

}  // namespace cb::hal
