#include "text_input_relay.hpp"

#include "weft/core/log.hpp"

namespace weft::compositor {

namespace {

bool same_client(wl_resource* resource, wlr_surface* surface) {
  return surface && wl_resource_get_client(resource) == wl_resource_get_client(surface->resource);
}

}  // namespace

TextInputRelay::TextInputRelay(wl_display* display, Seat& seat, Scene& scene, Keyboards& keyboards)
    : seat_(seat),
      scene_(scene),
      keyboards_(keyboards),
      text_input_manager_(wlr_text_input_manager_v3_create(display)),
      input_method_manager_(wlr_input_method_manager_v2_create(display)) {
  // zwp_text_input_manager_v3.get_text_input: a client's text field, which gets enter while its client has focus.
  new_text_input_.connect(&text_input_manager_->events.text_input,
                          [this](wlr_text_input_v3* input) { add_text_input(input); });
  // zwp_input_method_manager_v2.get_input_method: the system UI's keyboard or an IME (the only clients that see it).
  new_input_method_.connect(&input_method_manager_->events.input_method,
                            [this](wlr_input_method_v2* method) { add_input_method(method); });
  // wl_keyboard.enter moved: text inputs follow it (leave on the old client's, enter on the new client's).
  focus_change_.connect(&seat_.get()->keyboard_state.events.focus_change,
                        [this](wlr_seat_keyboard_focus_change_event* event) {
                          keyboard_focus_changed(event->old_surface, event->new_surface);
                        });
}

TextInputRelay::~TextInputRelay() = default;

bool TextInputRelay::typing_from(const wlr_surface* surface) const {
  return surface && input_method_ && input_method_->active && active_text_input() &&
         wl_resource_get_client(surface->resource) == wl_resource_get_client(input_method_->resource);
}

void TextInputRelay::add_text_input(wlr_text_input_v3* input) {
  auto owned = std::make_unique<TextInput>();
  TextInput* text_input = owned.get();
  text_input->input = input;
  // commit with enable: the client's editable element got focus; the input method activates.
  text_input->enable.connect(&input->events.enable, [this, text_input](void*) {
    if (active_text_input() == text_input) activate(*text_input);
    place_popups();
  });
  // commit while enabled: new surrounding text, content type or cursor rectangle for the input method.
  text_input->commit.connect(&input->events.commit, [this, text_input](void*) {
    if (input_method_ && active_text_input() == text_input) send_state(*text_input);
    place_popups();
  });
  // commit with disable: the editable element lost focus.
  text_input->disable.connect(&input->events.disable, [this, text_input](void*) {
    if (text_input->input->focused_surface == seat_.keyboard_focus()) deactivate();
    place_popups();
  });
  // The client destroyed its text input (or went away): an input method working for it stops.
  text_input->destroy.connect(&input->events.destroy, [this, text_input](void*) {
    const bool was_active = active_text_input() == text_input;
    text_inputs_.remove_if([text_input](const std::unique_ptr<TextInput>& t) { return t.get() == text_input; });
    if (was_active) deactivate();
    place_popups();
  });
  text_inputs_.push_back(std::move(owned));
  wlr_surface* focus = seat_.keyboard_focus();
  if (same_client(input->resource, focus)) wlr_text_input_v3_send_enter(input, focus);
}

void TextInputRelay::add_input_method(wlr_input_method_v2* method) {
  if (input_method_) {
    // One input method per seat (the protocol's rule): the newcomer is told so and stays inert.
    wlr_input_method_v2_send_unavailable(method);
    return;
  }
  input_method_ = method;
  dones_sent_ = 0;
  // Its client decides whether to show an on-screen keyboard: it hears of device keyboards only.
  seat_.set_input_method_client(wl_resource_get_client(method->resource));
  // zwp_input_method_v2.commit: the preedit, commit and delete-surrounding state it set since the last commit.
  method_commit_.connect(&method->events.commit, [this](void*) { relay_commit(); });
  // The input method went away: a preedit it left in the text field is cleared.
  // get_input_popup_surface: a candidate list or similar, shown below the field's cursor.
  new_popup_.connect(&method->events.new_popup_surface, [this](wlr_input_popup_surface_v2* p) { add_popup(p); });
  // grab_keyboard: an IME takes the physical keys (and forwards what it does not use through a virtual keyboard).
  grab_keyboard_.connect(&method->events.grab_keyboard, [this](wlr_input_method_keyboard_grab_v2* grab) {
    if (wlr_keyboard* keyboard = wlr_seat_get_keyboard(seat_.get()))
      wlr_input_method_keyboard_grab_v2_set_keyboard(grab, keyboard);  // its keymap and repeat info first
    keyboards_.set_grab(grab);
    // release (or the input method going away) destroys the grab: keys go to the focused client again.
    grab_destroy_.connect(&grab->events.destroy, [this](void*) {
      keyboards_.set_grab(nullptr);
      grab_destroy_.disconnect();
    });
  });
  method_destroy_.connect(&method->events.destroy, [this](void*) {
    method_commit_.disconnect();
    method_destroy_.disconnect();
    new_popup_.disconnect();
    grab_keyboard_.disconnect();
    input_method_ = nullptr;
    seat_.set_input_method_client(nullptr);
    if (TextInput* active = active_text_input()) wlr_text_input_v3_send_done(active->input);
  });
  if (TextInput* active = active_text_input()) activate(*active);
}

void TextInputRelay::keyboard_focus_changed(wlr_surface* old_surface, wlr_surface* new_surface) {
  if (old_surface == new_surface) return;
  for (const auto& text_input : text_inputs_) {
    wlr_text_input_v3* input = text_input->input;
    if (input->focused_surface && input->focused_surface != new_surface) {
      if (input->current_enabled && input->focused_surface == old_surface) deactivate();
      wlr_text_input_v3_send_leave(input);
    }
  }
  for (const auto& text_input : text_inputs_) {
    wlr_text_input_v3* input = text_input->input;
    if (!input->focused_surface && same_client(input->resource, new_surface))
      wlr_text_input_v3_send_enter(input, new_surface);
  }
  place_popups();
}

void TextInputRelay::add_popup(wlr_input_popup_surface_v2* popup) {
  auto owned = std::make_unique<Popup>();
  Popup* p = owned.get();
  p->popup = popup;
  p->node = wlr_scene_subsurface_tree_create(&scene_.tree(SceneLayer::layer_overlay)->node, popup->surface);
  if (!p->node) return;
  // The surface went away first: wlroots destroyed the tree with it.
  p->node_destroy.connect(&p->node->events.destroy, [p](void*) {
    p->node = nullptr;
    p->node_destroy.disconnect();
  });
  // map/unmap: the popup has (or no longer has) content.
  p->map.connect(&popup->events.map, [this](void*) { place_popups(); });
  p->unmap.connect(&popup->events.unmap, [this](void*) { place_popups(); });
  // The input method destroyed the popup (or went away).
  p->destroy.connect(&popup->events.destroy, [this, p](void*) {
    if (p->node) {
      p->node_destroy.disconnect();
      wlr_scene_node_destroy(p->node);
    }
    popups_.remove_if([p](const std::unique_ptr<Popup>& q) { return q.get() == p; });
  });
  popups_.push_back(std::move(owned));
  place_popups();
}

void TextInputRelay::place_popups() {
  if (popups_.empty()) return;
  TextInput* active = active_text_input();
  wlr_box rect{};
  int lx = 0, ly = 0;
  bool placed = false;
  if (active && (active->input->active_features & WLR_TEXT_INPUT_V3_FEATURE_CURSOR_RECTANGLE)) {
    rect = active->input->current.cursor_rectangle;
    wlr_surface* surface = active->input->focused_surface;
    // The field's window: its xdg surface's scene node gives the surface origin in layout coordinates.
    if (wlr_surface_is_xdg_surface(surface)) {
      wlr_xdg_surface* xdg = wlr_xdg_surface_from_wlr_surface(surface);
      auto* node = xdg ? static_cast<wlr_scene_node*>(xdg->data) : nullptr;
      placed = node && wlr_scene_node_coords(node, &lx, &ly);
    }
  }
  for (const auto& p : popups_) {
    if (!p->node) continue;
    if (placed) {
      wlr_input_popup_surface_v2_send_text_input_rectangle(p->popup, &rect);
      wlr_scene_node_set_position(p->node, lx + rect.x, ly + rect.y + rect.height);
    }
    wlr_scene_node_set_enabled(p->node, placed && p->popup->mapped);
  }
}

TextInputRelay::TextInput* TextInputRelay::active_text_input() const {
  wlr_surface* focus = seat_.keyboard_focus();
  if (!focus) return nullptr;
  for (const auto& text_input : text_inputs_)
    if (text_input->input->current_enabled && text_input->input->focused_surface == focus) return text_input.get();
  return nullptr;
}

void TextInputRelay::send_state(const TextInput& text_input) {
  const wlr_text_input_v3* input = text_input.input;
  const wlr_text_input_v3_state& state = input->current;
  if (input->active_features & WLR_TEXT_INPUT_V3_FEATURE_SURROUNDING_TEXT)
    wlr_input_method_v2_send_surrounding_text(input_method_, state.surrounding.text ? state.surrounding.text : "",
                                              state.surrounding.cursor, state.surrounding.anchor);
  wlr_input_method_v2_send_text_change_cause(input_method_, state.text_change_cause);
  if (input->active_features & WLR_TEXT_INPUT_V3_FEATURE_CONTENT_TYPE)
    wlr_input_method_v2_send_content_type(input_method_, state.content_type.hint, state.content_type.purpose);
  send_done();
}

void TextInputRelay::activate(const TextInput& text_input) {
  if (!input_method_) return;
  wlr_input_method_v2_send_activate(input_method_);
  send_state(text_input);
}

void TextInputRelay::deactivate() {
  if (!input_method_) return;
  wlr_input_method_v2_send_deactivate(input_method_);
  send_done();
}

void TextInputRelay::send_done() {
  wlr_input_method_v2_send_done(input_method_);
  ++dones_sent_;
}

void TextInputRelay::relay_commit() {
  const wlr_input_method_v2_state& state = input_method_->current;
  if (input_method_->current_serial != dones_sent_) {
    // input-method-v2 `commit`: a commit for an older serial is still evaluated and applied as normal (only the input
    // method's own notion of current state stays) — dropping it loses the keystroke typed while the field changed.
    log::debug("input method commit for serial ", input_method_->current_serial, " after ", dones_sent_,
               " done events: applied (outdated)");
  }
  TextInput* active = active_text_input();
  if (!active) return;
  wlr_text_input_v3* input = active->input;
  // (`delete_`: wlr.hpp renames the member named `delete`.)
  // The text-input-v3 client applies these in its own fixed order at done (delete, commit, then the new preedit).
  if (state.preedit.text)
    wlr_text_input_v3_send_preedit_string(input, state.preedit.text, state.preedit.cursor_begin,
                                          state.preedit.cursor_end);
  if (state.commit_text) wlr_text_input_v3_send_commit_string(input, state.commit_text);
  if (state.delete_.before_length || state.delete_.after_length)
    wlr_text_input_v3_send_delete_surrounding_text(input, state.delete_.before_length, state.delete_.after_length);
  wlr_text_input_v3_send_done(input);
}

}  // namespace weft::compositor
