#include "scene.hpp"

namespace weft::compositor {

namespace {
constexpr float kBackgroundColour[4] = {0.11f, 0.12f, 0.14f, 1.0f};  // premultiplied RGBA
}  // namespace

Scene::Scene(wlr_output_layout* layout) {
  scene_ = wlr_scene_create();
  for (wlr_scene_tree*& tree : trees_) tree = wlr_scene_tree_create(&scene_->node);
  // Sized to the output on every arrange: 0.15's pixman renderer allocates a temporary image per rect per frame.
  background_ = wlr_scene_rect_create(&tree(SceneLayer::background)->node, 0, 0, kBackgroundColour);
  wlr_scene_attach_output_layout(scene_, layout);
}

Scene::~Scene() { wlr_scene_node_destroy(&scene_->node); }

bool Scene::is_window_node(const wlr_scene_node* node) const {
  const wlr_scene_node* parent = node ? node->parent : nullptr;
  return parent && (parent == &tree(SceneLayer::app)->node || parent == &tree(SceneLayer::panel)->node ||
                    parent == &tree(SceneLayer::overlay)->node);
}

void Scene::fit_background(const wlr_box& box) {
  wlr_scene_node_set_position(&background_->node, box.x, box.y);
  wlr_scene_rect_set_size(background_, box.width, box.height);
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

}  // namespace weft::compositor
