#include "output.hpp"

#include "server.hpp"
#include "weft/core/log.hpp"

namespace weft::compositor {

Output::Output(Server& server, wlr_output* output) : server(server), output(output) {
  wlr_output_init_render(output, server.allocator.get(), server.renderer.get());
  if (wlr_backend_is_headless(output->backend)) {
    const OutputMode& mode = server.options().output;
    wlr_output_set_custom_mode(output, mode.width, mode.height, mode.refresh_mhz);
  } else if (wlr_output_mode* mode = wlr_output_preferred_mode(output)) {
    wlr_output_set_mode(output, mode);
  }
  wlr_output_enable(output, true);
  if (!wlr_output_commit(output)) log::warn("output ", output->name, ": first commit failed");

  frame_.connect(&output->events.frame, [this](void*) { on_frame(); });
  // Precommit, not commit: headless and nested backends report presentation from inside the commit, before the
  // commit event.
  precommit_.connect(&output->events.precommit, [this](void*) { on_precommit(); });
  present_.connect(&output->events.present, [this](wlr_output_event_present* e) { on_present(e); });
  mode_.connect(&output->events.mode, [this](void*) { this->server.policy.arrange(); });
  destroy_.connect(&output->events.destroy, [this](void*) {
    Server& s = this->server;
    s.outputs.remove_if([this](const std::unique_ptr<Output>& o) { return o.get() == this; });
    s.policy.arrange();
  });
  // Primary output first, later ones to its right (§2.2).
  wlr_output_layout_add_auto(server.layout.get(), output);
  scene_output = wlr_scene_get_scene_output(server.scene, output);
  log::info("output ", output->name, " ", output->width, "x", output->height, "@", output->refresh, "mHz");
}

Output::~Output() {
  // The layout and scene drop the output themselves on its destroy signal.
}

wlr_box Output::layout_box() const {
  wlr_box box{};
  if (wlr_box* b = wlr_output_layout_get_box(server.layout.get(), output)) box = *b;
  return box;
}

uint32_t Output::refresh_ns() const {
  if (output->refresh <= 0) return 0;
  return static_cast<uint32_t>(1'000'000'000'000LL / output->refresh);
}

void Output::on_frame() {
  if (!scene_output) scene_output = wlr_scene_get_scene_output(server.scene, output);
  if (!scene_output) return;
  wlr_scene_output_commit(scene_output);
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  wlr_scene_output_send_frame_done(scene_output, &now);
}

void Output::on_precommit() {
  if (!(output->pending.committed & WLR_OUTPUT_STATE_BUFFER)) return;
  for (auto& view : server.views) {
    if (!view->mapped || !view->new_content) continue;
    view->new_content = false;
    view->content_in_flight = true;
  }
}

void Output::on_present(wlr_output_event_present* event) {
  if (!event->presented) return;
  timespec when{};
  if (event->when) when = *event->when;
  else clock_gettime(CLOCK_MONOTONIC, &when);
  const uint32_t refresh = event->refresh > 0 ? static_cast<uint32_t>(event->refresh) : refresh_ns();
  for (auto& view : server.views) {
    if (!view->content_in_flight) continue;
    view->content_in_flight = false;
    if (view->slot) view->slot->send_presentation(when, refresh);
    if (view->session_id && view->mapped && server.sessions.take_first_ready(*view->session_id))
      server.link.send(ipc::compositor::SurfaceReady{*view->session_id});
  }
}

}  // namespace weft::compositor
