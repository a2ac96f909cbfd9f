// standin-input-method: a test stand-in for an input method (zwp_input_method_v2), scripted from its arguments. It
// waits until the compositor activates it (an editable element of the focused app enabled text input), shows
// `--preedit` as composition, then commits `--commit`, and exits 0 once the field's surrounding text, as the
// compositor relays it back, contains the committed text (the text arrived in the page, not just on the wire).
// Exit 1 with a message on stderr when the global is missing or nothing happens within --timeout-ms.
//
//   standin-input-method --preedit Grü --commit "Grüße 日本" [--timeout-ms 60000]

#include <poll.h>
#include <wayland-client.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "input-method-unstable-v2-client-protocol.h"

namespace {

struct State {
  wl_seat* seat = nullptr;
  zwp_input_method_manager_v2* manager = nullptr;
  bool pending_active = false, active = false, unavailable = false;
  std::string pending_surrounding, surrounding;
  uint32_t dones = 0;
};

const zwp_input_method_v2_listener kMethodListener = {
    .activate = [](void* d, zwp_input_method_v2*) { static_cast<State*>(d)->pending_active = true; },
    .deactivate = [](void* d, zwp_input_method_v2*) { static_cast<State*>(d)->pending_active = false; },
    .surrounding_text =
        [](void* d, zwp_input_method_v2*, const char* text, uint32_t, uint32_t) {
          static_cast<State*>(d)->pending_surrounding = text ? text : "";
        },
    .text_change_cause = [](void*, zwp_input_method_v2*, uint32_t) {},
    .content_type = [](void*, zwp_input_method_v2*, uint32_t, uint32_t) {},
    .done =
        [](void* d, zwp_input_method_v2*) {
          auto* s = static_cast<State*>(d);
          s->active = s->pending_active;
          s->surrounding = s->pending_surrounding;
          ++s->dones;
        },
    .unavailable = [](void* d, zwp_input_method_v2*) { static_cast<State*>(d)->unavailable = true; },
};

const wl_registry_listener kRegistryListener = {
    .global =
        [](void* d, wl_registry* registry, uint32_t name, const char* interface, uint32_t) {
          auto* s = static_cast<State*>(d);
          if (std::strcmp(interface, wl_seat_interface.name) == 0 && !s->seat)
            s->seat = static_cast<wl_seat*>(wl_registry_bind(registry, name, &wl_seat_interface, 1));
          else if (std::strcmp(interface, zwp_input_method_manager_v2_interface.name) == 0)
            s->manager = static_cast<zwp_input_method_manager_v2*>(
                wl_registry_bind(registry, name, &zwp_input_method_manager_v2_interface, 1));
        },
    .global_remove = [](void*, wl_registry*, uint32_t) {},
};

using Clock = std::chrono::steady_clock;

/// Dispatches until `done()` or the deadline; false on timeout or a broken connection.
template <class Done>
bool dispatch_until(wl_display* display, Clock::time_point deadline, Done done) {
  while (!done()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    while (wl_display_prepare_read(display) != 0) wl_display_dispatch_pending(display);
    wl_display_flush(display);
    pollfd pfd{wl_display_get_fd(display), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(std::min<long long>(left, 100))) > 0) {
      if (wl_display_read_events(display) < 0) return false;
    } else {
      wl_display_cancel_read(display);
    }
    if (wl_display_dispatch_pending(display) < 0) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string preedit, commit;
  int timeout_ms = 60000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--preedit") preedit = argv[i + 1];
    else if (flag == "--commit") commit = argv[i + 1];
    else if (flag == "--timeout-ms") timeout_ms = std::stoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "standin-input-method: unknown argument %s\n", flag.c_str());
      return 2;
    }
  }
  if (commit.empty()) {
    std::fprintf(stderr, "standin-input-method: --commit TEXT is required\n");
    return 2;
  }
  wl_display* display = wl_display_connect(nullptr);
  if (!display) {
    std::fprintf(stderr, "standin-input-method: cannot connect to the compositor\n");
    return 1;
  }
  State state;
  wl_registry* registry = wl_display_get_registry(display);
  wl_registry_add_listener(registry, &kRegistryListener, &state);
  wl_display_roundtrip(display);
  if (!state.seat || !state.manager) {
    std::fprintf(stderr, "standin-input-method: the compositor offers no %s\n",
                 state.seat ? "zwp_input_method_manager_v2" : "wl_seat");
    return 1;
  }
  zwp_input_method_v2* method = zwp_input_method_manager_v2_get_input_method(state.manager, state.seat);
  zwp_input_method_v2_add_listener(method, &kMethodListener, &state);
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);

  if (!dispatch_until(display, deadline, [&] { return state.active || state.unavailable; }) || state.unavailable) {
    std::fprintf(stderr, "standin-input-method: %s\n",
                 state.unavailable ? "another input method is bound" : "never activated (no editable field focused)");
    return 1;
  }
  std::fprintf(stderr, "standin-input-method: activated, surrounding text \"%s\"\n", state.surrounding.c_str());
  if (!preedit.empty()) {
    zwp_input_method_v2_set_preedit_string(method, preedit.c_str(), static_cast<int32_t>(preedit.size()),
                                           static_cast<int32_t>(preedit.size()));
    zwp_input_method_v2_commit(method, state.dones);
    // The composition round trip: the compositor has relayed the preedit once this answers.
    wl_display_roundtrip(display);
  }
  zwp_input_method_v2_commit_string(method, commit.c_str());
  zwp_input_method_v2_commit(method, state.dones);
  wl_display_flush(display);
  if (!dispatch_until(display, deadline, [&] { return state.surrounding.find(commit) != std::string::npos; })) {
    std::fprintf(stderr, "standin-input-method: the field's surrounding text never held \"%s\" (last: \"%s\")\n",
                 commit.c_str(), state.surrounding.c_str());
    return 1;
  }
  std::fprintf(stderr, "standin-input-method: the field now reads \"%s\"\n", state.surrounding.c_str());
  zwp_input_method_v2_destroy(method);
  wl_display_roundtrip(display);
  wl_display_disconnect(display);
  return 0;
}
