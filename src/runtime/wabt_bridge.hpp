#pragma once
// The libwabt interpreter behind a C++17-clean interface: wabt/interp headers do not compile as C++20 with g++ 12
// (stack.md §5), so wabt_bridge.cpp is compiled as C++17 and only this header is shared with the C++20 code.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace weft::runtime::wabt_bridge {

// Value/extern kinds use the numeric values of weft::runtime::CoreType / CoreExternKind.
struct Value {
  uint8_t type;
  uint64_t bits;
};
struct FuncType {
  std::vector<uint8_t> params, results;
};
struct Import {
  std::string module, name;
  uint8_t kind;
  FuncType func;
};
struct Export {
  std::string name;
  uint8_t kind;
};
struct Extern {
  uint8_t kind;
  uint64_t ref;
};
/// A host callback returns false and sets `trap` (kind, message) to trap.
using Callback = std::function<bool(const std::vector<Value>& args, std::vector<Value>& results, std::string* trap_kind,
                                    std::string* trap_message)>;

class Engine {
 public:
  Engine();
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void set_max_pages(uint64_t pages);
  bool load(const uint8_t* data, size_t size, const std::string& name, uint32_t* module, std::string* error);
  const std::vector<Import>& imports(uint32_t module) const;
  const std::vector<Export>& exports(uint32_t module) const;
  bool instantiate(uint32_t module, const std::vector<Extern>& imports, uint32_t* instance, std::string* error);
  bool export_of(uint32_t instance, const std::string& name, Extern* out) const;
  Extern host_function(const FuncType& type, Callback callback);
  FuncType func_type(Extern func) const;
  /// False on a trap, with `trap_kind` / `trap_message` set.
  bool call(Extern func, const std::vector<Value>& args, std::vector<Value>* results, std::string* trap_kind,
            std::string* trap_message);
  uint8_t* memory(Extern memory, uint64_t* size);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::runtime::wabt_bridge
