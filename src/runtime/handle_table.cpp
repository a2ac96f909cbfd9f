// Resource handle tables, and the shared primitive value types.

#include "weft/runtime/canonical_abi.hpp"

namespace weft::runtime {

Result<uint32_t> HandleTable::add(ResourceTypePtr type, uint32_t rep, bool own) {
  if (live_ >= kMaxLiveHandles)
    return fail("the component already holds " + std::to_string(kMaxLiveHandles) + " resource handles, the limit");
  Entry e{std::move(type), rep, own, 0};
  ++live_;
  if (!free_.empty()) {
    uint32_t h = free_.back();
    free_.pop_back();
    entries_[h] = std::move(e);
    return h;
  }
  entries_.push_back(std::move(e));
  return uint32_t(entries_.size() - 1);
}

Result<HandleTable::Entry*> HandleTable::get(uint32_t handle, const ResourceType* type) {
  if (handle == 0 || handle >= entries_.size() || !entries_[handle])
    return fail("unknown handle " + std::to_string(handle) + (type ? " for " + type->name : std::string()));
  auto& e = *entries_[handle];
  if (type && e.type.get() != type)
    return fail("handle " + std::to_string(handle) + " is a " + e.type->name + ", not a " + type->name);
  return &e;
}

Result<HandleTable::Entry> HandleTable::remove(uint32_t handle, const ResourceType* type) {
  WEFT_TRY(Entry * e, get(handle, type));
  if (e->lends) return fail("handle " + std::to_string(handle) + " is still lent out");
  Entry out = std::move(*e);
  entries_[handle].reset();
  free_.push_back(handle);
  --live_;
  return out;
}

size_t HandleTable::live_count() const { return live_; }



CTypePtr prim_type(CType::Kind kind) {
  static const auto table = [] {
    std::vector<CTypePtr> t;
    for (int k = 0; k <= int(CType::Kind::string); ++k) {
      auto p = std::make_shared<CType>();
      p->kind = CType::Kind(k);
      t.push_back(p);
    }
    return t;
  }();
  return table.at(size_t(kind));
}

Val Val::bytes(const void* data, size_t size) {
  Val v;
  v.str.assign(static_cast<const char*>(data), size);
  return v;
}


}  // namespace weft::runtime
