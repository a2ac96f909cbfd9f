// weft:app/notifications delivers to org.freedesktop.Notifications: a private session bus (dbus-daemon) and a
// test-side notification service record what the runtime sends.

#include <gio/gio.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "runtime_process.hpp"
#include "weft/test/build_dir.hpp"
#include "weft/core/app_errors.hpp"
#include "weft/core/glib.hpp"

namespace weft::runtime {
namespace {

const char* kIntrospection =
    "<node><interface name='org.freedesktop.Notifications'>"
    "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/><arg type='s' direction='in'/>"
    "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='as' direction='in'/>"
    "<arg type='a{sv}' direction='in'/><arg type='i' direction='in'/><arg type='u' direction='out'/></method>"
    "</interface></node>";

/// A session bus of our own plus a Notify implementation that records (app name, summary, body).
class NotificationService {
 public:
  NotificationService() {
    auto out = make_pipe().value();
    SpawnOptions o;
    o.argv = {"/usr/bin/dbus-daemon", "--session", "--nofork", "--print-address=3"};
    o.fd_map = {{out.second.get(), 3}};
    o.null_stdio = true;
    daemon_ = std::move(ChildProcess::spawn(o).value());
    out.second.reset();
    char c;
    while (::read(out.first.get(), &c, 1) == 1 && c != '\n') address += c;
    context_.reset(g_main_context_new());
    loop_.reset(g_main_loop_new(context_.get(), FALSE));
    thread_ = std::thread([this] {
      g_main_context_push_thread_default(context_.get());
      GError* raw = nullptr;
      glib::Ptr<GDBusConnection> bus(g_dbus_connection_new_for_address_sync(address.c_str(),
          GDBusConnectionFlags(G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION),
          nullptr, nullptr, &raw));
      glib::ErrorPtr error(raw);
      if (bus) {
        GDBusNodeInfo* info = g_dbus_node_info_new_for_xml(kIntrospection, nullptr);
        static const GDBusInterfaceVTable vtable = {&NotificationService::on_call, nullptr, nullptr, {}};
        g_dbus_connection_register_object(bus.get(), "/org/freedesktop/Notifications", info->interfaces[0], &vtable, this,
                                          nullptr, nullptr);
        g_dbus_node_info_unref(info);
        glib::VariantPtr reply(g_dbus_connection_call_sync(bus.get(), "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                           "org.freedesktop.DBus", "RequestName",
                                                           g_variant_new("(su)", "org.freedesktop.Notifications", 4u),
                                                           nullptr, G_DBUS_CALL_FLAGS_NONE, -1, nullptr, nullptr));
      }
      {
        std::lock_guard lock(mutex_);
        started_ = true;
      }
      started_cv_.notify_all();
      g_main_loop_run(loop_.get());
      bus.reset();
      g_main_context_pop_thread_default(context_.get());
    });
    std::unique_lock lock(mutex_);
    started_cv_.wait(lock, [this] { return started_; });
  }
  ~NotificationService() {
    g_main_loop_quit(loop_.get());
    thread_.join();
  }

  std::vector<std::string> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

  std::string address;

 private:
  static void on_call(GDBusConnection*, const gchar*, const gchar*, const gchar*, const gchar* method,
                      GVariant* params, GDBusMethodInvocation* invocation, gpointer self) {
    auto* s = static_cast<NotificationService*>(self);
    const gchar *app = nullptr, *icon = nullptr, *summary = nullptr, *body = nullptr;
    g_variant_get_child(params, 0, "&s", &app);
    g_variant_get_child(params, 2, "&s", &icon);
    g_variant_get_child(params, 3, "&s", &summary);
    g_variant_get_child(params, 4, "&s", &body);
    {
      std::lock_guard lock(s->mutex_);
      s->received_.push_back(std::string(method) + " app=" + app + " icon=" + icon + " summary=" + summary +
                             " body=" + body);
    }
    g_dbus_method_invocation_return_value(invocation, g_variant_new("(u)", 1u));
  }

  ChildProcess daemon_;
  glib::MainContextPtr context_;
  glib::MainLoopPtr loop_;  // after context_: released first
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable started_cv_;
  bool started_ = false;
  std::vector<std::string> received_;
};

TEST(Notifications, AGrantedNotificationReachesTheDesktopServiceWithTheAppIdAsApplicationName) {
  if (!std::filesystem::exists("/usr/bin/dbus-daemon")) GTEST_SKIP() << "needs /usr/bin/dbus-daemon";
  WEFT_SKIP_UNLESS_BUILT(std::string(WEFT_RT_FIXTURES) + "/app.wasm");
  NotificationService service;
  ASSERT_FALSE(service.address.empty());
  test::TempDir dir;
  std::filesystem::create_directories(dir / "ro");
  std::ofstream(dir / "ro/mode.txt") << "grants\n";
  auto run = test::run_runtime({"org.weft.test", "1", "--module", std::string(WEFT_RT_FIXTURES) + "/app.wasm",
                                "--preopen", (dir / "ro") + "::/ro::ro", "--grant", "sys:notifications"},
                               {"DBUS_SESSION_BUS_ADDRESS=" + service.address});
  EXPECT_TRUE(run.status.success()) << run.status.describe() << run.err;
  EXPECT_NE(run.out.find("notify: ok\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("notify bad icon: err: " + std::string(weft::app_error::kNotificationIconInvalid) + "\n"), std::string::npos);
  auto got = service.received();
  ASSERT_EQ(got.size(), 1u) << "only the valid notification is delivered";
  EXPECT_EQ(got[0], "Notify app=org.weft.test icon= summary=Title body=Body");
}

}  // namespace
}  // namespace weft::runtime
