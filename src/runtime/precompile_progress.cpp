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
      running_(count) {
  if (terminal_) ticker_ = std::thread([this] { tick(); });
}

PrecompileProgress::~PrecompileProgress() { finish(); }

void PrecompileProgress::step(const PrecompileStep& s) {
  std::lock_guard lock(mutex_);
  if (s.index < running_.size()) running_[s.index] = s.state == State::compiling;
  if (s.state != State::compiling && s.state != State::failed) ++done_;
  if (s.state == State::compiled) ++compiled_;
  if (s.state == State::skipped) ++skipped_;
  if (terminal_) {
    draw();
    return;
  }
  if (s.state == State::compiling || s.state == State::failed) return;
  out_ << "precompile " << app_id_ << ": core module " << s.index + 1 << "/" << s.count << " (" << size_text(s.bytes)
       << ") "
       << (s.state == State::compiled ? "compiled in " + seconds_text(s.seconds)
           : s.state == State::cached ? std::string("already compiled")
                                      : std::string("left to the interpreter (too large to precompile)"))
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
  size_t already = done_ - compiled_ - skipped_;
  std::ostringstream line;
  line << "\r\033[K" << "precompiled " << app_id_ << ": " << compiled_ << " of " << count_ << " core modules compiled";
  if (already > 0) line << ", " << already << " already compiled";
  if (skipped_ > 0) line << ", " << skipped_ << " left to the interpreter";
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
  size_t filled = count_ ? done_ * kBarWidth / count_ : kBarWidth;
  std::string bar(filled, '#');
  bar.resize(kBarWidth, '-');
  std::ostringstream line;
  line << "\r\033[K" << "precompiling " << app_id_ << " [" << bar << "] " << done_ << "/" << count_ << " core modules";
  if (auto n = std::count(running_.begin(), running_.end(), true); n > 0) line << ", compiling " << n;
  line << "  " << seconds_text(std::chrono::duration<double>(Clock::now() - start_).count());
  out_ << line.str() << std::flush;
}

}  // namespace weft::runtime
