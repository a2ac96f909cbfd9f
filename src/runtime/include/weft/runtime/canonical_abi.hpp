#pragma once
// The synchronous canonical ABI (component-model CanonicalABI.md): sizes, alignment, flattening, load/store,
// lift/lower of function arguments and results, and per-instance resource handle tables.

#include <optional>
#include <span>
#include <string>
#include <string_view>
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
  MemoryAccess memory_access;  // `memory`'s bytes without the engine, when it offers that (Evaluator::context)
  std::optional<CoreExtern> realloc;
  CanonOptions::Encoding encoding = CanonOptions::Encoding::utf8;
  HandleTable* handles = nullptr;
  /// List elements a lift may still create: a guest cannot make the host build more values than this from one
  /// call (a list of zero-sized records costs no guest memory at all). Byte lists do not count.
  size_t element_budget = kMaxLiftedElements;
};

/// Whether a code point is a Unicode scalar value (what `char` may carry).
[[nodiscard]] inline bool valid_scalar(uint64_t c) { return c < 0x110000 && !(c >= 0xd800 && c < 0xe000); }

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

/// Where a lowered call's parameters and result travel, fixed by its type: worked out once per trampoline (at link
/// time) instead of flattening the signature on every call.
struct LoweredShape {
  bool params_in_memory = false;  // more than kMaxFlatParams flat parameters: one pointer to a tuple
  bool result_in_memory = false;  // more than kMaxFlatResults flat results: a trailing return pointer
};
[[nodiscard]] LoweredShape lowered_shape(const FuncSig& sig);
/// flatten(sig, true) and lowered_shape(sig) in one pass (each flattens every parameter and the result; a link
/// needs both for every lowered import).
[[nodiscard]] CoreFuncType flatten_lowered(const FuncSig& sig, LoweredShape& shape);

/// Guest → host (`canon lower`): the arguments a host function receives from the core call's `args`.
[[nodiscard]] Result<std::vector<Val>> lift_lowered_args(CanonContext& cx, const FuncSig& sig,
                                                         std::span<const CoreValue> args);
/// Guest → host: writes the host's result into the core results or through the trailing return pointer in `args`.
[[nodiscard]] Result<void> lower_lowered_result(CanonContext& cx, const FuncSig& sig, const Val& result,
                                                std::span<const CoreValue> args, std::span<CoreValue> results);
/// The same two with the shape worked out beforehand (lowered_shape(sig)).
[[nodiscard]] Result<std::vector<Val>> lift_lowered_args(CanonContext& cx, const FuncSig& sig, LoweredShape shape,
                                                         std::span<const CoreValue> args);
[[nodiscard]] Result<void> lower_lowered_result(CanonContext& cx, const FuncSig& sig, LoweredShape shape,
                                                const Val& result, std::span<const CoreValue> args,
                                                std::span<CoreValue> results);

// The pieces of lifting and lowering that host.hpp's direct calls (host_direct.hpp) assemble per C++ type: each
// checks what lifting or lowering a whole value checks at that point, with the same message.

/// A string argument at (ptr, len), in the context's encoding, as UTF-8.
[[nodiscard]] Result<std::string> lift_string(CanonContext& cx, uint32_t ptr, uint32_t len);
/// A list<u8> argument at (ptr, len).
[[nodiscard]] Result<std::string> lift_byte_list(CanonContext& cx, uint32_t ptr, uint32_t len);
/// The rep behind a guest handle of handle type `t` (own: moved out of the table; borrow: left there).
[[nodiscard]] Result<uint32_t> lift_handle_rep(CanonContext& cx, uint32_t handle, const CType& t);
/// A new guest handle for host rep `rep` of handle type `t` (own only).
[[nodiscard]] Result<uint32_t> lower_handle_rep(CanonContext& cx, uint32_t rep, const CType& t);
/// Fails unless `c` is a Unicode scalar value.
[[nodiscard]] Result<void> check_char(uint64_t c);
/// Fails unless case `index` is below `cases`.
[[nodiscard]] Result<void> check_case_index(uint32_t index, size_t cases);
/// A value area (parameters, results, return areas) of `size` bytes aligned to `align` at `ptr`, checked as a whole
/// before anything is read or written; `what` names the pointer in the error.
[[nodiscard]] Result<void> check_value_area(CanonContext& cx, uint32_t ptr, uint32_t size, uint32_t align,
                                            std::string_view what);
/// Copies `size` bytes into guest memory at `ptr`, bounds-checked.
[[nodiscard]] Result<void> write_guest(CanonContext& cx, uint32_t ptr, const void* data, uint32_t size);
/// Stores a string / list<u8> (its bytes through cabi_realloc) and writes its (ptr, len) pair at `ptr`.
[[nodiscard]] Result<void> store_string_at(CanonContext& cx, const std::string& s, uint32_t ptr);
[[nodiscard]] Result<void> store_byte_list_at(CanonContext& cx, const std::string& bytes, uint32_t ptr);

/// Host → guest (`canon lift`): the core arguments for a call to a lifted export.
[[nodiscard]] Result<std::vector<CoreValue>> lower_lifted_args(CanonContext& cx, const FuncSig& sig,
                                                               const std::vector<Val>& args);
/// Host → guest: the export's result from the core results (directly or through the returned pointer).
[[nodiscard]] Result<Val> lift_lifted_result(CanonContext& cx, const FuncSig& sig, std::span<const CoreValue> results);

}  // namespace weft::runtime
