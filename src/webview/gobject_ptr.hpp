#pragma once
// Owning pointers for GLib/GObject handles: one line per deleter, so no code in webview pairs g_object_unref by hand.

#include <glib-object.h>

#include <memory>

namespace weft::webview {

struct GObjectUnref {
  void operator()(gpointer object) const { if (object) g_object_unref(object); }
};
struct GBytesUnref {
  void operator()(GBytes* bytes) const { if (bytes) g_bytes_unref(bytes); }
};
struct GFreeDeleter {
  void operator()(gpointer p) const { g_free(p); }
};
struct GErrorFree {
  void operator()(GError* e) const { if (e) g_error_free(e); }
};
struct GSourceDestroy {
  void operator()(GSource* s) const {
    if (s) {
      g_source_destroy(s);
      g_source_unref(s);
    }
  }
};

/// Owns one reference to a GObject of type T.
template <class T>
using GPtr = std::unique_ptr<T, GObjectUnref>;
using GBytesPtr = std::unique_ptr<GBytes, GBytesUnref>;
using GCharPtr = std::unique_ptr<gchar, GFreeDeleter>;
using GErrorPtr = std::unique_ptr<GError, GErrorFree>;
/// Owns an attached GSource: destroying it detaches the source from its context.
using GSourcePtr = std::unique_ptr<GSource, GSourceDestroy>;

/// Takes a new reference (for borrowed objects that must be kept).
template <class T>
GPtr<T> ref_ptr(T* object) {
  return GPtr<T>(object ? static_cast<T*>(g_object_ref(object)) : nullptr);
}

/// A GLib timeout or idle id that is removed when the owner goes away.
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
  /// Forget the id without removing it (the source removed itself by returning G_SOURCE_REMOVE).
  guint release() {
    guint id = id_;
    id_ = 0;
    return id;
  }
  explicit operator bool() const { return id_ != 0; }

 private:
  guint id_ = 0;
};

}  // namespace weft::webview
