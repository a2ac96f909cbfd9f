#pragma once
// What the AOT engine needs to know about a core module besides its compiled code and its values
// (aot_module_shape.hpp): imports and exports in the CoreEngine vocabulary, which exports merely pass an import on,
// and the initial sizes the budgets check. All of it is part of the module's shape, so modules of one shape share it.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "weft/core/result.hpp"
#include "weft/runtime/core_engine.hpp"

namespace weft::runtime {

struct AotModuleInfo {
  std::vector<CoreImport> imports;
  std::vector<CoreExport> exports;
  std::vector<CoreFuncType> export_func_types;        // per export (empty type for non-functions)
  std::vector<std::optional<uint32_t>> export_import;  // per export: the import it re-exports, if any
  std::vector<uint64_t> memory_pages;                  // initial pages of each defined memory
  std::vector<uint64_t> table_elements;                // initial elements of each defined table
};

/// Decodes and validates `wasm`; errors start with `core module <name> is invalid:` like the interpreter's. With
/// `validate` false (a module whose compiled code is in the cache: it was validated before it was compiled) function
/// bodies are skipped and nothing is validated.
[[nodiscard]] Result<AotModuleInfo> describe_aot_module(std::span<const uint8_t> wasm, std::string_view name,
                                                        bool validate = true);

}  // namespace weft::runtime
