#include "memory_pressure.hpp"

#include <charconv>

#include "weft/core/fd.hpp"
#include "weft/core/log.hpp"

namespace weft::appd {
namespace {

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

std::optional<double> parse_percent_value(std::string_view text) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  if (error != std::errc() || end != text.data() + text.size() || !(value >= 0.0) || value > 100.0) return std::nullopt;
  return value;
}

Result<PsiAverages> parse_line(std::string_view kind, const std::vector<std::string_view>& words) {
  PsiAverages averages;
  struct Field {
    std::string_view name;
    bool seen = false;
  } fields[] = {{"avg10"}, {"avg60"}, {"avg300"}, {"total"}};
  for (size_t i = 1; i < words.size(); ++i) {
    const size_t eq = words[i].find('=');
    if (eq == std::string_view::npos) return fail("PSI " + std::string(kind) + ": '" + std::string(words[i]) + "' is not name=value");
    const std::string_view name = words[i].substr(0, eq), value = words[i].substr(eq + 1);
    Field* field = nullptr;
    for (auto& f : fields)
      if (f.name == name) field = &f;
    if (!field) continue;  // a future field: ignored
    if (field->seen) return fail("PSI " + std::string(kind) + ": " + std::string(name) + " appears twice");
    field->seen = true;
    if (name == "total") {
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), averages.total_us);
      if (value.empty() || error != std::errc() || end != value.data() + value.size())
        return fail("PSI " + std::string(kind) + ": total '" + std::string(value) + "' is not a count of µs");
      continue;
    }
    auto percent = parse_percent_value(value);
    if (!percent)
      return fail("PSI " + std::string(kind) + ": " + std::string(name) + " '" + std::string(value) +
                  "' is not a percentage from 0 to 100");
    (name == "avg10" ? averages.avg10 : name == "avg60" ? averages.avg60 : averages.avg300) = *percent;
  }
  for (const auto& f : fields)
    if (!f.seen) return fail("PSI " + std::string(kind) + ": missing field " + std::string(f.name));
  return averages;
}

}  // namespace

Result<PsiSample> parse_psi(std::string_view text) {
  if (text.size() > kMaxPsiBytes) return fail("PSI text exceeds " + std::to_string(kMaxPsiBytes) + " bytes");
  PsiSample sample;
  bool have_some = false, have_full = false;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    auto words = split_spaces(line);
    if (words.empty()) continue;
    if (words[0] == "some" || words[0] == "full") {
      bool& seen = words[0] == "some" ? have_some : have_full;
      if (seen) return fail("PSI: two '" + std::string(words[0]) + "' lines");
      seen = true;
      WEFT_TRY((words[0] == "some" ? sample.some : sample.full), parse_line(words[0], words));
    } else {
      return fail("PSI: unknown line kind '" + std::string(words[0].substr(0, 32)) + "'");
    }
  }
  if (!have_some) return fail("PSI: missing 'some' line");
  return sample;
}

const char* pressure_level_name(PressureLevel level) {
  switch (level) {
    case PressureLevel::none: return "none";
    case PressureLevel::release: return "release";
    case PressureLevel::stop: return "stop";
  }
  return "?";
}

PressureLevel classify(const PsiSample& sample, const PressureThresholds& thresholds) {
  if (sample.full.avg10 >= thresholds.stop_full_avg10) return PressureLevel::stop;
  if (sample.some.avg10 >= thresholds.release_some_avg10) return PressureLevel::release;
  return PressureLevel::none;
}

std::optional<double> parse_pressure_percent(std::string_view text) {
  auto value = parse_percent_value(text);
  if (!value || *value <= 0.0) return std::nullopt;
  return value;
}

PsiWatch::PsiWatch(std::string path, unsigned interval_ms, std::function<void(const PsiSample&)> on_sample)
    : path_(std::move(path)), interval_ms_(interval_ms), on_sample_(std::move(on_sample)) {}

void PsiWatch::start() {
  log::info("memory pressure: reading ", path_, " every ", interval_ms_, " ms");
  timer_.reset(g_timeout_add(interval_ms_, &PsiWatch::on_tick, this));
}

gboolean PsiWatch::on_tick(gpointer self) {
  static_cast<PsiWatch*>(self)->sample();
  return G_SOURCE_CONTINUE;
}

void PsiWatch::sample() {
  auto text = read_file(path_, kMaxPsiBytes + 1);
  Result<PsiSample> parsed = text.ok() ? parse_psi(*text) : Result<PsiSample>(fail(text.error().message));
  if (!parsed.ok()) {
    if (!std::exchange(logged_failure_, true))
      log::warn("memory pressure: cannot read ", path_, ": ", parsed.error().message, " (retrying)");
    return;
  }
  if (std::exchange(logged_failure_, false)) log::info("memory pressure: ", path_, " readable again");
  on_sample_(*parsed);
}

std::optional<uint64_t> choose_pressure_victim(const std::vector<PressureCandidate>& sessions,
                                               uint64_t foreground_session) {
  const PressureCandidate* victim = nullptr;
  for (const auto& s : sessions) {
    if (!s.running || s.session_id == foreground_session) continue;
    if (!victim || s.last_focused_us < victim->last_focused_us ||
        (s.last_focused_us == victim->last_focused_us && s.session_id < victim->session_id))
      victim = &s;
  }
  if (!victim) return std::nullopt;
  return victim->session_id;
}

}  // namespace weft::appd
