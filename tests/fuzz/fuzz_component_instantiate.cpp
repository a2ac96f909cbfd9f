// Fuzz target: component instantiation (spec §4.3–4.6) takes any bytes as a component, decodes it, links it against
// the real host tables (WASI 0.2 and weft:app, no grants, no preopens) and instantiates it on the interpreter, without
// calling any export. This is where the linker's kind confusion, trusted host signatures and forged resources lived:
// every input must either instantiate or fail with an error that names what is wrong — never crash, never trap the
// host, never grow past the memory budget.
//
// Core start functions are the one way instantiation runs guest code. The harness removes their sections before
// instantiating: a mutated start function may loop forever, which is the supervisor's business, not the linker's, and
// the C seed's preview-1 adapter has one, so skipping such inputs would skip every real component.
#include <cstddef>
#include <cstdint>
#include <span>

#include "weft/component/component.hpp"
#include "weft/runtime/component_instance.hpp"
#include "weft/runtime/wasi_host.hpp"
#include "weft/runtime/weft_app_host.hpp"

namespace {

constexpr uint64_t kFuzzMemoryBudgetBytes = uint64_t(16) << 20;  // every memory of one input together
constexpr uint8_t kStartSectionId = 8;

/// Reads one unsigned LEB128 (at most 5 bytes for a u32); false past the end or on an overlong encoding.
bool read_u32_leb(std::span<const uint8_t> bytes, size_t& pos, uint32_t& value) {
  value = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (pos >= bytes.size()) return false;
    uint8_t byte = bytes[pos++];
    value |= uint32_t(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

/// `module` without its start section; a module too malformed to walk is left as it is (the engine refuses it).
void remove_start_section(std::vector<uint8_t>& module) {
  size_t pos = 8;  // magic + version
  while (pos < module.size()) {
    size_t section_begin = pos;
    uint8_t id = module[pos++];
    uint32_t length = 0;
    if (!read_u32_leb(module, pos, length) || length > module.size() - pos) return;
    if (id == kStartSectionId) {
      module.erase(module.begin() + long(section_begin), module.begin() + long(pos + length));
      return;
    }
    pos += length;
  }
}

void remove_start_sections(weft::component::Component& component) {
  for (auto& module : component.modules) remove_start_section(module);
  for (auto& nested : component.components) remove_start_sections(*nested);
}

struct Hosts {
  weft::runtime::WasiHost wasi{config()};
  weft::runtime::WeftAppHost weft_app{weft::runtime::WeftAppConfig{.app_id = "org.weft.fuzz"}};
  weft::runtime::HostRegistry registry;
  Hosts() {
    wasi.install(registry);
    weft_app.install(registry);
  }
  static weft::runtime::WasiConfig config() {
    weft::runtime::WasiConfig wasi_config;
    wasi_config.arguments = {"org.weft.fuzz"};
    wasi_config.http_client = [](const std::string&, const std::string&,
                                 const std::vector<std::pair<std::string, std::string>>&,
                                 const std::optional<std::string>&) -> weft::Result<weft::runtime::HttpResponse> {
      return weft::fail("no network while fuzzing");
    };
    return wasi_config;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace weft::runtime;
  auto component = weft::component::decode_component(std::span(data, size));
  if (!component.ok()) return 0;
  remove_start_sections(*component);

  // The hosts are built once: instantiation registers imports but calls no host function, so their state never
  // changes between inputs (and installing every WASI interface per input cost most of each execution).
  static Hosts hosts;
  auto engine = make_interpreter_engine();
  engine->set_memory_limit(kFuzzMemoryBudgetBytes);
  auto instance = ComponentInstance::instantiate(*component, *engine, hosts.registry);
  if (!instance.ok() && instance.error().message.empty()) __builtin_trap();  // every refusal names its reason
  return 0;
}
