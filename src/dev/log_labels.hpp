#pragma once
// weft-dev prints the desktop's log (weft-session's stdout/stderr: every WEFT process writes `<process>: <level>:
// <message>` lines) relabelled for an app developer: what the app's component wrote, what the runtime hosting it
// logged, what its page logged (console messages and the app shell), and the rest of the desktop.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft::dev {

enum class Source { app, runtime, ui, desktop };

struct LabelledLine {
  Source source = Source::desktop;
  std::string text;       // without the desktop's prefixes for app, runtime and ui lines
  bool important = false;  // desktop lines at warn or error level
};

/// Labels one line of the desktop's log for the session `session_id` of `app_id` (appd drains its children's output
/// as `<app_id>[<sid>] stdout: …`, `<app_id>[<sid>] app-shell stderr: …`).
[[nodiscard]] LabelledLine label_line(std::string_view line, std::string_view app_id, uint64_t session_id);

/// `[app]`, `[runtime]`, `[ui]`, `[desktop]`.
[[nodiscard]] std::string_view label(Source source);

/// The app's exit status from appd's `stopping session session_id=<sid> reason="…"` line for `session_id`: the
/// runtime's exit code (128 + signal when killed), 0 for any other end (window closed, terminated); nullopt for every
/// other line.
[[nodiscard]] std::optional<int> session_end_status(std::string_view line, uint64_t session_id);

}  // namespace weft::dev
