#include "scene.hpp"

#include <vector>

namespace weft::compositor {

namespace {

constexpr float kBackgroundColour[3] = {0.11f, 0.12f, 0.14f};  // RGB, opaque

/// One pixel, XRGB8888, converted the way wlroots' pixman renderer converts a colour (16-bit, then the high byte), so
/// the desktop looks as it did when it was a wlr_scene_rect.
uint32_t xrgb8888(const float (&rgb)[3]) {
  uint32_t pixel = 0;
  for (float c : rgb) pixel = (pixel << 8) | (static_cast<uint32_t>(c * 0xffff) >> 8);
  return pixel;
}

/// A read-only wlr_buffer of one colour. Its owner drops it once the scene node holds it; wlroots frees it when the
/// last consumer (the node, its texture) unlocks it.
struct SolidBuffer {
  wlr_buffer base;
  std::vector<uint32_t> pixels;  // XRGB8888, stride width×4
};

const wlr_buffer_impl kSolidBufferImpl = {
    .destroy = [](wlr_buffer* buffer) { delete reinterpret_cast<SolidBuffer*>(buffer); },
    .get_dmabuf = nullptr,
    .get_shm = nullptr,
    .begin_data_ptr_access =
        [](wlr_buffer* buffer, uint32_t flags, void** data, uint32_t* format, size_t* stride) {
          if (flags & WLR_BUFFER_DATA_PTR_ACCESS_WRITE) return false;
          *data = reinterpret_cast<SolidBuffer*>(buffer)->pixels.data();
          *format = DRM_FORMAT_XRGB8888;
          *stride = static_cast<size_t>(buffer->width) * sizeof(uint32_t);
          return true;
        },
    .end_data_ptr_access = [](wlr_buffer*) {},
};

}  // namespace

Scene::Scene(wlr_output_layout* layout) {
  scene_ = wlr_scene_create();
  for (wlr_scene_tree*& tree : trees_) tree = wlr_scene_tree_create(&scene_->node);
  wlr_scene_attach_output_layout(scene_, layout);
}

Scene::~Scene() { wlr_scene_node_destroy(&scene_->node); }

bool Scene::is_window_node(const wlr_scene_node* node) const {
  const wlr_scene_node* parent = node ? node->parent : nullptr;
  return parent && (parent == &tree(SceneLayer::app)->node || parent == &tree(SceneLayer::panel)->node ||
                    parent == &tree(SceneLayer::overlay)->node);
}

void Scene::fit_background(const wlr_box& box) {
  // The desktop colour is a buffer of the output's size, not a wlr_scene_rect: 0.15's pixman renderer draws a rect by
  // allocating, clearing and filling an image of the rect's full size on every frame, whatever the damage (≈16 MB of
  // memory traffic per 1080p frame), while a buffer is copied through the damage clip only. Not one pixel scaled up:
  // pixman's scaling path makes a full repaint ≈0.5 ms dearer than the rect; an unscaled copy is cheaper than it.
  if (box.width <= 0 || box.height <= 0) {
    if (background_) wlr_scene_node_set_enabled(&background_->node, false);
    return;
  }
  if (!background_ || background_->buffer->width != box.width || background_->buffer->height != box.height) {
    if (background_) wlr_scene_node_destroy(&background_->node);
    auto* buffer = new SolidBuffer{{}, std::vector<uint32_t>(static_cast<size_t>(box.width) * box.height,
                                                             xrgb8888(kBackgroundColour))};
    wlr_buffer_init(&buffer->base, &kSolidBufferImpl, box.width, box.height);
    background_ = wlr_scene_buffer_create(&tree(SceneLayer::background)->node, &buffer->base);
    wlr_buffer_drop(&buffer->base);  // the node holds its own lock
    // An explicit source box keeps 0.15's scene from trying the node for direct scan-out when it is all there is.
    const wlr_fbox whole{0, 0, static_cast<double>(box.width), static_cast<double>(box.height)};
    wlr_scene_buffer_set_source_box(background_, &whole);
  }
  wlr_scene_node_set_enabled(&background_->node, true);
  wlr_scene_node_set_position(&background_->node, box.x, box.y);
}

wlr_surface* Scene::surface_at(double lx, double ly, double* sx, double* sy) const {
  wlr_scene_node* node = wlr_scene_node_at(&scene_->node, lx, ly, sx, sy);
  if (!node || node->type != WLR_SCENE_NODE_SURFACE) return nullptr;
  return wlr_scene_surface_from_node(node)->surface;
}

wlr_scene_node* Scene::window_node_at(double lx, double ly) const {
  double sx = 0, sy = 0;
  for (wlr_scene_node* node = wlr_scene_node_at(&scene_->node, lx, ly, &sx, &sy); node; node = node->parent)
    if (is_window_node(node)) return node;
  return nullptr;
}

std::optional<std::pair<int, int>> Scene::surface_origin(const wlr_surface* surface) const {
  struct Search {
    const wlr_surface* wanted;
    std::optional<std::pair<int, int>> found;
  } search{surface, std::nullopt};
  // Visits enabled nodes only, with layout coordinates (the root sits at 0,0).
  wlr_scene_node_for_each_surface(
      &scene_->node,
      [](wlr_surface* s, int lx, int ly, void* data) {
        auto* search = static_cast<Search*>(data);
        if (s == search->wanted && !search->found) search->found = std::pair{lx, ly};
      },
      &search);
  return search.found;
}

}  // namespace weft::compositor
