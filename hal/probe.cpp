// Probing device nodes: geometry and format, or a permission problem and the group that fixes it.
#include "hal/probe.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/fb.h>
#include <linux/kd.h>
#include <pwd.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "calendarbot_config.h"
#include "hal/fb_display.hpp"
#if CB_HAVE_GPIO
#include <gpiod.h>
#endif

namespace cb::hal {

std::string explainOpenError(const std::string& path, int err, const std::string& neededGroup) {
  if (err != EACCES && err != EPERM) return std::strerror(err);
  std::string owner;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    const passwd* pw = ::getpwuid(st.st_uid);
    const struct group* gr = ::getgrgid(st.st_gid);
    owner = fmt::format(" ({} is {}:{} {:04o})", path, pw ? pw->pw_name : std::to_string(st.st_uid),
                        gr ? gr->gr_name : std::to_string(st.st_gid), st.st_mode & 07777);
  }
  return fmt::format("permission denied — add the service user to group {}{}", neededGroup, owner);
}

std::vector<std::string> listDevices(const std::string& dir, const std::string& prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() > prefix.size() && name.starts_with(prefix) &&
        std::isdigit(static_cast<unsigned char>(name[prefix.size()])))
      out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string probeFramebuffer(Sys& sys, const std::string& path) {
  const int fd = sys.open(path.c_str(), O_RDWR);
  if (fd < 0) return fmt::format("{}: {}", path, explainOpenError(path, -fd, "video"));
  UniqueFd owned(sys, fd);
  fb_var_screeninfo var{};
  fb_fix_screeninfo fix{};
  int rc = sys.ioctl(fd, FBIOGET_VSCREENINFO, &var);
  if (rc == 0) rc = sys.ioctl(fd, FBIOGET_FSCREENINFO, &fix);
  if (rc < 0)
    return fmt::format(
        "{}: not a framebuffer ({})", path,
        rc == -ENOTTY ? "it does not answer FBIOGET_VSCREENINFO" : std::strerror(-rc));
  std::string why;
  const bool usable = checkFormat(var, fix, why) == 0;
  return fmt::format(
      "{}: {}x{} {} ({} bpp, virtual {}x{} at {},{}, line {} bytes, driver \"{}\"){}", path,
      var.xres, var.yres, describeFormat(var), var.bits_per_pixel, var.xres_virtual,
      var.yres_virtual, var.xoffset, var.yoffset, fix.line_length,
      std::string(fix.id, strnlen(fix.id, sizeof fix.id)),
      usable ? " — usable" : " — not usable: " + why);
}

std::string probeTty(Sys& sys, const std::string& path) {
  const int fd = sys.open(path.c_str(), O_WRONLY | O_NOCTTY);  // as the daemon opens it
  if (fd < 0) return fmt::format("{}: {}", path, explainOpenError(path, -fd, "tty"));
  UniqueFd owned(sys, fd);
  int mode = -1;
  const int rc = sys.ioctl(fd, KDGETMODE, &mode);
  if (rc < 0) return fmt::format("{}: not a virtual console ({})", path, std::strerror(-rc));
  return fmt::format("{}: console in {} mode (graphics mode needs CAP_SYS_TTY_CONFIG)", path,
                     mode == KD_GRAPHICS ? "graphics" : "text");
}

std::string probeSpidev(Sys& sys, const std::string& path) {
  const int fd = sys.open(path.c_str(), O_RDWR);
  if (fd < 0) return fmt::format("{}: {}", path, explainOpenError(path, -fd, "spi"));
  UniqueFd owned(sys, fd);
  return fmt::format("{}: ok", path);
}

#if CB_HAVE_GPIO
std::string probeGpioChip(const std::string& chip, const std::vector<int>& lines) {
  errno = 0;
  // A path is opened as such (lookup would retry it as a name and lose the reason).
  gpiod_chip* c =
      chip.starts_with("/") ? gpiod_chip_open(chip.c_str()) : gpiod_chip_open_lookup(chip.c_str());
  if (c == nullptr) {
    const int err = errno ? errno : ENOENT;
    if (err == ENOTTY || err == ENODEV) return fmt::format("{}: not a GPIO chip", chip);
    const std::string path = chip.starts_with("/") ? chip : "/dev/" + chip;
    return fmt::format("{}: {}", chip, explainOpenError(path, err, "gpio"));
  }
  std::string out = fmt::format("{}: \"{}\", {} lines", gpiod_chip_name(c), gpiod_chip_label(c),
                                gpiod_chip_num_lines(c));
  for (int offset : lines) {
    gpiod_line* l = offset >= 0 && unsigned(offset) < gpiod_chip_num_lines(c)
                        ? gpiod_chip_get_line(c, unsigned(offset))
                        : nullptr;
    if (l == nullptr) {
      out += fmt::format("\n    line {}: does not exist on this chip", offset);
      continue;
    }
    const char* name = gpiod_line_name(l);
    const char* consumer = gpiod_line_consumer(l);
    out += fmt::format("\n    line {} ({}): {}{}", offset, name ? name : "unnamed",
                       gpiod_line_direction(l) == GPIOD_LINE_DIRECTION_OUTPUT ? "output" : "input",
                       gpiod_line_is_used(l)
                           ? fmt::format(", used by \"{}\"", consumer ? consumer : "the kernel")
                           : ", free");
  }
  gpiod_chip_close(c);
  return out;
}
#else
std::string probeGpioChip(const std::string& chip, const std::vector<int>&) {
  return fmt::format("{}: not checked — this build has no GPIO support (meson -Dgpio=enabled)",
                     chip);
}
#endif

}  // namespace cb::hal
