// Link time: wit-component's import indirection resolved in compiled code (aot_forwarder_links.hpp).

#include "aot_forwarder_links.hpp"

#include <algorithm>
#include <cstring>

namespace weft::runtime {
namespace {

using Fn = void (*)(void);
constexpr uint32_t kNone = UINT32_MAX;
// Forwarder chains longer than this are left partly resolved: every hop is a call the compiled code makes anyway.
constexpr int kMaxHops = 8;

weft_aot_slot* slots_of(const AotLinkedInstance& instance) {
  return reinterpret_cast<weft_aot_slot*>(instance.links + 1);
}

bool same_slot(const weft_aot_slot& a, const weft_aot_slot& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

/// An exported forwarder of one instance: the function the slots hold, and the element it calls.
struct Forwarder {
  Fn fn;
  const void* instance;
  const wasm_rt_funcref_table_t* table;
  uint32_t element;
  uint32_t type_id;
};

/// What `e` calls, as a slot: the other module's import slot when `e` is an import trampoline of one of
/// `instances`, else the function itself with its instance, exactly as call_indirect would call it. wasm2c passes
/// an import `(char*)instance + offsetof(Z_w_instance)` (aot_abi.h), and 1.0.32 puts that field first, so an
/// import's and a defined function's instance pointer are alike: the trampoline addresses tell them apart.
weft_aot_slot slot_for(const wasm_rt_funcref_t& e, std::span<const AotLinkedInstance> instances) {
  weft_aot_slot out{};
  out.fn = e.func;
  out.instance = e.module_instance;
  auto trampoline_slot = [&](const AotLinkedInstance& x) {
    for (uint32_t i = 0; i < x.imports->size(); ++i)
      if (x.glue->import_trampolines[i] == e.func) return slots_of(x)[i];
    return out;
  };
  for (const auto& x : instances)
    if (x.storage == e.module_instance || x.links == e.module_instance) return trampoline_slot(x);
  // Not an instance itself: a pointer to an instance's Z_w_instance field further in, which holds its header.
  if (!e.module_instance) return out;
  const weft_aot_imports* links = *static_cast<weft_aot_imports* const*>(e.module_instance);
  for (const auto& x : instances)
    if (x.links == links) return trampoline_slot(x);
  return out;
}

}  // namespace

void ForwarderLinks::resolve(std::span<const AotLinkedInstance> instances) {
  for (const auto& x : instances)
    if (x.glue->mutates_tables) return;  // some table may still change: no element is final
  std::vector<Forwarder> forwarders;
  std::vector<weft_aot_export> exports;
  for (const auto& x : instances) {
    if (x.glue->forwarder_count == 0) continue;
    exports.assign(x.glue->export_count + 1, weft_aot_export{});
    x.glue->exports(x.storage, exports.data());
    for (uint32_t f = 0; f < x.glue->forwarder_count; ++f) {
      const weft_aot_forwarder& fw = x.glue->forwarders[f];
      if (fw.export_index >= x.glue->export_count) continue;
      const void* table = fw.table_import != kNone
                              ? (fw.table_import < x.imports->size() ? slots_of(x)[fw.table_import].object : nullptr)
                              : (fw.table_export < x.glue->export_count ? exports[fw.table_export].object : nullptr);
      if (table)
        forwarders.push_back({exports[fw.export_index].fn, x.storage,
                              static_cast<const wasm_rt_funcref_table_t*>(table), fw.element, fw.type_id});
    }
  }
  if (forwarders.empty()) return;
  auto forwarder_of = [&](const weft_aot_slot& s) -> const Forwarder* {
    for (const auto& f : forwarders)
      if (f.fn == s.fn && f.instance == s.instance) return &f;
    return nullptr;
  };
  auto already = [&](const weft_aot_slot* s) {
    return std::any_of(resolved_.begin(), resolved_.end(), [&](const Resolved& r) { return r.slot == s; });
  };
  for (const auto& y : instances) {
    for (uint32_t i = 0; i < y.imports->size(); ++i) {
      weft_aot_slot& slot = slots_of(y)[i];
      if ((*y.imports)[i].kind != CoreExternKind::func || !slot.fn || !forwarder_of(slot) || already(&slot)) continue;
      weft_aot_slot target = slot;
      const void* read[kMaxHops];
      int hops = 0;
      for (; hops < kMaxHops && target.fn; ++hops) {
        const Forwarder* fw = forwarder_of(target);
        if (!fw) break;
        // What call_indirect would trap on stays a call through the forwarder, so it traps the same way.
        if (fw->element >= fw->table->size) break;
        const wasm_rt_funcref_t& e = fw->table->data[fw->element];
        if (!e.func || e.func_type != fw->type_id) break;
        read[hops] = fw->table;
        target = slot_for(e, instances);
      }
      if (same_slot(target, slot)) continue;
      resolved_.push_back({&slot, slot});
      for (int h = 0; h < hops; ++h)
        if (std::find(relied_on_.begin(), relied_on_.end(), read[h]) == relied_on_.end()) relied_on_.push_back(read[h]);
      slot = target;
    }
  }
}

void ForwarderLinks::table_imported(const void* table) {
  if (std::find(relied_on_.begin(), relied_on_.end(), table) == relied_on_.end()) return;
  for (auto r = resolved_.rbegin(); r != resolved_.rend(); ++r) *r->slot = r->original;
  resolved_.clear();
  relied_on_.clear();
}

}  // namespace weft::runtime
