#include "output.hpp"

#include "weft/core/log.hpp"

namespace weft::compositor {

Output::Output(Outputs& outputs, wlr_output* output) : output(output), outputs_(outputs) {
  const OutputContext& context = outputs.context_;
  wlr_output_init_render(output, context.allocator, context.renderer);
  if (wlr_backend_is_headless(output->backend)) {
    const OutputMode& mode = context.headless_mode;
    wlr_output_set_custom_mode(output, mode.width, mode.height, mode.refresh_mhz);
  } else if (wlr_output_mode* mode = wlr_output_preferred_mode(output)) {
    wlr_output_set_mode(output, mode);
  }
  wlr_output_enable(output, true);
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
  outputs_.remove_if([&](const std::unique_ptr<Output>& o) { return o.get() == &output; });
  layout_changed.emit();
}

Output* Outputs::primary() const {
  for (const auto& output : outputs_)
    if (output->output->enabled) return output.get();
  return nullptr;
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
