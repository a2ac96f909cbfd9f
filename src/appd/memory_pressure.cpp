#include "memory_pressure.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <glib-unix.h>

#include <algorithm>
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
    if (eq == std::string_view::npos)
      return fail("PSI " + std::string(kind) + ": '" + std::string(words[i]) + "' is not name=value");
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

PsiWatch::PsiWatch(std::string path, unsigned interval_ms, double trigger_some_percent,
                   std::function<void(const PsiSample&)> on_sample)
    : path_(std::move(path)),
      interval_ms_(interval_ms),
      trigger_some_percent_(trigger_some_percent),
      on_sample_(std::move(on_sample)) {}

bool PsiWatch::arm_trigger() {
  // Only the kernel's PSI files take triggers: writing one into a stand-in (a regular file) would overwrite it.
  struct statfs fs {};
  if (::statfs(path_.c_str(), &fs) != 0 || (fs.f_type != PROC_SUPER_MAGIC && fs.f_type != CGROUP2_SUPER_MAGIC))
    return false;
  UniqueFd fd(::open(path_.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return false;
  const auto stall_us = static_cast<uint64_t>(trigger_some_percent_ / 100.0 * double(kTriggerWindowUs));
  const std::string trigger = "some " + std::to_string(std::max<uint64_t>(stall_us, 1)) + " " +
                              std::to_string(kTriggerWindowUs);
  // The kernel wants the terminating NUL written too.
  if (::write(fd.get(), trigger.c_str(), trigger.size() + 1) < 0) return false;
  trigger_ = std::move(fd);
  trigger_watch_.reset(g_unix_fd_add(trigger_.get(), static_cast<GIOCondition>(G_IO_PRI | G_IO_ERR | G_IO_HUP),
                                     &PsiWatch::on_trigger, this));
  log::info("memory pressure: PSI trigger on ", path_, " (", trigger, " µs); reading every ", interval_ms_,
            " ms while under pressure");
  return true;
}

void PsiWatch::start() {
  if (arm_trigger()) return sample();  // one reading now: pressure may already be there
  log::info("memory pressure: reading ", path_, " every ", interval_ms_, " ms");
  timer_.reset(g_timeout_add(interval_ms_, &PsiWatch::on_tick, this));
}

gboolean PsiWatch::on_tick(gpointer self) {
  static_cast<PsiWatch*>(self)->sample();
  return G_SOURCE_CONTINUE;
}

gboolean PsiWatch::on_trigger(gint, GIOCondition condition, gpointer data) {
  auto* self = static_cast<PsiWatch*>(data);
  if (condition & (G_IO_ERR | G_IO_HUP)) {
    // The file went away (a removed cgroup) or the trigger broke: fall back to reading periodically.
    log::warn("memory pressure: the PSI trigger on ", self->path_, " failed; reading every ", self->interval_ms_, " ms");
    self->trigger_watch_.release();
    self->trigger_.reset();
    self->timer_.reset(g_timeout_add(self->interval_ms_, &PsiWatch::on_tick, self));
    return G_SOURCE_REMOVE;
  }
  self->sample();
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
  if (trigger_) {
    // With a trigger, periodic reads run only while there is pressure to follow (levels rise and fall on avg10).
    if (parsed->some.avg10 > 0.0 && !timer_) timer_.reset(g_timeout_add(interval_ms_, &PsiWatch::on_tick, this));
    if (parsed->some.avg10 == 0.0) timer_.reset();
  }
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
