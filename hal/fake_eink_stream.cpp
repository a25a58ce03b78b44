// Recordings folded into reference-driver steps, and the steps the reference table expects.
#include <fmt/format.h>

#include "hal/fake_eink.hpp"

namespace cb::hal {

std::string hexBytes(std::span<const std::uint8_t> b) {
  std::string s;
  for (std::uint8_t v : b) s += fmt::format("{}{:02X}", s.empty() ? "" : " ", v);
  return s;
}

std::string StreamToken::describe() const {
  switch (kind) {
    case Kind::Reset:
      return fmt::format("reset x{}", pulses);
    case Kind::Wait:
      return "wait BUSY";
    case Kind::Cmd:
      break;
  }
  if (bytes.size() > 48) return fmt::format("cmd {:02X} + {} data bytes", cmd, bytes.size());
  return bytes.empty() ? fmt::format("cmd {:02X}", cmd)
                       : fmt::format("cmd {:02X} [{}]", cmd, hexBytes(bytes));
}

std::vector<StreamToken> streamOf(const std::vector<BusEvent>& events) {
  std::vector<StreamToken> out;
  bool dc = false, rst = true, inReset = false;
  for (const BusEvent& e : events) {
    if (e.kind == BusEvent::Kind::Line) {
      if (e.line == PanelSimulator::kDc) dc = e.high;
      if (e.line != PanelSimulator::kRst) continue;
      if (rst && !e.high) {
        if (inReset)
          ++out.back().pulses;
        else
          out.push_back({StreamToken::Kind::Reset, 0, 1, {}});
        inReset = true;
      }
      rst = e.high;
    } else if (e.kind == BusEvent::Kind::Read) {
      if (e.line != PanelSimulator::kBusy) continue;
      inReset = false;
      // GET_STATUS polls (UC8176) belong to the wait.
      if (!out.empty() && out.back().kind == StreamToken::Kind::Cmd && out.back().cmd == 0x71 &&
          out.back().bytes.empty())
        out.pop_back();
      if (out.empty() || out.back().kind != StreamToken::Kind::Wait)
        out.push_back({StreamToken::Kind::Wait, 0, 0, {}});
    } else {
      inReset = false;
      for (std::uint8_t b : e.bytes) {
        if (!dc)
          out.push_back({StreamToken::Kind::Cmd, b, 0, {}});
        else if (!out.empty() && out.back().kind == StreamToken::Kind::Cmd)
          out.back().bytes.push_back(b);
      }
    }
  }
  return out;
}

std::vector<StreamToken> expectedStream(const ControllerSpec& spec, bool partial,
                                        const std::vector<std::uint8_t>& oldPanel,
                                        const std::vector<std::uint8_t>& newPanel,
                                        const Region& window) {
  std::vector<StreamToken> out;
  const Region all{0, 0, spec.width, spec.height};
  for (const RefStep& s : partial ? spec.partial : spec.full) {
    if (s.who == RefStep::Who::ReferenceOnly) continue;
    switch (s.op) {
      case RefStep::Op::Reset:
        out.push_back({StreamToken::Kind::Reset, 0, spec.resetPulses, {}});
        break;
      case RefStep::Op::Wait:
        out.push_back({StreamToken::Kind::Wait, 0, 0, {}});
        break;
      case RefStep::Op::Cmd:
        out.push_back({StreamToken::Kind::Cmd, s.cmd, 0, s.bytes});
        break;
      case RefStep::Op::UcWindow: {
        const int x1 = window.x + window.width - 1, y1 = window.y + window.height - 1;
        out.push_back({StreamToken::Kind::Cmd,
                       s.cmd,
                       0,
                       {std::uint8_t(window.x >> 8), std::uint8_t(window.x), std::uint8_t(x1 >> 8),
                        std::uint8_t(x1), std::uint8_t(window.y >> 8), std::uint8_t(window.y),
                        std::uint8_t(y1 >> 8), std::uint8_t(y1), s.bytes.at(0)}});
        break;
      }
      case RefStep::Op::Data: {
        const Region& r = s.window ? window : all;
        const std::vector<std::uint8_t>& src =
            s.source == RefStep::Source::Old ? oldPanel : newPanel;
        StreamToken t{StreamToken::Kind::Cmd, s.cmd, 0, {}};
        for (int y = r.y; y < r.y + r.height; ++y)
          for (int x = r.x; x < r.x + r.width; x += 8) {
            std::uint8_t byte = 0;
            for (int i = 0; i < 8 && s.source != RefStep::Source::Zeros; ++i) {
              const bool black =
                  src[std::size_t(y) * std::size_t(spec.width) + std::size_t(x + i)] == 1;
              if (black == s.oneIsBlack) byte |= std::uint8_t(0x80u >> i);
            }
            t.bytes.push_back(byte);
          }
        out.push_back(std::move(t));
        break;
      }
    }
  }
  return out;
}

}  // namespace cb::hal
