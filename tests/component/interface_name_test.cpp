#include <gtest/gtest.h>

#include "weft/component/component.hpp"

namespace weft::component {
namespace {

TEST(InterfaceName, SplitsNamespacePackageInterfaceAndVersion) {
  auto n = parse_interface_name("wasi:io/streams@0.2.6");
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->ns, "wasi");
  EXPECT_EQ(n->package, "io");
  EXPECT_EQ(n->interface, "streams");
  EXPECT_EQ(n->version, "0.2.6");
  EXPECT_EQ(n->unversioned(), "wasi:io/streams");
}

TEST(InterfaceName, PlainNamesAreNotInterfaceNames) {
  EXPECT_FALSE(parse_interface_name("run").has_value());
  EXPECT_FALSE(parse_interface_name("import-func-run").has_value());
  EXPECT_FALSE(parse_interface_name("wasi:io/streams@").has_value());
}

TEST(InterfaceName, PatchAndMinorVersionsMatchBySemverRules) {
  EXPECT_TRUE(interface_names_compatible("wasi:io/streams@0.2.6", "wasi:io/streams@0.2.12"));
  EXPECT_TRUE(interface_names_compatible("wasi:io/streams@0.2.0", "wasi:io/streams@0.2.12"));
  EXPECT_FALSE(interface_names_compatible("wasi:io/streams@0.3.0", "wasi:io/streams@0.2.12"));
  EXPECT_FALSE(interface_names_compatible("wasi:io/poll@0.2.6", "wasi:io/streams@0.2.6"));
  EXPECT_TRUE(interface_names_compatible("weft:app/ipc@0.1.3", "weft:app/ipc@0.1.0"));
  EXPECT_TRUE(interface_names_compatible("x:y/z@1.0.0", "x:y/z@1.7.2"));
  EXPECT_FALSE(interface_names_compatible("x:y/z@0.0.1", "x:y/z@0.0.2"));
  EXPECT_FALSE(interface_names_compatible("x:y/z@0.2.1-rc", "x:y/z@0.2.1"));
}

}  // namespace
}  // namespace weft::component
