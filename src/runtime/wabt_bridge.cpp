// libwabt interpreter adapter (compiled as C++17, see wabt_bridge.hpp). Owns one wabt Store; every module, instance
// and host function created through it stays referenced until the Engine is destroyed (the store is never collected).

#include "wabt_bridge.hpp"

#include <wabt/binary-reader.h>
#include <wabt/error-formatter.h>
#include <wabt/interp/binary-reader-interp.h>
#include <wabt/interp/interp.h>

#include <algorithm>
#include <cstring>

namespace weft::runtime::wabt_bridge {
namespace wi = wabt::interp;

namespace {

// Numeric values of weft::runtime::CoreType.
constexpr uint8_t kI32 = 0, kI64 = 1, kF32 = 2, kF64 = 3;
// Numeric values of weft::runtime::CoreExternKind.
constexpr uint8_t kFunc = 0, kTable = 1, kMemory = 2, kGlobal = 3;
constexpr uint64_t kPageSize = 65536;  // bytes
// Spec §4.6: limits over everything one runtime instantiates.
constexpr size_t kMaxMemories = 100;
constexpr size_t kMaxTables = 1000;
constexpr uint64_t kMaxTableElements = 1000000;  // per table maximum, and the sum of initial sizes

bool to_kind(wabt::Type t, uint8_t* out) {
  if (t == wabt::Type::I32) *out = kI32;
  else if (t == wabt::Type::I64) *out = kI64;
  else if (t == wabt::Type::F32) *out = kF32;
  else if (t == wabt::Type::F64) *out = kF64;
  else return false;
  return true;
}

wabt::Type to_type(uint8_t k) {
  switch (k) {
    case kI64: return wabt::Type::I64;
    case kF32: return wabt::Type::F32;
    case kF64: return wabt::Type::F64;
    default: return wabt::Type::I32;
  }
}

uint8_t extern_kind(wabt::ExternalKind k) {
  switch (k) {
    case wabt::ExternalKind::Table: return kTable;
    case wabt::ExternalKind::Memory: return kMemory;
    case wabt::ExternalKind::Global: return kGlobal;
    default: return kFunc;
  }
}

FuncType from_wabt(const wi::FuncType& ft) {
  FuncType out;
  for (auto t : ft.params) {
    uint8_t k = kI32;
    to_kind(t, &k);
    out.params.push_back(k);
  }
  for (auto t : ft.results) {
    uint8_t k = kI32;
    to_kind(t, &k);
    out.results.push_back(k);
  }
  return out;
}

wi::FuncType to_wabt(const FuncType& ft) {
  wi::ValueTypes params, results;
  for (auto k : ft.params) params.push_back(to_type(k));
  for (auto k : ft.results) results.push_back(to_type(k));
  return wi::FuncType(params, results);
}

wi::Value to_value(const Value& v) {
  switch (v.type) {
    case kI64: return wi::Value::Make(wi::u64(v.bits));
    case kF32: {
      float f;
      uint32_t b = uint32_t(v.bits);
      std::memcpy(&f, &b, 4);
      return wi::Value::Make(f);
    }
    case kF64: {
      double d;
      std::memcpy(&d, &v.bits, 8);
      return wi::Value::Make(d);
    }
    default: return wi::Value::Make(wi::u32(v.bits));
  }
}

Value from_value(wabt::Type t, const wi::Value& v) {
  Value out{kI32, 0};
  to_kind(t, &out.type);
  switch (out.type) {
    case kI64: out.bits = v.Get<wi::u64>(); break;
    case kF32: {
      float f = v.Get<wi::f32>();
      uint32_t b;
      std::memcpy(&b, &f, 4);
      out.bits = b;
      break;
    }
    case kF64: {
      double d = v.Get<wi::f64>();
      std::memcpy(&out.bits, &d, 8);
      break;
    }
    default: out.bits = v.Get<wi::u32>();
  }
  return out;
}

/// Short trap kinds from the interpreter's messages (names follow wasmtime's trap codes).
std::string classify(const std::string& message) {
  struct Rule {
    const char* needle;
    const char* kind;
  };
  static const Rule rules[] = {
      {"unreachable", "unreachable"},
      {"out of bounds memory", "memory-out-of-bounds"},
      {"divide by zero", "integer-divide-by-zero"},
      {"integer overflow", "integer-overflow"},
      {"invalid conversion", "bad-conversion-to-integer"},
      {"stack exhausted", "stack-overflow"},
      {"indirect call signature mismatch", "indirect-call-type-mismatch"},
      {"uninitialized table element", "indirect-call-to-null"},
      {"out of bounds table", "table-out-of-bounds"},
      {"undefined table index", "table-out-of-bounds"},
  };
  for (const auto& r : rules)
    if (message.find(r.needle) != std::string::npos) return r.kind;
  return "trap";
}

}  // namespace

struct Engine::Impl {
  wi::Store store;
  uint64_t max_pages = 65536;
  struct LoadedModule {
    wi::Module::Ptr module;
    std::vector<Import> imports;
    std::vector<Export> exports;
  };
  std::vector<LoadedModule> modules;
  struct LiveInstance {
    wi::Instance::Ptr instance;
  };
  std::vector<LiveInstance> instances;
  std::vector<uint32_t> instance_modules;  // module of each instance
  size_t memories = 0, tables = 0;          // defined by instantiated modules
  uint64_t table_elements = 0;              // initial elements of those tables
  // Every linear memory instantiated so far with the maximum its module declared (already capped), for the shared
  // budget: all memories together stay within max_pages.
  std::vector<std::pair<wi::Ref, uint64_t>> budgeted;

  /// Gives each memory room to grow by what the budget has left. wabt checks `limits.max` inside memory.grow, and
  /// the limits are only reachable through the const accessor, hence the const_cast (the member itself is not const).
  /// Runs at every boundary the host sees (instantiation, host-function entry and exit, end of each call); between
  /// two boundaries only a component with several memories growing more than one of them could overshoot.
  void rebalance() {
    uint64_t used = 0;
    for (auto& [ref, declared] : budgeted) used += store.UnsafeGet<wi::Memory>(ref)->PageSize();
    uint64_t left = used < max_pages ? max_pages - used : 0;
    for (auto& [ref, declared] : budgeted) {
      auto mem = store.UnsafeGet<wi::Memory>(ref);
      auto& limits = const_cast<wabt::Limits&>(mem->type().limits);
      limits.max = std::min(declared, mem->PageSize() + left);
      limits.has_max = true;
    }
  }
  std::vector<wi::HostFunc::Ptr> host_funcs;
  // Set by a failing host callback so the outermost call reports the host's trap kind, not "trap".
  std::string pending_kind, pending_message;
};

Engine::Engine() : impl_(std::make_unique<Impl>()) {}
Engine::~Engine() = default;

void Engine::set_max_pages(uint64_t pages) { impl_->max_pages = pages; }

bool Engine::load(const uint8_t* data, size_t size, const std::string& name, uint32_t* module, std::string* error) {
  wabt::Errors errors;
  wi::ModuleDesc desc;
  wabt::Features features;
  wabt::ReadBinaryOptions options(features, nullptr, false, true, false);
  if (wabt::Failed(wi::ReadBinaryInterp(name, data, size, options, &errors, &desc))) {
    *error = "core module " + name + " is invalid: " +
             (errors.empty() ? std::string("unknown error") : wabt::FormatErrorsToString(errors, wabt::Location::Type::Binary));
    while (!error->empty() && (error->back() == '\n')) error->pop_back();
    return false;
  }
  for (auto& t : desc.tables) {
    auto& limits = t.type.limits;
    if (limits.initial > kMaxTableElements) {
      *error = "core module " + name + " declares a table of " + std::to_string(limits.initial) +
               " elements, above the limit of " + std::to_string(kMaxTableElements);
      return false;
    }
    if (!limits.has_max || limits.max > kMaxTableElements) {
      limits.max = kMaxTableElements;
      limits.has_max = true;
    }
  }
  for (auto& m : desc.memories) {
    auto& limits = m.type.limits;
    if (limits.initial > impl_->max_pages) {
      *error = "core module " + name + " needs " + std::to_string(limits.initial * kPageSize / (1024 * 1024)) +
               " MiB of memory at start, above the limit of " +
               std::to_string(impl_->max_pages * kPageSize / (1024 * 1024)) + " MiB";
      return false;
    }
    if (!limits.has_max || limits.max > impl_->max_pages) {
      limits.max = impl_->max_pages;
      limits.has_max = true;
    }
  }
  Impl::LoadedModule loaded;
  for (const auto& imp : desc.imports) {
    Import i{imp.type.module, imp.type.name, extern_kind(imp.type.type->kind), {}};
    if (auto* ft = wabt::dyn_cast<wi::FuncType>(imp.type.type.get())) i.func = from_wabt(*ft);
    loaded.imports.push_back(std::move(i));
  }
  for (const auto& exp : desc.exports) loaded.exports.push_back({exp.type.name, extern_kind(exp.type.type->kind)});
  loaded.module = wi::Module::New(impl_->store, desc);
  *module = uint32_t(impl_->modules.size());
  impl_->modules.push_back(std::move(loaded));
  return true;
}

const std::vector<Import>& Engine::imports(uint32_t module) const { return impl_->modules.at(module).imports; }
const std::vector<Export>& Engine::exports(uint32_t module) const { return impl_->modules.at(module).exports; }

bool Engine::instantiate(uint32_t module, const std::vector<Extern>& imports, uint32_t* instance, std::string* error) {
  auto& m = impl_->modules.at(module);
  const auto& desc = m.module->desc();
  size_t memories = impl_->memories + desc.memories.size(), tables = impl_->tables + desc.tables.size();
  uint64_t elements = impl_->table_elements;
  for (const auto& t : desc.tables) elements += t.type.limits.initial;
  if (memories > kMaxMemories || tables > kMaxTables || elements > kMaxTableElements) {
    *error = "instantiating would exceed the limits of " + std::to_string(kMaxMemories) + " memories, " +
             std::to_string(kMaxTables) + " tables and " + std::to_string(kMaxTableElements) + " table elements";
    return false;
  }
  wi::RefVec refs;
  for (const auto& e : imports) refs.push_back(wi::Ref(e.ref));
  wi::Trap::Ptr trap;
  impl_->pending_kind.clear();
  auto inst = wi::Instance::Instantiate(impl_->store, m.module.ref(), refs, &trap);
  if (!inst) {
    *error = trap ? trap->message() : std::string("instantiation failed");
    return false;
  }
  *instance = uint32_t(impl_->instances.size());
  impl_->memories = memories;
  impl_->tables = tables;
  impl_->table_elements = elements;
  impl_->instances.push_back({inst});
  impl_->instance_modules.push_back(module);
  for (auto ref : inst->memories()) {
    bool known = std::any_of(impl_->budgeted.begin(), impl_->budgeted.end(), [&](auto& b) { return b.first == ref; });
    if (!known) impl_->budgeted.push_back({ref, impl_->store.UnsafeGet<wi::Memory>(ref)->type().limits.max});
  }
  uint64_t used = 0;
  for (auto& [ref, declared] : impl_->budgeted) used += impl_->store.UnsafeGet<wi::Memory>(ref)->PageSize();
  if (used > impl_->max_pages) {
    *error = "the memories need " + std::to_string(used * kPageSize / (1024 * 1024)) + " MiB at start, above the limit of " +
             std::to_string(impl_->max_pages * kPageSize / (1024 * 1024)) + " MiB";
    return false;
  }
  impl_->rebalance();
  return true;
}

bool Engine::export_of(uint32_t instance, const std::string& name, Extern* out) const {
  const auto& inst = impl_->instances.at(instance);
  const auto& exports = impl_->modules.at(impl_->instance_modules.at(instance)).exports;
  for (size_t i = 0; i < exports.size(); ++i) {
    if (exports[i].name == name) {
      *out = {exports[i].kind, inst.instance->exports()[i].index};
      return true;
    }
  }
  return false;
}

Extern Engine::host_function(const FuncType& type, Callback callback) {
  wi::FuncType ft = to_wabt(type);
  Impl* impl = impl_.get();
  auto fn = wi::HostFunc::New(
      impl_->store, ft,
      [impl, ft, callback = std::move(callback)](wi::Thread&, const wi::Values& params, wi::Values& results,
                                                 wi::Trap::Ptr* out_trap) -> wabt::Result {
        std::vector<Value> args;
        args.reserve(params.size());
        for (size_t i = 0; i < params.size(); ++i) args.push_back(from_value(ft.params[i], params[i]));
        std::vector<Value> res(ft.results.size());
        for (size_t i = 0; i < res.size(); ++i) to_kind(ft.results[i], &res[i].type);
        std::string kind, message;
        impl->rebalance();
        bool ok = callback(args, res, &kind, &message);
        impl->rebalance();
        if (!ok) {
          impl->pending_kind = kind;
          impl->pending_message = message;
          *out_trap = wi::Trap::New(impl->store, message);
          return wabt::Result::Error;
        }
        for (size_t i = 0; i < res.size() && i < results.size(); ++i) results[i] = to_value(res[i]);
        return wabt::Result::Ok;
      });
  impl_->host_funcs.push_back(fn);
  return {kFunc, fn.ref().index};
}

FuncType Engine::func_type(Extern func) const {
  return from_wabt(impl_->store.UnsafeGet<wi::Func>(wi::Ref(func.ref))->type());
}

bool Engine::call(Extern func, const std::vector<Value>& args, std::vector<Value>* results, std::string* trap_kind,
                  std::string* trap_message) {
  auto fn = impl_->store.UnsafeGet<wi::Func>(wi::Ref(func.ref));
  const auto& ft = fn->type();
  wi::Values params, out;
  for (const auto& a : args) params.push_back(to_value(a));
  if (params.size() != ft.params.size()) {
    *trap_kind = "host";
    *trap_message = "call with " + std::to_string(params.size()) + " arguments to a function taking " +
                    std::to_string(ft.params.size());
    return false;
  }
  wi::Trap::Ptr trap;
  bool failed = wabt::Failed(fn->Call(impl_->store, params, out, &trap));
  impl_->rebalance();
  if (failed) {
    if (!impl_->pending_kind.empty()) {
      *trap_kind = impl_->pending_kind;
      *trap_message = impl_->pending_message;
      impl_->pending_kind.clear();
    } else {
      *trap_message = trap ? trap->message() : std::string("call failed");
      *trap_kind = classify(*trap_message);
    }
    return false;
  }
  impl_->pending_kind.clear();
  results->clear();
  for (size_t i = 0; i < out.size(); ++i) results->push_back(from_value(ft.results[i], out[i]));
  return true;
}

uint8_t* Engine::memory(Extern memory, uint64_t* size) {
  auto mem = impl_->store.UnsafeGet<wi::Memory>(wi::Ref(memory.ref));
  *size = mem->ByteSize();
  return mem->UnsafeData();
}

}  // namespace weft::runtime::wabt_bridge
