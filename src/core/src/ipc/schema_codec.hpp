#pragma once
// Internal: one generic codec for every WEFT message set. Each message struct has a `describe(msg, f)` (found by ADL)
// that calls `f(name, field, presence)` for its fields in wire order; this file turns that single description into
// MessagePack (map or positional array), JSON, and decoders for both. No message's encoding is written by hand twice.

#include <msgpack.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "weft/core/result.hpp"

namespace weft::ipc::detail {

enum class Presence { required, optional };

template <class T> struct is_vector : std::false_type {};
template <class T> struct is_vector<std::vector<T>> : std::true_type {};
template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};

// A tag is written only for top-level messages; nested records (list elements) carry none.
inline constexpr std::string_view kNoTag{};

// ---------------------------------------------------------------- MessagePack writer
class MsgpackWriter {
 public:
  MsgpackWriter(msgpack::sbuffer& buffer, bool positional) : pk_(&buffer), positional_(positional) {}

  template <class R>
  void record(const R& rec, std::string_view tag) {
    R& r = const_cast<R&>(rec);  // describe() takes a mutable reference; writers only read
    size_t n = tag.empty() ? 0 : 1;
    describe(r, [&](std::string_view, auto& field, Presence) { n += emitted(field) ? 1 : 0; });
    positional_ ? pk_.pack_array(static_cast<uint32_t>(n)) : pk_.pack_map(static_cast<uint32_t>(n));
    if (!tag.empty()) {
      if (!positional_) pk_.pack(std::string_view("type"));
      pk_.pack(tag);
    }
    describe(r, [&](std::string_view name, auto& field, Presence) {
      if (!emitted(field)) return;
      if (!positional_) pk_.pack(name);
      value(field);
    });
  }

 private:
  // An absent optional is left out of a map; a positional array keeps its slot with nil.
  template <class T>
  bool emitted(const T& field) const {
    if constexpr (is_optional<T>::value) return positional_ || field.has_value();
    else return true;
  }
  void value(const std::string& s) { pk_.pack(s); }
  void value(uint64_t v) { pk_.pack_uint64(v); }
  void value(uint32_t v) { pk_.pack_uint32(v); }
  void value(bool b) { b ? pk_.pack_true() : pk_.pack_false(); }
  void value(double d) { pk_.pack_double(d); }
  template <class T>
  void value(const std::optional<T>& o) {
    if (o) value(*o);
    else pk_.pack_nil();
  }
  template <class R>
  void value(const std::vector<R>& list) {
    pk_.pack_array(static_cast<uint32_t>(list.size()));
    for (const R& r : list) record(r, kNoTag);
  }

  msgpack::packer<msgpack::sbuffer> pk_;
  bool positional_;
};

template <class R>
std::vector<uint8_t> to_msgpack(const R& rec, std::string_view tag, bool positional) {
  msgpack::sbuffer buffer;
  MsgpackWriter(buffer, positional).record(rec, tag);
  return std::vector<uint8_t>(reinterpret_cast<const uint8_t*>(buffer.data()),
                              reinterpret_cast<const uint8_t*>(buffer.data()) + buffer.size());
}

// ---------------------------------------------------------------- JSON writer
template <class R>
nlohmann::json to_json(const R& rec, std::string_view tag) {
  R& r = const_cast<R&>(rec);
  nlohmann::json out = nlohmann::json::object();
  if (!tag.empty()) out["type"] = std::string(tag);
  describe(r, [&](std::string_view name, auto& field, Presence) {
    using T = std::remove_cvref_t<decltype(field)>;
    if constexpr (is_vector<T>::value) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& item : field) list.push_back(to_json(item, kNoTag));
      out[std::string(name)] = std::move(list);
    } else if constexpr (is_optional<T>::value) {
      if (field) out[std::string(name)] = *field;
    } else {
      out[std::string(name)] = field;
    }
  });
  return out;
}

// ---------------------------------------------------------------- node access for decoding
struct MsgpackNode {
  using Node = msgpack::object;
  static bool is_map(const Node& n) { return n.type == msgpack::type::MAP; }
  static bool is_array(const Node& n) { return n.type == msgpack::type::ARRAY; }
  static bool is_nil(const Node& n) { return n.type == msgpack::type::NIL; }
  static size_t size(const Node& n) { return n.via.array.size; }
  static const Node* at(const Node& n, size_t i) { return i < n.via.array.size ? &n.via.array.ptr[i] : nullptr; }
  static const Node* find(const Node& n, std::string_view key) {
    for (uint32_t i = 0; i < n.via.map.size; ++i) {
      const auto& kv = n.via.map.ptr[i];
      if (kv.key.type == msgpack::type::STR && std::string_view(kv.key.via.str.ptr, kv.key.via.str.size) == key)
        return &kv.val;
    }
    return nullptr;
  }
  static std::optional<std::string> as_string(const Node& n) {
    if (n.type != msgpack::type::STR) return std::nullopt;
    return std::string(n.via.str.ptr, n.via.str.size);
  }
  // Any integer width; negative values never fit an unsigned field.
  static std::optional<uint64_t> as_u64(const Node& n) {
    if (n.type == msgpack::type::POSITIVE_INTEGER) return n.via.u64;
    return std::nullopt;
  }
  static std::optional<bool> as_bool(const Node& n) {
    if (n.type == msgpack::type::BOOLEAN) return n.via.boolean;
    return std::nullopt;
  }
  // Either float width; integers are accepted for float fields too.
  static std::optional<double> as_double(const Node& n) {
    switch (n.type) {
      case msgpack::type::FLOAT32:
      case msgpack::type::FLOAT64: return n.via.f64;
      case msgpack::type::POSITIVE_INTEGER: return static_cast<double>(n.via.u64);
      case msgpack::type::NEGATIVE_INTEGER: return static_cast<double>(n.via.i64);
      default: return std::nullopt;
    }
  }
};

struct JsonNode {
  using Node = nlohmann::json;
  static bool is_map(const Node& n) { return n.is_object(); }
  static bool is_array(const Node& n) { return n.is_array(); }
  static bool is_nil(const Node& n) { return n.is_null(); }
  static size_t size(const Node& n) { return n.size(); }
  static const Node* at(const Node& n, size_t i) { return i < n.size() ? &n[i] : nullptr; }
  static const Node* find(const Node& n, std::string_view key) {
    auto it = n.find(key);
    return it == n.end() ? nullptr : &*it;
  }
  static std::optional<std::string> as_string(const Node& n) {
    if (!n.is_string()) return std::nullopt;
    return n.get<std::string>();
  }
  static std::optional<uint64_t> as_u64(const Node& n) {
    if (n.is_number_unsigned()) return n.get<uint64_t>();
    if (n.is_number_integer() && n.get<int64_t>() >= 0) return static_cast<uint64_t>(n.get<int64_t>());
    return std::nullopt;
  }
  static std::optional<bool> as_bool(const Node& n) {
    if (!n.is_boolean()) return std::nullopt;
    return n.get<bool>();
  }
  static std::optional<double> as_double(const Node& n) {
    if (!n.is_number()) return std::nullopt;
    return n.get<double>();
  }
};

// ---------------------------------------------------------------- decoder
template <class Access>
class Reader {
  using Node = typename Access::Node;

 public:
  /// Reads record `r` from a map, or from an array starting at `first_index` (1 when the tag occupies slot 0).
  template <class R>
  Result<void> record(const Node& node, R& r, size_t first_index, const std::string& context) {
    const bool is_map = Access::is_map(node);
    if (!is_map && !Access::is_array(node)) return fail(context + ": expected a map or an array");
    size_t index = first_index;
    std::optional<Error> error;
    describe(r, [&](std::string_view name, auto& field, Presence presence) {
      if (error) return;
      const Node* f = is_map ? Access::find(node, name) : Access::at(node, index);
      ++index;
      if (!f || (Access::is_nil(*f) && presence == Presence::optional)) {
        if (presence == Presence::required) error = Error(context + ": missing field " + std::string(name));
        return;
      }
      if (auto r2 = value(*f, field, context + "." + std::string(name)); !r2) error = std::move(r2).error();
    });
    if (error) return fail(std::move(*error));
    return ok();
  }

 private:
  static Failure type_error(const std::string& where, std::string_view expected) {
    return fail(where + " must be " + std::string(expected));
  }
  Result<void> value(const Node& n, std::string& out, const std::string& where) {
    auto v = Access::as_string(n);
    if (!v) return type_error(where, "a string");
    out = std::move(*v);
    return ok();
  }
  Result<void> value(const Node& n, uint64_t& out, const std::string& where) {
    auto v = Access::as_u64(n);
    if (!v) return type_error(where, "an unsigned integer");
    out = *v;
    return ok();
  }
  Result<void> value(const Node& n, uint32_t& out, const std::string& where) {
    auto v = Access::as_u64(n);
    if (!v || *v > std::numeric_limits<uint32_t>::max()) return type_error(where, "an unsigned 32-bit integer");
    out = static_cast<uint32_t>(*v);
    return ok();
  }
  Result<void> value(const Node& n, bool& out, const std::string& where) {
    auto v = Access::as_bool(n);
    if (!v) return type_error(where, "a boolean");
    out = *v;
    return ok();
  }
  Result<void> value(const Node& n, double& out, const std::string& where) {
    auto v = Access::as_double(n);
    if (!v) return type_error(where, "a number");
    out = *v;
    return ok();
  }
  template <class T>
  Result<void> value(const Node& n, std::optional<T>& out, const std::string& where) {
    T inner{};
    WEFT_TRY_VOID(value(n, inner, where));
    out = std::move(inner);
    return ok();
  }
  template <class R>
  Result<void> value(const Node& n, std::vector<R>& out, const std::string& where) {
    if (!Access::is_array(n)) return type_error(where, "a list");
    out.clear();
    for (size_t i = 0; i < Access::size(n); ++i) {
      R item{};
      WEFT_TRY_VOID(record(*Access::at(n, i), item, 0, where + "[" + std::to_string(i) + "]"));
      out.push_back(std::move(item));
    }
    return ok();
  }
};

// ---------------------------------------------------------------- tagged variants

/// Builds alternative `index` of V default-constructed.
template <class V, size_t... I>
V make_alternative(size_t index, std::index_sequence<I...>) {
  V out;
  ((index == I ? (out = V(std::in_place_index<I>), 0) : 0), ...);
  return out;
}

/// Decodes a tagged message from a node (map with "type", or array with the tag first).
template <class Access, class V>
Result<V> decode_tagged(const typename Access::Node& node, std::span<const std::string_view> names,
                        bool allow_positional) {
  std::optional<std::string> tag;
  if (Access::is_map(node)) {
    const auto* t = Access::find(node, "type");
    if (!t) return fail("message has no \"type\" field");
    tag = Access::as_string(*t);
    if (!tag) return fail("message \"type\" must be a string");
  } else if (allow_positional && Access::is_array(node)) {
    if (Access::size(node) == 0) return fail("message is an empty array (expected the type tag first)");
    tag = Access::as_string(*Access::at(node, 0));
    if (!tag) return fail("message array must start with its type tag string");
  } else {
    return fail(allow_positional ? "message must be a map or an array" : "message must be a map");
  }
  size_t index = names.size();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == *tag) index = i;
  if (index == names.size()) return fail("unknown message type '" + *tag + "'");
  V message = make_alternative<V>(index, std::make_index_sequence<std::variant_size_v<V>>{});
  Result<void> read = std::visit(
      [&](auto& m) { return Reader<Access>().record(node, m, Access::is_map(node) ? 0 : 1, *tag); }, message);
  if (!read) return fail(std::move(read).error());
  return message;
}

/// Depth bound of a MessagePack message: the deepest legal one is 4 levels (array → list → record → field).
inline constexpr uint32_t kMaxMsgpackDepth = 16;

/// msgpack-c's unpack allocates an array's or map's element storage as soon as it reads the header, before it knows
/// the elements are there: six bytes claiming 2^20 elements cost 24 MiB, at every nesting level. This allocation-free
/// first pass proves the whole value is present and within the depth bound, so unpack allocates only for elements the
/// body really holds (at most one per byte).
class MsgpackShapeCheck : public msgpack::null_visitor {
 public:
  bool start_array(uint32_t) { return enter(); }
  bool end_array() { return leave(); }
  bool start_map(uint32_t) { return enter(); }
  bool end_map() { return leave(); }
  void parse_error(size_t, size_t) { problem_ = "a byte that starts no MessagePack value"; }
  void insufficient_bytes(size_t, size_t) { problem_ = "the body ends inside a value"; }
  /// Why the check failed (empty when it passed).
  [[nodiscard]] const std::string& problem() const { return problem_; }

 private:
  bool enter() {
    if (++depth_ <= kMaxMsgpackDepth) return true;
    problem_ = "nested deeper than " + std::to_string(kMaxMsgpackDepth) + " levels";
    return false;
  }
  bool leave() {
    --depth_;
    return true;
  }
  uint32_t depth_ = 0;
  std::string problem_;
};

/// Parses one MessagePack value from `body` (exactly one, bounded depth) and hands it to `use`.
template <class F>
auto with_msgpack_object(std::span<const uint8_t> body, F&& use) -> decltype(use(std::declval<const msgpack::object&>())) {
  static const msgpack::unpack_limit kLimits(1u << 20, 1u << 20, 4u << 20, 4u << 20, 4u << 20, kMaxMsgpackDepth);
  {
    MsgpackShapeCheck shape;
    size_t checked = 0;
    bool whole = msgpack::parse(reinterpret_cast<const char*>(body.data()), body.size(), checked, shape);
    if (!whole)
      return fail("undecodable MessagePack: " + (shape.problem().empty() ? std::string("malformed") : shape.problem()));
  }
  msgpack::object_handle handle;
  size_t offset = 0;
  try {
    handle = msgpack::unpack(reinterpret_cast<const char*>(body.data()), body.size(), offset, nullptr, nullptr, kLimits);
  } catch (const msgpack::insufficient_bytes&) {
    return fail("undecodable MessagePack: the body ends inside a value");
  } catch (const std::exception& e) {
    return fail(std::string("undecodable MessagePack: ") + e.what());
  }
  if (offset != body.size())
    return fail("undecodable MessagePack: " + std::to_string(body.size() - offset) + " trailing bytes after the value");
  return use(handle.get());
}

}  // namespace weft::ipc::detail
