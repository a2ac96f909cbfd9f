// wasm2c through libwabt, in process: core module bytes → C (module.c/module.h) plus the glue that implements
// aot_abi.h for it. wabt's c-writer headers compile as C++20 (stack.md §5), unlike wabt/interp.
//
// Names: every import is renamed to module "w" and a C-safe field that says what it is, not where it sits
// (`x<digest of field and type>_<field's letters>`, name_imports_and_stubs), and every export to "e<index>", before
// wasm2c runs, so the C symbols are predictable (`Z_wZ_<field>`, `Z_mZ_e0`) without re-implementing wasm2c's name
// mangling, two imports with the same names but different types stay apart, and all imports arrive through one
// pointer (`struct Z_w_instance_t*`, which the glue defines as `struct weft_aot_imports`). Every module is named
// "m": symbols are hidden inside each `.so`, which is loaded RTLD_LOCAL, so equal names in different modules never
// meet.

#include <wabt/apply-names.h>
#include <wabt/binary-reader-ir.h>
#include <wabt/binary-reader.h>
#include <wabt/c-writer.h>
#include <wabt/cast.h>
#include <wabt/config.h>
#include <wabt/error-formatter.h>
#include <wabt/generate-names.h>
#include <wabt/ir.h>
#include <wabt/stream.h>
#include <wabt/validator.h>

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <ctime>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "aot_abi_text.hpp"
#include "aot_glue.hpp"
#include "aot_module_info.hpp"
#include "aot_module_shape.hpp"
#include "weft/core/log.hpp"
#include "weft/runtime/aot_cache.hpp"

namespace weft::runtime {
namespace {

using aot_glue::core_type;
using aot_glue::unbox;

constexpr uint8_t kCodeSection = 10;

/// One section of a core module: its id and its contents.
struct WasmSection {
  uint8_t id;
  std::span<const uint8_t> bytes;
};

/// The sections of `wasm` (after the 8-byte header), or nullopt when their layout is malformed.
std::optional<std::vector<WasmSection>> sections_of(std::span<const uint8_t> wasm) {
  if (wasm.size() < 8) return std::nullopt;
  std::vector<WasmSection> sections;
  for (size_t at = 8; at < wasm.size();) {
    uint8_t id = wasm[at++];
    auto size = read_leb_u32(wasm, at);
    if (!size || *size > wasm.size() - at) return std::nullopt;
    sections.push_back({id, wasm.subspan(at, *size)});
    at += *size;
  }
  return sections;
}

/// The function bodies of a code section's contents, or nullopt when its layout is malformed.
std::optional<std::vector<std::span<const uint8_t>>> bodies_of(std::span<const uint8_t> code) {
  size_t pos = 0;
  auto count = read_leb_u32(code, pos);
  if (!count) return std::nullopt;
  std::vector<std::span<const uint8_t>> bodies;
  for (uint32_t i = 0; i < *count; ++i) {
    auto size = read_leb_u32(code, pos);
    if (!size || *size > code.size() - pos) return std::nullopt;
    bodies.push_back(code.subspan(pos, *size));
    pos += *size;
  }
  return bodies;
}

/// `wasm` with every function body replaced by an empty one (no locals, `end`): what is left decodes in a fraction of
/// the time (a JS engine's 9 MB of code are millions of IR nodes). nullopt when the section layout is malformed.
std::optional<std::vector<uint8_t>> without_function_bodies(std::span<const uint8_t> wasm) {
  auto sections = sections_of(wasm);
  if (!sections) return std::nullopt;
  std::vector<uint8_t> out(wasm.begin(), wasm.begin() + 8);
  for (const auto& [id, section] : *sections) {
    std::vector<uint8_t> contents(section.begin(), section.end());
    if (id == kCodeSection) {
      auto bodies = bodies_of(section);
      if (!bodies) return std::nullopt;
      contents.clear();
      write_leb_u32(contents, uint32_t(bodies->size()));
      for (size_t i = 0; i < bodies->size(); ++i)
        contents.insert(contents.end(), {0x02, 0x00, 0x0b});  // body size 2: no local declarations, `end`
    }
    out.push_back(id);
    write_leb_u32(out, uint32_t(contents.size()));
    out.insert(out.end(), contents.begin(), contents.end());
  }
  return out;
}

/// Decodes and validates `wasm`; with `bodies` false the function bodies are dropped first and nothing is validated
/// (for bytes the caller knows were validated when they were compiled).
Result<void> read_module(std::span<const uint8_t> wasm, std::string_view name, wabt::Module* module,
                         bool bodies = true) {
  std::optional<std::vector<uint8_t>> stripped;
  if (!bodies) {
    stripped = without_function_bodies(wasm);
    if (!stripped) return fail("core module " + std::string(name) + " is invalid: malformed sections");
    wasm = *stripped;
  }
  wabt::Errors errors;
  wabt::Features features;
  wabt::ReadBinaryOptions options(features, nullptr, false, true, false);
  std::string file(name);
  bool ok = wabt::Succeeded(wabt::ReadBinaryIr(file.c_str(), wasm.data(), wasm.size(), options, &errors, module)) &&
            (!bodies || wabt::Succeeded(wabt::ValidateModule(module, &errors, wabt::ValidateOptions(features))));
  if (!ok) {
    std::string message = errors.empty() ? std::string("unknown error")
                                         : wabt::FormatErrorsToString(errors, wabt::Location::Type::Binary);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return fail("core module " + file + " is invalid: " + message);
  }
  return {};
}

Result<CoreFuncType> func_type(const wabt::FuncSignature& sig, std::string_view name, std::string_view what) {
  CoreFuncType out;
  for (auto t : sig.param_types) {
    auto c = core_type(t);
    if (!c) return fail("core module " + std::string(name) + ": " + std::string(what) + " takes a " + t.GetName() +
                        ", which the AOT engine does not support");
    out.params.push_back(*c);
  }
  for (auto t : sig.result_types) {
    auto c = core_type(t);
    if (!c) return fail("core module " + std::string(name) + ": " + std::string(what) + " returns a " + t.GetName() +
                        ", which the AOT engine does not support");
    out.results.push_back(*c);
  }
  if (out.results.size() > 1)
    return fail("core module " + std::string(name) + ": " + std::string(what) +
                " returns several values, which the AOT engine does not support");
  return out;
}

CoreExternKind extern_kind(wabt::ExternalKind k) {
  switch (k) {
    case wabt::ExternalKind::Table: return CoreExternKind::table;
    case wabt::ExternalKind::Memory: return CoreExternKind::memory;
    case wabt::ExternalKind::Global: return CoreExternKind::global;
    default: return CoreExternKind::func;
  }
}

constexpr size_t kMaxTranslationUnits = 64;

bool starts_with(std::string_view line, std::string_view prefix) { return line.substr(0, prefix.size()) == prefix; }

/// `static <type> w2c_…(`: the first line of a wasm function's prototype or definition in wasm2c 1.0.32's output
/// (everything else at column 0 that starts with `static ` is the prelude's, an init function or a table).
bool is_function_line(std::string_view line) {
  if (!starts_with(line, "static ")) return false;
  line.remove_prefix(7);
  size_t space = line.find(' ');
  return space != std::string_view::npos && starts_with(line.substr(space + 1), "w2c_");
}

/// wasm2c's module.c, cut where the split needs it. Its layout (wabt 1.0.32): the prelude up to
/// `static bool s_module_initialized`, then func_types, the function prototypes, the init functions with the data and
/// element segments, the function bodies, and from the first export on the exports and the module's entry points.
struct ModuleText {
  std::vector<std::string_view> lines;
  size_t region = 0, bodies = 0, tail = 0;  // first line of each part; the prelude is [0, region)
};

Result<ModuleText> cut_module_text(std::string_view text, std::string_view name) {
  ModuleText m;
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) nl = text.size();
    m.lines.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  auto find = [&](size_t from, auto&& match) {
    for (size_t i = from; i < m.lines.size(); ++i)
      if (match(m.lines[i])) return i;
    return m.lines.size();
  };
  m.region = find(0, [](std::string_view l) { return starts_with(l, "static bool s_module_initialized"); });
  m.tail = find(m.region, [](std::string_view l) {
    return starts_with(l, "/* export: ") || starts_with(l, "static void init_instance_import(") ||
           starts_with(l, "void Z_m_init_module(");
  });
  if (m.region == m.lines.size() || m.tail == m.lines.size())
    return fail("core module " + std::string(name) + ": wasm2c's output does not have the expected layout");
  m.bodies = find(m.region, [](std::string_view l) { return is_function_line(l) && !l.ends_with(";"); });
  if (m.bodies > m.tail) m.bodies = m.tail;
  return m;
}

void append_line(std::string& out, std::string_view line) {
  out.append(line);
  out.push_back('\n');
}

/// Where a module's values (aot_module_shape.hpp) are read in its C, from the IR of its shape.
struct ValueSlots {
  struct Segment {
    bool active = false;
    bool constant_offset = false;  // an i32.const: the values hold it
  };
  std::vector<Segment> segments;                   // per data segment
  std::vector<std::optional<CoreType>> globals;    // per defined global: its type when the values hold its initialiser
};

ValueSlots value_slots(const wabt::Module& module) {
  ValueSlots slots;
  for (const auto* segment : module.data_segments) {
    bool active = segment->kind == wabt::SegmentKind::Active;
    bool constant = active && segment->offset.size() == 1 && segment->offset.front().type() == wabt::ExprType::Const;
    slots.segments.push_back({active, constant});
  }
  for (size_t i = module.num_global_imports; i < module.globals.size(); ++i) {
    const wabt::ExprList& init = module.globals[i]->init_expr;
    std::optional<CoreType> type;
    if (init.size() == 1 && init.front().type() == wabt::ExprType::Const)
      type = core_type(wabt::cast<wabt::ConstExpr>(&init.front())->const_.type());
    slots.globals.push_back(type);
  }
  return slots;
}

/// `  instance->w2c_g3 = 0u;`, the assignment of defined global `index` in wasm2c's init_globals, reading the value
/// from the module's values when they hold it.
Result<std::string> place_global(std::string_view line, size_t index, const ValueSlots& slots, std::string_view name) {
  size_t equals = line.find(" = ");
  if (index >= slots.globals.size() || !starts_with(line, "  instance->") || equals == std::string_view::npos ||
      !line.ends_with(";"))
    return fail("core module " + std::string(name) + ": wasm2c's init_globals does not have the expected layout");
  if (!slots.globals[index]) return std::string(line);
  return std::string(line.substr(0, equals)) + " = " +
         unbox(*slots.globals[index], "WEFT_VALUES(instance)->globals[" + std::to_string(index) + "]") + ";";
}

/// A LOAD_DATA line of init_memories as it reads the module's values (place_segment).
struct PlacedSegment {
  std::string line;
  std::string memory;                  // the LOAD_DATA's first argument (`instance->w2c_e0`)
  std::optional<size_t> constant;      // the segment's index when its offset is a constant (read from the values)
};

/// `  LOAD_DATA(<memory>, <offset>, data_segment_data_<…>, 1);` in wasm2c's init_memories: the bytes, the size and a
/// constant offset come from the module's values. The checks make sure the offset and size written are the shape's
/// placeholders, not values compiled in.
Result<PlacedSegment> place_segment(std::string_view line, const std::map<std::string, size_t, std::less<>>& symbols,
                                    const ValueSlots& slots, std::string_view name) {
  constexpr std::string_view kOpen = "  LOAD_DATA(", kClose = ");";
  auto unexpected = [&] {
    return fail("core module " + std::string(name) + ": wasm2c's init_memories does not have the expected layout");
  };
  if (!line.ends_with(kClose)) return unexpected();
  std::string_view args = line.substr(kOpen.size(), line.size() - kOpen.size() - kClose.size());
  std::vector<std::string_view> parts;
  for (size_t at = 0;;) {
    size_t comma = args.find(", ", at);
    parts.push_back(args.substr(at, comma - at));
    if (comma == std::string_view::npos) break;
    at = comma + 2;
  }
  if (parts.size() != 4 || parts[3] != "1") return unexpected();
  auto symbol = symbols.find(parts[2]);
  if (symbol == symbols.end() || !slots.segments[symbol->second].active) return unexpected();
  bool constant = slots.segments[symbol->second].constant_offset;
  if (constant && parts[1] != "0u") return unexpected();
  std::string segment(parts[2]);
  PlacedSegment placed;
  placed.line = std::string(kOpen) + std::string(parts[0]) + ", " +
                (constant ? segment + "->offset" : std::string(parts[1])) + ", " + segment + "->bytes, " + segment +
                "->size" + std::string(kClose);
  placed.memory = std::string(parts[0]);
  if (constant) placed.constant = symbol->second;
  return placed;
}

/// Consecutive constant-offset segments of one memory, loaded by one loop over the module's values instead of a
/// LOAD_DATA each: a JS engine has ≈ 10 000 segments, and compiling that many bounds checks and copies in one function
/// was ≈ 90 % of main.c's compile (≈ 4 s of CPU at -O0 for every JS app; docs/performance.md, seventh pass). In the
/// segments' order, so a segment out of bounds traps after the same earlier ones were loaded.
class DataLoads {
 public:
  void add(PlacedSegment placed, std::string& out) {
    if (!placed.constant || (!run_.empty() && (placed.memory != memory_ || *placed.constant != last_ + 1)))
      flush(out);
    if (!placed.constant) {
      append_line(out, placed.line);
      return;
    }
    if (run_.empty()) memory_ = placed.memory, first_ = *placed.constant;
    last_ = *placed.constant;
    run_.push_back(std::move(placed.line));
  }
  void flush(std::string& out) {
    if (run_.size() < 2) {
      for (const auto& line : run_) append_line(out, line);
    } else {
      out += "  for (u32 weft_segment = " + std::to_string(first_) + "u; weft_segment <= " + std::to_string(last_) +
             "u; ++weft_segment) {\n    const struct weft_aot_data_segment* weft_data = "
             "&WEFT_VALUES(instance)->data_segments[weft_segment];\n    LOAD_DATA(" +
             memory_ + ", weft_data->offset, weft_data->bytes, weft_data->size);\n  }\n";
    }
    run_.clear();
  }

 private:
  std::vector<std::string> run_;
  std::string memory_;
  size_t first_ = 0, last_ = 0;
};

/// Prototypes of functions that only some files call (wasm functions; imports and exports, from module.h), kept out
/// of shared.h: each file of bodies declares just what it calls, so its text, and so its compiled object
/// (AotCache's unit objects), stays the same when another module adds or drops functions elsewhere.
class Declarations {
 public:
  void add(std::string text) {
    index_.emplace(std::string(symbol_of(text)), texts_.size());
    texts_.push_back(std::move(text));
  }

  /// module.h without its `/* import: … */` and `/* export: … */` declarations, which are added here.
  std::string take_from_header(std::string_view header) {
    std::string rest, taken;
    for (size_t at = 0; at < header.size();) {
      size_t nl = header.find('\n', at);
      std::string_view line = header.substr(at, nl == std::string_view::npos ? nl : nl + 1 - at);
      at = nl == std::string_view::npos ? header.size() : nl + 1;
      if (!taken.empty() || starts_with(line, "/* import: ") || starts_with(line, "/* export: ")) {
        taken.append(line);  // the comment, then the declaration, which ends at its `;`
        if (line.find(';') != std::string_view::npos) add(std::exchange(taken, {}));
        continue;
      }
      rest.append(line);
    }
    return rest;
  }

  std::string all() const {
    std::string out;
    for (const auto& text : texts_) out += text;
    return out;
  }

  /// The declarations of the functions `code` names, in the order of their symbols (not of the module's imports,
  /// which differ between worlds).
  std::string used_by(std::string_view code) const {
    std::vector<size_t> used;
    auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    for (size_t at = 0; at < code.size();) {
      if (!ident(code[at])) {
        ++at;
        continue;
      }
      size_t end = at;
      while (end < code.size() && ident(code[end])) ++end;
      if (auto it = index_.find(std::string(code.substr(at, end - at))); it != index_.end()) used.push_back(it->second);
      at = end;
    }
    std::sort(used.begin(), used.end(),
              [&](size_t a, size_t b) { return symbol_of(texts_[a]) < symbol_of(texts_[b]); });
    used.erase(std::unique(used.begin(), used.end()), used.end());
    std::string out;
    for (size_t i : used) out += texts_[i];
    return out;
  }

 private:
  /// The identifier before the first `(` after the leading comment, if any.
  static std::string_view symbol_of(std::string_view text) {
    if (starts_with(text, "/*")) text.remove_prefix(std::min(text.size(), text.find("*/") + 2));
    size_t open = text.find('(');
    size_t begin = open;
    while (begin > 0 && (std::isalnum(static_cast<unsigned char>(text[begin - 1])) || text[begin - 1] == '_')) --begin;
    return open == std::string_view::npos ? std::string_view() : text.substr(begin, open - begin);
  }

  std::vector<std::string> texts_;
  std::unordered_map<std::string, size_t> index_;
};

/// Which function bodies go into which file: about body_bytes / unit_bytes files (at least 2, at most
/// kMaxTranslationUnits), none when there are too few functions. With more than two, a file ends after every function
/// whose text hashes to 0 modulo a power of two near the functions per file: where the files are cut depends on the
/// functions' own text, not on what comes before them, so two modules that share a run of functions (JS engines of
/// different worlds, whose edges differ) cut it into the same files. Else the bodies are halved by bytes.
std::vector<std::vector<size_t>> cut_into_units(const ModuleText& m,
                                                const std::vector<std::pair<size_t, size_t>>& functions,
                                                size_t body_bytes, size_t unit_bytes) {
  size_t target = std::min(std::clamp<size_t>((body_bytes + unit_bytes - 1) / unit_bytes, 2, kMaxTranslationUnits),
                           functions.size());
  if (target < 2) return {};
  std::vector<std::vector<size_t>> units;
  if (target > 2) {
    std::vector<uint64_t> prints;  // FNV-1a of each function's text
    for (const auto& [first, end] : functions) {
      uint64_t h = 1469598103934665603ull;
      for (size_t i = first; i < end; ++i)
        for (char c : m.lines[i]) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
      prints.push_back(h);
    }
    uint64_t period = 1;
    while (2 * period * target <= functions.size()) period *= 2;
    for (;; period *= 2) {
      units.assign(1, {});
      for (size_t f = 0; f < functions.size(); ++f) {
        units.back().push_back(f);
        if ((prints[f] & (period - 1)) == 0 && f + 1 < functions.size()) units.emplace_back();
      }
      if (units.size() <= kMaxTranslationUnits) break;
    }
    if (units.size() >= 2) return units;
  }
  units.assign(2, {});
  size_t written = 0;
  for (size_t f = 0; f < functions.size(); ++f) {
    units[written * 2 >= body_bytes ? 1 : 0].push_back(f);
    for (size_t i = functions[f].first; i < functions[f].second; ++i) written += m.lines[i].size() + 1;
  }
  if (units[1].empty()) {  // the first function held more than half of the bytes
    units[1].push_back(units[0].back());
    units[0].pop_back();
  }
  return units;
}

/// Splits wasm2c's module.c into shared.h, main.c and (with `unit_bytes` > 0) the function bodies in files of about
/// `unit_bytes` of C each (at least 2, at most kMaxTranslationUnits). The module's values are read where wasm2c
/// wrote the shape's placeholders: data segments become pointers into the values (compiling megabytes of C
/// initialisers costs minutes for nothing), and so do constant segment offsets and global initialisers.
Result<void> split_module_text(std::string_view text, const ValueSlots& slots, std::string_view name,
                               size_t unit_bytes, const std::vector<std::vector<size_t>>* plan,
                               const std::vector<bool>* absent, AotSource& out) {
  WEFT_TRY(ModuleText m, cut_module_text(text, name));
  bool split = unit_bytes > 0;
  std::string shared, main;
  Declarations declarations;
  if (split) out.header = declarations.take_from_header(out.header);
  for (size_t i = 0; i < m.region; ++i) append_line(shared, m.lines[i]);
  shared += aot_glue::kGlueAfterPrelude;
  std::map<std::string, size_t, std::less<>> segment_symbols;  // `data_segment_data_…` → its segment
  size_t loads = 0, global_inits = 0;
  bool in_init_globals = false;
  std::string placed;
  DataLoads data_loads;  // LOAD_DATA lines go to main.c in either case
  for (size_t i = m.region; i < m.bodies; ++i) {
    std::string_view line = m.lines[i];
    if (!starts_with(line, "  LOAD_DATA(")) data_loads.flush(main);
    if (starts_with(line, "static const u8 data_segment_data_")) {
      // Every segment has one (none is empty in the shape), in segment order.
      std::string symbol(line.substr(16, line.find('[') - 16));
      size_t index = segment_symbols.size();
      if (index >= slots.segments.size())
        return fail("core module " + std::string(name) + ": wasm2c wrote more data segments than the module has");
      shared += "#define " + symbol + " (&WEFT_VALUES(instance)->data_segments[" + std::to_string(index) + "])\n";
      segment_symbols.emplace(std::move(symbol), index);
      while (i < m.bodies && m.lines[i] != "};") ++i;
      continue;
    }
    if (starts_with(line, "static void init_globals(")) {
      in_init_globals = true;
    } else if (in_init_globals && line == "}") {
      in_init_globals = false;
    } else if (in_init_globals) {
      WEFT_TRY(placed, place_global(line, global_inits++, slots, name));
      line = placed;
    } else if (starts_with(line, "  LOAD_DATA(")) {
      WEFT_TRY(PlacedSegment segment, place_segment(line, segment_symbols, slots, name));
      ++loads;
      data_loads.add(std::move(segment), main);
      continue;
    }
    if (!split) {
      append_line(main, line);
      continue;
    }
    // Split: whatever a function body may refer to is declared in shared.h (or, for functions, in each file that
    // calls them) and defined (not static) in main.c.
    if (is_function_line(line)) {  // a prototype, possibly over several lines
      std::string declaration;
      append_line(declaration, line.substr(7));
      while (!m.lines[i].ends_with(";") && i + 1 < m.bodies) append_line(declaration, m.lines[++i]);
      declarations.add(declaration);
    } else if (starts_with(line, "static u32 func_types[")) {
      append_line(shared, "extern " + std::string(line.substr(7)));
      append_line(main, line.substr(7));
    } else if (starts_with(line, "static const wasm_elem_segment_expr_t ")) {
      std::string_view decl = line.substr(7, line.find('=') - 7);
      append_line(shared, "extern " + std::string(decl) + ";");
      append_line(main, line.substr(7));
    } else {
      append_line(main, line);
    }
  }
  data_loads.flush(main);
  size_t active = std::count_if(slots.segments.begin(), slots.segments.end(), [](const auto& s) { return s.active; });
  if (segment_symbols.size() != slots.segments.size() || loads != active || global_inits != slots.globals.size())
    return fail("core module " + std::string(name) + ": wasm2c wrote " + std::to_string(segment_symbols.size()) +
                " data segments, " + std::to_string(loads) + " active ones and " + std::to_string(global_inits) +
                " global initialisers; the module has " + std::to_string(slots.segments.size()) + ", " +
                std::to_string(active) + " and " + std::to_string(slots.globals.size()));
  // Function bodies: each starts at a column-0 `static ` line (bodies have no static locals).
  std::vector<std::pair<size_t, size_t>> functions;  // [first line, end line)
  size_t body_bytes = 0;
  for (size_t i = m.bodies; i < m.tail; ++i) {
    if (starts_with(m.lines[i], "static ") || functions.empty()) functions.push_back({i, i});
    functions.back().second = i + 1;
    body_bytes += m.lines[i].size() + 1;
  }
  std::vector<std::vector<size_t>> units;  // per file, its functions
  if (split && plan) {
    // Cut before wasm2c ran (by the functions' keys): its bodies are the module's defined functions, in order,
    // but for those it was told are imports (`absent`, hide_functions: only in files whose objects are at hand).
    size_t expected = out.functions - (absent ? std::count(absent->begin(), absent->end(), true) : 0);
    if (functions.size() != expected)
      return fail("core module " + std::string(name) + ": wasm2c wrote " + std::to_string(functions.size()) +
                  " function bodies; the module defines " + std::to_string(expected));
    if (absent) {
      std::vector<std::pair<size_t, size_t>> all(out.functions);
      for (size_t f = 0, written = 0; f < all.size(); ++f)
        if (!(*absent)[f]) all[f] = functions[written++];
      functions = std::move(all);
    }
    units = *plan;
  } else if (split) {
    units = cut_into_units(m, functions, body_bytes, unit_bytes);
  }
  if (units.size() < 2) {  // too few functions to split: main.c has them, as declared in shared.h
    for (size_t i = m.bodies; i < m.tail; ++i)
      append_line(main, split && starts_with(m.lines[i], "static ") ? m.lines[i].substr(7) : m.lines[i]);
    units.clear();
    out.functions_written = functions.size();
  }
  out.parts.assign(units.size(), std::string());
  out.part_reused.resize(units.size(), false);
  out.functions_written = 0;
  for (size_t part = 0; part < units.size(); ++part) {
    if (out.part_reused[part]) continue;  // its object is at hand: wasm2c wrote placeholders for its bodies
    out.functions_written += units[part].size();
    std::string bodies;
    for (size_t f : units[part]) {
      const auto& [first, end] = functions[f];
      for (size_t i = first; i < end; ++i) {
        std::string_view line = m.lines[i];
        if (i == first && starts_with(line, "static ")) line.remove_prefix(7);
        append_line(bodies, line);
      }
    }
    out.parts[part] = "#include \"shared.h\"\n" + declarations.used_by(bodies) + bodies;
  }
  for (size_t i = m.tail; i < m.lines.size(); ++i) append_line(main, m.lines[i]);
  out.shared = std::string(kAotAbiText) + std::string(aot_glue::kGlueShared) + shared;
  out.main = "#include \"shared.h\"\n" + declarations.all() + std::string(aot_glue::kGlueMain) + main;
  return {};
}

/// A defined function whose whole body is `unreachable`: componentize-js puts one right after the imports for every
/// engine import the app's world does not have.
bool is_trap_stub(const wabt::Func& func) {
  return func.local_types.size() == 0 && func.exprs.size() == 1 &&
         func.exprs.front().type() == wabt::ExprType::Unreachable;
}

/// Names every defined function by its place relative to the edges where worlds differ, so that a function's C is
/// the same text in every module that has it at the same place: trap stubs that stayed defined functions (see
/// name_imports_and_stubs) `fs<n>`, every other defined function `fn<n>` counted from the first one after the stubs.
/// JS apps of different worlds have the same engine functions after different imports and stubs
/// (docs/performance.md, "Sharing the engine across worlds"); wasm2c's own names (`f<index>`) would change all of
/// them. An imported function is named `$` + its C field (wasm2c calls it by its import's names, `Z_wZ_<field>`).
/// The prefixes never equal a wasm2c local's name (a letter and digits), which would otherwise be renamed depending
/// on the module.
void name_functions_by_position(wabt::Module& module) {
  size_t imports = module.num_func_imports, first = imports;
  while (first < module.funcs.size() && is_trap_stub(*module.funcs[first])) ++first;
  for (wabt::Import* imp : module.imports)
    if (auto* f = wabt::dyn_cast<wabt::FuncImport>(imp)) f->func.name = "$" + imp->field_name;
  module.func_bindings.clear();
  for (size_t i = 0; i < module.funcs.size(); ++i) {
    if (i >= imports)
      module.funcs[i]->name = i < first ? "$fs" + std::to_string(i - imports) : "$fn" + std::to_string(i - first);
    module.func_bindings.emplace(module.funcs[i]->name, wabt::Binding(wabt::Index(i)));
  }
}

/// ≈ bytes of C per byte of wasm code (the JS engine: 9.2 MB of code, ≈ 150 MiB of C): sizes the files before wasm2c.
constexpr size_t kCPerWasmByte = 16;

using Digest = std::array<uint8_t, crypto_hash_sha256_BYTES>;

class Hasher {
 public:
  Hasher() { crypto_hash_sha256_init(&state_); }
  Hasher& bytes(std::span<const uint8_t> b) {
    crypto_hash_sha256_update(&state_, b.data(), b.size());
    return *this;
  }
  /// A length-prefixed piece of text: pieces never run into each other.
  Hasher& text(std::string_view t) {
    std::string size = std::to_string(t.size()) + ":";
    crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(size.data()), size.size());
    crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(t.data()), t.size());
    return *this;
  }
  Digest digest() {
    Digest d;
    crypto_hash_sha256_final(&state_, d.data());
    return d;
  }

 private:
  crypto_hash_sha256_state state_{};
};

std::string hex(const Digest& d) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::string signature_text(const wabt::FuncSignature& sig) {
  std::string out = "(";
  for (auto t : sig.param_types) out += t.GetName() + " ";
  out += ")->(";
  for (auto t : sig.result_types) out += t.GetName() + " ";
  return out + ")";
}

std::string var_text(const wabt::Var& v) { return v.is_name() ? v.name() : "#" + std::to_string(v.index()); }

/// The function names of `wasm`'s name section for the function indices in [first, end) (componentize-js names each
/// trap stub after the import field it stands for); empty names where there is none or the section is malformed.
std::vector<std::string> debug_function_names(std::span<const uint8_t> wasm, size_t first, size_t end) {
  std::vector<std::string> names(end - first);
  for (size_t at = 8; at < wasm.size();) {
    uint8_t id = wasm[at++];
    auto size = read_leb_u32(wasm, at);
    if (!size || *size > wasm.size() - at) return names;
    auto section = wasm.subspan(at, *size);
    at += *size;
    size_t pos = 0;
    auto length = id == 0 ? read_leb_u32(section, pos) : std::nullopt;
    if (!length || *length > section.size() - pos ||
        std::string_view(reinterpret_cast<const char*>(section.data() + pos), *length) != "name")
      continue;
    for (pos += *length; pos < section.size();) {
      uint8_t sub = section[pos++];
      auto sub_size = read_leb_u32(section, pos);
      if (!sub_size || *sub_size > section.size() - pos) return names;
      auto body = section.subspan(pos, *sub_size);
      pos += *sub_size;
      if (sub != 1) continue;  // 1: function names
      size_t p = 0;
      auto count = read_leb_u32(body, p);
      for (uint32_t i = 0; count && i < *count; ++i) {
        auto index = read_leb_u32(body, p);
        auto bytes = index ? read_leb_u32(body, p) : std::nullopt;
        if (!bytes || *bytes > body.size() - p) return names;
        if (*index >= first && *index < end)
          names[*index - first].assign(reinterpret_cast<const char*>(body.data() + p), *bytes);
        p += *bytes;
      }
    }
  }
  return names;
}

/// A C-safe import field for `field` (an import's, or the one a trap stub stands for) of type `type`: a digest of
/// (qualifier, field, type) and the field's letters and digits, so that it is the same in every module that has that
/// import or a stub for it, whatever its index. `qualifier` (the import's module) is used only when the short form
/// collides within a module. Lower case: wasm2c escapes `Z`.
std::string c_field(std::string_view qualifier, std::string_view field, std::string_view type) {
  std::string out = "x" + hex(Hasher().text("weft-aot import").text(qualifier).text(field).text(type).digest())
                              .substr(0, 16) + "_";
  for (char c : field.substr(0, 40))
    out += std::isalnum(static_cast<unsigned char>(c)) ? char(std::tolower(static_cast<unsigned char>(c))) : '_';
  return out;
}

std::string import_type_text(const wabt::Import& imp) {
  if (const auto* f = wabt::dyn_cast<wabt::FuncImport>(&imp)) return "func " + signature_text(f->func.decl.sig);
  if (const auto* g = wabt::dyn_cast<wabt::GlobalImport>(&imp))
    return std::string("global ") + g->global.type.GetName() + (g->global.mutable_ ? " mut" : "");
  if (const auto* t = wabt::dyn_cast<wabt::TableImport>(&imp)) return "table " + t->table.elem_type.GetName();
  return "memory";
}

/// Renames every import to module "w" and a C field that does not depend on its index, and turns the trap stubs
/// (componentize-js's `unreachable` functions right after the imports, each standing in for an engine import the
/// world lacks) into imports of the field the import they stand for would have, so that a call reads the same C
/// (`(*Z_wZ_<field>)(instance->Z_w_instance, …)`) whether a world has the import or stubs it, and wherever its
/// imports sit. Which import a stub stands for comes from its name in the name section (componentize-js names it
/// after the import's field); the field is then the import's short form (field and type, no module), which every
/// world agrees on. Collisions within the module fall back: an import to its module-qualified form, then to its
/// index (`i<k>`); a stub without a usable name to its position (`s<n>`). Any of these is sound: a file of bodies is
/// keyed by the C fields and types of what it calls, and main.c, compiled for every module, defines each field —
/// the trampoline into the host for an import (aot_glue), a function that traps `unreachable` for a stub (returned
/// here, for main.c). Stubs stay defined functions (named by position) when the module has no imports or a stub
/// has a type the glue cannot write.
std::string name_imports_and_stubs(wabt::Module& module, std::span<const uint8_t> wasm) {
  size_t imports = module.num_func_imports, first = imports;
  while (first < module.funcs.size() && is_trap_stub(*module.funcs[first])) ++first;
  struct Stub {
    std::string name, type;
    std::optional<CoreFuncType> func_type;
  };
  std::vector<Stub> stubs;
  auto names = debug_function_names(wasm, imports, first);
  bool convert = !module.imports.empty();
  for (size_t i = imports; i < first; ++i) {
    const wabt::FuncSignature& sig = module.funcs[i]->decl.sig;
    auto ft = func_type(sig, "", "");
    convert = convert && ft.ok();
    stubs.push_back({names[i - imports], "func " + signature_text(sig), ft.ok() ? std::optional(*ft) : std::nullopt});
  }
  if (!convert) stubs.clear();
  // Short forms first; whatever collides takes its fallback; whatever still collides, its index or position.
  size_t n = module.imports.size();
  std::vector<std::string> fields(n + stubs.size());
  for (size_t i = 0; i < n; ++i)
    fields[i] = c_field("", module.imports[i]->field_name, import_type_text(*module.imports[i]));
  for (size_t s = 0; s < stubs.size(); ++s)
    fields[n + s] = stubs[s].name.empty() ? "s" + std::to_string(s) : c_field("", stubs[s].name, stubs[s].type);
  for (int pass = 0; pass < 2; ++pass) {
    std::map<std::string, size_t> uses;
    for (const auto& f : fields) ++uses[f];
    for (size_t k = 0; k < fields.size(); ++k) {
      if (uses[fields[k]] < 2) continue;
      if (k >= n) fields[k] = "s" + std::to_string(k - n);
      else if (pass == 0) fields[k] = c_field(module.imports[k]->module_name, module.imports[k]->field_name,
                                              import_type_text(*module.imports[k]));
      else fields[k] = "i" + std::to_string(k);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    module.imports[i]->module_name = "w";
    module.imports[i]->field_name = fields[i];
  }
  std::string traps;
  for (size_t s = 0; s < stubs.size(); ++s) {
    size_t index = imports + s;
    auto imp = std::make_unique<wabt::FuncImport>();
    imp->module_name = "w";
    imp->field_name = fields[n + s];
    imp->func.decl = module.funcs[index]->decl;
    module.funcs[index] = &imp->func;
    module.imports.push_back(imp.get());
    module.fields.push_back(std::make_unique<wabt::ImportModuleField>(std::move(imp)));
    // What the stub did, as the function its callers now call.
    const CoreFuncType& ft = *stubs[s].func_type;
    traps += std::string(ft.results.empty() ? "void" : aot_glue::c_type(ft.results[0])) + " Z_wZ_" + fields[n + s] +
             "(struct Z_w_instance_t* env";
    for (size_t p = 0; p < ft.params.size(); ++p)
      traps += std::string(", ") + aot_glue::c_type(ft.params[p]) + " a" + std::to_string(p);
    traps += ") {\n  (void)env;\n";
    for (size_t p = 0; p < ft.params.size(); ++p) traps += "  (void)a" + std::to_string(p) + ";\n";
    traps += "  wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE);\n  __builtin_unreachable();\n}\n";
  }
  module.num_func_imports = wabt::Index(imports + stubs.size());
  return traps.empty() ? traps : "\n/* Trap stubs, as the imports they stand for (aot_translate.cpp). */\n" + traps;
}

/// What every function body's C may read besides its own bytes and the functions it calls, from the IR as wasm2c
/// will see it (renamed, named): the types; every global, memory and table with its name, type and, when imported,
/// its C field (name_imports_and_stubs; its C is `Z_wZ_<field>`); every data and element segment's name, kind and
/// target. Not the function imports and trap stubs (each call names its callee in the caller's key), the tables'
/// sizes and the segments' contents (read at run time or by main.c's init code): those are what JS worlds differ
/// in. nullopt when the module has something not accounted for here (then its files are keyed by their C, as
/// before).
std::optional<Digest> body_context(const wabt::Module& module) {
  Hasher h;
  // kAotGeneratorDigest: any change to the generator's sources (the names, the cut, the declarations a file
  // carries) gives every body file a new key, so objects of an older translation are never taken for a newer one's.
  h.text(kAotGeneratorDigest).text(WABT_VERSION_STRING).text(kAotAbiText);
  std::map<const void*, std::string> import_of;  // the imported global/memory/table → its C field
  for (size_t i = 0; i < module.imports.size(); ++i) {
    const wabt::Import* imp = module.imports[i];
    if (const auto* g = wabt::dyn_cast<wabt::GlobalImport>(imp)) import_of[&g->global] = imp->field_name;
    else if (const auto* m = wabt::dyn_cast<wabt::MemoryImport>(imp)) import_of[&m->memory] = imp->field_name;
    else if (const auto* t = wabt::dyn_cast<wabt::TableImport>(imp)) import_of[&t->table] = imp->field_name;
    else if (!wabt::isa<wabt::FuncImport>(imp)) return std::nullopt;  // tags: refused by describe_aot_module anyway
  }
  auto imported = [&](const void* item) {
    auto it = import_of.find(item);
    return it == import_of.end() ? std::string("defined") : "import " + it->second;
  };
  h.text("types " + std::to_string(module.types.size()));
  for (const auto* type : module.types) {
    const auto* f = wabt::dyn_cast<wabt::FuncType>(type);
    if (!f) return std::nullopt;
    h.text(f->name).text(signature_text(f->sig));
  }
  h.text("globals " + std::to_string(module.globals.size()));
  for (const auto* g : module.globals)
    h.text(g->name).text(g->type.GetName()).text(g->mutable_ ? "mut" : "const").text(imported(g));
  h.text("memories " + std::to_string(module.memories.size()));
  for (const auto* m : module.memories) {
    const wabt::Limits& l = m->page_limits;
    h.text(m->name).text(imported(m)).text(std::to_string(l.initial) + " " + std::to_string(l.max) + " " +
                                           std::to_string(l.has_max) + std::to_string(l.is_shared) +
                                           std::to_string(l.is_64));
  }
  h.text("tables " + std::to_string(module.tables.size()));
  for (const auto* t : module.tables)
    h.text(t->name).text(imported(t)).text(t->elem_type.GetName()).text(std::to_string(t->elem_limits.is_64));
  h.text("data " + std::to_string(module.data_segments.size()));
  for (const auto* d : module.data_segments)
    h.text(d->name).text(std::to_string(int(d->kind))).text(var_text(d->memory_var));
  h.text("elems " + std::to_string(module.elem_segments.size()));
  for (const auto* e : module.elem_segments)
    h.text(e->name).text(std::to_string(int(e->kind))).text(e->elem_type.GetName()).text(var_text(e->table_var));
  h.text("starts " + std::to_string(module.starts.size()) + " tags " + std::to_string(module.tags.size()));
  return h.digest();
}

/// Skips one LEB128 of up to 64 bits at `at`; false when malformed.
bool skip_leb(std::span<const uint8_t> b, size_t& at) {
  for (int i = 0; i < 10; ++i) {
    if (at >= b.size()) return false;
    if (!(b[at++] & 0x80)) return true;
  }
  return false;
}

bool is_value_type_byte(uint8_t b) { return b >= 0x7b ? b <= 0x7f : (b == 0x70 || b == 0x6f); }

/// The key of one defined function's C: its body's bytes with every function index (call, return_call, ref.func)
/// taken out and replaced by the callee's name and signature as wasm2c will write them (an import's, trap stubs
/// turned into imports included, is `$` + its C field, marked as an import: its C symbol), plus the function's own
/// name and type. Every other index in a body (types, globals, tables, memories, segments, locals, labels) stays a
/// number whose meaning body_context covers. nullopt for an opcode not decoded here (threads, exceptions, SIMD,
/// GC): the module is then keyed by its C.
std::optional<Digest> body_key(std::span<const uint8_t> body, const wabt::Module& module, size_t func_index,
                               const std::vector<std::string>& import_of_func, std::vector<uint8_t>& stripped,
                               bool& refers_to_functions, int& unknown_opcode) {
  stripped.clear();
  std::string callees;
  size_t at = 0, copied = 0;
  auto flush = [&](size_t to) { stripped.insert(stripped.end(), body.begin() + copied, body.begin() + to); };
  auto callee = [&]() -> bool {
    flush(at);
    auto index = read_leb_u32(body, at);
    if (!index || *index >= module.funcs.size()) return false;
    const wabt::Func& f = *module.funcs[*index];
    callees += f.name + " " + std::to_string(module.GetFuncTypeIndex(f.decl)) + signature_text(f.decl.sig) + " " +
               import_of_func[*index] + ";";
    copied = at;
    return true;
  };
  auto groups = read_leb_u32(body, at);
  if (!groups) return std::nullopt;
  for (uint32_t g = 0; g < *groups; ++g)
    if (!skip_leb(body, at) || at >= body.size() || !is_value_type_byte(body[at++])) return std::nullopt;
  size_t depth = 1;
  while (depth > 0) {
    if (at >= body.size()) return std::nullopt;
    uint8_t op = body[at++];
    bool ok = true;
    switch (op) {
      case 0x00: case 0x01: case 0x05: case 0x0f: case 0x1a: case 0x1b: case 0xd1:
        break;
      case 0x0b:
        --depth;
        break;
      case 0x02: case 0x03: case 0x04:  // block type: empty, one value type, or a type index (s33)
        if (at < body.size() && (body[at] == 0x40 || is_value_type_byte(body[at]))) ++at;
        else ok = skip_leb(body, at);
        ++depth;
        break;
      case 0x0c: case 0x0d: case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26:
      case 0x3f: case 0x40: case 0x41: case 0x42:
        ok = skip_leb(body, at);
        break;
      case 0x0e: {
        auto n = read_leb_u32(body, at);
        ok = n.has_value();
        for (uint64_t i = 0; ok && i <= *n; ++i) ok = skip_leb(body, at);
        break;
      }
      case 0x12: case 0xd2:  // return_call, ref.func: a function named otherwise than by a call (hide_functions)
        refers_to_functions = true;
        ok = callee();
        break;
      case 0x10:
        ok = callee();
        break;
      case 0x11: case 0x13:
        ok = skip_leb(body, at) && skip_leb(body, at);
        break;
      case 0x1c: {
        auto n = read_leb_u32(body, at);
        ok = n && *n <= body.size() - at;
        for (uint32_t i = 0; ok && i < *n; ++i) ok = is_value_type_byte(body[at++]);
        break;
      }
      case 0x43: at += 4; break;
      case 0x44: at += 8; break;
      case 0xd0:
        ok = at < body.size() && (body[at] == 0x70 || body[at] == 0x6f);
        ++at;
        break;
      case 0xfc: {
        auto sub = read_leb_u32(body, at);
        if (!sub || *sub > 17) return std::nullopt;
        static constexpr uint8_t kImmediates[18] = {0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 2, 1, 2, 1, 2, 1, 1, 1};
        for (uint8_t i = 0; ok && i < kImmediates[*sub]; ++i) ok = skip_leb(body, at);
        break;
      }
      default:
        if (op >= 0x28 && op <= 0x3e) {  // memarg: alignment (bit 6: a memory index follows), offset
          auto align = read_leb_u32(body, at);
          ok = align && (!(*align & 0x40) || skip_leb(body, at)) && skip_leb(body, at);
        } else if (op < 0x45 || op > 0xc4) {  // 0x45–0xc4: numeric instructions without immediates
          unknown_opcode = op;
          return std::nullopt;
        }
    }
    if (!ok || at > body.size()) return std::nullopt;
  }
  if (at != body.size()) return std::nullopt;
  flush(at);
  const wabt::Func& self = *module.funcs[func_index];
  return Hasher()
      .text("body")
      .text(self.name)
      .text(std::to_string(module.GetFuncTypeIndex(self.decl)) + signature_text(self.decl.sig))
      .text(std::string_view(reinterpret_cast<const char*>(stripped.data()), stripped.size()))
      .text(callees)
      .digest();
}

/// Each defined function's key and wasm body size, from the code section of `wasm` (the module `module` was read
/// from); nullopt when a body has something body_key does not decode.
struct BodyKeys {
  Digest context;
  std::vector<Digest> functions;
  std::vector<size_t> wasm_bytes;
  bool refers_to_functions = false;  // some body has a `ref.func` or `return_call`
  int unknown_opcode = -1;           // when keying stopped at an opcode not decoded here: that opcode
};

std::optional<BodyKeys> key_bodies(std::span<const uint8_t> wasm, const wabt::Module& module, size_t stub_imports,
                                   int* unknown_opcode = nullptr) {
  BodyKeys keys;
  auto context = body_context(module);
  if (!context) return std::nullopt;
  keys.context = *context;
  // An imported function (trap stubs included) is called by its C field, the same in every world that has it.
  std::vector<std::string> import_of_func(module.funcs.size());
  for (size_t i = 0; i < module.num_func_imports; ++i) import_of_func[i] = "import " + module.funcs[i]->name;
  // The code section also holds the trap stubs name_imports_and_stubs turned into imports: skipped.
  size_t defined = module.funcs.size() - module.num_func_imports, stubs = stub_imports;
  auto sections = sections_of(wasm);
  if (!sections) return std::nullopt;
  for (const auto& [id, section] : *sections) {
    if (id != kCodeSection) continue;
    auto bodies = bodies_of(section);
    if (!bodies || bodies->size() != defined + stubs) return std::nullopt;
    std::vector<uint8_t> stripped;
    for (size_t i = stubs; i < bodies->size(); ++i) {
      auto key = body_key((*bodies)[i], module, module.num_func_imports + i - stubs, import_of_func, stripped,
                          keys.refers_to_functions, keys.unknown_opcode);
      if (!key) {
        if (unknown_opcode) *unknown_opcode = keys.unknown_opcode;
        return std::nullopt;
      }
      keys.functions.push_back(*key);
      keys.wasm_bytes.push_back((*bodies)[i].size());
    }
  }
  if (keys.functions.size() != defined) return std::nullopt;
  return keys;
}

/// cut_into_units before wasm2c runs: a file ends after each function whose key's first bytes are 0 modulo a power
/// of two near functions ÷ files wanted (files sized from the wasm: kCPerWasmByte), so a run of functions two
/// modules share is cut into the same files whatever precedes it. Fewer than 3 files wanted: halved by wasm bytes.
std::vector<std::vector<size_t>> cut_by_keys(const BodyKeys& keys, size_t unit_bytes) {
  size_t n = keys.functions.size(), wasm_bytes = 0;
  for (size_t b : keys.wasm_bytes) wasm_bytes += b;
  size_t c_bytes = wasm_bytes * kCPerWasmByte;
  size_t target = std::min(std::clamp<size_t>((c_bytes + unit_bytes - 1) / unit_bytes, 2, kMaxTranslationUnits), n);
  if (target < 2) return {};
  std::vector<std::vector<size_t>> units;
  if (target > 2) {
    uint64_t period = 1;
    while (2 * period * target <= n) period *= 2;
    for (;; period *= 2) {
      units.assign(1, {});
      for (size_t f = 0; f < n; ++f) {
        units.back().push_back(f);
        uint64_t print;
        std::memcpy(&print, keys.functions[f].data(), sizeof print);
        if ((print & (period - 1)) == 0 && f + 1 < n) units.emplace_back();
      }
      if (units.size() <= kMaxTranslationUnits) break;
    }
    if (units.size() >= 2) return units;
  }
  units.assign(2, {});
  size_t written = 0;
  for (size_t f = 0; f < n; ++f) {
    units[written * 2 >= wasm_bytes ? 1 : 0].push_back(f);
    written += keys.wasm_bytes[f];
  }
  if (units[1].empty()) {
    units[1].push_back(units[0].back());
    units[0].pop_back();
  }
  return units;
}

/// The defined functions wasm2c is told are imports (hide_functions), and what it takes to write their C as if they
/// were defined ones (unhide_functions).
struct HiddenFunctions {
  std::vector<bool> hidden;              // per defined function
  std::vector<std::string> fields;       // per defined function: its name without `$` (`fn12`), its import's field
  bool any = false;
};

/// wabt 1.0.32's WriteC copies its whole global symbol set (a JS engine: ≈ 12 700 names) for every defined function
/// it writes, bodies or not: ≈ 10 s of CPU for an engine whose every file's object is at hand. The functions whose
/// objects are at hand (`hidden`) become imports of module "w" whose field is their name (`fn12`; no real import's
/// field starts with `f`, name_imports_and_stubs), so WriteC writes no body for them and only declares them, and
/// unhide_functions then turns every trace of the import back into what wasm2c writes for a defined function
/// (`(*Z_wZ_fn12)(instance->Z_w_instance, …)` → `w2c_fn12(instance, …)`, the table entry, the prototype; the
/// import's declaration leaves module.h). Only when the rewrite is known to cover every mention: the module already
/// imports functions from "w" (else the instance would gain an import pointer), no body names a function otherwise
/// than by `call` (`ref.func`, `return_call`), and exports, element segments and start functions name functions by
/// name (so reordering the function list changes none of them). false (nothing changed) otherwise.
bool hide_functions(wabt::Module& module, const std::vector<bool>& hidden, HiddenFunctions& out) {
  size_t imports = module.num_func_imports;
  if (imports == 0 || hidden.size() != module.funcs.size() - imports) return false;
  for (const auto* exp : module.exports)
    if (exp->kind == wabt::ExternalKind::Func && !exp->var.is_name()) return false;
  for (const auto* segment : module.elem_segments)
    for (const auto& exprs : segment->elem_exprs)
      for (const auto& expr : exprs)
        if (const auto* ref = wabt::dyn_cast<wabt::RefFuncExpr>(&expr); ref && !ref->var.is_name()) return false;
  for (const auto* start : module.starts)
    if (!start->is_name()) return false;
  out.hidden = hidden;
  out.fields.clear();
  std::vector<wabt::Func*> funcs(module.funcs.begin(), module.funcs.begin() + imports), defined;
  for (size_t f = 0; f < hidden.size(); ++f) {
    wabt::Func* func = module.funcs[imports + f];
    if (func->name.size() < 2 || func->name[0] != '$' || func->name[1] != 'f') return false;
    out.fields.push_back(func->name.substr(1));
  }
  for (size_t f = 0; f < hidden.size(); ++f) {
    wabt::Func* func = module.funcs[imports + f];
    if (!hidden[f]) {
      defined.push_back(func);
      continue;
    }
    auto imp = std::make_unique<wabt::FuncImport>(func->name);
    imp->module_name = "w";
    imp->field_name = out.fields[f];
    imp->func.decl = func->decl;
    imp->func.local_types = func->local_types;  // an export's wrapper names its parameters from these
    imp->func.bindings = func->bindings;
    funcs.push_back(&imp->func);
    module.imports.push_back(imp.get());
    module.fields.push_back(std::make_unique<wabt::ImportModuleField>(std::move(imp)));
    out.any = true;
  }
  module.num_func_imports = wabt::Index(funcs.size());
  funcs.insert(funcs.end(), defined.begin(), defined.end());
  module.funcs = std::move(funcs);
  module.func_bindings.clear();
  for (size_t i = 0; i < module.funcs.size(); ++i)
    module.func_bindings.emplace(module.funcs[i]->name, wabt::Binding(wabt::Index(i)));
  return true;
}

/// wasm2c's module.c and module.h for a module hide_functions changed, rewritten to read as they would for the
/// module as it was: byte for byte (AotCacheOptions::verify_unit_keys compares them with a full translation). The
/// forms are wabt 1.0.32's; anything else found makes this return false (the module is then translated without
/// hiding).
bool unhide_functions(std::string& c, std::string& h, const HiddenFunctions& hidden) {
  // module.h: the hidden imports' declarations go; each becomes the prototype of a defined function.
  std::unordered_map<std::string, std::string> prototypes;  // field → `static <result> w2c_<field>(Z_m_instance_t*…;`
  {
    constexpr std::string_view kImport = "/* import: 'w' 'f";
    std::string out;
    for (size_t at = 0; at < h.size();) {
      size_t nl = h.find('\n', at);
      if (nl == std::string::npos) nl = h.size();
      std::string_view line(h.data() + at, nl - at);
      if (!starts_with(line, kImport)) {
        out.append(line);
        if (nl < h.size()) out.push_back('\n');
        at = nl + 1;
        continue;
      }
      size_t quote = line.find('\'', kImport.size());
      if (quote == std::string_view::npos || nl >= h.size()) return false;
      std::string field(line.substr(kImport.size() - 1, quote - kImport.size() + 1));
      size_t next = h.find('\n', nl + 1);
      if (next == std::string::npos) return false;
      std::string_view decl(h.data() + nl + 1, next - nl - 1);
      std::string symbol = "Z_wZ_" + field + "(struct Z_w_instance_t*";
      size_t where = decl.find(symbol);
      if (where == std::string_view::npos || !decl.ends_with(";")) return false;
      prototypes[field] = "static " + std::string(decl.substr(0, where)) + "w2c_" + field + "(Z_m_instance_t*" +
                          std::string(decl.substr(where + symbol.size()));
      at = next + 1;
    }
    h = std::move(out);
  }
  size_t count = std::count(hidden.hidden.begin(), hidden.hidden.end(), true);
  if (prototypes.size() != count) return false;
  // module.c: calls (and exports, and the start call) and table entries of the hidden functions.
  {
    constexpr std::string_view kCallRest = ")(instance->Z_w_instance";
    constexpr std::string_view kEntry = "(wasm_rt_function_ptr_t)Z_wZ_", kEntryRest =
                                                                           ", offsetof(Z_m_instance_t, Z_w_instance)}";
    std::string out;
    out.reserve(c.size());
    size_t copied = 0;
    for (size_t at = c.find("Z_wZ_f"); at != std::string::npos; at = c.find("Z_wZ_f", at)) {
      size_t end = at + 5;
      while (end < c.size() && (std::isalnum(static_cast<unsigned char>(c[end])) || c[end] == '_')) ++end;
      std::string field = c.substr(at + 5, end - at - 5);
      if (!prototypes.count(field)) return false;
      std::string_view rest(c.data() + end, c.size() - end);
      if (at >= 2 && c.compare(at - 2, 2, "(*") == 0 && starts_with(rest, kCallRest)) {
        out.append(c, copied, at - 2 - copied);
        out += "w2c_" + field + "(instance";
        copied = end + kCallRest.size();
      } else if (at + 5 >= kEntry.size() && c.compare(at + 5 - kEntry.size(), kEntry.size(), kEntry) == 0 &&
                 starts_with(rest, kEntryRest)) {
        out.append(c, copied, at + 5 - kEntry.size() - copied);
        out += "(wasm_rt_function_ptr_t)&w2c_" + field + ", 0}";
        copied = end + kEntryRest.size();
      } else {
        return false;
      }
      at = copied;
    }
    out.append(c, copied, std::string::npos);
    c = std::move(out);
  }
  // module.c: the prototypes of defined functions, in the order of the functions, after init_func_types.
  constexpr std::string_view kFuncTypes = "static void init_func_types(void) {\n";
  size_t types = c.find(kFuncTypes);
  if (types == std::string::npos) return false;
  size_t block = c.find("\n}\n\n", types);
  if (block == std::string::npos) return false;
  block += 4;  // the first prototype, or what follows when wasm2c wrote none
  size_t block_end = block;
  std::vector<std::string_view> written;
  while (true) {
    size_t nl = c.find('\n', block_end);
    if (nl == std::string::npos) return false;
    std::string_view line(c.data() + block_end, nl - block_end);
    if (!is_function_line(line)) break;
    if (!line.ends_with(";")) return false;
    written.push_back(line);
    block_end = nl + 1;
  }
  if (!written.empty()) {
    if (c.compare(block_end, 1, "\n") != 0) return false;
    ++block_end;
  }
  std::string merged;
  size_t next = 0;
  for (size_t f = 0; f < hidden.hidden.size(); ++f) {
    if (hidden.hidden[f]) {
      append_line(merged, prototypes[hidden.fields[f]]);
    } else {
      if (next >= written.size() || written[next].find(" w2c_" + hidden.fields[f] + "(") == std::string_view::npos)
        return false;
      append_line(merged, written[next++]);
    }
  }
  if (next != written.size()) return false;
  if (!merged.empty()) merged.push_back('\n');
  c.replace(block, block_end - block, merged);
  return true;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// CPU seconds this thread has run: the phases of a translation under load (other compiles share the cores).
double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

}  // namespace

Result<AotModuleInfo> describe_aot_module(std::span<const uint8_t> wasm, std::string_view name, bool validate) {
  wabt::Module module;
  WEFT_TRY_VOID(read_module(wasm, name, &module, validate));
  AotModuleInfo info;
  for (const auto* imp : module.imports) {
    CoreImport out{imp->module_name, imp->field_name, extern_kind(imp->kind()), {}};
    if (const auto* f = wabt::dyn_cast<wabt::FuncImport>(imp)) {
      WEFT_TRY(out.func_type, func_type(f->func.decl.sig, name, "import " + imp->module_name + "." + imp->field_name));
    } else if (imp->kind() == wabt::ExternalKind::Tag) {
      return fail("core module " + std::string(name) + " imports a tag, which the AOT engine does not support");
    }
    info.imports.push_back(std::move(out));
  }
  // Import index of the n-th imported function/table/memory/global.
  std::map<std::pair<CoreExternKind, uint32_t>, uint32_t> imported;
  std::map<CoreExternKind, uint32_t> counts;
  for (uint32_t i = 0; i < info.imports.size(); ++i) imported[{info.imports[i].kind, counts[info.imports[i].kind]++}] = i;
  for (const auto* exp : module.exports) {
    auto kind = extern_kind(exp->kind);
    if (exp->kind == wabt::ExternalKind::Tag)
      return fail("core module " + std::string(name) + " exports a tag, which the AOT engine does not support");
    info.exports.push_back({exp->name, kind});
    CoreFuncType ft;
    if (kind == CoreExternKind::func) {
      const wabt::Func* f = module.GetFunc(exp->var);
      WEFT_TRY(ft, func_type(f->decl.sig, name, "export " + exp->name));
    }
    info.export_func_types.push_back(std::move(ft));
    auto it = imported.find({kind, exp->var.index()});
    info.export_import.push_back(it == imported.end() ? std::nullopt : std::optional<uint32_t>(it->second));
  }
  for (size_t i = module.num_memory_imports; i < module.memories.size(); ++i)
    info.memory_pages.push_back(module.memories[i]->page_limits.initial);
  for (size_t i = module.num_table_imports; i < module.tables.size(); ++i)
    info.table_elements.push_back(module.tables[i]->elem_limits.initial);
  for (const auto* g : module.globals)
    if (!core_type(g->type))
      return fail("core module " + std::string(name) + " has a " + g->type.GetName() +
                  " global, which the AOT engine does not support");
  return info;
}

namespace {

/// translate_to_c; with `hide` false, functions whose objects are at hand are written with `unreachable` bodies
/// instead of being hidden from wasm2c (hide_functions). nullopt (no error) when the hidden functions' C could not be
/// restored: the caller translates again without hiding.
Result<std::optional<AotSource>> translate(std::span<const uint8_t> wasm, std::string_view name, size_t unit_bytes,
                                           const AotUnitReuse& reuse, bool hide) {
  // The IR lives on the heap and goes as soon as wasm2c and the import glue are done with it: for a JS engine it
  // is hundreds of MiB, and the split below copies the ≈150 MiB of C once more.
  auto owned = std::make_unique<wabt::Module>();
  wabt::Module& module = *owned;
  // What is translated is the module's shape: the C must not depend on anything the cache key leaves out.
  auto shaped = module_shape(wasm, name);
  if (!shaped) {
    // Malformed, or a feature the AOT engine does not support: wabt's validation or the description says it best.
    WEFT_TRY_VOID(read_module(wasm, name, &module));
    WEFT_TRY_VOID(describe_aot_module(wasm, name, false));
    return fail(shaped.error());
  }
  std::vector<uint8_t> shape = std::move(*shaped);
  wasm = shape;
  auto started = std::chrono::steady_clock::now();
  double cpu_started = thread_cpu_seconds();
  WEFT_TRY_VOID(read_module(wasm, name, &module));  // validates (the shape is valid exactly when the module is)
  double read_and_validate = seconds_since(started), read_cpu = thread_cpu_seconds() - cpu_started;
  WEFT_TRY(AotModuleInfo info, describe_aot_module(wasm, name, false));
  ValueSlots slots = value_slots(module);
  size_t func_imports = module.num_func_imports;
  std::string traps = name_imports_and_stubs(module, wasm);
  size_t stub_imports = module.num_func_imports - func_imports;
  for (size_t i = 0; i < module.exports.size(); ++i) module.exports[i]->name = "e" + std::to_string(i);
  name_functions_by_position(module);
  if (wabt::Failed(wabt::GenerateNames(&module)) || wabt::Failed(wabt::ApplyNames(&module)))
    return fail("core module " + std::string(name) + ": wasm2c could not name its functions");
  AotSource out;
  out.functions = module.funcs.size() - module.num_func_imports;
  // A split module's files are cut and keyed from the wasm, before wasm2c writes anything: the bodies of a file
  // whose object the caller has (`reuse.have`) become `unreachable` in the IR, so wasm2c writes C only for main.c
  // and the files that are missing (the bulk of the translation's time for a JS engine of a new world).
  std::vector<std::vector<size_t>> plan;
  std::vector<bool> at_hand(out.functions, false);  // per defined function: in a file whose object is at hand
  bool refers_to_functions = true;
  auto keyed_at = std::chrono::steady_clock::now();
  double cpu_keyed = thread_cpu_seconds();
  // wabt 1.0.32's WriteC aborts the process on a SIMD instruction (it has no C for them), and its reader accepts them
  // (SIMD is on by default): such a module is refused here, before wasm2c sees it. The keys' decoder stops at the
  // first 0xfd prefix; any module's bodies are decoded (a small module's in microseconds).
  int unknown_opcode = -1;
  auto keys = key_bodies(wasm, module, stub_imports, &unknown_opcode);
  if (!keys && unknown_opcode == 0xfd)
    return fail("core module " + std::string(name) +
                " uses SIMD instructions, which the AOT engine's wasm2c (wabt " WABT_VERSION_STRING ") cannot translate");
  if (unit_bytes > 0) {
    if (keys) {
      refers_to_functions = keys->refers_to_functions;
      plan = cut_by_keys(*keys, unit_bytes);
      for (const auto& unit : plan) {
        Hasher h;
        h.text("weft-aot unit").text(reuse.key_context).bytes(keys->context);
        for (size_t f : unit) h.bytes(keys->functions[f]);
        out.part_keys.push_back(hex(h.digest()));
        bool have = reuse.have && reuse.have(out.part_keys.back());
        out.part_reused.push_back(have);
        if (have)
          for (size_t f : unit) at_hand[f] = true;
      }
    }
  }
  double keying = seconds_since(keyed_at), keying_cpu = thread_cpu_seconds() - cpu_keyed;
  // The glue reads the imports and exports: written before hide_functions adds imports of its own.
  WEFT_TRY(std::string glue, aot_glue::write_glue(module, info, name));
  HiddenFunctions hidden;
  bool any_at_hand = std::find(at_hand.begin(), at_hand.end(), true) != at_hand.end();
  if (any_at_hand && !(hide && !refers_to_functions && hide_functions(module, at_hand, hidden))) {
    for (size_t f = 0; f < at_hand.size(); ++f) {
      if (!at_hand[f]) continue;
      wabt::Func& func = *module.funcs[module.num_func_imports + f];
      func.exprs.clear();
      func.exprs.push_back(std::make_unique<wabt::UnreachableExpr>());
    }
  }
  auto written_at = std::chrono::steady_clock::now();
  double cpu_written = thread_cpu_seconds();
  wabt::MemoryStream c_stream, h_stream;
  wabt::WriteCOptions options;
  options.module_name = "m";
  if (wabt::Failed(wabt::WriteC(&c_stream, &h_stream, "module.h", &module, options)))
    return fail("core module " + std::string(name) + ": wasm2c could not translate it");
  double write_c = seconds_since(written_at), write_cpu = thread_cpu_seconds() - cpu_written;
  owned.reset();
  const auto& h = h_stream.output_buffer().data;
  out.header.assign(h.begin(), h.end());
  auto& c_bytes_written = c_stream.output_buffer().data;
  std::string c(c_bytes_written.begin(), c_bytes_written.end());
  std::vector<uint8_t>().swap(c_bytes_written);
  if (hidden.any && !unhide_functions(c, out.header, hidden)) {
    log::warn("aot: core module ", name, ": wasm2c's output for functions declared as imports has an unexpected "
              "form; translating it again with their bodies");
    return std::optional<AotSource>();
  }
  if (hidden.any) out.functions_hidden = std::count(hidden.hidden.begin(), hidden.hidden.end(), true);
  auto split_at = std::chrono::steady_clock::now();
  double cpu_split = thread_cpu_seconds();
  size_t c_bytes = c.size();
  WEFT_TRY_VOID(split_module_text(c, slots, name, unit_bytes, plan.size() >= 2 ? &plan : nullptr,
                                  hidden.any ? &hidden.hidden : nullptr, out));
  std::string().swap(c);
  out.main += glue;
  out.main += traps;
  if (unit_bytes > 0)
    log::debug("aot: core module ", name, " translated (wall/CPU seconds): read and validated ", read_and_validate,
               "/", read_cpu, ", keyed ", keying, "/", keying_cpu, ", ", c_bytes, " bytes of C written ", write_c, "/",
               write_cpu, " (", out.functions_written, " of ", out.functions, " function bodies, ", out.functions_hidden,
               " declared as imports), cut ",
               seconds_since(split_at), "/", thread_cpu_seconds() - cpu_split);
  return std::optional<AotSource>(std::move(out));
}

}  // namespace

Result<AotSource> translate_to_c(std::span<const uint8_t> wasm, std::string_view name, size_t unit_bytes,
                                 const AotUnitReuse& reuse) {
  WEFT_TRY(std::optional<AotSource> source, translate(wasm, name, unit_bytes, reuse, /*hide=*/true));
  if (!source) {
    WEFT_TRY(source, translate(wasm, name, unit_bytes, reuse, /*hide=*/false));
  }
  if (!source) return fail("core module " + std::string(name) + ": wasm2c could not translate it");
  return std::move(*source);
}

}  // namespace weft::runtime
