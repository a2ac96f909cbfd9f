// ComponentInstance: the public face of instantiation (component_evaluator.hpp does the work).

#include "component_evaluator.hpp"

namespace weft::runtime {

ComponentInstance::ComponentInstance(std::unique_ptr<State> state) : state_(std::move(state)) {}
ComponentInstance::~ComponentInstance() = default;

Result<std::unique_ptr<ComponentInstance>> ComponentInstance::instantiate(const Component& component,
                                                                          CoreEngine& engine,
                                                                          const HostRegistry& host,
                                                                          InstanceLimits limits) {
  auto state = std::make_unique<State>();
  state->engine = &engine;
  state->host = &host;
  state->limits = limits;
  state->evaluators.push_back(std::make_unique<linker::Evaluator>(*state, component, nullptr,
                                                                  std::map<std::string, linker::Item, std::less<>>{}));
  state->root = state->evaluators.back().get();
  auto ran = state->root->run();
  if (!ran) return fail("instantiation failed: " + ran.error().message);
  engine.linking_finished();
  return std::unique_ptr<ComponentInstance>(new ComponentInstance(std::move(state)));
}

std::optional<std::string> ComponentInstance::find_export(std::string_view instance) const {
  for (const auto& e : state_->root->comp.exports)
    if (e.sort == Sort::instance && interface_names_compatible(e.name, instance)) return e.name;
  return std::nullopt;
}

Result<CallOutcome> ComponentInstance::call(std::string_view instance, std::string_view func, std::vector<Val> args) {
  auto& root = *state_->root;
  std::optional<linker::Item> item;
  for (const auto& e : root.comp.exports) {
    bool match = instance.empty() ? (e.sort == Sort::func && e.name == func)
                                  : (e.sort == Sort::instance && interface_names_compatible(e.name, instance));
    if (!match) continue;
    WEFT_TRY(linker::Item x, root.sort_item(e.sort, e.index));
    item = x;
    break;
  }
  if (!item) return fail("the component does not export '" + std::string(instance.empty() ? func : instance) + "'");
  linker::FuncPtr f;
  if (instance.empty()) {
    f = std::get<linker::FuncPtr>(*item);
  } else {
    auto inst = std::get<std::shared_ptr<linker::InstanceVal>>(*item);
    auto it = inst->exports.find(func);
    if (it == inst->exports.end() || !std::holds_alternative<linker::FuncPtr>(it->second))
      return fail("export '" + std::string(instance) + "' has no function '" + std::string(func) + "'");
    f = std::get<linker::FuncPtr>(it->second);
  }
  return linker::call_func(*f, args);
}

HandleTable& ComponentInstance::handles() { return state_->handles; }

}  // namespace weft::runtime
