#include "output.hpp"

#include <algorithm>
#include <cmath>

#include "weft/core/log.hpp"
#include "weft/core/paths.hpp"

namespace weft::compositor {

namespace {
/// WEFT_DISABLE_10BIT set (to anything but "" or "0"): DRM outputs scan out 8-bit formats only (spec §1 variables).
bool ten_bit_disabled() {
  const std::string value = paths::env_or("WEFT_DISABLE_10BIT", "");
  return !value.empty() && value != "0";
}

/// DRM outputs render 10 bits per channel where the display path takes it (less banding in gradients), else 8.
void choose_render_format(wlr_output* output) {
  if (!wlr_output_is_drm(output)) return;  // headless and nested outputs keep the backend's 8-bit format
  if (ten_bit_disabled()) {
    log::info("output ", output->name, ": 8-bit scanout (WEFT_DISABLE_10BIT is set)");
    return;
  }
  wlr_output_set_render_format(output, DRM_FORMAT_XRGB2101010);
  if (wlr_output_test(output)) {
    log::info("output ", output->name, ": 10-bit scanout (XRGB2101010; WEFT_DISABLE_10BIT=1 forces 8-bit)");
    return;
  }
  log::info("output ", output->name, ": the display path refuses XRGB2101010: 8-bit scanout");
  wlr_output_set_render_format(output, DRM_FORMAT_XRGB8888);
}
}  // namespace

Output::Output(Outputs& outputs, wlr_output* output) : output(output), outputs_(outputs) {
  const OutputContext& context = outputs.context_;
  wlr_output_init_render(output, context.allocator, context.renderer);
  if (wlr_backend_is_headless(output->backend)) {
    // Outputs::add knows the mode of the output it is creating (the backend set the size; the refresh is ours).
    const OutputMode& mode = outputs.adding_.value_or(context.headless_mode);
    wlr_output_set_custom_mode(output, mode.width, mode.height, mode.refresh_mhz);
  } else if (outputs.adding_ && (wlr_output_is_wl(output) || wlr_output_is_x11(output))) {
    // A nested output is a window of the host: `--output WxH` asks for a window of that size. Refresh 0: the host's
    // frame callbacks pace it. The host's window manager may still resize it (the output then follows).
    wlr_output_set_custom_mode(output, outputs.adding_->width, outputs.adding_->height, 0);
  } else if (wlr_output_mode* mode = wlr_output_preferred_mode(output)) {
    wlr_output_set_mode(output, mode);
  }
  wlr_output_enable(output, true);
  choose_render_format(output);
  if (!wlr_output_commit(output)) log::warn("output ", output->name, ": first commit failed");

  // wl_output.frame: the output is ready for the next frame; the scene renders its damage.
  frame_.connect(&output->events.frame, [this](void*) { on_frame(); });
  // Only frames that carry a buffer present new client content (presentation-time, zweft presentation_feedback).
  precommit_.connect(&output->events.precommit, [this](void*) {
    if (this->output->pending.committed & WLR_OUTPUT_STATE_BUFFER) outputs_.committing_buffer.emit();
  });
  // The backend reports when the frame reached the screen.
  present_.connect(&output->events.present, [this](wlr_output_event_present* e) { on_present(e); });
  // A new mode changes the layout box every window is placed in.
  mode_.connect(&output->events.mode, [this](void*) { outputs_.layout_changed.emit(); });
  // Unplugged (or the backend is going away): the layout and scene drop it themselves.
  destroy_.connect(&output->events.destroy, [this](void*) { outputs_.remove(*this); });
  // Primary output first, later ones to its right (§2.2).
  wlr_output_layout_add_auto(context.layout, output);
  scene_output = wlr_scene_get_scene_output(context.scene, output);
  log::info("output ", output->name, " ", output->width, "x", output->height, "@", output->refresh, "mHz");
}

wlr_box Output::layout_box() const {
  wlr_box box{};
  if (wlr_box* b = wlr_output_layout_get_box(outputs_.layout(), output)) box = *b;
  return box;
}

uint32_t Output::refresh_ns() const {
  if (output->refresh <= 0) return 0;
  return static_cast<uint32_t>(1'000'000'000'000LL / output->refresh);
}

void Output::on_frame() {
  if (!scene_output) scene_output = wlr_scene_get_scene_output(outputs_.context_.scene, output);
  if (!scene_output) return;
  wlr_scene_output_commit(scene_output);
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  wlr_scene_output_send_frame_done(scene_output, &now);
  // A shown surface that lies on no output (a popup placed past the screen edge with no constraint adjustment, a
  // window moved off-screen) would wait for its frame callback forever: the primary output paces it instead.
  if (outputs_.primary() == this) send_frame_done_off_screen(&outputs_.context_.scene->node, &now);
}

void Output::send_frame_done_off_screen(wlr_scene_node* node, timespec* now) {
  if (!node->state.enabled) return;
  if (node->type == WLR_SCENE_NODE_SURFACE) {
    wlr_scene_surface* surface = wlr_scene_surface_from_node(node);
    if (!surface->primary_output) wlr_surface_send_frame_done(surface->surface, now);
  }
  wlr_scene_node* child;
  wl_list_for_each(child, &node->state.children, state.link) send_frame_done_off_screen(child, now);
}

void Output::on_present(wlr_output_event_present* event) {
  if (!event->presented) return;
  timespec when{};
  if (event->when) when = *event->when;
  else clock_gettime(CLOCK_MONOTONIC, &when);
  const uint32_t refresh = event->refresh > 0 ? static_cast<uint32_t>(event->refresh) : refresh_ns();
  outputs_.presented.emit(when, refresh);
}

Outputs::Outputs(const OutputContext& context) : context_(context) {
  // A backend announces each output it has (hot-plug, a nested window, the headless one we add).
  new_output_.connect(&context.backend->events.new_output, [this](wlr_output* output) {
    outputs_.push_back(std::make_unique<Output>(*this, output));
    layout_changed.emit();
  });
}

void Outputs::remove(Output& output) {
  // Out of the layout first, so the auto-placed outputs right of it close the gap before anyone re-places windows,
  // and the scene drops its scene output (the layout's destroy listener would otherwise run after ours).
  wlr_output* gone = output.output;
  wlr_output_layout_remove(context_.layout, gone);
  outputs_.remove_if([&](const std::unique_ptr<Output>& o) { return o.get() == &output; });
  removing.emit(gone);  // primary() already answers the next output
  layout_changed.emit();
}

Output* Outputs::primary() const {
  for (const auto& output : outputs_)
    if (output->output->enabled) return output.get();
  return nullptr;
}

wlr_box Outputs::layout_box() const {
  wlr_box box{};
  if (!outputs_.empty())
    if (wlr_box* b = wlr_output_layout_get_box(context_.layout, nullptr)) box = *b;
  return box;
}

Output* Outputs::at(double lx, double ly) const {
  if (wlr_output* hit = wlr_output_layout_output_at(context_.layout, lx, ly))
    for (const auto& output : outputs_)
      if (output->output == hit) return output.get();
  return primary();
}

Output* Outputs::find(const std::string& name) const {
  for (const auto& output : outputs_)
    if (name == output->output->name) return output.get();
  return nullptr;
}

Output* Outputs::neighbour(const wlr_output* of, Toward toward) const {
  wlr_box* from = wlr_output_layout_get_box(context_.layout, const_cast<wlr_output*>(of));
  if (!from) return nullptr;
  const int from_x = from->x;
  Output* nearest = nullptr;
  int nearest_x = 0;
  for (const auto& output : outputs_) {
    if (!output->output->enabled || output->output == of) continue;
    const int x = output->layout_box().x;
    const bool beyond = toward == Toward::right ? x > from_x : x < from_x;
    const bool nearer = !nearest || (toward == Toward::right ? x < nearest_x : x > nearest_x);
    if (beyond && nearer) {
      nearest = output.get();
      nearest_x = x;
    }
  }
  return nearest;
}

Result<std::string> Outputs::add(const OutputMode& mode) {
  wlr_backend* backend = context_.backend;
  if (!wlr_backend_is_headless(backend) && !wlr_backend_is_x11(backend) && !wlr_backend_is_wl(backend))
    return fail("add output: only the headless and nested (x11, wayland) backends add outputs");
  if (mode.width < 1 || mode.height < 1 || mode.width > kMaxOutputExtent || mode.height > kMaxOutputExtent)
    return fail("add output: " + std::to_string(mode.width) + "x" + std::to_string(mode.height) +
                " is outside 1x1 to " + std::to_string(kMaxOutputExtent) + "x" + std::to_string(kMaxOutputExtent));
  if (outputs_.size() >= kMaxOutputs)
    return fail("add output: already " + std::to_string(outputs_.size()) + " outputs, the most there may be");
  // A started backend announces the output from inside the call (new_output), where Output reads adding_.
  adding_ = mode;
  wlr_output* output = nullptr;
  if (wlr_backend_is_headless(backend))
    output = wlr_headless_add_output(backend, static_cast<unsigned>(mode.width), static_cast<unsigned>(mode.height));
  else if (wlr_backend_is_x11(backend)) output = wlr_x11_output_create(backend);
  else output = wlr_wl_output_create(backend);
  adding_.reset();
  if (!output) return fail("add output: the backend could not create an output");
  if (!find(output->name)) return fail("add output: the backend did not announce it (is the backend started?)");
  return std::string(output->name);
}

Result<void> Outputs::remove(const std::string& name) {
  Output* output = find(name);
  if (!output) return fail("remove output: no output named \"" + name + "\"");
  wlr_output* o = output->output;
  if (!wlr_output_is_headless(o) && !wlr_output_is_x11(o) && !wlr_output_is_wl(o))
    return fail("remove output: \"" + name + "\" is a physical output (only headless and nested ones go)");
  wlr_output_destroy(o);  // its destroy signal reaches remove(Output&); a nested output's window closes
  return ok();
}

Result<void> Outputs::set_scale(const std::string& name, double scale) {
  Output* output = find(name);
  if (!output) return fail("set scale: no output named \"" + name + "\"");
  if (!std::isfinite(scale) || scale < 0.25 || scale > 8.0)
    return fail("set scale: " + std::to_string(scale) + " is outside 0.25 to 8");
  wlr_output_set_scale(output->output, static_cast<float>(scale));
  // The commit sends wl_output.scale and done to every bound client (wlroots does it for a scale change).
  if (!wlr_output_commit(output->output)) return fail("set scale: the commit of \"" + name + "\" failed");
  layout_changed.emit();  // the logical box is size / scale: windows on it are placed again
  return ok();
}

wlr_box Outputs::primary_box() const {
  Output* output = primary();
  return output ? output->layout_box() : wlr_box{};
}

void Outputs::schedule_frames() const {
  for (const auto& output : outputs_)
    if (output->output->enabled) wlr_output_schedule_frame(output->output);
}

}  // namespace weft::compositor
