// Host functions' WIT types (host_types.hpp): construction, structural comparison with a guest's declared types,
// and text for refusals.

#include "weft/runtime/host_types.hpp"

#include <algorithm>
#include <cstring>

namespace weft::runtime::wit {
namespace {

using K = CType::Kind;

std::shared_ptr<CType> finish(std::shared_ptr<CType> t) {
  for (const auto& e : t->elems)
    if (e) t->depth = std::max(t->depth, e->depth + 1);
  return t;
}

CTypePtr named(K kind, std::initializer_list<std::pair<std::string, CTypePtr>> items) {
  auto t = std::make_shared<CType>();
  t->kind = kind;
  for (const auto& [name, type] : items) {
    t->names.push_back(name);
    t->elems.push_back(type);
  }
  return finish(t);
}

CTypePtr labels(K kind, std::initializer_list<std::string> names) {
  auto t = std::make_shared<CType>();
  t->kind = kind;
  t->names.assign(names.begin(), names.end());
  return t;
}

const char* kind_name(K k) {
  switch (k) {
    case K::bool_: return "bool";
    case K::s8: return "s8";
    case K::u8: return "u8";
    case K::s16: return "s16";
    case K::u16: return "u16";
    case K::s32: return "s32";
    case K::u32: return "u32";
    case K::s64: return "s64";
    case K::u64: return "u64";
    case K::f32: return "f32";
    case K::f64: return "f64";
    case K::char_: return "char";
    case K::string: return "string";
    case K::list: return "list";
    case K::record: return "record";
    case K::tuple: return "tuple";
    case K::variant: return "variant";
    case K::enum_: return "enum";
    case K::flags: return "flags";
    case K::option: return "option";
    case K::result: return "result";
    case K::own: return "own";
    case K::borrow: return "borrow";
  }
  return "?";
}

// Below this many levels, or past this many members, a type is written as its kind and size only, so a refusal
// stays one readable line.
constexpr int kDescribeLevels = 2;
constexpr size_t kDescribeMembers = 8;

std::string describe_at(const CType* t, int levels) {
  if (!t) return "_";
  std::string out = kind_name(t->kind);
  // list, option, result and tuple are written through: only named types (record, variant, enum, flags) count as
  // a level.
  const bool named = t->kind == K::record || t->kind == K::variant || t->kind == K::enum_ || t->kind == K::flags;
  const int inner = named ? levels - 1 : levels;
  auto list = [&](const char* open, const char* close, bool with_names, bool with_types) {
    size_t n = std::max(t->elems.size(), t->names.size());
    if ((named && levels <= 0) || n > kDescribeMembers) return out + "(" + std::to_string(n) + ")";
    out += open;
    for (size_t i = 0; i < n; ++i) {
      if (i) out += ", ";
      if (with_names) out += t->names[i];
      if (with_types && i < t->elems.size()) {
        const CType* e = t->elems[i].get();
        if (t->kind == K::record) out += ": " + describe_at(e, inner);
        else if (t->kind == K::variant) out += e ? "(" + describe_at(e, inner) + ")" : "";
        else out += describe_at(e, inner);
      }
    }
    return out + close;
  };
  switch (t->kind) {
    case K::list:
    case K::option:
    case K::tuple: return list("<", ">", false, true);
    case K::result:
      if (!t->elems[0] && !t->elems[1]) return out;
      if (!t->elems[1]) return out + "<" + describe_at(t->elems[0].get(), inner) + ">";
      return list("<", ">", false, true);
    case K::record:
    case K::variant: return list("{", "}", true, true);
    case K::enum_:
    case K::flags: return list("{", "}", true, false);
    case K::own:
    case K::borrow: return out + "<" + (t->resource ? t->resource->name : std::string("?")) + ">";
    default: return out;
  }
}

std::string at(const std::string& where, const std::string& why) { return where + ": " + why; }

std::string names_mismatch(const CType& guest, const CType& host, const char* what) {
  if (guest.names.size() != host.names.size())
    return std::string(kind_name(host.kind)) + " with " + std::to_string(guest.names.size()) + " " + what +
           ", expected " + std::to_string(host.names.size());
  for (size_t i = 0; i < host.names.size(); ++i)
    if (guest.names[i] != host.names[i])
      return std::string(what, std::strlen(what) - 1) + " " + std::to_string(i + 1) + " is named '" + guest.names[i] +
             "', expected '" + host.names[i] + "'";
  return "";
}

/// `where` builds the position's text, only for a mismatch: a link checks every host function's type, and a match
/// allocates nothing.
template <class Where>
std::string elem_mismatch(const CTypePtr& guest, const CTypePtr& host, const Where& where) {
  if (!guest && !host) return "";
  if (!guest || !host) return at(where(), describe_at(guest.get(), 1) + ", expected " + describe_at(host.get(), 1));
  std::string why = mismatch(*guest, *host);
  return why.empty() ? why : at(where(), why);
}

}  // namespace

CTypePtr record(std::initializer_list<std::pair<std::string, CTypePtr>> fields) { return named(K::record, fields); }
CTypePtr variant(std::initializer_list<std::pair<std::string, CTypePtr>> cases) { return named(K::variant, cases); }
CTypePtr enumeration(std::initializer_list<std::string> cases) { return labels(K::enum_, cases); }
CTypePtr flags(std::initializer_list<std::string> names) { return labels(K::flags, names); }

CTypePtr handle(CType::Kind own_or_borrow, std::string_view resource_name) {
  auto t = std::make_shared<CType>();
  t->kind = own_or_borrow;
  t->resource = std::make_shared<ResourceType>();
  t->resource->name = std::string(resource_name);
  return t;
}

CTypePtr compose(CType::Kind kind, std::vector<CTypePtr> elems) {
  auto t = std::make_shared<CType>();
  t->kind = kind;
  t->elems = std::move(elems);
  return finish(t);
}

std::string mismatch(const CType& guest, const CType& host) {
  if (guest.kind != host.kind) return describe_at(&guest, 1) + ", expected " + describe_at(&host, 1);
  switch (host.kind) {
    case K::own:
    case K::borrow:
      // A host resource is identified by its name; a resource the guest defines is never the host's.
      if (!guest.resource || guest.resource->defined_by_guest || guest.resource->name != host.resource->name)
        return describe_at(&guest, 1) + ", expected " + describe_at(&host, 1);
      return "";
    case K::enum_: return names_mismatch(guest, host, "cases");
    case K::flags: return names_mismatch(guest, host, "flags");
    case K::record:
    case K::variant: {
      if (auto why = names_mismatch(guest, host, host.kind == K::record ? "fields" : "cases"); !why.empty()) return why;
      for (size_t i = 0; i < host.elems.size(); ++i) {
        auto where = [&] { return std::string(host.kind == K::record ? "field '" : "case '") + host.names[i] + "'"; };
        if (auto why = elem_mismatch(guest.elems[i], host.elems[i], where); !why.empty()) return why;
      }
      return "";
    }
    case K::tuple:
      if (guest.elems.size() != host.elems.size())
        return "tuple of " + std::to_string(guest.elems.size()) + ", expected " + std::to_string(host.elems.size());
      for (size_t i = 0; i < host.elems.size(); ++i)
        if (auto why = elem_mismatch(guest.elems[i], host.elems[i],
                                     [&] { return "tuple member " + std::to_string(i + 1); });
            !why.empty())
          return why;
      return "";
    case K::list:
    case K::option:
      return elem_mismatch(guest.elems[0], host.elems[0], [&] { return std::string(kind_name(host.kind)) + " element"; });
    case K::result:
      if (auto why = elem_mismatch(guest.elems[0], host.elems[0], [] { return std::string("ok type"); }); !why.empty())
        return why;
      return elem_mismatch(guest.elems[1], host.elems[1], [] { return std::string("error type"); });
    default: return "";  // scalars: the kind is the type
  }
}

std::string mismatch(const FuncSig& guest, const FuncSig& host) {
  if (guest.params.size() != host.params.size())
    return std::to_string(guest.params.size()) + " parameter" + (guest.params.size() == 1 ? "" : "s") + ", expected " +
           std::to_string(host.params.size());
  for (size_t i = 0; i < host.params.size(); ++i) {
    auto where = [&] {
      std::string name = i < guest.param_names.size() ? " (" + guest.param_names[i] + ")" : "";
      return "parameter " + std::to_string(i + 1) + name;
    };
    if (auto why = elem_mismatch(guest.params[i], host.params[i], where); !why.empty()) return why;
  }
  return elem_mismatch(guest.result, host.result, [] { return std::string("result"); });
}

std::string describe(const CType* type) { return describe_at(type, kDescribeLevels); }

std::string describe(const FuncSig& sig) {
  std::string out = "func(";
  for (size_t i = 0; i < sig.params.size(); ++i) {
    if (i) out += ", ";
    if (i < sig.param_names.size() && !sig.param_names[i].empty()) out += sig.param_names[i] + ": ";
    out += describe_at(sig.params[i].get(), kDescribeLevels - 1);
  }
  out += ")";
  if (sig.result) out += " -> " + describe_at(sig.result.get(), kDescribeLevels - 1);
  return out;
}

}  // namespace weft::runtime::wit
