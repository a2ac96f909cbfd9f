#include "systemd_integration.hpp"

#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace weft::compositor {

namespace {

constexpr uint64_t kBusTimeoutUsec = 2'000'000;  // µs: the user manager answers at once or not at all

struct BusDeleter {
  void operator()(sd_bus* bus) const { sd_bus_flush_close_unref(bus); }
};
struct MessageDeleter {
  void operator()(sd_bus_message* m) const { sd_bus_message_unref(m); }
};

using Bus = std::unique_ptr<sd_bus, BusDeleter>;

/// A connection to the user manager: its own socket `$XDG_RUNTIME_DIR/systemd/private` first (what `systemctl --user`
/// uses; it needs no D-Bus daemon, so a device without dbus-user-session works too), else the user bus.
Result<Bus> connect_user_manager() {
  if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime && *runtime) {
    sd_bus* raw = nullptr;
    if (sd_bus_new(&raw) >= 0) {
      Bus direct(raw);
      const std::string address = std::string("unix:path=") + runtime + "/systemd/private";
      if (sd_bus_set_address(direct.get(), address.c_str()) >= 0 && sd_bus_start(direct.get()) >= 0) return direct;
    }
  }
  sd_bus* raw = nullptr;
  if (const int r = sd_bus_open_user(&raw); r < 0)
    return fail(std::string("systemd: cannot reach the user manager (no $XDG_RUNTIME_DIR/systemd/private, no user "
                            "bus): ") + std::strerror(-r));
  return Bus(raw);
}

}  // namespace

bool under_systemd() { return std::getenv("NOTIFY_SOCKET") != nullptr; }

Result<void> export_wayland_display(const std::string& socket_name) {
  WEFT_TRY(Bus bus, connect_user_manager());
  sd_bus_message* reply_raw = nullptr;
  sd_bus_message* call_raw = nullptr;
  if (const int r = sd_bus_message_new_method_call(bus.get(), &call_raw, "org.freedesktop.systemd1",
                                                   "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                                   "SetEnvironment");
      r < 0)
    return fail(std::string("systemd: SetEnvironment call: ") + std::strerror(-r));
  std::unique_ptr<sd_bus_message, MessageDeleter> call(call_raw);
  const std::string assignment = "WAYLAND_DISPLAY=" + socket_name;
  char* strv[] = {const_cast<char*>(assignment.c_str()), nullptr};
  if (const int r = sd_bus_message_append_strv(call.get(), strv); r < 0)
    return fail(std::string("systemd: SetEnvironment arguments: ") + std::strerror(-r));
  sd_bus_error error = SD_BUS_ERROR_NULL;
  const int r = sd_bus_call(bus.get(), call.get(), kBusTimeoutUsec, &error, &reply_raw);
  std::unique_ptr<sd_bus_message, MessageDeleter> reply(reply_raw);
  std::string message = error.message ? error.message : (r < 0 ? std::strerror(-r) : "");
  sd_bus_error_free(&error);
  if (r < 0) return fail("systemd: SetEnvironment WAYLAND_DISPLAY failed: " + message);
  return ok();
}

Result<void> notify_ready(const std::string& socket_name) {
  const int r = sd_notifyf(0, "READY=1\nSTATUS=listening on %s", socket_name.c_str());
  if (r < 0) return fail(std::string("sd_notify READY=1 failed: ") + std::strerror(-r));
  return ok();
}

}  // namespace weft::compositor
