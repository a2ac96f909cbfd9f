#pragma once
// The one GLib/GObject adapter of WEFT (weft-shell, weft-app-shell, weft-runtime, weft-appd): move-only owners with the
// library's release function as deleter (one line per type), ids of attached sources that are removed with their
// owner, signal connections that disconnect themselves, and a main loop that ends on SIGTERM/SIGINT.
// Link target: weft-glib.

#include <gio/gio.h>
#include <glib-object.h>

#include <memory>
#include <utility>

namespace weft::glib {

template <auto Release>
struct Releaser {
  template <class T>
  void operator()(T* handle) const {
    if (handle) Release(handle);
  }
};

/// Owns one reference to a GObject of type T.
template <class T>
using Ptr = std::unique_ptr<T, Releaser<g_object_unref>>;
using BytesPtr = std::unique_ptr<GBytes, Releaser<g_bytes_unref>>;
using CharPtr = std::unique_ptr<gchar, Releaser<g_free>>;
using StrvPtr = std::unique_ptr<gchar*, Releaser<g_strfreev>>;
using ErrorPtr = std::unique_ptr<GError, Releaser<g_error_free>>;
using VariantPtr = std::unique_ptr<GVariant, Releaser<g_variant_unref>>;
using MainLoopPtr = std::unique_ptr<GMainLoop, Releaser<g_main_loop_unref>>;
using MainContextPtr = std::unique_ptr<GMainContext, Releaser<g_main_context_unref>>;
using HashTablePtr = std::unique_ptr<GHashTable, Releaser<g_hash_table_unref>>;

/// Owns an attached GSource: destroying it detaches the source from its context and drops the reference.
struct SourceDestroy {
  void operator()(GSource* source) const {
    if (source) {
      g_source_destroy(source);
      g_source_unref(source);
    }
  }
};
using SourcePtr = std::unique_ptr<GSource, SourceDestroy>;

/// Takes a new reference to a borrowed object that must be kept.
template <class T>
Ptr<T> ref(T* object) {
  return Ptr<T>(object ? static_cast<T*>(g_object_ref(object)) : nullptr);
}

/// The id of a source attached to the default context (timeout, idle, unix fd, child watch); removed when the owner
/// goes away unless released first (a callback that returns G_SOURCE_REMOVE must call release()).
class SourceId {
 public:
  SourceId() = default;
  explicit SourceId(guint id) : id_(id) {}
  SourceId(SourceId&& o) noexcept : id_(o.release()) {}
  SourceId& operator=(SourceId&& o) noexcept {
    if (this != &o) reset(o.release());
    return *this;
  }
  SourceId(const SourceId&) = delete;
  SourceId& operator=(const SourceId&) = delete;
  ~SourceId() { reset(); }
  void reset(guint id = 0) {
    if (id_) g_source_remove(id_);
    id_ = id;
  }
  /// Forgets the id without removing the source (it removed itself).
  guint release() { return std::exchange(id_, 0); }
  explicit operator bool() const { return id_ != 0; }

 private:
  guint id_ = 0;
};

/// One signal handler; disconnected when the connection is destroyed, unless the instance is already gone (a weak
/// reference tells, so a connection may safely outlive its instance).
class SignalConnection {
 public:
  SignalConnection() = default;
  SignalConnection(gpointer instance, gulong handler_id) : handler_id_(handler_id) {
    g_weak_ref_init(&instance_, instance);
  }
  SignalConnection(SignalConnection&& o) noexcept { move_from(o); }
  SignalConnection& operator=(SignalConnection&& o) noexcept {
    if (this != &o) {
      disconnect();
      move_from(o);
    }
    return *this;
  }
  SignalConnection(const SignalConnection&) = delete;
  SignalConnection& operator=(const SignalConnection&) = delete;
  ~SignalConnection() { disconnect(); }

  void disconnect() {
    if (!handler_id_) return;
    if (gpointer instance = g_weak_ref_get(&instance_)) {
      if (g_signal_handler_is_connected(instance, handler_id_)) g_signal_handler_disconnect(instance, handler_id_);
      g_object_unref(instance);
    }
    g_weak_ref_clear(&instance_);
    handler_id_ = 0;
  }
  [[nodiscard]] bool connected() const { return handler_id_ != 0; }

 private:
  void move_from(SignalConnection& o) {
    handler_id_ = std::exchange(o.handler_id_, 0);
    if (!handler_id_) return;
    gpointer instance = g_weak_ref_get(&o.instance_);
    g_weak_ref_init(&instance_, instance);
    if (instance) g_object_unref(instance);
    g_weak_ref_clear(&o.instance_);
  }
  GWeakRef instance_{};
  gulong handler_id_ = 0;
};

/// g_signal_connect that returns an owning connection: `auto c = glib::connect(view, "load-changed", G_CALLBACK(f), this);`
[[nodiscard]] inline SignalConnection connect(gpointer instance, const char* signal, GCallback callback, gpointer data,
                                              GConnectFlags flags = GConnectFlags(0)) {
  return SignalConnection(instance, g_signal_connect_data(instance, signal, callback, data, nullptr, flags));
}

/// The default-context main loop of a WEFT GLib program: run() until quit(status); SIGTERM and SIGINT call the
/// `on_signal` handler given (default: quit(0)).
class MainLoop {
 public:
  MainLoop();
  ~MainLoop();
  MainLoop(const MainLoop&) = delete;
  MainLoop& operator=(const MainLoop&) = delete;
  /// Runs until quit(); returns the status given to quit().
  int run();
  void quit(int status);
  [[nodiscard]] bool running() const;
  /// Replaces what SIGTERM/SIGINT do (called with the signal number, on the loop's thread).
  void on_signal(void (*handler)(int signal, void* data), void* data);

 private:
  void handle(int signal);
  MainLoopPtr loop_;
  SourceId sigterm_;
  SourceId sigint_;
  void (*handler_)(int, void*) = nullptr;
  void* handler_data_ = nullptr;
  int status_ = 0;
};

/// Runs the default context's ready sources without blocking, for up to `max_iterations` iterations.
void pump_pending(int max_iterations = 1000);

}  // namespace weft::glib
