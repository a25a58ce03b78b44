// The reference table: controllers' behaviour and the reference drivers' streams, cited.
#include "hal/fake_eink_reference.hpp"

namespace cb::hal {
namespace {

using Op = RefStep::Op;
using Src = RefStep::Source;
using Who = RefStep::Who;
using Bytes = std::vector<std::uint8_t>;

RefStep step(Op op, std::uint8_t c, Bytes b, std::string_view cite) {
  RefStep s;
  s.op = op;
  s.cmd = c;
  s.bytes = std::move(b);
  s.cite = cite;
  return s;
}
RefStep reset(std::string_view cite) {
  return step(Op::Reset, 0, {}, cite);
}
RefStep cmd(std::uint8_t c, Bytes b, std::string_view cite) {
  return step(Op::Cmd, c, std::move(b), cite);
}
RefStep wait(std::string_view cite) {
  return step(Op::Wait, 0, {}, cite);
}
RefStep data(std::uint8_t c, Src src, bool oneIsBlack, bool window, std::string_view cite) {
  RefStep s = step(Op::Data, c, {}, cite);
  s.source = src;
  s.oneIsBlack = oneIsBlack;
  s.window = window;
  return s;
}
RefStep only(Who who, RefStep s, std::string_view note) {
  s.who = who;
  s.note = note;
  return s;
}

std::vector<RefStep> concat(std::vector<RefStep> a, const std::vector<RefStep>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// ---- 7.5" V2, UC8179 -------------------------------------------------------------
// EPD_7in5_V2.c. Data polarity: the reference sends ~image (its 1 = white) to 0x13
// under 0x50 [0x10 …] (Display, 314-333) and the image itself under 0x50 [0xA9 …]
// (Display_Part, 343-365); Clear (252-279) writes 0x00 to 0x13 for white. So DDX[0],
// bit 0 of 0x50's first byte (bit 4 is the border's BDV[0]), is 0 when 1 = black.
const std::vector<RefStep> k75Sleep = {
    cmd(0x50, {0xF7}, "EPD_7in5_V2.c:460-461"),
    cmd(0x02, {}, "EPD_7in5_V2.c:462"),
    wait("EPD_7in5_V2.c:463"),
    cmd(0x07, {0xA5}, "EPD_7in5_V2.c:464-465"),
};
const std::vector<RefStep> k75Update = {
    cmd(0x12, {}, "EPD_7in5_V2.c:101"),
    wait("EPD_7in5_V2.c:102-103 (100 ms, then BUSY)"),
};

ControllerSpec uc8179() {
  ControllerSpec s{
      .panel = "7in5_v2",
      .controller = "UC8179",
      .family = ControllerFamily::Uc81xx,
      .width = 800,
      .height = 480,
      .busyLevel = 0,
      .busyCite = "EPD_7in5_V2.c:86-94 (waits while BUSY reads 0)",
      .resetPulses = 1,
      .minLowMs = 2,
      .minSettleMs = 20,
      .resetCite = "EPD_7in5_V2.c:38-46 (high 20 ms, low 2 ms, high 20 ms)",
      .polarityCmd = 0x50,
      .polarityByte = 0,
      .polarityMask = 0x01,
      .oneIsBlackValue = 0x00,
      .polarityCite = "EPD_7in5_V2.c:145-147 with 314-333, 343-365 and 269-275",
      .registers = {},
      .full = {},
      .partial = {},
  };
  s.registers = {
      {0x01, {0x07, 0x07, 0x3F, 0x3F}, "EPD_7in5_V2.c:113-117"},
      {0x06, {0x17, 0x17, 0x28, 0x17}, "EPD_7in5_V2.c:120-124"},
      {0x00, {0x1F}, "EPD_7in5_V2.c:130-131"},
      {0x61, {0x03, 0x20, 0x01, 0xE0}, "EPD_7in5_V2.c:133-137"},
      {0x15, {0x00}, "EPD_7in5_V2.c:139-140"},
      {0x50, {0x10, 0x07}, "EPD_7in5_V2.c:145-147"},
      {0x50, {0xA9, 0x07}, "EPD_7in5_V2.c:343-345"},
      {0x50, {0xF7}, "EPD_7in5_V2.c:460-461"},
      {0x60, {0x22}, "EPD_7in5_V2.c:154-155"},
      {0xE0, {0x02}, "EPD_7in5_V2.c:208-209"},
      {0xE5, {0x6E}, "EPD_7in5_V2.c:210-211"},
      {0x07, {0xA5}, "EPD_7in5_V2.c:464-465"},
  };
  s.full = concat(
      {
          reset("EPD_7in5_V2.c:112"),
          cmd(0x01, {0x07, 0x07, 0x3F, 0x3F}, "EPD_7in5_V2.c:113-117"),
          cmd(0x06, {0x17, 0x17, 0x28, 0x17}, "EPD_7in5_V2.c:120-124"),
          cmd(0x04, {}, "EPD_7in5_V2.c:126"),
          wait("EPD_7in5_V2.c:127-128"),
          cmd(0x00, {0x1F}, "EPD_7in5_V2.c:130-131"),
          cmd(0x61, {0x03, 0x20, 0x01, 0xE0}, "EPD_7in5_V2.c:133-137"),
          cmd(0x15, {0x00}, "EPD_7in5_V2.c:139-140"),
          cmd(0x50, {0x10, 0x07}, "EPD_7in5_V2.c:145-147"),
          cmd(0x60, {0x22}, "EPD_7in5_V2.c:154-155"),
          data(0x10, Src::New, false, false, "EPD_7in5_V2.c:320-323 (the image, 1 = white)"),
          data(0x13, Src::New, true, false, "EPD_7in5_V2.c:325-333 (~image, 1 = black)"),
      },
      concat(k75Update, k75Sleep));
  s.partial = concat(
      {
          reset("EPD_7in5_V2.c:199"),
          cmd(0x00, {0x1F}, "EPD_7in5_V2.c:201-202"),
          cmd(0x04, {}, "EPD_7in5_V2.c:204"),
          wait("EPD_7in5_V2.c:205-206"),
          cmd(0xE0, {0x02}, "EPD_7in5_V2.c:208-209"),
          cmd(0xE5, {0x6E}, "EPD_7in5_V2.c:210-211"),
          cmd(0x50, {0xA9, 0x07}, "EPD_7in5_V2.c:343-345"),
          cmd(0x91, {}, "EPD_7in5_V2.c:347"),
          step(Op::UcWindow, 0x90, {0x01}, "EPD_7in5_V2.c:348-360"),
          only(Who::OursOnly,
               data(0x10, Src::Old, false, true,
                    "GxEPD2_750_T7.cpp:56-59, 62-107 (writeImageToPrevious: 0x10 of a window)"),
               "old data of the window: RAM is not trusted after the deep sleep and reset "
               "between our refreshes (the reference relies on N2OCP's copy)"),
          data(0x13, Src::New, false, true, "EPD_7in5_V2.c:362-365 (the image, 1 = white)"),
      },
      concat(k75Update, concat({only(Who::OursOnly, cmd(0x92, {}, "GxEPD2_750_T7.cpp:270"),
                                     "partial out, so the next full refresh covers the panel")},
                               k75Sleep)));
  return s;
}

// ---- 4.2" V1, UC8176 (IL0398) ------------------------------------------------------
// EPD_4in2.c: Init_Fast (475-514, the init its demo uses before Display), Display
// (585-608), Sleep (757-767). Data polarity: under 0x50 [0x97] the reference sends its
// image (1 = white) to 0x13 and Clear writes 0xFF for white (569-574); its partial path
// sets 0x50 [0x07] and sends ~image (468-469, 646). The difference is bit 4, DDX[0]
// (0x50: VBD[1:0] bits 7-6, DDX[1:0] bits 5-4, CDI bits 3-0): set = 1 is white.
const std::vector<RefStep> k42Update = {
    cmd(0x12, {}, "EPD_4in2.c:605"),
    only(Who::ReferenceOnly, cmd(0x12, {}, "EPD_4in2.c:343 (TurnOnDisplay)"),
         "a second DISPLAY_REFRESH sent while BUSY; GxEPD2_420.cpp:502 sends one"),
    wait("EPD_4in2.c:344-345 (GET_STATUS 0x71 while polling, 326-335)"),
};
const std::vector<RefStep> k42Sleep = {
    cmd(0x50, {0xF7}, "EPD_4in2.c:759-760"),
    cmd(0x02, {}, "EPD_4in2.c:762"),
    wait("EPD_4in2.c:763"),
    cmd(0x07, {0xA5}, "EPD_4in2.c:765-766"),
};

ControllerSpec uc8176() {
  ControllerSpec s{
      .panel = "4in2",
      .controller = "UC8176 (IL0398)",
      .family = ControllerFamily::Uc81xx,
      .width = 400,
      .height = 300,
      .busyLevel = 0,
      .busyCite = "EPD_4in2.c:326-335 (LOW: busy; GET_STATUS before each read)",
      .resetPulses = 3,
      .minLowMs = 10,
      .minSettleMs = 10,
      .resetCite = "EPD_4in2.c:278-294 (three pulses, 10 ms low, 10 ms high)",
      .polarityCmd = 0x50,
      .polarityByte = 0,
      .polarityMask = 0x10,
      .oneIsBlackValue = 0x00,
      .polarityCite = "EPD_4in2.c:509-510 with 598-603, 569-574; 468-469 with 646",
      .registers = {},
      .full = {},
      .partial = {},
  };
  Bytes vcomTail = {0x00, 0x08, 0x08, 0x00, 0x00, 0x02};
  auto lut = [](Bytes head, const Bytes& third) {
    head.insert(head.end(), third.begin(), third.end());
    head.resize(36, 0x00);
    return head;
  };
  const Bytes v =
      lut({0x00, 0x08, 0x08, 0x00, 0x00, 0x02, 0x00, 0x0F, 0x0F, 0x00, 0x00, 0x01}, vcomTail);
  const Bytes ww = lut({0x50, 0x08, 0x08, 0x00, 0x00, 0x02, 0x90, 0x0F, 0x0F, 0x00, 0x00, 0x01},
                       {0xA0, 0x08, 0x08, 0x00, 0x00, 0x02});
  const Bytes wb = lut({0xA0, 0x08, 0x08, 0x00, 0x00, 0x02, 0x90, 0x0F, 0x0F, 0x00, 0x00, 0x01},
                       {0x50, 0x08, 0x08, 0x00, 0x00, 0x02});
  const Bytes bb = lut({0x20, 0x08, 0x08, 0x00, 0x00, 0x02, 0x90, 0x0F, 0x0F, 0x00, 0x00, 0x01},
                       {0x10, 0x08, 0x08, 0x00, 0x00, 0x02});
  s.registers = {
      {0x01, {0x03, 0x00, 0x2B, 0x2B}, "EPD_4in2.c:478-482"},
      {0x06, {0x17, 0x17, 0x17}, "EPD_4in2.c:484-487"},
      {0x00, {0xBF}, "EPD_4in2.c:492-493"},
      {0x30, {0x3C}, "EPD_4in2.c:496-497"},
      {0x61, {0x01, 0x90, 0x01, 0x2C}, "EPD_4in2.c:499-503"},
      {0x82, {0x12}, "EPD_4in2.c:506-507 (−1.0 V; GxEPD2_420.cpp:349 \"slightly better\")"},
      {0x50, {0x97}, "EPD_4in2.c:509-510"},
      {0x50, {0xF7}, "EPD_4in2.c:759-760"},
      {0x20, v, "EPD_4in2.c:379-381 (EPD_4IN2_lut_vcom0, 115-124)"},
      {0x21, ww, "EPD_4in2.c:383-385 (EPD_4IN2_lut_ww, 125-133)"},
      {0x22, ww, "EPD_4in2.c:387-389 (EPD_4IN2_lut_bw, 134-142)"},
      {0x23, wb, "EPD_4in2.c:391-393 (EPD_4IN2_lut_wb, 143-151)"},
      {0x24, bb, "EPD_4in2.c:395-397 (EPD_4IN2_lut_bb, 152-160)"},
      {0x07, {0xA5}, "EPD_4in2.c:765-766"},
  };
  s.full = concat(
      {
          reset("EPD_4in2.c:477"),
          cmd(0x01, {0x03, 0x00, 0x2B, 0x2B}, "EPD_4in2.c:478-482"),
          cmd(0x06, {0x17, 0x17, 0x17}, "EPD_4in2.c:484-487"),
          cmd(0x04, {}, "EPD_4in2.c:489"),
          wait("EPD_4in2.c:490"),
          cmd(0x00, {0xBF}, "EPD_4in2.c:492-493"),
          cmd(0x30, {0x3C}, "EPD_4in2.c:496-497"),
          cmd(0x61, {0x01, 0x90, 0x01, 0x2C}, "EPD_4in2.c:499-503"),
          cmd(0x82, {0x12}, "EPD_4in2.c:506-507"),
          cmd(0x50, {0x97}, "EPD_4in2.c:509-510"),
          cmd(0x20, v, "EPD_4in2.c:379-381"),
          cmd(0x21, ww, "EPD_4in2.c:383-385"),
          cmd(0x22, ww, "EPD_4in2.c:387-389"),
          cmd(0x23, wb, "EPD_4in2.c:391-393"),
          cmd(0x24, bb, "EPD_4in2.c:395-397"),
          data(0x10, Src::Zeros, false, false, "EPD_4in2.c:591-596 (0x00 throughout)"),
          data(0x13, Src::New, false, false, "EPD_4in2.c:598-603 (the image, 1 = white)"),
      },
      concat(k42Update, k42Sleep));
  return s;
}

// ---- 4.2" V2, SSD1683 --------------------------------------------------------------
// EPD_4in2_V2.c. BUSY high while busy (115-122). Polarity: 0x21's first byte, low
// nibble = black/white RAM option (0 normal, 8 inverse); Clear writes 0xFF for white
// under 0x21 [0x40 0x00] (331-351): normal = 1 is white. The high nibble is the red
// RAM option (4: bypassed as 0, the full refresh; 0: in use, the differential one).
std::vector<RefStep> ssdInit() {
  return {
      reset("EPD_4in2_V2.c:227"),
      wait("EPD_4in2_V2.c:229"),
      cmd(0x12, {}, "EPD_4in2_V2.c:230 (SWRESET)"),
      wait("EPD_4in2_V2.c:231"),
      cmd(0x21, {0x40, 0x00}, "EPD_4in2_V2.c:233-235"),
      cmd(0x3C, {0x05}, "EPD_4in2_V2.c:237-238"),
      cmd(0x11, {0x03}, "EPD_4in2_V2.c:240-241"),
      cmd(0x44, {0x00, 0x31}, "EPD_4in2_V2.c:243, 166-168"),
      cmd(0x45, {0x00, 0x00, 0x2B, 0x01}, "EPD_4in2_V2.c:243, 170-174"),
      cmd(0x4E, {0x00}, "EPD_4in2_V2.c:245, 183-184"),
      cmd(0x4F, {0x00, 0x00}, "EPD_4in2_V2.c:245, 186-188"),
      wait("EPD_4in2_V2.c:247"),
  };
}
const std::vector<RefStep> kV2Sleep = {
    cmd(0x10, {0x01}, "EPD_4in2_V2.c:538-540 (deep sleep mode 1, then 200 ms)"),
};

ControllerSpec ssd1683() {
  ControllerSpec s{
      .panel = "4in2_v2",
      .controller = "SSD1683",
      .family = ControllerFamily::Ssd16xx,
      .width = 400,
      .height = 300,
      .busyLevel = 1,
      .busyCite = "EPD_4in2_V2.c:115-122 (HIGH: busy)",
      .resetPulses = 1,
      .minLowMs = 2,
      .minSettleMs = 100,
      .resetCite = "EPD_4in2_V2.c:75-83 (high 100 ms, low 2 ms, high 100 ms)",
      .polarityCmd = 0x21,
      .polarityByte = 0,
      .polarityMask = 0x0F,
      .oneIsBlackValue = 0x08,
      .polarityCite = "EPD_4in2_V2.c:233-235 with 331-351",
      .registers = {},
      .full = {},
      .partial = {},
  };
  s.registers = {
      {0x21, {0x40, 0x00}, "EPD_4in2_V2.c:233-235"},
      {0x21, {0x00, 0x00}, "EPD_4in2_V2.c:512-514"},
      {0x3C, {0x05}, "EPD_4in2_V2.c:237-238"},
      {0x3C, {0x80}, "EPD_4in2_V2.c:509-510"},
      {0x11, {0x03}, "EPD_4in2_V2.c:240-241"},
      {0x44, {0x00, 0x31}, "EPD_4in2_V2.c:166-168"},
      {0x45, {0x00, 0x00, 0x2B, 0x01}, "EPD_4in2_V2.c:170-174"},
      {0x4E, {0x00}, "EPD_4in2_V2.c:183-184"},
      {0x4F, {0x00, 0x00}, "EPD_4in2_V2.c:186-188"},
      {0x22, {0xF7}, "EPD_4in2_V2.c:130-131"},
      {0x22, {0xFF}, "EPD_4in2_V2.c:146-147"},
      {0x10, {0x01}, "EPD_4in2_V2.c:538-539"},
  };
  s.full = concat(ssdInit(),
                  concat(
                      {
                          data(0x24, Src::New, false, false, "EPD_4in2_V2.c:363-368 (1 = white)"),
                          data(0x26, Src::New, false, false, "EPD_4in2_V2.c:370-375 (the same)"),
                          cmd(0x22, {0xF7}, "EPD_4in2_V2.c:130-131"),
                          cmd(0x20, {}, "EPD_4in2_V2.c:132"),
                          wait("EPD_4in2_V2.c:133"),
                      },
                      kV2Sleep));
  const std::string_view whole =
      "the differential update drives the whole panel from red (old) vs black/white (new): "
      "both RAMs are written whole, as the RAM is not trusted after the reset between our "
      "refreshes (GxEPD2_420_GDEY042T81.cpp:68-75 keeps 0x26 in step the same way)";
  s.partial = concat(
      ssdInit(),
      concat(
          {
              cmd(0x3C, {0x80}, "EPD_4in2_V2.c:509-510"),
              cmd(0x21, {0x00, 0x00}, "EPD_4in2_V2.c:512-514"),
              cmd(0x3C, {0x80}, "EPD_4in2_V2.c:516-517"),
              only(Who::ReferenceOnly, cmd(0x44, {}, "EPD_4in2_V2.c:519 (window)"), whole),
              only(Who::ReferenceOnly, cmd(0x45, {}, "EPD_4in2_V2.c:519 (window)"), whole),
              only(Who::ReferenceOnly, cmd(0x4E, {}, "EPD_4in2_V2.c:520 (x in pixels)"), whole),
              only(Who::ReferenceOnly, cmd(0x4F, {}, "EPD_4in2_V2.c:520"), whole),
              only(Who::ReferenceOnly,
                   data(0x24, Src::New, false, true, "EPD_4in2_V2.c:522-527 (window)"), whole),
              only(Who::OursOnly, data(0x24, Src::New, false, false, "EPD_4in2_V2.c:522-527"),
                   whole),
              only(Who::OursOnly, cmd(0x4E, {0x00}, "GxEPD2_420_GDEY042T81.cpp:327-328"), whole),
              only(Who::OursOnly, cmd(0x4F, {0x00, 0x00}, "GxEPD2_420_GDEY042T81.cpp:329-331"),
                   whole),
              only(Who::OursOnly,
                   data(0x26, Src::Old, false, false, "GxEPD2_420_GDEY042T81.cpp:75"), whole),
              cmd(0x22, {0xFF}, "EPD_4in2_V2.c:146-147"),
              cmd(0x20, {}, "EPD_4in2_V2.c:148"),
              wait("EPD_4in2_V2.c:149"),
          },
          kV2Sleep));
  return s;
}

const std::vector<ControllerSpec>& table() {
  static const std::vector<ControllerSpec> t = {uc8179(), uc8176(), ssd1683()};
  return t;
}

}  // namespace

const ControllerSpec* findController(std::string_view panel) {
  for (const ControllerSpec& c : table())
    if (c.panel == panel) return &c;
  return nullptr;
}

std::span<const ControllerSpec> controllers() {
  return table();
}

}  // namespace cb::hal
