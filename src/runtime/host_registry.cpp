// Host interface registry with semver-compatible lookup.

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

namespace {

/// interface_names_compatible, which parses both names, only for names that agree up to the version (`ns:pkg/iface`,
/// which compatible names share; equal names too): building a registry compared every interface with every other.
bool compatible(std::string_view a, std::string_view b) {
  return a.substr(0, a.find('@')) == b.substr(0, b.find('@')) && interface_names_compatible(a, b);
}

}  // namespace

HostInterface& HostRegistry::add(std::string name) {
  for (auto& i : interfaces_)
    if (compatible(i->name, name)) {
      *i = HostInterface{};
      i->name = std::move(name);
      return *i;
    }
  interfaces_.push_back(std::make_unique<HostInterface>());
  interfaces_.back()->name = std::move(name);
  return *interfaces_.back();
}

const HostInterface* HostRegistry::find(std::string_view import_name) const {
  for (const auto& i : interfaces_)
    if (compatible(i->name, import_name)) return i.get();
  return nullptr;
}

HostInterface* HostRegistry::find_mutable(std::string_view import_name) {
  return const_cast<HostInterface*>(std::as_const(*this).find(import_name));
}

}  // namespace weft::runtime
