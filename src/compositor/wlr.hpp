#pragma once
// The only file that includes wlroots 0.15. g++ rejects C99 `T p[static N]` parameters and members named `class`,
// `namespace` and `delete`, so every system and protocol header wlroots uses is included first (its include guard then
// keeps the renaming macros away from it), and the wlroots headers are included with those words renamed.

#include <drm_fourcc.h>
#include <libinput.h>
#include <libudev.h>
#include <linux/input-event-codes.h>
#include <pixman.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wayland-server-protocol.h>
#include <xcb/xcb.h>
#include <xf86drmMode.h>
#include <xkbcommon/xkbcommon.h>

#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <memory>

#include "pointer-constraints-unstable-v1-protocol.h"
#include "presentation-time-protocol.h"
// Its request handler has a parameter named `namespace`.
#define namespace namespace_
#include "wlr-layer-shell-unstable-v1-protocol.h"
#undef namespace
#include "xdg-shell-protocol.h"

extern "C" {
#define static
#define class class_
#define namespace namespace_
#define delete delete_
#include <wlr/backend.h>
#include <wlr/backend/drm.h>
#include <wlr/backend/headless.h>
#include <wlr/backend/libinput.h>
#include <wlr/backend/multi.h>
#include <wlr/backend/session.h>
#include <wlr/backend/wayland.h>
#include <wlr/backend/x11.h>
#include <wlr/interfaces/wlr_input_device.h>
#include <wlr/interfaces/wlr_keyboard.h>
#include <wlr/render/allocator.h>
#include <wlr/render/pixman.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_compositor.h>
#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_data_control_v1.h>
#include <wlr/types/wlr_data_device.h>
#include <wlr/types/wlr_input_device.h>
#include <wlr/types/wlr_input_method_v2.h>
#include <wlr/types/wlr_keyboard.h>
#include <wlr/types/wlr_layer_shell_v1.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_damage.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_pointer.h>
#include <wlr/types/wlr_pointer_constraints_v1.h>
#include <wlr/types/wlr_pointer_gestures_v1.h>
#include <wlr/types/wlr_presentation_time.h>
#include <wlr/types/wlr_primary_selection.h>
#include <wlr/types/wlr_primary_selection_v1.h>
#include <wlr/types/wlr_relative_pointer_v1.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_screencopy_v1.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_text_input_v3.h>
#include <wlr/types/wlr_touch.h>
#include <wlr/types/wlr_viewporter.h>
#include <wlr/types/wlr_virtual_keyboard_v1.h>
#include <wlr/types/wlr_xcursor_manager.h>
#include <wlr/types/wlr_xdg_activation_v1.h>
#include <wlr/types/wlr_xdg_decoration_v1.h>
#include <wlr/types/wlr_xdg_output_v1.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/box.h>
#include <wlr/util/log.h>
#include <wlr/version.h>
#undef delete
#undef namespace
#undef class
#undef static
}

namespace weft::compositor::wlr {

/// Move-only owners of the top-level wlroots/wayland objects, destroyed with the library's own function.
template <auto Destroy>
struct Deleter {
  template <class T>
  void operator()(T* p) const noexcept { Destroy(p); }
};
using DisplayPtr = std::unique_ptr<wl_display, Deleter<wl_display_destroy>>;
using BackendPtr = std::unique_ptr<wlr_backend, Deleter<wlr_backend_destroy>>;
using RendererPtr = std::unique_ptr<wlr_renderer, Deleter<wlr_renderer_destroy>>;
using AllocatorPtr = std::unique_ptr<wlr_allocator, Deleter<wlr_allocator_destroy>>;
using OutputLayoutPtr = std::unique_ptr<wlr_output_layout, Deleter<wlr_output_layout_destroy>>;
using CursorPtr = std::unique_ptr<wlr_cursor, Deleter<wlr_cursor_destroy>>;
using XcursorManagerPtr = std::unique_ptr<wlr_xcursor_manager, Deleter<wlr_xcursor_manager_destroy>>;
using EventSourcePtr = std::unique_ptr<wl_event_source, Deleter<wl_event_source_remove>>;
using ProtocolLoggerPtr = std::unique_ptr<wl_protocol_logger, Deleter<wl_protocol_logger_destroy>>;
using XkbContextPtr = std::unique_ptr<xkb_context, Deleter<xkb_context_unref>>;
using XkbKeymapPtr = std::unique_ptr<xkb_keymap, Deleter<xkb_keymap_unref>>;

}  // namespace weft::compositor::wlr
