// Model table rows. Each script follows Waveshare's reference driver for the panel
// (github.com/waveshareteam/e-Paper, RaspberryPi_JetsonNano/c/lib/e-Paper/EPD_*.c);
// where we differ, the comment says why. tests/hal/test_eink_streams.cpp compares the
// streams with the reference table of the simulator (hal/fake_eink_reference.cpp).
#include "hal/eink_model.hpp"

#include <array>

namespace cb::hal {
namespace {

using namespace eink_cmd;
constexpr std::uint8_t W = kEinkWaitIdle;
constexpr std::uint8_t D = kEinkDelayMs;

template <std::size_t A, std::size_t B>
constexpr std::array<std::uint8_t, A + B> concat(const std::uint8_t (&a)[A],
                                                 const std::uint8_t (&b)[B]) {
  std::array<std::uint8_t, A + B> out{};
  for (std::size_t i = 0; i < A; ++i) out[i] = a[i];
  for (std::size_t i = 0; i < B; ++i) out[A + i] = b[i];
  return out;
}

// clang-format off
// 7.5" V2, UC8179, 800×480. BUSY is low while busy. EPD_7in5_V2.c Init/Display/Sleep.
constexpr std::uint8_t k7in5v2Full[] = {
    kPowerSetting, 4, 0x07, 0x07, 0x3F, 0x3F,  // VGH/VGL ±20 V, VDH/VDL ±15 V
    kBoosterSoftStart, 4, 0x17, 0x17, 0x28, 0x17,
    kPowerOn, 0, D, 100, W,
    kPanelSetting, 1, 0x1F,            // KW mode, LUT from OTP
    kResolution, 4, 0x03, 0x20, 0x01, 0xE0,  // 800 × 480
    kDualSpi, 1, 0x00,
    kVcomDataInterval, 2, 0x10, 0x07,  // DDX = 00: a 1 in new data is black
    kTcon, 1, 0x22,
};
constexpr std::uint8_t kUc81xxUpdate[] = {
    kDisplayRefresh, 0, D, 100, W,  // "the delay here is necessary, 200 us at least"
};
// Init_Part + Display_Part.
constexpr std::uint8_t k7in5v2Partial[] = {
    kPanelSetting, 1, 0x1F,
    kPowerOn, 0, D, 100, W,
    kCascade, 1, 0x02,
    kForceTemperature, 1, 0x6E,        // selects the fast (partial) waveform
    kVcomDataInterval, 2, 0xA9, 0x07,  // DDX = 01: a 1 is white; N2OCP: new→old copy
};
constexpr std::uint8_t kUc81xxSleep[] = {
    kVcomDataInterval, 1, 0xF7,  // border floating
    kPowerOff, 0, W,
    kDeepSleep, 1, kDeepSleepCheck,
};

// 4.2" V1, UC8176 (IL0398), 400×300. BUSY is low while busy and refreshed by
// GET_STATUS. EPD_4in2.c Init_Fast (the full-refresh init its demo uses) and Display:
// waveforms from registers, VCOM_DC −1.0 V, DDX = 01 (a 1 in new data is white).
constexpr std::uint8_t k4in2Full[] = {
    kPowerSetting, 4, 0x03, 0x00, 0x2B, 0x2B,
    kBoosterSoftStart, 3, 0x17, 0x17, 0x17,
    kPowerOn, 0, W,
    kPanelSetting, 1, 0xBF,          // 400×300, KW mode, LUT from registers
    kPll, 1, 0x3C,
    kResolution, 4, 0x01, 0x90, 0x01, 0x2C,  // 400 × 300
    kVcmDc, 1, 0x12,                 // −0.1 V − 18 × 0.05 V = −1.0 V
    kVcomDataInterval, 1, 0x97,      // white border, DDX = 01, CDI 10
    // The reference sends the first 36 bytes of each table (EPD_4IN2_SetLut).
    kLutVcom, 36,
      0x00, 0x08, 0x08, 0x00, 0x00, 0x02, 0x00, 0x0F, 0x0F, 0x00, 0x00, 0x01,
      0x00, 0x08, 0x08, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    kLutWw, 36,
      0x50, 0x08, 0x08, 0x00, 0x00, 0x02, 0x90, 0x0F, 0x0F, 0x00, 0x00, 0x01,
      0xA0, 0x08, 0x08, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    kLutBw, 36,
      0x50, 0x08, 0x08, 0x00, 0x00, 0x02, 0x90, 0x0F, 0x0F, 0x00, 0x00, 0x01,
      0xA0, 0x08, 0x08, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    kLutWb, 36,
      0xA0, 0x08, 0x08, 0x00, 0x00, 0x02, 0x90, 0x0F, 0x0F, 0x00, 0x00, 0x01,
      0x50, 0x08, 0x08, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    kLutBb, 36,
      0x20, 0x08, 0x08, 0x00, 0x00, 0x02, 0x90, 0x0F, 0x0F, 0x00, 0x00, 0x01,
      0x10, 0x08, 0x08, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

// 4.2" V2, SSD1683, 400×300. BUSY is HIGH while busy. EPD_4in2_V2.c Init/Display/
// PartialDisplay/Sleep.
constexpr std::uint8_t k4in2v2Full[] = {
    W, ssd_cmd::kSoftReset, 0, W,
    ssd_cmd::kUpdateControl1, 2, 0x40, 0x00,   // red RAM bypassed as 0, black/white normal
    ssd_cmd::kBorder, 1, 0x05,
    ssd_cmd::kDataEntryMode, 1, 0x03,          // x then y increasing
    ssd_cmd::kRamX, 2, 0x00, 0x31,             // bytes 0..49
    ssd_cmd::kRamY, 4, 0x00, 0x00, 0x2B, 0x01, // rows 0..299
    ssd_cmd::kRamXCounter, 1, 0x00,
    ssd_cmd::kRamYCounter, 2, 0x00, 0x00,
    W,
};
constexpr std::uint8_t k4in2v2PartialExtra[] = {
    ssd_cmd::kBorder, 1, 0x80,
    ssd_cmd::kUpdateControl1, 2, 0x00, 0x00,   // red RAM in use: it holds the old image
    ssd_cmd::kBorder, 1, 0x80,
};
// Init, then PartialDisplay's register settings.
constexpr auto k4in2v2Partial = concat(k4in2v2Full, k4in2v2PartialExtra);
constexpr std::uint8_t k4in2v2UpdateFull[] = {
    ssd_cmd::kUpdateControl2, 1, 0xF7,  // clock, analog on, temperature, LUT, mode 1, off
    ssd_cmd::kMasterActivation, 0, W,
};
constexpr std::uint8_t k4in2v2UpdatePartial[] = {
    ssd_cmd::kUpdateControl2, 1, 0xFF,  // the same with display mode 2 (differential)
    ssd_cmd::kMasterActivation, 0, W,
};
constexpr std::uint8_t k4in2v2Sleep[] = {
    ssd_cmd::kDeepSleep, 1, 0x01, D, 200,  // the analog part is off after each update
};
// clang-format on

constexpr std::array<EinkModel, 3> kModels = {{
    {
        .name = "7in5_v2",
        .description = "Waveshare 7.5\" V2, 800x480 black/white (UC8179)",
        .product = "Waveshare 7.5inch e-Paper (V2), 800x480, black/white",
        .howToTell = "800x480 and a \"V2\" sticker on the back; the V1 (640x384) is not supported",
        .controller = EinkController::Uc81xx,
        .width = 800,
        .height = 480,
        .busyLevel = 0,
        .pollStatus = false,
        .reset = {.highBeforeMs = 20, .pulses = 1, .lowMs = 2, .highAfterMs = 20},
        .initFull = k7in5v2Full,
        .updateFull = kUc81xxUpdate,
        .initPartial = k7in5v2Partial,
        .updatePartial = kUc81xxUpdate,
        .sleep = kUc81xxSleep,
        .fullOneIsBlack = true,
        .fullOld = EinkOldData::Complement,
        .partialOneIsBlack = false,
        .partialScan = 0x01,
    },
    {
        .name = "4in2",
        .description = "Waveshare 4.2\" V1, 400x300 black/white (UC8176)",
        .product = "Waveshare 4.2inch e-Paper (first version, no V2 mark), 400x300, black/white",
        .howToTell = "no \"V2\" sticker on the back; BUSY idles HIGH after a reset",
        .controller = EinkController::Uc81xx,
        .width = 400,
        .height = 300,
        .busyLevel = 0,
        .pollStatus = true,
        .reset = {.highBeforeMs = 0, .pulses = 3, .lowMs = 10, .highAfterMs = 10},
        .initFull = k4in2Full,
        .updateFull = kUc81xxUpdate,
        .initPartial = {},  // the reference: "poor display, no display function by default"
        .updatePartial = {},
        .sleep = kUc81xxSleep,
        .fullOneIsBlack = false,
        .fullOld = EinkOldData::Zeros,
        .partialOneIsBlack = false,
        .partialScan = 0x28,
    },
    {
        .name = "4in2_v2",
        .description = "Waveshare 4.2\" V2, 400x300 black/white (SSD1683)",
        .product = "Waveshare 4.2inch e-Paper (V2), 400x300, black/white",
        .howToTell = "a \"V2\" sticker on the back (sold since 2023); BUSY idles LOW after a reset",
        .controller = EinkController::Ssd16xx,
        .width = 400,
        .height = 300,
        .busyLevel = 1,
        .pollStatus = false,
        .reset = {.highBeforeMs = 100, .pulses = 1, .lowMs = 2, .highAfterMs = 100},
        .initFull = k4in2v2Full,
        .updateFull = k4in2v2UpdateFull,
        .initPartial = k4in2v2Partial,
        .updatePartial = k4in2v2UpdatePartial,
        .sleep = k4in2v2Sleep,
        .fullOneIsBlack = false,
        .fullOld = EinkOldData::SameAsNew,
        .partialOneIsBlack = false,
        .partialScan = 0,
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
