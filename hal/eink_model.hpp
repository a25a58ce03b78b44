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

// Commands of the UC81xx controllers (UC8179 of the 7.5" V2, UC8176 of the 4.2" V1).
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
inline constexpr std::uint8_t kLutVcom = 0x20;  // 0x20..0x24: VCOM, WW, BW, WB, BB waveforms
inline constexpr std::uint8_t kLutWw = 0x21;
inline constexpr std::uint8_t kLutBw = 0x22;
inline constexpr std::uint8_t kLutWb = 0x23;
inline constexpr std::uint8_t kLutBb = 0x24;
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

// Commands of the SSD16xx controllers (SSD1683 of the 4.2" V2).
namespace ssd_cmd {
inline constexpr std::uint8_t kDeepSleep = 0x10;  // data 0x01: mode 1 (RAM kept)
inline constexpr std::uint8_t kDataEntryMode = 0x11;
inline constexpr std::uint8_t kSoftReset = 0x12;
inline constexpr std::uint8_t kMasterActivation = 0x20;  // runs the 0x22 sequence
inline constexpr std::uint8_t kUpdateControl1 = 0x21;    // RAM options (byte 0: red, black/white)
inline constexpr std::uint8_t kUpdateControl2 = 0x22;    // the sequence 0x20 runs
inline constexpr std::uint8_t kWriteBw = 0x24;           // "new" image
inline constexpr std::uint8_t kWriteRed = 0x26;          // "old" image in partial mode
inline constexpr std::uint8_t kBorder = 0x3C;
inline constexpr std::uint8_t kRamX = 0x44;  // start, end byte column
inline constexpr std::uint8_t kRamY = 0x45;  // start, end row (little-endian 16 bit)
inline constexpr std::uint8_t kRamXCounter = 0x4E;
inline constexpr std::uint8_t kRamYCounter = 0x4F;
}  // namespace ssd_cmd

enum class EinkController { Uc81xx, Ssd16xx };

// What the full refresh writes as "old" data beside the new image.
enum class EinkOldData {
  Complement,  // the new image inverted: every pixel driven (UC8179 KW mode)
  Zeros,       // 0x00 throughout (the UC8176 reference; its WW/BW and WB/BB LUTs are equal)
  SameAsNew,   // the new image again (SSD1683: red RAM bypassed in full mode anyway)
};

struct EinkResetPulse {
  int highBeforeMs = 0;  // RST high this long first (0: go low at once)
  int pulses = 1;        // low/high pulses
  int lowMs = 2;
  int highAfterMs = 20;  // after each rising edge
};

struct EinkModel {
  std::string_view name;         // the config's display.model
  std::string_view description;  // for logs and `calendarbot probe`
  std::string_view product;      // Waveshare's product name, exactly
  std::string_view howToTell;    // how to tell this version from its siblings
  EinkController controller = EinkController::Uc81xx;
  int width = 0;            // source lines (bits per row, a multiple of 8)
  int height = 0;           // gate lines
  int busyLevel = 0;        // BUSY reads this level while the controller works
  bool pollStatus = false;  // send GET_STATUS (0x71) while polling BUSY (UC8176)
  EinkResetPulse reset;
  std::span<const std::uint8_t> initFull;     // after the reset, before the frame data
  std::span<const std::uint8_t> updateFull;   // after the frame data: refresh and wait
  std::span<const std::uint8_t> initPartial;  // empty: no partial refresh
  std::span<const std::uint8_t> updatePartial;
  std::span<const std::uint8_t> sleep;  // power off and deep sleep
  // Data polarity the init scripts program: true when a 1 bit means black.
  bool fullOneIsBlack = false;
  EinkOldData fullOld = EinkOldData::Complement;
  bool partialOneIsBlack = false;
  std::uint8_t partialScan = 0x01;  // UC81xx: last byte of PARTIAL_WINDOW (PT_SCAN)

  [[nodiscard]] bool supportsPartial() const { return !initPartial.empty(); }
  [[nodiscard]] int rowBytes() const { return width / 8; }
};

// The model called `name`, or nullptr.
[[nodiscard]] const EinkModel* findEinkModel(std::string_view name);
// Every model, for help texts and validation messages.
[[nodiscard]] std::span<const EinkModel> einkModels();

}  // namespace cb::hal
