// Component binary decoder (component-model Binary.md), over the sticky-error reader of binary_reader.hpp.

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>

#include "weft/component/component.hpp"

#include "binary_reader.hpp"

namespace weft::component {
namespace {

constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6d};
constexpr uint8_t kComponentVersion[4] = {0x0d, 0x00, 0x01, 0x00};
// Nested components, instance types and component types recurse; deeper nesting than this is rejected, not followed.
constexpr int kMaxNesting = 64;
constexpr uint32_t kReservedDeclarators = 64;  // declarators reserved up front per instance or component type

const char* section_name(uint8_t id) {
  static const char* const names[] = {"custom", "core module", "core instance", "core type", "component",
                                      "instance", "alias", "type", "canon", "start", "import", "export", "value"};
  return id < std::size(names) ? names[id] : "unknown";
}

class Decoder {
 public:
  explicit Decoder(int depth) : depth_(depth) {}

  Sort core_sort(Reader& r) {
    switch (r.byte()) {
      case 0x00: return Sort::core_func;
      case 0x01: return Sort::core_table;
      case 0x02: return Sort::core_memory;
      case 0x03: return Sort::core_global;
      case 0x10: return Sort::core_type;
      case 0x11: return Sort::core_module;
      case 0x12: return Sort::core_instance;
      default: r.fail("invalid core sort"); return Sort::core_func;
    }
  }

  Sort sort(Reader& r) {
    switch (r.byte()) {
      case 0x00: return core_sort(r);
      case 0x01: return Sort::func;
      case 0x02: return Sort::value;
      case 0x03: return Sort::type;
      case 0x04: return Sort::component;
      case 0x05: return Sort::instance;
      default: r.fail("invalid sort"); return Sort::func;
    }
  }

  ValType valtype(Reader& r) {
    int64_t v = r.s33();
    if (!r.ok()) return {};
    if (v >= 0) {
      if (v > std::numeric_limits<uint32_t>::max()) r.fail("type index out of range");
      return ValType::ref(uint32_t(v));
    }
    auto p = prim_from_code(uint8_t(v & 0x7f));
    if (!p) {
      r.fail("invalid value type opcode 0x" + hex(uint8_t(v & 0x7f)));
      return {};
    }
    return ValType::of(*p);
  }

  std::optional<ValType> optional_valtype(Reader& r) {
    switch (r.byte()) {
      case 0x00: return std::nullopt;
      case 0x01: return valtype(r);
      default: r.fail("invalid optional value type marker"); return std::nullopt;
    }
  }

  ExternDesc externdesc(Reader& r) {
    ExternDesc d;
    switch (r.byte()) {
      case 0x00:
        if (r.byte() != 0x11) r.fail("core extern descriptor must be a module (0x11)");
        d.sort = Sort::core_module;
        d.type_index = r.u32();
        break;
      case 0x01: d.sort = Sort::func; d.type_index = r.u32(); break;
      case 0x02:
        d.sort = Sort::value;
        if (r.byte() == 0x00) r.u32();  // value bound `eq i`
        else d.value_type = valtype(r);
        break;
      case 0x03:
        d.sort = Sort::type;
        switch (r.byte()) {
          case 0x00: d.type_index = r.u32(); break;
          case 0x01: d.type_is_sub_resource = true; break;
          default: r.fail("invalid type bound");
        }
        break;
      case 0x04: d.sort = Sort::component; d.type_index = r.u32(); break;
      case 0x05: d.sort = Sort::instance; d.type_index = r.u32(); break;
      default: r.fail("invalid extern descriptor");
    }
    return d;
  }

  /// importname'/exportname': a 0x00 (plain) or 0x01 (interface, older encoders) marker, then the name.
  std::string extern_name(Reader& r) {
    uint8_t marker = r.byte();
    if (marker != 0x00 && marker != 0x01) r.fail("invalid extern name marker 0x" + hex(marker));
    return r.name();
  }

  Alias alias(Reader& r, Sort s) {
    Alias a;
    a.sort = s;
    switch (r.byte()) {
      case 0x00: a.target = Alias::Target::export_; a.instance = r.u32(); a.name = r.name(); break;
      case 0x01: a.target = Alias::Target::core_export; a.instance = r.u32(); a.name = r.name(); break;
      case 0x02: a.target = Alias::Target::outer; a.outer_count = r.u32(); a.outer_index = r.u32(); break;
      default: r.fail("invalid alias target");
    }
    return a;
  }

  Alias alias(Reader& r) { return alias(r, sort(r)); }

  /// Core types appear only inside component/instance type declarators here; their content is skipped structurally.
  void skip_core_type(Reader& r) {
    uint8_t form = r.byte();
    if (form == 0x60) {
      for (uint32_t n = r.count(), i = 0; i < n && r.ok(); ++i) r.byte();
      for (uint32_t n = r.count(), i = 0; i < n && r.ok(); ++i) r.byte();
    } else if (form == 0x50) {
      if (++nesting_ > kMaxNesting) return r.fail("type nesting deeper than " + std::to_string(kMaxNesting));
      for (uint32_t n = r.count(), i = 0; i < n && r.ok(); ++i) {
        switch (r.byte()) {
          case 0x00: r.name(); r.name(); skip_core_importdesc(r); break;
          case 0x01: skip_core_type(r); break;
          case 0x02: core_sort(r); if (r.byte() != 0x01) r.fail("invalid core alias target"); r.u32(); r.u32(); break;
          case 0x03: r.name(); skip_core_importdesc(r); break;
          default: r.fail("invalid core module type declarator");
        }
      }
      --nesting_;
    } else {
      r.fail("unsupported core type form 0x" + hex(form));
    }
  }

  void skip_core_importdesc(Reader& r) {
    switch (r.byte()) {
      case 0x00: r.u32(); break;
      case 0x01: r.byte(); limits(r); break;
      case 0x02: limits(r); break;
      case 0x03: r.byte(); r.byte(); break;
      default: r.fail("invalid core import descriptor");
    }
  }
  void limits(Reader& r) {
    uint8_t flags = r.byte();
    r.u32();
    if (flags & 1) r.u32();
  }

  std::vector<TypeDecl> decls(Reader& r, bool component_type) {
    std::vector<TypeDecl> out;
    if (++nesting_ > kMaxNesting) {
      r.fail("type nesting deeper than " + std::to_string(kMaxNesting));
      return out;
    }
    uint32_t n = r.count();
    // Instance and component types hold tens of declarators; reserving them saves the reallocations (one TypeDecl is
    // ≈ 100 bytes), and the cap keeps a forged count from reserving more than its section's bytes could describe.
    out.reserve(std::min<uint32_t>(n, kReservedDeclarators));
    for (uint32_t i = 0; i < n && r.ok(); ++i) {
      TypeDecl d;
      uint8_t tag = r.byte();
      switch (tag) {
        case 0x00: d.kind = TypeDecl::Kind::core_type; skip_core_type(r); break;
        case 0x01: d.kind = TypeDecl::Kind::type; d.type = deftype(r); break;
        case 0x02: d.kind = TypeDecl::Kind::alias; d.alias = std::make_shared<Alias>(alias(r)); break;
        case 0x03:
          if (!component_type) {
            r.fail("import declarator inside an instance type");
            break;
          }
          d.kind = TypeDecl::Kind::import_;
          d.name = extern_name(r);
          d.desc = externdesc(r);
          break;
        case 0x04: d.kind = TypeDecl::Kind::export_; d.name = extern_name(r); d.desc = externdesc(r); break;
        default: r.fail("invalid type declarator 0x" + hex(tag));
      }
      out.push_back(std::move(d));
    }
    --nesting_;
    return out;
  }

  std::vector<TypeDef::Field> labelled(Reader& r) {
    std::vector<TypeDef::Field> out;
    for (uint32_t n = r.count(), i = 0; i < n && r.ok(); ++i) {
      TypeDef::Field f;
      f.name = r.name();
      f.type = valtype(r);
      out.push_back(std::move(f));
    }
    return out;
  }

  std::vector<TypeDef::Field> labels(Reader& r) {
    std::vector<TypeDef::Field> out;
    for (uint32_t n = r.count(), i = 0; i < n && r.ok(); ++i) out.push_back({r.name(), std::nullopt});
    return out;
  }

  std::shared_ptr<const TypeDef> deftype(Reader& r) {
    auto t = std::make_shared<TypeDef>();
    using K = TypeDef::Kind;
    uint8_t op = r.byte();
    if (auto p = prim_from_code(op)) {
      t->kind = K::prim;
      t->prim = *p;
      return t;
    }
    switch (op) {
      case 0x72: t->kind = K::record; t->fields = labelled(r); break;
      case 0x71:
        t->kind = K::variant;
        for (uint32_t n = r.count(), i = 0; i < n && r.ok(); ++i) {
          TypeDef::Field f;
          f.name = r.name();
          f.type = optional_valtype(r);
          if (r.byte() != 0x00) r.fail("variant case refinement is not supported");
          t->fields.push_back(std::move(f));
        }
        break;
      case 0x70: t->kind = K::list; t->element = valtype(r); break;
      case 0x67: t->kind = K::fixed_list; t->element = valtype(r); t->length = r.u32(); break;
      case 0x6f:
        t->kind = K::tuple;
        for (uint32_t n = r.count(), i = 0; i < n && r.ok(); ++i) t->fields.push_back({{}, valtype(r)});
        break;
      case 0x6e: t->kind = K::flags; t->fields = labels(r); break;
      case 0x6d: t->kind = K::enum_; t->fields = labels(r); break;
      case 0x6b: t->kind = K::option; t->element = valtype(r); break;
      case 0x6a: t->kind = K::result; t->element = optional_valtype(r); t->error = optional_valtype(r); break;
      case 0x69: t->kind = K::own; t->resource_index = r.u32(); break;
      case 0x68: t->kind = K::borrow; t->resource_index = r.u32(); break;
      case 0x66: t->kind = K::stream; t->element = optional_valtype(r); break;
      case 0x65: t->kind = K::future; t->element = optional_valtype(r); break;
      case 0x40:
      case 0x43:
        t->kind = K::func;
        t->fields = labelled(r);
        switch (r.byte()) {
          case 0x00: t->element = valtype(r); break;
          case 0x01:
            if (r.byte() != 0x00) r.fail("named function results are not supported");
            break;
          default: r.fail("invalid function result list");
        }
        break;
      case 0x41: t->kind = K::component; t->decls = decls(r, true); break;
      case 0x42: t->kind = K::instance; t->decls = decls(r, false); break;
      case 0x3f:
        t->kind = K::resource;
        if (r.byte() != 0x7f) r.fail("resource representation must be i32");
        switch (r.byte()) {
          case 0x00: break;
          case 0x01: t->destructor = r.u32(); break;
          default: r.fail("invalid resource destructor marker");
        }
        break;
      default: r.fail("invalid type opcode 0x" + hex(op));
    }
    return t;
  }

  CanonOptions canon_options(Reader& r) {
    CanonOptions o;
    for (uint32_t n = r.count(), i = 0; i < n && r.ok(); ++i) {
      switch (uint8_t tag = r.byte()) {
        case 0x00: o.encoding = CanonOptions::Encoding::utf8; break;
        case 0x01: o.encoding = CanonOptions::Encoding::utf16; break;
        case 0x02: o.encoding = CanonOptions::Encoding::latin1_utf16; break;
        case 0x03: o.memory = r.u32(); break;
        case 0x04: o.realloc = r.u32(); break;
        case 0x05: o.post_return = r.u32(); break;
        default: r.fail("unsupported canonical option 0x" + hex(tag));
      }
    }
    return o;
  }

  /// An index-space entry that aliases `a` (every entry type has an `alias` kind and an `alias` field).
  template <class Entry>
  static Entry alias_entry(const Alias& a) {
    Entry e;
    e.kind = Entry::Kind::alias;
    e.alias = a;
    return e;
  }

  static void add_alias(Component& c, const Alias& a) {
    switch (a.sort) {
      case Sort::core_func: c.core_funcs.push_back(alias_entry<CoreItemDef>(a)); break;
      case Sort::core_table: c.core_tables.push_back(alias_entry<CoreItemDef>(a)); break;
      case Sort::core_memory: c.core_memories.push_back(alias_entry<CoreItemDef>(a)); break;
      case Sort::core_global: c.core_globals.push_back(alias_entry<CoreItemDef>(a)); break;
      case Sort::core_module: c.module_space.push_back({true, 0, a}); break;
      case Sort::core_instance: c.core_instances.push_back(alias_entry<CoreInstanceDef>(a)); break;
      case Sort::func: c.funcs.push_back(alias_entry<FuncDef>(a)); break;
      case Sort::type: c.types.push_back(alias_entry<TypeEntry>(a)); break;
      case Sort::instance: c.instances.push_back(alias_entry<InstanceDef>(a)); break;
      case Sort::component: c.component_space.push_back(alias_entry<ComponentEntry>(a)); break;
      case Sort::core_type:  // core types are not materialised
      case Sort::value: break;
    }
  }

  /// An index-space entry for import number `index` (every entry type has an `import_` kind).
  template <class Entry>
  static Entry import_entry(uint32_t index) {
    Entry e;
    e.kind = Entry::Kind::import_;
    e.import_index = index;
    return e;
  }

  static void add_import(Component& c, Import imp) {
    auto idx = uint32_t(c.imports.size());
    switch (imp.desc.sort) {
      case Sort::func: c.funcs.push_back(import_entry<FuncDef>(idx)); break;
      case Sort::type: c.types.push_back(import_entry<TypeEntry>(idx)); break;
      case Sort::instance: c.instances.push_back(import_entry<InstanceDef>(idx)); break;
      case Sort::component: c.component_space.push_back(import_entry<ComponentEntry>(idx)); break;
      default: break;  // core modules and values are accepted but do not enter an index space we instantiate
    }
    c.imports.push_back(std::move(imp));
  }

  /// Exports re-enter their sort's index space (Binary.md) as an alias of what they export: an outer alias with
  /// count 0 into the component's own space.
  static void add_export_index(Component& c, const Export& e) {
    Alias a;
    a.sort = e.sort;
    a.target = Alias::Target::outer;
    a.outer_index = e.index;
    add_alias(c, a);
  }

  void section(Component& c, uint8_t id, Reader& r) {
    switch (id) {
      case 0:  // custom: name checked, content skipped
        r.name();
        r.bytes(r.remaining());
        break;
      case 1: {
        auto bytes = r.bytes(r.remaining());
        if (bytes.size() < 8 || std::memcmp(bytes.data(), kMagic, 4) != 0 || bytes[4] != 0x01 || bytes[5] != 0 ||
            bytes[6] != 0 || bytes[7] != 0) {
          r.fail("core module does not start with the wasm magic and version 1");
          break;
        }
        c.module_space.push_back({false, uint32_t(c.modules.size()), {}});
        c.modules.emplace_back(bytes.begin(), bytes.end());
        break;
      }
      case 2:
        for (uint32_t n = r.count(), i = 0; i < n && r.ok(); ++i) {
          CoreInstanceDef d;
          uint8_t tag = r.byte();
          if (tag == 0x00) {
            d.kind = CoreInstanceDef::Kind::instantiate;
            d.module = r.u32();
            for (uint32_t k = r.count(), j = 0; j < k && r.ok(); ++j) {
              std::string name = r.name();
              if (r.byte() != 0x12) r.fail("core instantiate argument must be an instance (0x12)");
              d.args.push_back({std::move(name), Sort::core_instance, r.u32()});
            }
          } else if (tag == 0x01) {
            d.kind = CoreInstanceDef::Kind::exports;
            for (uint32_t k = r.count(), j = 0; j < k && r.ok(); ++j) {
              std::string name = r.name();
              Sort s = core_sort(r);
              d.args.push_back({std::move(name), s, r.u32()});
            }
          } else {
            r.fail("invalid core instance expression 0x" + hex(tag));
          }
          c.core_instances.push_back(std::move(d));
        }
        break;
      case 3:
        for (uint32_t n = r.count(), i = 0; i < n && r.ok(); ++i) skip_core_type(r);
        break;
      case 4: {
        if (depth_ >= kMaxNesting) return r.fail("components nested deeper than " + std::to_string(kMaxNesting));
        size_t base = r.offset();
        auto bytes = r.bytes(r.remaining());
        Decoder inner(depth_ + 1);
        auto nested = inner.decode(bytes, base);
        if (!nested) return r.fail("nested component: " + nested.error().message);
        c.component_space.push_back({ComponentEntry::Kind::def, uint32_t(c.components.size()), 0, {}});
        c.components.push_back(std::make_unique<Component>(std::move(nested).value()));
        break;
      }
      case 5:
        for (uint32_t n = r.count(), i = 0; i < n && r.ok(); ++i) {
          InstanceDef d;
          uint8_t tag = r.byte();
          if (tag == 0x00) {
            d.kind = InstanceDef::Kind::instantiate;
            d.component = r.u32();
          } else if (tag == 0x01) {
            d.kind = InstanceDef::Kind::exports;
          } else {
            r.fail("invalid instance expression 0x" + hex(tag));
            break;
          }
          for (uint32_t k = r.count(), j = 0; j < k && r.ok(); ++j) {
            std::string name = tag == 0x01 ? extern_name(r) : r.name();
            Sort s = sort(r);
            d.args.push_back({std::move(name), s, r.u32()});
          }
          c.instances.push_back(std::move(d));
        }
        break;
      case 6:
        for (uint32_t n = r.count(), i = 0; i < n && r.ok(); ++i) add_alias(c, alias(r));
        break;
      case 7:
        for (uint32_t n = r.count(), i = 0; i < n && r.ok(); ++i) {
          TypeEntry t;
          t.def = deftype(r);
          c.types.push_back(std::move(t));
        }
        break;
      case 8:
        for (uint32_t n = r.count(), i = 0; i < n && r.ok(); ++i) canon(c, r);
        break;
      case 9: r.fail("start functions are not supported"); break;
      case 10:
        for (uint32_t n = r.count(), i = 0; i < n && r.ok(); ++i) {
          Import imp;
          imp.name = extern_name(r);
          imp.desc = externdesc(r);
          add_import(c, std::move(imp));
        }
        break;
      case 11:
        for (uint32_t n = r.count(), i = 0; i < n && r.ok(); ++i) {
          Export e;
          e.name = extern_name(r);
          e.sort = sort(r);
          e.index = r.u32();
          switch (r.byte()) {
            case 0x00: break;
            case 0x01: e.desc = externdesc(r); break;
            default: r.fail("invalid export type ascription marker");
          }
          add_export_index(c, e);
          c.exports.push_back(std::move(e));
        }
        break;
      case 12: r.fail("value definitions are not supported"); break;
      default: r.fail("unknown section id " + std::to_string(id));
    }
  }

  void canon(Component& c, Reader& r) {
    uint8_t op = r.byte();
    CoreItemDef item;
    switch (op) {
      case 0x00: {
        if (r.byte() != 0x00) return r.fail("canon lift must take a core func (0x00)");
        FuncDef f;
        f.kind = FuncDef::Kind::lift;
        f.core_func = r.u32();
        f.options = canon_options(r);
        f.type_index = r.u32();
        c.funcs.push_back(std::move(f));
        return;
      }
      case 0x01:
        if (r.byte() != 0x00) return r.fail("canon lower must take a func (0x00)");
        item.kind = CoreItemDef::Kind::canon_lower;
        item.func = r.u32();
        item.options = canon_options(r);
        break;
      case 0x02: item.kind = CoreItemDef::Kind::resource_new; item.resource_type = r.u32(); break;
      case 0x03: item.kind = CoreItemDef::Kind::resource_drop; item.resource_type = r.u32(); break;
      case 0x04: item.kind = CoreItemDef::Kind::resource_rep; item.resource_type = r.u32(); break;
      default: return r.fail("unsupported canonical function 0x" + hex(op) + " (async or threads)");
    }
    c.core_funcs.push_back(std::move(item));
  }

  Result<Component> decode(std::span<const uint8_t> bytes, size_t base) {
    Reader r(bytes, base);
    auto preamble = r.bytes(8);
    if (!r.ok()) return fail("component preamble at offset " + std::to_string(base) + ": truncated (need 8 bytes)");
    if (std::memcmp(preamble.data(), kMagic, 4) != 0)
      return fail("component preamble at offset " + std::to_string(base) + ": not a WebAssembly binary (bad magic)");
    if (std::memcmp(preamble.data() + 4, kComponentVersion, 4) != 0) {
      if (preamble[6] == 0 && preamble[7] == 0)
        return fail("component preamble at offset " + std::to_string(base + 4) +
                    ": this is a core module (layer 0), not a component");
      return fail("component preamble at offset " + std::to_string(base + 4) +
                  ": unsupported component version/layer");
    }
    Component c;
    while (!r.at_end()) {
      size_t section_offset = r.offset();
      uint8_t id = r.byte();
      uint32_t size = r.u32();
      Reader body = r.sub(size);
      if (!r.ok())
        return fail(std::string("component ") + section_name(id) + " section at offset " +
                    std::to_string(section_offset) + ": " + r.error());
      section(c, id, body);
      if (body.ok() && !body.at_end()) body.fail("section has " + std::to_string(body.remaining()) + " trailing bytes");
      if (!body.ok())
        return fail(std::string("component ") + section_name(id) + " section at offset " +
                    std::to_string(body.error_offset()) + ": " + body.error());
    }
    return c;
  }

 private:
  static std::optional<Prim> prim_from_code(uint8_t code) {
    if (code >= 0x73 && code <= 0x7f) return Prim(0x7f - code);
    if (code == 0x64) return Prim::error_context;
    return std::nullopt;
  }
  static std::string hex(uint8_t v) {
    static const char* digits = "0123456789abcdef";
    return {digits[v >> 4], digits[v & 15]};
  }

  int depth_ = 0;
  int nesting_ = 0;
};

}  // namespace

bool is_component_binary(std::span<const uint8_t> bytes) {
  return bytes.size() >= 8 && std::memcmp(bytes.data(), kMagic, 4) == 0 &&
         std::memcmp(bytes.data() + 4, kComponentVersion, 4) == 0;
}

bool is_core_module_binary(std::span<const uint8_t> bytes) {
  static constexpr uint8_t kCoreVersion[] = {0x01, 0x00, 0x00, 0x00};
  return bytes.size() >= 8 && std::memcmp(bytes.data(), kMagic, 4) == 0 &&
         std::memcmp(bytes.data() + 4, kCoreVersion, 4) == 0;
}

Result<Component> decode_component(std::span<const uint8_t> bytes) { return Decoder(0).decode(bytes, 0); }

Result<std::shared_ptr<const Component>> decode_component_shared(std::span<const uint8_t> bytes) {
  // Remembered with a copy of the bytes and handed out again only for bytes equal to it in full: no weaker than
  // decoding them again. Bounded: components up to kMaxRememberedBytes, kMaxRemembered of them; when full, the oldest
  // goes (its holders keep their copy alive).
  constexpr size_t kMaxRememberedBytes = size_t(16) << 20;
  constexpr size_t kMaxRemembered = 8;
  struct Entry {
    std::vector<uint8_t> bytes;
    std::shared_ptr<const Component> decoded;
  };
  static std::mutex mutex;
  static auto* remembered = new std::vector<Entry>;  // never destroyed: holders may outlive static destruction
  {
    std::lock_guard lock(mutex);
    for (const Entry& e : *remembered)
      if (e.bytes.size() == bytes.size() && std::memcmp(e.bytes.data(), bytes.data(), bytes.size()) == 0)
        return e.decoded;
  }
  WEFT_TRY(Component decoded, decode_component(bytes));
  auto shared = std::make_shared<const Component>(std::move(decoded));
  if (bytes.size() <= kMaxRememberedBytes) {
    std::lock_guard lock(mutex);
    if (remembered->size() >= kMaxRemembered) remembered->erase(remembered->begin());
    remembered->push_back({std::vector<uint8_t>(bytes.begin(), bytes.end()), shared});
  }
  return shared;
}

const char* sort_name(Sort sort) {
  static const char* const names[] = {"core func", "core table", "core memory", "core global", "core type",
                                      "core module", "core instance", "func", "value", "type", "component",
                                      "instance"};
  return names[size_t(sort)];
}

const char* prim_name(Prim prim) {
  static const char* const names[] = {"bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64",
                                      "f32", "f64", "char", "string", "error-context"};
  return names[size_t(prim)];
}

}  // namespace weft::component
