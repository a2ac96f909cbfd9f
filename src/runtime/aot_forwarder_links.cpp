// Link time: wit-component's import indirection resolved in compiled code (aot_forwarder_links.hpp).

#include "aot_forwarder_links.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <unordered_map>
#include <utility>

namespace weft::runtime {
namespace {

using Fn = void (*)(void);
constexpr uint32_t kNone = UINT32_MAX;
// Forwarder chains longer than this are left partly resolved: every hop is a call the compiled code makes anyway.
constexpr int kMaxHops = 8;

weft_aot_slot* slots_of(const AotLinkedInstance& instance) {
  return reinterpret_cast<weft_aot_slot*>(instance.links + 1);
}

wasm_rt_type_t rt_type(CoreType t) {
  switch (t) {
    case CoreType::i32: return WASM_RT_I32;
    case CoreType::i64: return WASM_RT_I64;
    case CoreType::f32: return WASM_RT_F32;
    case CoreType::f64: return WASM_RT_F64;
  }
  return WASM_RT_I32;
}

/// The id wasm-rt's call_indirect compares for functions of type `ft` (the process's one registry).
uint32_t type_id(const CoreFuncType& ft, const weft_aot_runtime& runtime) {
  std::vector<wasm_rt_type_t> types;
  for (auto p : ft.params) types.push_back(rt_type(p));
  for (auto r : ft.results) types.push_back(rt_type(r));
  return runtime.register_func_type(uint32_t(ft.params.size()), uint32_t(ft.results.size()), types.data());
}

bool same_slot(const weft_aot_slot& a, const weft_aot_slot& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

void ForwarderLinks::resolve(std::span<const AotLinkedInstance> instances, const weft_aot_runtime& runtime) {
  for (const auto& x : instances)
    if (x.glue->mutates_tables) return;  // some table may still change: no element is final
  struct Element {
    const wasm_rt_funcref_table_t* table;
    uint32_t index;
  };
  std::map<std::pair<Fn, const void*>, Element> forwarders;  // (export, its instance) → the element it calls
  std::unordered_map<Fn, std::pair<const weft_aot_module*, uint32_t>> trampolines;  // → (module, import index)
  std::unordered_map<const weft_aot_imports*, const AotLinkedInstance*> by_links;
  std::vector<weft_aot_export> exports;
  for (const auto& x : instances) {
    by_links[x.links] = &x;
    for (uint32_t i = 0; i < x.imports->size(); ++i)
      if (Fn t = x.glue->import_trampolines[i]) trampolines[t] = {x.glue, i};
    if (x.glue->forwarder_count == 0) continue;
    exports.assign(x.glue->export_count + 1, weft_aot_export{});
    x.glue->exports(x.storage, exports.data());
    for (uint32_t f = 0; f < x.glue->forwarder_count; ++f) {
      const weft_aot_forwarder& fw = x.glue->forwarders[f];
      if (fw.export_index >= x.glue->export_count) continue;
      const void* table = fw.table_import != kNone
                              ? (fw.table_import < x.imports->size() ? slots_of(x)[fw.table_import].object : nullptr)
                              : (fw.table_export < x.glue->export_count ? exports[fw.table_export].object : nullptr);
      if (!table) continue;
      forwarders[{exports[fw.export_index].fn, x.storage}] = {static_cast<const wasm_rt_funcref_table_t*>(table),
                                                              fw.element};
    }
  }
  if (forwarders.empty()) return;
  std::unordered_map<const weft_aot_slot*, bool> done;
  for (const auto& r : resolved_) done[r.slot] = true;
  for (const auto& y : instances) {
    for (uint32_t i = 0; i < y.imports->size(); ++i) {
      weft_aot_slot& slot = slots_of(y)[i];
      if ((*y.imports)[i].kind != CoreExternKind::func || !slot.fn || done.count(&slot)) continue;
      if (!forwarders.count({slot.fn, slot.instance})) continue;
      const uint32_t wanted = type_id((*y.imports)[i].func_type, runtime);
      weft_aot_slot target = slot;
      std::vector<const void*> read;
      for (int hop = 0; hop < kMaxHops && target.fn; ++hop) {
        auto fw = forwarders.find({target.fn, target.instance});
        if (fw == forwarders.end()) break;
        const auto& [table, index] = fw->second;
        // What call_indirect would trap on stays a call through the forwarder, so it traps the same way.
        if (index >= table->size) break;
        const wasm_rt_funcref_t& e = table->data[index];
        if (!e.func || e.func_type != wanted) break;
        read.push_back(table);
        weft_aot_slot next{};
        next.fn = e.func;
        next.instance = e.module_instance;
        // Another module's import trampoline: its slot, whichever form of its instance wasm2c passes (aot_abi.h).
        if (auto t = trampolines.find(e.func); t != trampolines.end() && e.module_instance) {
          auto owner = by_links.find(*static_cast<weft_aot_imports* const*>(e.module_instance));
          if (owner != by_links.end() && owner->second->glue == t->second.first)
            next = slots_of(*owner->second)[t->second.second];
        }
        target = next;
      }
      if (same_slot(target, slot)) continue;
      resolved_.push_back({&slot, slot});
      for (const void* t : read)
        if (std::find(relied_on_.begin(), relied_on_.end(), t) == relied_on_.end()) relied_on_.push_back(t);
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
