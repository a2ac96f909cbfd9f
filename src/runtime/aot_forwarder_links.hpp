#pragma once
// Link time: wit-component's import indirection resolved in compiled code (aot_forwarders.hpp has the translate-time
// half). Once every core instance of a component is instantiated, an import slot (aot_abi.h) that calls a shim's
// forwarder — `call_indirect` of element K of table T — is pointed at what T[K] holds: another module's import
// slot, copied (so the main module's trampoline calls the host's typed entry itself), or a guest function.
//
// Sound only while T[K] cannot change. It can change through code (table.set/grow/fill/copy/init; a passive segment
// needs table.init), so nothing is resolved while any instance of the engine has such code, and through a later
// instance's active segments on T, so instantiating anything that imports a table a resolution relies on undoes
// every resolution first. The host has no way to write a table. A T[K] that is null, out of range or of another
// type is left alone: the call keeps its trap.

#include <span>
#include <vector>

#include "aot_abi.h"
#include "weft/runtime/core_engine.hpp"

namespace weft::runtime {

/// One instance of compiled code as the resolution sees it.
struct AotLinkedInstance {
  const weft_aot_module* glue = nullptr;
  void* storage = nullptr;                      // the generated instance
  weft_aot_imports* links = nullptr;            // its slots follow in memory
  const std::vector<CoreImport>* imports = nullptr;
};

class ForwarderLinks {
 public:
  /// Points every function import of `instances` that calls a forwarder with a final, well-typed element at that
  /// element (repeatedly, up to a few hops). Undone by table_imported().
  void resolve(std::span<const AotLinkedInstance> instances);
  /// Called before an instance that imports `table` is linked: its segments may change the table, so every slot a
  /// resolution changed gets its own target back (all of them: a copied slot may come from another resolution).
  void table_imported(const void* table);
  /// Slots currently pointed past a forwarder (for tests and the benchmark's curiosity).
  [[nodiscard]] size_t resolved() const { return resolved_.size(); }

 private:
  struct Resolved {
    weft_aot_slot* slot;
    weft_aot_slot original;
  };
  std::vector<Resolved> resolved_;
  std::vector<const void*> relied_on_;  // tables whose elements some resolution read
};

}  // namespace weft::runtime
