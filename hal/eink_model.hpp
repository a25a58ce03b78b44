// The e-ink model table: what differs between Waveshare panels is data, not code.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace cb::hal {

// Controller scripts are byte strings: `command, n, data[n]` triples, plus two
// pseudo-commands that never occur as controller commands.
inline constexpr std::uint8_t kEinkWaitIdle = 0xFF;  // poll BUSY until idle (with time-out)
inline constexpr std::uint8_t kEinkDelayMs = 0xFE;   // followed by one byte: sleep that many ms

// Commands common to the UC81xx controllers of these panels (UC8179, UC8176).
namespace eink_cmd {
inline constexpr std::uint8_t kPanelSetting = 0x00;
inline constexpr std::uint8_t kPowerSetting = 0x01;
inline constexpr std::uint8_t kPowerOff = 0x02;
inline constexpr std::uint8_t kPowerOn = 0x04;
inline constexpr std::uint8_t kBoosterSoftStart = 0x06;
inline constexpr std::uint8_t kDeepSleep = 0x07;  // data 0xA5; only a hardware reset wakes it
inline constexpr std::uint8_t kDeepSleepCheck = 0xA5;
inline constexpr std::uint8_t kDataStart1 = 0x10;  // "old" data
inline constexpr std::uint8_t kDisplayRefresh = 0x12;
inline constexpr std::uint8_t kDataStart2 = 0x13;  // "new" data
inline constexpr std::uint8_t kDualSpi = 0x15;
inline constexpr std::uint8_t kPll = 0x30;
inline constexpr std::uint8_t kVcomDataInterval = 0x50;
inline constexpr std::uint8_t kTcon = 0x60;
inline constexpr std::uint8_t kResolution = 0x61;
inline constexpr std::uint8_t kGetStatus = 0x71;
inline constexpr std::uint8_t kVcmDc = 0x82;
inline constexpr std::uint8_t kPartialWindow = 0x90;
inline constexpr std::uint8_t kPartialIn = 0x91;
inline constexpr std::uint8_t kPartialOut = 0x92;
inline constexpr std::uint8_t kCascade = 0xE0;
inline constexpr std::uint8_t kForceTemperature = 0xE5;
}  // namespace eink_cmd

struct EinkModel {
  std::string_view name;         // the config's display.model
  std::string_view description;  // for logs and `calendarbot probe`
  int width = 0;                 // source lines (bits per row, a multiple of 8)
  int height = 0;                // gate lines
  int busyLevel = 0;             // BUSY reads this level while the controller works
  bool pollStatus = false;       // send GET_STATUS (0x71) while polling BUSY (UC8176)
  int resetMs[3] = {20, 2, 20};  // RST high, low, high
  int refreshDelayMs = 100;      // after DISPLAY_REFRESH, before BUSY is meaningful
  std::span<const std::uint8_t> initFull;
  std::span<const std::uint8_t> initPartial;  // empty: no partial refresh
  std::span<const std::uint8_t> sleep;        // power off and deep sleep
  // Data polarity after the init script's VCOM/data-interval setting: true when
  // a 1 bit in DATA_START2 means black.
  bool fullOneIsBlack = true;
  bool partialOneIsBlack = false;
  std::uint8_t partialScan = 0x01;  // last byte of PARTIAL_WINDOW (PT_SCAN)

  [[nodiscard]] bool supportsPartial() const { return !initPartial.empty(); }
  [[nodiscard]] int rowBytes() const { return width / 8; }
};

// The model called `name`, or nullptr.
[[nodiscard]] const EinkModel* findEinkModel(std::string_view name);
// Every model, for help texts and validation messages.
[[nodiscard]] std::span<const EinkModel> einkModels();

}  // namespace cb::hal
