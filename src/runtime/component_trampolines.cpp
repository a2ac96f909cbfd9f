// Core functions of a component instance: aliases of core exports, `canon lower` trampolines into component
// functions, resource built-ins, and calls into lifted functions.

#include <algorithm>

#include "component_evaluator.hpp"

namespace weft::runtime::linker {

Result<CoreExtern> Evaluator::core_func(uint32_t index) {
  return memo(core_funcs, index, "core func", [&]() -> Result<CoreExtern> {
    const CoreItemDef& d = comp.core_funcs[index];
    switch (d.kind) {
      case CoreItemDef::Kind::alias: return core_alias(d.alias, "core func", CoreExternKind::func);
      case CoreItemDef::Kind::canon_lower: return lower_trampoline(d);
      default: return resource_builtin(d);
    }
  });
}

namespace {

/// The trap a direct host call's failure raises: the one the generic path raises at the same point.
Trap trap_of(DirectFailure failure, const std::string& name) {
  switch (failure.stage) {
    case DirectFailure::Stage::arguments:
      return Trap{"canonical-abi", "arguments of " + name + ": " + failure.message};
    case DirectFailure::Stage::host: return Trap{"host", std::move(failure.message)};
    default: return Trap{"canonical-abi", "result of " + name + ": " + failure.message};
  }
}

}  // namespace

namespace {

/// One `canon lower`: the component function it calls and its options, whose memory and realloc are resolved at the
/// first call (they may belong to a core instance made after this trampoline) and kept — looking them up on every
/// call was the largest single cost of a host call. One allocation per trampoline (instantiating links one per
/// lowered import). As a DirectLowering, compiled code calls the host function's typed entry with it (host_direct.hpp).
struct Lowering : DirectLowering {
  FuncPtr target;
  LoweredShape shape;
  size_t flat_params = 0;
  Evaluator* owner = nullptr;  // the evaluator whose index spaces the options refer to; outlives its trampolines
  CanonOptions options;
  std::optional<CanonContext> resolved;

  Lowering(FuncPtr target_, LoweredShape shape_, size_t flat_params_, Evaluator* owner_, CanonOptions options_)
      : target(std::move(target_)), shape(std::move(shape_)), flat_params(flat_params_), owner(owner_),
        options(std::move(options_)) {
    body = target->direct ? target->direct->body() : nullptr;
    sig = target->sig.get();
    resolve = &Lowering::resolve_context;
    trap = &Lowering::trap_at;
  }

  std::optional<Trap> resolve_options() {
    if (resolved) return std::nullopt;
    auto resolved_context = owner->context(options);
    if (!resolved_context) return Trap{"link", target->name() + ": " + resolved_context.error().message};
    resolved = std::move(*resolved_context);
    context = &*resolved;
    return std::nullopt;
  }
  static std::optional<Trap> resolve_context(DirectLowering& self) {
    return static_cast<Lowering&>(self).resolve_options();
  }
  static Trap trap_at(const DirectLowering& self, DirectFailure failure) {
    return trap_of(std::move(failure), static_cast<const Lowering&>(self).target->name());
  }

  /// A host function whose C++ type has a direct entry, called over an array of flat values (the boxed HostFunction:
  /// the interpreter, CoreEngine::call): no `Val`s, the same checks and traps. Each call works on a copy of the
  /// context, so its element budget starts afresh.
  std::optional<Trap> call_direct(const uint64_t* args, uint64_t* results) {
    if (auto trap_raised = resolve_options()) return trap_raised;
    CanonContext cx = *resolved;
    auto failure = target->direct->call(cx, *target->sig, args, flat_params, results);
    if (!failure) return std::nullopt;
    return trap_at(*this, std::move(*failure));
  }

  /// Any component function, through lifted `Val`s.
  std::optional<Trap> call_lifted(std::span<const CoreValue> args, std::span<CoreValue> results) {
    if (auto trap_raised = resolve_options()) return trap_raised;
    CanonContext cx = *resolved;
    const FuncSig& signature = *target->sig;
    auto values = lift_lowered_args(cx, signature, shape, args);
    if (!values) return Trap{"canonical-abi", "arguments of " + target->name() + ": " + values.error().message};
    CallOutcome out = call_func(*target, *values);
    if (out.trap) return out.trap;
    auto lowered = lower_lowered_result(cx, signature, shape, out.value, args, results);
    if (!lowered) return Trap{"canonical-abi", "result of " + target->name() + ": " + lowered.error().message};
    return std::nullopt;
  }
};

}  // namespace

Result<CoreExtern> Evaluator::lower_trampoline(const CoreItemDef& d) {
  WEFT_TRY(FuncPtr target, func(d.func));
  WEFT_TRY_VOID(check_options(d.options, nullptr, [&] { return "canon lower of " + target->name(); }));
  LoweredShape shape;
  CoreFuncType flat = flatten_lowered(*target->sig, shape);
  auto lowering = std::make_shared<Lowering>(target, shape, flat.params.size(), this, d.options);
  // Compiled code may call the direct entry's typed form, with the core arguments as C values.
  if (target->direct && !lowering->shape.params_in_memory) {
    HostFunction boxed = [lowering](std::span<const CoreValue> args,
                                    std::span<CoreValue> results) -> std::optional<Trap> {
      uint64_t in[kMaxFlatParams + 1] = {}, out[kMaxFlatResults] = {};
      if (args.size() != lowering->flat_params || args.size() > std::size(in))
        return Trap{"host", lowering->target->name() + ": called with " + std::to_string(args.size()) + " core values"};
      for (size_t i = 0; i < args.size(); ++i) in[i] = args[i].bits;
      auto trap = lowering->call_direct(in, out);
      for (size_t i = 0; i < results.size() && i < std::size(out); ++i) results[i].bits = out[i];
      return trap;
    };
    // The typed entry's C parameters are the C++ signature's flat values; they must be the lowered core type's (the
    // link-time type check makes them so; should they ever differ, compiled code takes the boxed path).
    const DirectHostCall::Typed& typed = target->direct->typed();
    bool typed_fits = typed.entry && std::ranges::equal(typed.params, flat.params);
    UnboxedHostEntry entry{typed_fits ? typed.entry : nullptr, static_cast<DirectLowering*>(lowering.get())};
    return st.engine->unboxed_host_function(std::move(flat), std::move(boxed), entry);
  }
  return st.engine->host_function(std::move(flat), [lowering](std::span<const CoreValue> args,
                                                              std::span<CoreValue> results) {
    return lowering->call_lifted(args, results);
  });
}

Result<CoreExtern> Evaluator::resource_builtin(const CoreItemDef& d) {
  WEFT_TRY(TypeVal t, type(d.resource_type));
  if (t.kind != TypeVal::Kind::resource)
    return fail("canon resource built-in on type " + std::to_string(d.resource_type) + ", which is not a resource");
  ResourceTypePtr res = t.resource;
  // resource.new and resource.rep make and read reps of a resource the component implements itself; on an imported
  // (host) resource they would forge handles to host objects. resource.drop of an imported resource is legal.
  if (d.kind != CoreItemDef::Kind::resource_drop && !res->defined_by_guest)
    return fail(std::string("canon ") + (d.kind == CoreItemDef::Kind::resource_new ? "resource.new" : "resource.rep") +
                " on imported resource '" + res->name + "': only a resource the component defines has reps to make");
  HandleTable* handles = &st.handles;
  CoreFuncType i32_to_i32{{CoreType::i32}, {CoreType::i32}};
  switch (d.kind) {
    case CoreItemDef::Kind::resource_new:
      return st.engine->host_function(i32_to_i32, [handles, res](auto args, auto results) -> std::optional<Trap> {
        auto handle = handles->add(res, args[0].as_i32(), true);
        if (!handle) return Trap{"resource", "resource.new: " + handle.error().message};
        results[0] = CoreValue::i32(*handle);
        return std::nullopt;
      });
    case CoreItemDef::Kind::resource_rep:
      return st.engine->host_function(i32_to_i32, [handles, res](auto args, auto results) -> std::optional<Trap> {
        auto e = handles->get(args[0].as_i32(), res.get());
        if (!e) return Trap{"resource", "resource.rep: " + e.error().message};
        results[0] = CoreValue::i32((*e)->rep);
        return std::nullopt;
      });
    default:
      return st.engine->host_function({{CoreType::i32}, {}}, [handles, res](auto args, auto) -> std::optional<Trap> {
        auto e = handles->remove(args[0].as_i32(), res.get());
        if (!e) return Trap{"resource", "resource.drop: " + e.error().message};
        if (e->own && res->host_drop) res->host_drop(e->rep);
        return std::nullopt;
      });
  }
}

CallOutcome call_func(Func& f, std::vector<Val>& args) {
  CallOutcome out;
  if (f.host) {
    auto r = (*f.host)(args);
    if (!r) out.trap = Trap{"host", r.error().message};
    else out.value = std::move(r).value();
    return out;
  }
  auto cx = f.owner->context(f.options);
  if (!cx) {
    out.trap = Trap{"link", f.name() + ": " + cx.error().message};
    return out;
  }
  auto core_args = lower_lifted_args(*cx, *f.sig, args);
  if (!core_args) {
    out.trap = Trap{"canonical-abi", "arguments of " + f.name() + ": " + core_args.error().message};
    return out;
  }
  std::vector<CoreValue> results;
  if (auto trap = cx->engine->call(f.core, *core_args, results)) {
    out.trap = std::move(trap);
    return out;
  }
  auto value = lift_lifted_result(*cx, *f.sig, results);
  if (!value) {
    out.trap = Trap{"canonical-abi", "result of " + f.name() + ": " + value.error().message};
    return out;
  }
  out.value = std::move(value).value();
  if (f.options.post_return) {
    auto post = f.owner->core_func(*f.options.post_return);
    if (!post) {
      out.trap = Trap{"link", "post-return of " + f.name() + ": " + post.error().message};
      return out;
    }
    std::vector<CoreValue> ignored;
    if (auto trap = cx->engine->call(*post, results, ignored)) out.trap = std::move(trap);
  }
  return out;
}

}  // namespace weft::runtime::linker
