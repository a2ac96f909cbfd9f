#pragma once
// The synchronous canonical ABI (component-model CanonicalABI.md): sizes, alignment, flattening, load/store,
// lift/lower of function arguments and results, and per-instance resource handle tables.

#include <optional>
#include <span>
#include <vector>

#include "weft/core/result.hpp"
#include "weft/runtime/component_vocabulary.hpp"
#include "weft/runtime/core_engine.hpp"
#include "weft/runtime/values.hpp"

namespace weft::runtime {

/// Limits of the flat calling convention: more parameters go through memory, more results through a return pointer.
constexpr size_t kMaxFlatParams = 16;
constexpr size_t kMaxFlatResults = 1;

/// Elements of non-byte lists one lift may produce.
constexpr size_t kMaxLiftedElements = size_t(1) << 22;

/// Live resource handles one component instance may hold (every host object a guest owns has a handle, so this also
/// bounds the host's per-resource maps).
constexpr size_t kMaxLiveHandles = 100000;

/// Resource handles of one component instance. Handle 0 is never valid; a handle is reused only after its removal.
class HandleTable {
 public:
  struct Entry {
    ResourceTypePtr type;
    uint32_t rep = 0;
    bool own = true;
    uint32_t lends = 0;  // borrows of this own handle currently lent out
  };
  /// A new handle for `rep`; refused when kMaxLiveHandles are live.
  [[nodiscard]] Result<uint32_t> add(ResourceTypePtr type, uint32_t rep, bool own);
  /// The live entry for `handle`, checked against `type`.
  [[nodiscard]] Result<Entry*> get(uint32_t handle, const ResourceType* type);
  /// Removes an own handle (transfer or drop) and returns its entry; refused while borrows are lent out.
  [[nodiscard]] Result<Entry> remove(uint32_t handle, const ResourceType* type);
  [[nodiscard]] size_t live_count() const;

 private:
  std::vector<std::optional<Entry>> entries_ = {std::nullopt};
  std::vector<uint32_t> free_;
  size_t live_ = 0;
};

/// Everything lifting and lowering needs: the engine, the instance's memory, realloc and encoding, and its handles.
struct CanonContext {
  CoreEngine* engine = nullptr;
  std::optional<CoreExtern> memory;
  std::optional<CoreExtern> realloc;
  CanonOptions::Encoding encoding = CanonOptions::Encoding::utf8;
  HandleTable* handles = nullptr;
  /// List elements a lift may still create: a guest cannot make the host build more values than this from one
  /// call (a list of zero-sized records costs no guest memory at all). Byte lists do not count.
  size_t element_budget = kMaxLiftedElements;
};

[[nodiscard]] uint32_t size_of(const CType& t);
[[nodiscard]] uint32_t align_of(const CType& t);
[[nodiscard]] std::vector<CoreType> flatten(const CType& t);
/// Flat core signature of a component function as seen by a caller of `canon lower` (lower = true) or by the core
/// function behind `canon lift` (lower = false).
[[nodiscard]] CoreFuncType flatten(const FuncSig& sig, bool lower);

[[nodiscard]] Result<Val> load(CanonContext& cx, uint32_t ptr, const CType& t);
[[nodiscard]] Result<void> store(CanonContext& cx, const Val& v, uint32_t ptr, const CType& t);
[[nodiscard]] Result<Val> lift_flat(CanonContext& cx, std::span<const CoreValue> flat, const CType& t);
[[nodiscard]] Result<std::vector<CoreValue>> lower_flat(CanonContext& cx, const Val& v, const CType& t);

/// Guest → host (`canon lower`): the arguments a host function receives from the core call's `args`.
[[nodiscard]] Result<std::vector<Val>> lift_lowered_args(CanonContext& cx, const FuncSig& sig,
                                                         std::span<const CoreValue> args);
/// Guest → host: writes the host's result into the core results or through the trailing return pointer in `args`.
[[nodiscard]] Result<void> lower_lowered_result(CanonContext& cx, const FuncSig& sig, const Val& result,
                                                std::span<const CoreValue> args, std::span<CoreValue> results);
/// Host → guest (`canon lift`): the core arguments for a call to a lifted export.
[[nodiscard]] Result<std::vector<CoreValue>> lower_lifted_args(CanonContext& cx, const FuncSig& sig,
                                                               const std::vector<Val>& args);
/// Host → guest: the export's result from the core results (directly or through the returned pointer).
[[nodiscard]] Result<Val> lift_lifted_result(CanonContext& cx, const FuncSig& sig, std::span<const CoreValue> results);

}  // namespace weft::runtime
