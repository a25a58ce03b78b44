// What the panels' controllers do and what Waveshare's reference drivers send them,
// written from the references and the controllers' register descriptions — never
// from our driver's model table. The panel simulator (hal/fake_eink.cpp) decodes
// with it; the stream tests (tests/hal/test_eink_streams.cpp) compare against it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cb::hal {

enum class ControllerFamily { Uc81xx, Ssd16xx };

// One step of a refresh as the reference driver does it. `cite` names the file and
// lines (github.com/waveshareteam/e-Paper, RaspberryPi_JetsonNano/c/lib/e-Paper/, at
// 86aa993; GxEPD2 at de82887). Steps that only one side has say why in `note`.
struct RefStep {
  enum class Op {
    Reset,     // the reset burst (ControllerSpec::reset)
    Cmd,       // command `cmd` with `bytes`
    Wait,      // BUSY polled until idle
    Data,      // command `cmd` with frame data (source, polarity, area below)
    UcWindow,  // UC81xx PARTIAL_WINDOW (0x90) of the changed window, last byte `bytes[0]`
  } op = Op::Cmd;
  std::uint8_t cmd = 0;
  std::vector<std::uint8_t> bytes;
  enum class Source { New, Old, Zeros } source = Source::New;  // Data
  bool oneIsBlack = false;                                     // Data: bit polarity
  bool window = false;  // Data: the changed window only (else the whole panel)
  enum class Who { Both, OursOnly, ReferenceOnly } who = Who::Both;
  std::string_view cite;
  std::string_view note;
};

// A register value the reference writes (any listed value of a command is accepted).
struct RefRegister {
  std::uint8_t cmd;
  std::vector<std::uint8_t> bytes;
  std::string_view cite;
};

struct ControllerSpec {
  std::string_view panel;       // the model name in the config (display.model)
  std::string_view controller;  // e.g. "UC8179"
  ControllerFamily family;
  int width, height;
  int busyLevel;  // BUSY reads this while the controller works
  std::string_view busyCite;
  // Reset: at least `pulses` low pulses of at least `minLowMs`, then `minSettleMs`
  // high before the first command.
  int resetPulses, minLowMs, minSettleMs;
  std::string_view resetCite;
  // Data polarity: byte `polarityByte` of command `polarityCmd`, masked with
  // `polarityMask`, equals `oneIsBlackValue` when a 1 bit is black.
  std::uint8_t polarityCmd;
  int polarityByte;
  std::uint8_t polarityMask, oneIsBlackValue;
  std::string_view polarityCite;
  std::vector<RefRegister> registers;
  std::vector<RefStep> full, partial;  // partial empty: the reference has none we use
};

// The controller behind a panel model name, or nullptr.
[[nodiscard]] const ControllerSpec* findController(std::string_view panel);
[[nodiscard]] std::span<const ControllerSpec> controllers();

}  // namespace cb::hal
