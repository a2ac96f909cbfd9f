// Type resolution for instantiation: component `deftype`s into resolved value types, function signatures, resource
// identities and instance/component type bodies.

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "component_linker.hpp"

namespace weft::runtime::linker {
namespace {

CType::Kind from_prim(Prim p) {
  switch (p) {
    case Prim::bool_: return CType::Kind::bool_;
    case Prim::s8: return CType::Kind::s8;
    case Prim::u8: return CType::Kind::u8;
    case Prim::s16: return CType::Kind::s16;
    case Prim::u16: return CType::Kind::u16;
    case Prim::s32: return CType::Kind::s32;
    case Prim::u32: return CType::Kind::u32;
    case Prim::s64: return CType::Kind::s64;
    case Prim::u64: return CType::Kind::u64;
    case Prim::f32: return CType::Kind::f32;
    case Prim::f64: return CType::Kind::f64;
    case Prim::char_: return CType::Kind::char_;
    default: return CType::Kind::string;
  }
}

Result<CTypePtr> optional_valtype(const std::optional<ValType>& vt, Scope& scope) {
  if (!vt) return CTypePtr{};
  return resolve_valtype(*vt, scope);
}

}  // namespace

Result<TypeVal> Scope::outer_type(uint32_t count, uint32_t index) {
  Scope* s = this;
  for (uint32_t i = 0; i < count; ++i) {
    if (!s->outer) return fail("outer alias count " + std::to_string(count) + " reaches past the outermost component");
    s = s->outer;
  }
  return s->type(index);
}

Result<TypeVal> LocalScope::type(uint32_t index) {
  if (index >= types.size())
    return fail("type index " + std::to_string(index) + " out of range (" + std::to_string(types.size()) + " types)");
  return types[index];
}

Result<CTypePtr> resolve_valtype(const ValType& vt, Scope& scope) {
  if (vt.is_prim) {
    if (vt.prim == Prim::error_context) return fail("error-context values are not supported (component model async)");
    return prim_type(from_prim(vt.prim));
  }
  WEFT_TRY(TypeVal t, scope.type(vt.index));
  if (t.kind != TypeVal::Kind::value)
    return fail("type index " + std::to_string(vt.index) + " is not a value type");
  return t.value;
}

Result<TypeVal> resolve_typedef(const TypeDef& def, Scope& scope, const std::string& name) {
  using DK = TypeDef::Kind;
  using CK = CType::Kind;
  TypeVal out;
  // Only value types other than primitives get a CType; resolving every import's types is most of a link, so the
  // vectors are sized once.
  bool composite = def.kind != DK::prim && def.kind != DK::func && def.kind != DK::resource &&
                   def.kind != DK::instance && def.kind != DK::component;
  auto ct = composite ? std::make_shared<CType>() : nullptr;
  if (composite) {
    ct->elems.reserve(def.fields.size());
    ct->names.reserve(def.fields.size());
  }
  switch (def.kind) {
    case DK::prim: {
      if (def.prim == Prim::error_context) return fail("error-context values are not supported");
      out.value = prim_type(from_prim(def.prim));
      return out;
    }
    case DK::record:
    case DK::tuple:
      ct->kind = def.kind == DK::record ? CK::record : CK::tuple;
      for (const auto& f : def.fields) {
        WEFT_TRY(CTypePtr ft, resolve_valtype(*f.type, scope));
        ct->elems.push_back(ft);
        ct->names.push_back(f.name);
      }
      break;
    case DK::variant:
      ct->kind = CK::variant;
      for (const auto& f : def.fields) {
        WEFT_TRY(CTypePtr ft, optional_valtype(f.type, scope));
        ct->elems.push_back(ft);
        ct->names.push_back(f.name);
      }
      break;
    case DK::flags:
    case DK::enum_:
      ct->kind = def.kind == DK::flags ? CK::flags : CK::enum_;
      if (def.kind == DK::flags && def.fields.size() > 64) return fail("flags with more than 64 labels");
      for (const auto& f : def.fields) ct->names.push_back(f.name);
      break;
    case DK::list:
    case DK::option: {
      ct->kind = def.kind == DK::list ? CK::list : CK::option;
      WEFT_TRY(CTypePtr e, resolve_valtype(*def.element, scope));
      ct->elems.push_back(e);
      break;
    }
    case DK::result: {
      ct->kind = CK::result;
      WEFT_TRY(CTypePtr ok_type, optional_valtype(def.element, scope));
      WEFT_TRY(CTypePtr err_type, optional_valtype(def.error, scope));
      ct->elems = {ok_type, err_type};
      break;
    }
    case DK::own:
    case DK::borrow: {
      ct->kind = def.kind == DK::own ? CK::own : CK::borrow;
      WEFT_TRY(TypeVal r, scope.type(def.resource_index));
      if (r.kind != TypeVal::Kind::resource)
        return fail("own/borrow of type index " + std::to_string(def.resource_index) + ", which is not a resource");
      ct->resource = r.resource;
      break;
    }
    case DK::func: {
      auto sig = std::make_shared<FuncSig>();
      sig->params.reserve(def.fields.size());
      sig->param_names.reserve(def.fields.size());
      for (const auto& p : def.fields) {
        WEFT_TRY(CTypePtr pt, resolve_valtype(*p.type, scope));
        sig->params.push_back(pt);
        sig->param_names.push_back(p.name);
      }
      WEFT_TRY(sig->result, optional_valtype(def.element, scope));
      out.kind = TypeVal::Kind::func;
      out.func = sig;
      return out;
    }
    case DK::resource: {
      out.kind = TypeVal::Kind::resource;
      out.resource = std::make_shared<ResourceType>();
      out.resource->name = name.empty() ? std::string("component resource") : name;
      out.resource->defined_by_guest = true;
      return out;
    }
    case DK::instance:
    case DK::component:
      out.kind = def.kind == DK::instance ? TypeVal::Kind::instance : TypeVal::Kind::component;
      out.def = &def;
      out.scope = &scope;
      return out;
    case DK::fixed_list:
    case DK::stream:
    case DK::future: return fail("fixed-length lists, streams and futures are not supported");
  }
  for (const auto& e : ct->elems)
    if (e) ct->depth = std::max(ct->depth, e->depth + 1);
  if (ct->depth > kMaxTypeDepth) return fail("value type nested deeper than " + std::to_string(kMaxTypeDepth) + " levels");
  out.value = ct;
  return out;
}

namespace {

/// Visits each shared element once (`seen`): a type is a DAG whose paths may be exponential in its depth.
bool names_resource(const CType* t, std::unordered_set<const CType*>& seen) {
  if (!t) return false;
  if (t->kind == CType::Kind::own || t->kind == CType::Kind::borrow) return true;
  if (t->elems.empty() || !seen.insert(t).second) return false;
  for (const auto& e : t->elems)
    if (names_resource(e.get(), seen)) return true;
  return false;
}

/// Bounded: emptied when full (the WASI and weft:app imports of one component are ≈ 30 instance types).
class SharedImportTypes {
 public:
  static constexpr size_t kMaxInstanceTypes = 1024;

  static SharedImportTypes& of_this_thread() {
    thread_local SharedImportTypes shared;
    return shared;
  }
  SharedDeclarators find(const TypeDef* def) const {
    auto it = entries_.find(def);
    return it == entries_.end() ? nullptr : it->second.declarators;
  }
  void remember(std::shared_ptr<const TypeDef> def, std::vector<std::optional<TypeVal>> declarators) {
    if (entries_.size() >= kMaxInstanceTypes) entries_.clear();
    const TypeDef* key = def.get();
    entries_.insert_or_assign(
        key, Entry{std::move(def), std::make_shared<const std::vector<std::optional<TypeVal>>>(std::move(declarators))});
  }

 private:
  struct Entry {
    std::shared_ptr<const TypeDef> def;
    SharedDeclarators declarators;
  };
  std::unordered_map<const TypeDef*, Entry> entries_;
};

}  // namespace

bool names_resource(const TypeVal& t) {
  std::unordered_set<const CType*> seen;
  if (t.kind == TypeVal::Kind::value) return names_resource(t.value.get(), seen);
  if (t.kind != TypeVal::Kind::func) return true;
  for (const auto& p : t.func->params)
    if (names_resource(p.get(), seen)) return true;
  return names_resource(t.func->result.get(), seen);
}

SharedDeclarators shared_import_types(const TypeDef* instance_type) {
  return SharedImportTypes::of_this_thread().find(instance_type);
}

void share_import_types(std::shared_ptr<const TypeDef> instance_type, std::vector<std::optional<TypeVal>> declarators) {
  SharedImportTypes::of_this_thread().remember(std::move(instance_type), std::move(declarators));
}

}  // namespace weft::runtime::linker
