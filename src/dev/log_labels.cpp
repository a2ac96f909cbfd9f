#include "log_labels.hpp"

#include <charconv>

namespace weft::dev {
namespace {

constexpr std::string_view kRuntimePrefix = "weft-runtime: ";

/// The message of a `<process>: <level>: <message>` line, and whether the level is warn or error.
std::pair<std::string_view, bool> message_of(std::string_view line) {
  for (std::string_view level : {"error", "warn", "info", "debug", "trace"}) {
    std::string marker = ": " + std::string(level) + ": ";
    if (auto at = line.find(marker); at != std::string_view::npos && line.find(' ') > at)
      return {line.substr(at + marker.size()), level == "error" || level == "warn"};
  }
  return {line, false};
}

}  // namespace

std::string_view label(Source source) {
  switch (source) {
    case Source::app: return "[app]";
    case Source::runtime: return "[runtime]";
    case Source::ui: return "[ui]";
    case Source::desktop: return "[desktop]";
  }
  return "[desktop]";
}

LabelledLine label_line(std::string_view line, std::string_view app_id, uint64_t session_id) {
  auto [message, important] = message_of(line);
  std::string session = std::string(app_id) + "[" + std::to_string(session_id) + "] ";
  if (message.rfind(session, 0) == 0) {
    std::string_view rest = message.substr(session.size());
    for (std::string_view stream : {"app-shell stdout: ", "app-shell stderr: "})
      if (rest.rfind(stream, 0) == 0) return {Source::ui, std::string(rest.substr(stream.size())), false};
    for (std::string_view stream : {"stdout: ", "stderr: "}) {
      if (rest.rfind(stream, 0) != 0) continue;
      std::string_view text = rest.substr(stream.size());
      if (text.rfind(kRuntimePrefix, 0) == 0) return {Source::runtime, std::string(text.substr(kRuntimePrefix.size())), false};
      return {Source::app, std::string(text), false};
    }
  }
  return {Source::desktop, std::string(line), important};
}

std::optional<int> session_end_status(std::string_view line, uint64_t session_id) {
  std::string marker = "stopping session session_id=" + std::to_string(session_id) + " reason=\"";
  auto at = line.find(marker);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view reason = line.substr(at + marker.size());
  auto number_after = [&](std::string_view prefix) -> std::optional<int> {
    if (reason.rfind(prefix, 0) != 0) return std::nullopt;
    std::string_view digits = reason.substr(prefix.size());
    int value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc()) return std::nullopt;
    return value;
  };
  if (auto code = number_after("weft-runtime exited with status ")) return *code;
  if (auto signal = number_after("weft-runtime killed by signal ")) return 128 + *signal;
  return 0;
}

}  // namespace weft::dev
