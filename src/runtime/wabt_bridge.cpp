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
constexpr uint64_t kMaxTableElements = 1000000;  // all tables together, at instantiation and at every table.grow

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

/// Copies `instr` to `out` unchanged (same opcode, same immediates, so the same bytes).
void emit_same(wi::Istream& out, const wi::Instr& instr) {
  auto op = wabt::Opcode::Enum(instr.op);
  switch (instr.kind) {
    case wi::InstrKind::Imm_0_Op_0:
    case wi::InstrKind::Imm_0_Op_1:
    case wi::InstrKind::Imm_0_Op_2:
    case wi::InstrKind::Imm_0_Op_3: out.Emit(op); break;
    case wi::InstrKind::Imm_Jump_Op_0:
    case wi::InstrKind::Imm_Jump_Op_1:
    case wi::InstrKind::Imm_Index_Op_0:
    case wi::InstrKind::Imm_Index_Op_1:
    case wi::InstrKind::Imm_Index_Op_2:
    case wi::InstrKind::Imm_Index_Op_3:
    case wi::InstrKind::Imm_Index_Op_N:
    case wi::InstrKind::Imm_I32_Op_0: out.Emit(op, wi::u32(instr.imm_u32)); break;
    case wi::InstrKind::Imm_F32_Op_0: {
      wi::u32 bits;
      std::memcpy(&bits, &instr.imm_f32, 4);
      out.Emit(op, bits);
      break;
    }
    case wi::InstrKind::Imm_Index_Index_Op_3:
    case wi::InstrKind::Imm_Index_Index_Op_N:
    case wi::InstrKind::Imm_Index_Offset_Op_1:
    case wi::InstrKind::Imm_Index_Offset_Op_2:
    case wi::InstrKind::Imm_Index_Offset_Op_3:
    case wi::InstrKind::Imm_I32_I32_Op_0: out.Emit(op, instr.imm_u32x2.fst, instr.imm_u32x2.snd); break;
    case wi::InstrKind::Imm_Index_Offset_Lane_Op_2:
      out.Emit(op, instr.imm_u32x2_u8.fst, instr.imm_u32x2_u8.snd, instr.imm_u32x2_u8.idx);
      break;
    case wi::InstrKind::Imm_I64_Op_0: out.Emit(op, wi::u64(instr.imm_u64)); break;
    case wi::InstrKind::Imm_F64_Op_0: {
      wi::u64 bits;
      std::memcpy(&bits, &instr.imm_f64, 8);
      out.Emit(op, bits);
      break;
    }
    case wi::InstrKind::Imm_I8_Op_1:
    case wi::InstrKind::Imm_I8_Op_2: out.Emit(op, wi::u8(instr.imm_u8)); break;
    case wi::InstrKind::Imm_V128_Op_0:
    case wi::InstrKind::Imm_V128_Op_2: out.Emit(op, instr.imm_v128); break;
  }
}

/// The spec §4.6 budgets hold across every memory and table of the component, so the grow instructions must consult
/// one running total. wabt's interpreter has no grow hook: `memory.grow` / `table.grow` call the non-virtual
/// Memory::Grow / Table::Grow, which only compare against that one memory's or table's own `limits.max`. Clamping
/// those maxima ahead of time can only split the remaining budget between the memories (each may then grow by all
/// of it: the defect of issue 17), and a check on every executed instruction would tax all code for a rare one.
/// So the compiled code is changed once, at load: each `memory.grow m` / `table.grow t` becomes `call_import` of a
/// function index past the module's own functions (`first_hook + m`, `first_hook + memories + t`), where
/// Engine::instantiate appends one host hook per memory and table that applies the shared budget. Both instructions
/// and their replacement are an opcode plus one u32, so every other instruction keeps its offset (branch targets and
/// function entry points stay valid); the copy is checked instruction by instruction and refused if an offset moves.
bool route_grows_to_hooks(wi::Istream& istream, wi::u32 first_hook, wi::u32 memories, std::string* error) {
  // Most modules never grow a memory or table: reading is cheap, rewriting the whole stream is not.
  bool grows = false;
  for (wi::Istream::Offset pc = 0; pc < istream.end() && !grows;) {
    auto op = istream.Read(&pc).op;
    grows = op == wabt::Opcode::MemoryGrow || op == wabt::Opcode::TableGrow;
  }
  if (!grows) return true;
  wi::Istream out;
  for (wi::Istream::Offset pc = 0; pc < istream.end();) {
    wi::Istream::Offset at = pc;
    wi::Instr instr = istream.Read(&pc);
    if (instr.op == wabt::Opcode::MemoryGrow)
      out.Emit(wabt::Opcode::InterpCallImport, wi::u32(first_hook + instr.imm_u32));
    else if (instr.op == wabt::Opcode::TableGrow)
      out.Emit(wabt::Opcode::InterpCallImport, wi::u32(first_hook + memories + instr.imm_u32));
    else
      emit_same(out, instr);
    if (out.end() != pc) {
      *error = "cannot instrument the compiled code at offset " + std::to_string(at) + " (opcode " +
               instr.op.GetName() + ")";
      return false;
    }
  }
  istream = std::move(out);
  return true;
}

}  // namespace

struct Engine::Impl {
  wi::Store store;
  uint64_t max_pages = 65536;
  struct LoadedModule {
    wi::Module::Ptr module;
    std::vector<Import> imports;
    std::vector<Export> exports;
    // Run by Engine::instantiate once the grow hooks are in place (wabt would run them inside Instantiate, before).
    std::vector<wi::StartDesc> starts;
    wi::u32 functions = 0;  // imported and defined: the first grow hook's index
  };
  std::vector<LoadedModule> modules;
  struct LiveInstance {
    wi::Instance::Ptr instance;
  };
  std::vector<LiveInstance> instances;
  std::vector<uint32_t> instance_modules;  // module of each instance
  size_t memories = 0, tables = 0;          // defined by instantiated modules
  // Every memory and table defined so far: the budgets of spec §4.6 are over all of them together.
  std::vector<wi::Ref> all_memories, all_tables;

  uint64_t memory_pages() {
    uint64_t used = 0;
    for (auto ref : all_memories) used += store.UnsafeGet<wi::Memory>(ref)->PageSize();
    return used;
  }
  uint64_t table_elements() {
    uint64_t used = 0;
    for (auto ref : all_tables) used += store.UnsafeGet<wi::Table>(ref)->size();
    return used;
  }

  /// The host function that replaces `memory.grow` on `memory` (see route_grows_to_hooks): the same result as the
  /// instruction (old size in pages, or -1), with the budget over all memories applied first.
  wi::Ref memory_grow_hook(wi::Ref memory) {
    bool is_64 = store.UnsafeGet<wi::Memory>(memory)->type().limits.is_64;
    wabt::Type index = is_64 ? wabt::Type::I64 : wabt::Type::I32;
    auto fn = wi::HostFunc::New(store, wi::FuncType({index}, {index}),
                                [this, memory, is_64](wi::Thread&, const wi::Values& params, wi::Values& results,
                                                      wi::Trap::Ptr*) -> wabt::Result {
                                  uint64_t delta = is_64 ? params[0].Get<wi::u64>() : params[0].Get<wi::u32>();
                                  auto mem = store.UnsafeGet<wi::Memory>(memory);
                                  uint64_t old = mem->PageSize(), used = memory_pages();
                                  bool ok = delta <= max_pages - std::min(used, max_pages) && wabt::Succeeded(mem->Grow(delta));
                                  uint64_t out = ok ? old : ~uint64_t(0);
                                  results[0] = is_64 ? wi::Value::Make(wi::u64(out)) : wi::Value::Make(wi::u32(out));
                                  return wabt::Result::Ok;
                                });
    host_funcs.push_back(fn);
    return fn.ref();
  }

  /// The host function that replaces `table.grow` on `table`: old size or -1, within the elements of all tables.
  wi::Ref table_grow_hook(wi::Ref table) {
    wabt::Type element = store.UnsafeGet<wi::Table>(table)->type().element;
    auto fn = wi::HostFunc::New(store, wi::FuncType({element, wabt::Type::I32}, {wabt::Type::I32}),
                                [this, table](wi::Thread&, const wi::Values& params, wi::Values& results,
                                              wi::Trap::Ptr*) -> wabt::Result {
                                  wi::Ref init = params[0].Get<wi::Ref>();
                                  wi::u32 delta = params[1].Get<wi::u32>();
                                  auto t = store.UnsafeGet<wi::Table>(table);
                                  wi::u32 old = t->size();
                                  uint64_t used = table_elements();
                                  bool ok = delta <= kMaxTableElements - std::min(used, kMaxTableElements) &&
                                            wabt::Succeeded(t->Grow(store, delta, init));
                                  results[0] = wi::Value::Make(ok ? old : ~wi::u32(0));
                                  return wabt::Result::Ok;
                                });
    host_funcs.push_back(fn);
    return fn.ref();
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
  wi::u32 memories = wi::u32(desc.memories.size());
  loaded.functions = wi::u32(desc.funcs.size());
  for (const auto& imp : desc.imports) {
    if (imp.type.type->kind == wabt::ExternalKind::Func) ++loaded.functions;
    if (imp.type.type->kind == wabt::ExternalKind::Memory) ++memories;
  }
  std::string why;
  if (!route_grows_to_hooks(desc.istream, loaded.functions, memories, &why)) {
    *error = "core module " + name + ": " + why;
    return false;
  }
  loaded.starts = std::move(desc.starts);
  desc.starts.clear();
  for (const auto& imp : desc.imports) {
    Import i{imp.type.module, imp.type.name, extern_kind(imp.type.type->kind), {}};
    if (auto* ft = wabt::dyn_cast<wi::FuncType>(imp.type.type.get())) i.func = from_wabt(*ft);
    loaded.imports.push_back(std::move(i));
  }
  for (const auto& exp : desc.exports) loaded.exports.push_back({exp.type.name, extern_kind(exp.type.type->kind)});
  loaded.module = wi::Module::New(impl_->store, std::move(desc));  // the description is done with: no copy
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
  uint64_t elements = impl_->table_elements(), pages = impl_->memory_pages();
  for (const auto& t : desc.tables) elements += t.type.limits.initial;
  for (const auto& mem : desc.memories) pages += mem.type.limits.initial;
  if (memories > kMaxMemories || tables > kMaxTables || elements > kMaxTableElements) {
    *error = "instantiating would exceed the limits of " + std::to_string(kMaxMemories) + " memories, " +
             std::to_string(kMaxTables) + " tables and " + std::to_string(kMaxTableElements) + " table elements";
    return false;
  }
  // Checked before wabt allocates (and zero-fills) the initial pages.
  if (pages > impl_->max_pages) {
    *error = "the memories need " + std::to_string(pages * kPageSize / (1024 * 1024)) + " MiB at start, above the limit of " +
             std::to_string(impl_->max_pages * kPageSize / (1024 * 1024)) + " MiB";
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
  // The grow hooks go right after the module's own functions, at the indices route_grows_to_hooks gave them. The
  // function list is only reachable through a const accessor; the member itself is not const.
  auto& funcs = const_cast<wi::RefVec&>(inst->funcs());
  if (funcs.size() != m.functions) {
    *error = "core module instance has " + std::to_string(funcs.size()) + " functions, expected " +
             std::to_string(m.functions);
    return false;
  }
  for (auto ref : inst->memories()) funcs.push_back(impl_->memory_grow_hook(ref));
  for (auto ref : inst->tables()) funcs.push_back(impl_->table_grow_hook(ref));
  for (size_t i = inst->memories().size() - desc.memories.size(); i < inst->memories().size(); ++i)
    impl_->all_memories.push_back(inst->memories()[i]);
  for (size_t i = inst->tables().size() - desc.tables.size(); i < inst->tables().size(); ++i)
    impl_->all_tables.push_back(inst->tables()[i]);
  *instance = uint32_t(impl_->instances.size());
  impl_->memories = memories;
  impl_->tables = tables;
  impl_->instances.push_back({inst});
  impl_->instance_modules.push_back(module);
  for (const auto& start : m.starts) {
    wi::Func::Ptr fn{impl_->store, inst->funcs()[start.func_index]};
    wi::Values results;
    if (wabt::Failed(fn->Call(impl_->store, {}, results, &trap))) {
      *error = trap ? trap->message() : std::string("start function failed");
      return false;
    }
  }
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
        bool ok = callback(args, res, &kind, &message);
        if (!ok) {
          impl->pending_kind = kind;
          impl->pending_message = message;
          *out_trap = wi::Trap::New(impl->store, message);
          return wabt::Result::Error;
        }
        // A guest's call presizes `results`; a call from the embedder (CoreEngine::call on a host function) does not.
        if (results.size() < res.size()) results.resize(res.size());
        for (size_t i = 0; i < res.size(); ++i) results[i] = to_value(res[i]);
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
