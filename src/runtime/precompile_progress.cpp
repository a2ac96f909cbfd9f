// The progress of `weft-runtime --aot-precompile` (what `weft-pack install` runs): one line per core module, or one
// progress bar redrawn in place when the output is a terminal (precompile_progress.hpp).

#include "precompile_progress.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace weft::runtime {
namespace {

using State = PrecompileStep::State;
using Clock = std::chrono::steady_clock;

constexpr int kBarWidth = 24;  // characters
constexpr std::chrono::milliseconds kRedrawInterval{200};

std::string size_text(size_t bytes) {
  char text[32];
  if (bytes < 1024) std::snprintf(text, sizeof text, "%zu bytes", bytes);
  else if (bytes < (size_t(1) << 20)) std::snprintf(text, sizeof text, "%.1f KiB", double(bytes) / 1024);
  else std::snprintf(text, sizeof text, "%.1f MiB", double(bytes) / (1 << 20));
  return text;
}

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s", seconds);
  return text;
}

}  // namespace

PrecompileProgress::PrecompileProgress(std::string app_id, size_t count, std::ostream& out, bool terminal)
    : app_id_(std::move(app_id)), count_(count), out_(out), terminal_(terminal), start_(Clock::now()),
      running_(count), unit_fraction_(count) {
  if (terminal_) ticker_ = std::thread([this] { tick(); });
}

PrecompileProgress::~PrecompileProgress() { finish(); }

void PrecompileProgress::step(const PrecompileStep& s) {
  std::lock_guard lock(mutex_);
  if (s.index < running_.size()) {
    running_[s.index] = s.state == State::compiling;
    unit_fraction_[s.index] = s.units_total ? double(s.units_done) / double(s.units_total) : 0.0;
  }
  if (s.state != State::compiling && s.state != State::failed) ++done_;
  if (s.state == State::compiled) ++compiled_;
  if (terminal_) {
    draw();
    return;
  }
  std::string module = "precompile " + app_id_ + ": core module " + std::to_string(s.index + 1) + "/" +
                       std::to_string(s.count) + " (" + size_text(s.bytes) + ")";
  if (s.state == State::compiling) {
    // A split module (a JS engine: minutes) says what it is doing; a small one only when it is done.
    if (s.units_total > 0 && s.units_done > 0)
      out_ << module << ": translation unit " << s.units_done << "/" << s.units_total << " compiled ("
           << seconds_text(s.seconds) << ")" << std::endl;
    else if (s.units_total > 0)
      out_ << module << ": translated to C in " << seconds_text(s.seconds) << ", compiling " << s.units_total
           << " translation units" << std::endl;
    return;
  }
  if (s.state == State::failed) return;
  out_ << module << " "
       << (s.state == State::compiled ? "compiled in " + seconds_text(s.seconds) : std::string("already compiled"))
       << std::endl;
}

void PrecompileProgress::finish() {
  {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    finished_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  if (!terminal_) return;
  size_t already = done_ - compiled_;
  std::ostringstream line;
  line << "\r\033[K" << "precompiled " << app_id_ << ": " << compiled_ << " of " << count_ << " core modules compiled";
  if (already > 0) line << ", " << already << " already compiled";
  line << " (" << seconds_text(std::chrono::duration<double>(Clock::now() - start_).count()) << ")\n";
  out_ << line.str() << std::flush;
}

void PrecompileProgress::tick() {
  std::unique_lock lock(mutex_);
  while (!finished_) {
    draw();
    wake_.wait_for(lock, kRedrawInterval);
  }
}

void PrecompileProgress::draw() {
  // Modules still compiling count with the share of their translation units that is done.
  double modules = double(done_);
  for (size_t i = 0; i < running_.size(); ++i)
    if (running_[i]) modules += unit_fraction_[i];
  size_t filled = count_ ? std::min<size_t>(kBarWidth, size_t(modules * kBarWidth / double(count_))) : kBarWidth;
  std::string bar(filled, '#');
  bar.resize(kBarWidth, '-');
  std::ostringstream line;
  line << "\r\033[K" << "precompiling " << app_id_ << " [" << bar << "] " << done_ << "/" << count_ << " core modules";
  if (auto n = std::count(running_.begin(), running_.end(), true); n > 0) line << ", compiling " << n;
  for (size_t i = 0; i < running_.size(); ++i)
    if (running_[i] && unit_fraction_[i] > 0)
      line << " (module " << i + 1 << ": " << int(unit_fraction_[i] * 100) << " % of its translation units)";
  line << "  " << seconds_text(std::chrono::duration<double>(Clock::now() - start_).count());
  out_ << line.str() << std::flush;
}

}  // namespace weft::runtime
