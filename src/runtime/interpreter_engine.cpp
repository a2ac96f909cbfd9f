// CoreEngine backend 1: the libwabt interpreter, through the C++17 bridge.

#include "wabt_bridge.hpp"
#include "weft/runtime/core_engine.hpp"

namespace weft::runtime {

namespace {

namespace wb = wabt_bridge;

CoreFuncType from_bridge(const wb::FuncType& ft) {
  CoreFuncType out;
  for (auto k : ft.params) out.params.push_back(CoreType(k));
  for (auto k : ft.results) out.results.push_back(CoreType(k));
  return out;
}

wb::FuncType to_bridge(const CoreFuncType& ft) {
  wb::FuncType out;
  for (auto t : ft.params) out.params.push_back(uint8_t(t));
  for (auto t : ft.results) out.results.push_back(uint8_t(t));
  return out;
}

class InterpreterEngine final : public CoreEngine {
 public:
  void set_memory_limit(uint64_t bytes) override { bridge_.set_max_pages(bytes / 65536); }

  Result<ModuleId> load(std::span<const uint8_t> wasm, std::string_view name) override {
    uint32_t id = 0;
    std::string error;
    if (!bridge_.load(wasm.data(), wasm.size(), std::string(name), &id, &error)) return fail(error);
    CachedModule cached;
    for (const auto& i : bridge_.imports(id))
      cached.imports.push_back({i.module, i.name, CoreExternKind(i.kind), from_bridge(i.func)});
    for (const auto& e : bridge_.exports(id)) cached.exports.push_back({e.name, CoreExternKind(e.kind)});
    modules_.push_back(std::move(cached));
    return id;
  }

  const std::vector<CoreImport>& imports(ModuleId module) const override { return modules_.at(module).imports; }
  const std::vector<CoreExport>& exports(ModuleId module) const override { return modules_.at(module).exports; }

  Result<InstanceId> instantiate(ModuleId module, std::span<const CoreExtern> imports) override {
    std::vector<wb::Extern> refs;
    for (const auto& e : imports) refs.push_back({uint8_t(e.kind), e.id});
    uint32_t id = 0;
    std::string error;
    if (!bridge_.instantiate(module, refs, &id, &error)) return fail(error);
    return id;
  }

  std::optional<CoreExtern> export_of(InstanceId instance, std::string_view name) const override {
    wb::Extern e{};
    if (!bridge_.export_of(instance, std::string(name), &e)) return std::nullopt;
    return CoreExtern{CoreExternKind(e.kind), e.ref};
  }

  CoreExtern host_function(CoreFuncType type, HostFunction fn) override {
    auto e = bridge_.host_function(
        to_bridge(type), [fn = std::move(fn)](const std::vector<wb::Value>& args, std::vector<wb::Value>& results,
                                              std::string* kind, std::string* message) {
          std::vector<CoreValue> in(args.size()), out(results.size());
          for (size_t i = 0; i < args.size(); ++i) in[i] = {CoreType(args[i].type), args[i].bits};
          for (size_t i = 0; i < results.size(); ++i) out[i].type = CoreType(results[i].type);
          if (auto trap = fn(in, out)) {
            *kind = trap->kind;
            *message = trap->message;
            return false;
          }
          for (size_t i = 0; i < results.size(); ++i) results[i] = {uint8_t(out[i].type), out[i].bits};
          return true;
        });
    return {CoreExternKind::func, e.ref};
  }

  CoreFuncType func_type(CoreExtern func) const override {
    return from_bridge(const_cast<wb::Engine&>(bridge_).func_type({uint8_t(func.kind), func.id}));
  }

  std::optional<Trap> call(CoreExtern func, std::span<const CoreValue> args,
                           std::vector<CoreValue>& results) override {
    std::vector<wb::Value> in;
    in.reserve(args.size());
    for (const auto& a : args) in.push_back({uint8_t(a.type), a.bits});
    std::vector<wb::Value> out;
    std::string kind, message;
    if (!bridge_.call({uint8_t(func.kind), func.id}, in, &out, &kind, &message)) return Trap{kind, message};
    results.resize(out.size());
    for (size_t i = 0; i < out.size(); ++i) results[i] = {CoreType(out[i].type), out[i].bits};
    return std::nullopt;
  }

  std::span<uint8_t> memory(CoreExtern memory) override {
    uint64_t size = 0;
    uint8_t* data = bridge_.memory({uint8_t(memory.kind), memory.id}, &size);
    return {data, size_t(size)};
  }

 private:
  struct CachedModule {
    std::vector<CoreImport> imports;
    std::vector<CoreExport> exports;
  };
  wb::Engine bridge_;
  std::vector<CachedModule> modules_;
};

}  // namespace

std::unique_ptr<CoreEngine> make_interpreter_engine() { return std::make_unique<InterpreterEngine>(); }

}  // namespace weft::runtime
