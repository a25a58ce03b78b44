// Model table rows. Sequences follow Waveshare's published drivers and the UC8179/UC8176
// datasheets' power-on → setting → data → refresh → power-off → deep-sleep order.
#include "hal/eink_model.hpp"

#include <array>

namespace cb::hal {
namespace {

using namespace eink_cmd;
constexpr std::uint8_t W = kEinkWaitIdle;
constexpr std::uint8_t D = kEinkDelayMs;

// clang-format off
// 7.5" V2, UC8179, 800×480. BUSY is low while busy.
constexpr std::uint8_t k7in5v2Full[] = {
    kPowerSetting, 4, 0x07, 0x07, 0x3F, 0x3F,  // VGH/VGL ±20 V, VDH/VDL ±15 V
    kBoosterSoftStart, 4, 0x17, 0x17, 0x28, 0x17,
    kPowerOn, 0, D, 100, W,
    kPanelSetting, 1, 0x1F,            // KW mode, LUT from OTP
    kResolution, 4, 0x03, 0x20, 0x01, 0xE0,  // 800 × 480
    kDualSpi, 1, 0x00,
    kVcomDataInterval, 2, 0x10, 0x07,  // DDX = 01: a 1 in new data is black
    kTcon, 1, 0x22,
};
constexpr std::uint8_t k7in5v2Partial[] = {
    kPanelSetting, 1, 0x1F,
    kPowerOn, 0, D, 100, W,
    kCascade, 1, 0x02,
    kForceTemperature, 1, 0x6E,        // selects the fast (partial) waveform
    kVcomDataInterval, 2, 0xA9, 0x07,  // DDX = 10: a 1 is white; new→old copy
};
constexpr std::uint8_t kUc81xxSleep[] = {
    kVcomDataInterval, 1, 0xF7,  // border floating
    kPowerOff, 0, W,
    kDeepSleep, 1, kDeepSleepCheck,
};

// 4.2" (first version), UC8176, 400×300, B/W waveform from OTP. BUSY is low
// while busy and refreshed by GET_STATUS.
constexpr std::uint8_t k4in2Full[] = {
    kPowerSetting, 4, 0x03, 0x00, 0x2B, 0x2B,
    kBoosterSoftStart, 3, 0x17, 0x17, 0x17,
    kPowerOn, 0, D, 10, W,
    kPanelSetting, 1, 0x1F,          // 400×300, KW mode, LUT from OTP
    kPll, 1, 0x3C,
    kResolution, 4, 0x01, 0x90, 0x01, 0x2C,  // 400 × 300
    kVcmDc, 1, 0x28,
    kVcomDataInterval, 1, 0x97,      // DDX = 01: a 1 in new data is black
};

// clang-format on

constexpr std::array<EinkModel, 2> kModels = {{
    {
        .name = "7in5_v2",
        .description = "Waveshare 7.5\" V2, 800x480 black/white (UC8179)",
        .width = 800,
        .height = 480,
        .busyLevel = 0,
        .pollStatus = false,
        .resetMs = {20, 2, 20},
        .refreshDelayMs = 100,
        .initFull = k7in5v2Full,
        .initPartial = k7in5v2Partial,
        .sleep = kUc81xxSleep,
        .fullOneIsBlack = true,
        .partialOneIsBlack = false,
        .partialScan = 0x01,
    },
    {
        .name = "4in2",
        .description = "Waveshare 4.2\", 400x300 black/white (UC8176)",
        .width = 400,
        .height = 300,
        .busyLevel = 0,
        .pollStatus = true,
        .resetMs = {200, 2, 200},
        .refreshDelayMs = 100,
        .initFull = k4in2Full,
        .initPartial = {},  // Waveshare rates this panel's partial mode as poor: full only
        .sleep = kUc81xxSleep,
        .fullOneIsBlack = true,
        .partialOneIsBlack = false,
        .partialScan = 0x28,
    },
}};

}  // namespace

const EinkModel* findEinkModel(std::string_view name) {
  for (const EinkModel& m : kModels)
    if (m.name == name) return &m;
  return nullptr;
}

std::span<const EinkModel> einkModels() {
  return kModels;
}

}  // namespace cb::hal
