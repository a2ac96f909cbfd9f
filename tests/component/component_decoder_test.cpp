#include <gtest/gtest.h>

#include <random>
#include <set>

#include "weft/test/component_bytes.hpp"
#include "weft/component/component.hpp"

namespace weft::component {
namespace {

using test::Bytes;
using test::component_bytes;

// type section: (type (record (field "a" u32) (field "b" string))) (type (func (param "r" 0) (result string)))
Bytes type_section() {
  Bytes b = {0x02, 0x72, 0x02};
  test::append_name(b, "a");
  b.push_back(0x79);
  test::append_name(b, "b");
  b.push_back(0x73);
  b.insert(b.end(), {0x40, 0x01});
  test::append_name(b, "r");
  b.insert(b.end(), {0x00, 0x00, 0x73});
  return b;
}

// import section: (import "weft:app/ipc@0.1.0" (func (type 1)))
Bytes import_section() {
  Bytes b = {0x01, 0x00};
  test::append_name(b, "weft:app/ipc@0.1.0");
  b.insert(b.end(), {0x01, 0x01});
  return b;
}

TEST(ComponentDecoder, DecodesTypesAndImportsOfAHandBuiltComponent) {
  auto c = decode_component(component_bytes({{7, type_section()}, {10, import_section()}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->types.size(), 2u);
  EXPECT_EQ(c->types[0].def->kind, TypeDef::Kind::record);
  ASSERT_EQ(c->types[0].def->fields.size(), 2u);
  EXPECT_EQ(c->types[0].def->fields[1].name, "b");
  EXPECT_EQ(c->types[0].def->fields[1].type->prim, Prim::string);
  EXPECT_EQ(c->types[1].def->kind, TypeDef::Kind::func);
  EXPECT_FALSE(c->types[1].def->fields[0].type->is_prim);
  ASSERT_EQ(c->imports.size(), 1u);
  EXPECT_EQ(c->imports[0].name, "weft:app/ipc@0.1.0");
  EXPECT_EQ(c->funcs.size(), 1u);
}

TEST(ComponentDecoder, AJcoCommandComponentHasFourCoreModulesAndExportsCliRun) {
  Bytes bytes = test::read_file_bytes(WEFT_COMPONENT_FIXTURES "/hello.wasm");
  ASSERT_GT(bytes.size(), 1000u) << "fixture hello.wasm was not built";
  auto c = decode_component(bytes);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->modules.size(), 4u);  // main, adapter, shim, fixup
  EXPECT_EQ(c->components.size(), 1u);  // the wasi:cli/run wrapper
  auto summary = summarize(*c);
  ASSERT_TRUE(summary.cli_run_export.has_value());
  EXPECT_TRUE(summary.cli_run_export->starts_with("wasi:cli/run@0.2."));
  bool imports_stdout = false;
  for (const auto& imp : summary.imports)
    imports_stdout |= imp.name.starts_with("wasi:cli/stdout@0.2.") && imp.sort == Sort::instance;
  EXPECT_TRUE(imports_stdout);
}

TEST(ComponentDecoder, ACoreModuleIsRejectedAsTheWrongLayer) {
  Bytes core = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  auto c = decode_component(core);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("core module (layer 0)"), std::string::npos) << c.error().message;
  EXPECT_FALSE(is_component_binary(core));
}

struct Corruption {
  const char* what;
  Bytes bytes;
  const char* expected;  // substring of the error
};

TEST(ComponentDecoder, EveryCorruptionInTheTableYieldsAnErrorNamingSectionAndOffset) {
  Bytes good_types = type_section();
  Bytes bad_opcode = good_types;
  bad_opcode[1] = 0x20;  // not a type opcode
  Bytes bad_count = {0xff, 0xff, 0x03};
  Bytes bad_utf8 = {0x01, 0x00, 0x02, 0xc3, 0x28, 0x01, 0x00};
  Bytes bad_sort = {0x01, 0x00, 0x01, 'x', 0x09, 0x00, 0x00};
  Bytes long_leb = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
  Bytes nested_deep;
  nested_deep.push_back(0x01);
  for (int i = 0; i < 70; ++i) nested_deep.insert(nested_deep.end(), {0x42, 0x01, 0x01});
  Bytes bad_core_module = {0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00};
  const Corruption table[] = {
      {"empty input", {}, "truncated"},
      {"bad magic", {0x00, 0x61, 0x73, 0x6e, 0x0d, 0x00, 0x01, 0x00}, "bad magic"},
      {"future version", {0x00, 0x61, 0x73, 0x6d, 0x0e, 0x00, 0x01, 0x00}, "unsupported component version"},
      {"unknown section id", component_bytes({{13, {0x00}}}), "unknown section id 13"},
      {"section longer than the file", [] { Bytes b = component_bytes({{7, {0x00}}}); b[9] = 0x40; return b; }(),
       "component type section at offset 8: length 64 runs past the end"},
      {"bad type opcode", component_bytes({{7, bad_opcode}}), "component type section at offset 11: invalid type opcode 0x20"},
      {"vector count past the end", component_bytes({{7, bad_count}}), "exceeds the remaining bytes"},
      {"invalid UTF-8 import name", component_bytes({{10, bad_utf8}}), "component import section at offset 12: name is not valid UTF-8"},
      {"bad sort in an export", component_bytes({{11, bad_sort}}), "component export section at offset 14: invalid sort"},
      {"overlong LEB128", component_bytes({{7, long_leb}}), "component type section"},
      {"trailing bytes in a section", component_bytes({{7, {0x00, 0x00}}}), "1 trailing bytes"},
      {"types nested too deeply", component_bytes({{7, nested_deep}}), "type nesting deeper than"},
      {"core module with a bad header", component_bytes({{1, bad_core_module}}), "component core module section"},
      {"start section", component_bytes({{9, {0x00, 0x00}}}), "start functions are not supported"},
      {"truncated type section", [] { Bytes b = component_bytes({{7, type_section()}}); b.resize(b.size() - 3); return b; }(),
       "component type section at offset 8"},
  };
  for (const auto& row : table) {
    auto c = decode_component(row.bytes);
    ASSERT_FALSE(c.ok()) << row.what << " was accepted";
    EXPECT_NE(c.error().message.find(row.expected), std::string::npos)
        << row.what << ": expected '" << row.expected << "' in: " << c.error().message;
    EXPECT_NE(c.error().message.find("offset"), std::string::npos) << row.what << ": " << c.error().message;
  }
}

TEST(ComponentDecoder, EveryTruncationOfARealComponentFailsCleanly) {
  Bytes bytes = test::read_file_bytes(WEFT_COMPONENT_FIXTURES "/hello.wasm");
  ASSERT_GT(bytes.size(), 1000u);
  // Every prefix near the start and the end (where the dense sections are), and a stride through the middle.
  // A prefix that ends exactly at a section boundary is a valid (smaller) component; every other prefix is not.
  std::set<size_t> boundaries = {8};
  for (size_t pos = 8; pos < bytes.size();) {
    size_t p = pos + 1, size = 0;
    for (int shift = 0; bytes[p] & 0x80; shift += 7) size |= size_t(bytes[p++] & 0x7f) << shift;
    size |= size_t(bytes[p]) << (7 * (p - pos - 1));
    pos = p + 1 + size;
    boundaries.insert(pos);
  }
  for (size_t n = 0; n < bytes.size(); n += (n < 4096 || n > bytes.size() - 4096) ? 1 : 251) {
    if (boundaries.count(n)) continue;
    auto c = decode_component(std::span(bytes.data(), n));
    ASSERT_FALSE(c.ok()) << "prefix of " << n << " bytes was accepted";
    ASSERT_NE(c.error().message.find("offset"), std::string::npos) << c.error().message;
  }
}

TEST(ComponentDecoder, RandomByteFlipsNeverCrashTheDecoder) {
  Bytes original = test::read_file_bytes(WEFT_COMPONENT_FIXTURES "/hello.wasm");
  ASSERT_GT(original.size(), 1000u);
  std::mt19937 rng(1234);
  size_t rejected = 0;
  for (int round = 0; round < 300; ++round) {
    Bytes b = original;
    for (int k = 0; k < 4; ++k) b[rng() % b.size()] = uint8_t(rng());
    auto c = decode_component(b);
    if (!c.ok()) ++rejected;
  }
  // Flips inside core module bodies or names are legal component bytes; flips in structure must be caught.
  EXPECT_GT(rejected, 0u);
}

}  // namespace
}  // namespace weft::component
