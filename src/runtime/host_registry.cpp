// Host interface registry with semver-compatible lookup.

#include <algorithm>

#include "weft/runtime/component_vocabulary.hpp"
#include "weft/runtime/host.hpp"

namespace weft::runtime {

ResourceTypePtr HostInterface::resource(const std::string& resource_name, std::function<void(uint32_t rep)> drop) {
  auto& slot = resources[resource_name];
  if (!slot) {
    slot = std::make_shared<ResourceType>();
    auto parsed = parse_interface_name(name);
    slot->name = (parsed ? parsed->unversioned() : name) + "/" + resource_name;
  }
  slot->host_drop = std::move(drop);
  return slot;
}

HostCall arity_checked(std::string name, size_t params, HostCall body) {
  return [name = std::move(name), params, body = std::move(body)](std::vector<Val>& args) -> Result<Val> {
    if (args.size() != params)
      return fail(name + " called with " + std::to_string(args.size()) + " arguments, it takes " +
                  std::to_string(params));
    return body(args);
  };
}

size_t HostRegistry::index_of(std::string_view name) const {
  const size_t unversioned = std::min(name.find('@'), name.size());
  for (size_t i = 0; i < interfaces_.size(); ++i)
    if (unversioned_lengths_[i] == unversioned) {
      std::string_view other = interfaces_[i]->name;
      if (other.compare(0, unversioned, name, 0, unversioned) == 0 && interface_names_compatible(other, name))
        return i;
    }
  return std::string_view::npos;
}

HostInterface& HostRegistry::add(std::string name) {
  if (size_t i = index_of(name); i != std::string_view::npos) {
    HostInterface& replaced = *interfaces_[i];
    replaced.functions.clear();
    replaced.resources.clear();
    replaced.fallback = nullptr;
    replaced.name = std::move(name);
    return *interfaces_[i];
  }
  unversioned_lengths_.push_back(std::min(name.find('@'), name.size()));
  interfaces_.push_back(std::make_unique<HostInterface>());
  interfaces_.back()->name = std::move(name);
  return *interfaces_.back();
}

const HostInterface* HostRegistry::find(std::string_view import_name) const {
  size_t i = index_of(import_name);
  return i == std::string_view::npos ? nullptr : interfaces_[i].get();
}

HostInterface* HostRegistry::find_mutable(std::string_view import_name) {
  return const_cast<HostInterface*>(std::as_const(*this).find(import_name));
}

}  // namespace weft::runtime
