#include "weft/core/capability.hpp"

#include <gtest/gtest.h>

namespace {
using weft::CapabilityKind;

TEST(Capability, ParsesEveryFixedCapabilityOfTheVocabulary) {
  struct Case { const char* text; CapabilityKind kind; };
  for (auto [text, kind] : {Case{"fs:read:app-data", CapabilityKind::fs_read_app_data},
                            Case{"fs:rw:app-data", CapabilityKind::fs_rw_app_data},
                            Case{"fs:read:xdg-documents", CapabilityKind::fs_read_xdg_documents},
                            Case{"fs:rw:xdg-documents", CapabilityKind::fs_rw_xdg_documents},
                            Case{"net:fetch:*", CapabilityKind::net_fetch_any},
                            Case{"sys:notifications", CapabilityKind::sys_notifications},
                            Case{"sys:clipboard:read", CapabilityKind::sys_clipboard_read},
                            Case{"sys:clipboard:write", CapabilityKind::sys_clipboard_write},
                            Case{"hw:gpu:compute", CapabilityKind::hw_gpu_compute},
                            Case{"hw:gpu:render", CapabilityKind::hw_gpu_render}}) {
    auto c = weft::parse_capability(text);
    ASSERT_TRUE(c.ok()) << text;
    EXPECT_EQ(c->kind, kind) << text;
    EXPECT_EQ(c->text, text);
  }
}

TEST(Capability, ParsesFetchGrantsForDnsNamesAndDottedIpv4) {
  for (const char* host : {"example.org", "api.example.org", "a-b.example.org", "localhost", "x1.y2", "10.0.0.1",
                           "255.255.255.255", "0.0.0.0"}) {
    auto c = weft::parse_capability(std::string("net:fetch:") + host);
    ASSERT_TRUE(c.ok()) << host;
    EXPECT_EQ(c->kind, CapabilityKind::net_fetch_host);
    EXPECT_EQ(c->host, host);
  }
}

TEST(Capability, RejectsFetchHostsOutsideTheGrammarAsUnknown) {
  for (const char* text : {"net:fetch", "net:fetch:", "net:fetch:Example.org", "net:fetch:*.x.org", "net:fetch:host:443",
                           "net:fetch:[::1]", "net:fetch:-a.org", "net:fetch:a-.org", "net:fetch:a..org",
                           "net:fetch:1.2.3.04", "net:fetch:01.2.3.4", "net:fetch:256.1.1.1", "net:fetch:a.123",
                           "net:fetch:under_score.org", "net:fetch:trailing.", "fs:write:app-data", "sys:clipboard",
                           "FS:RW:APP-DATA", ""}) {
    auto c = weft::parse_capability(text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.error().message, std::string("unknown capability '") + text + "'");
  }
}

TEST(Capability, RejectsOverlongLabelsAndNames) {
  std::string label63(63, 'a');
  EXPECT_TRUE(weft::is_valid_fetch_host(label63 + ".org"));
  EXPECT_FALSE(weft::is_valid_fetch_host(label63 + "a.org"));
  std::string long_name;
  while (long_name.size() < 251) long_name += "abcdefghi.";  // 260 + "org" > 253
  long_name += "org";
  EXPECT_FALSE(weft::is_valid_fetch_host(long_name));
}

TEST(Capability, OnlyAppDataCapabilitiesSkipApproval) {
  EXPECT_FALSE(weft::parse_capability("fs:rw:app-data")->needs_approval());
  EXPECT_FALSE(weft::parse_capability("fs:read:app-data")->needs_approval());
  EXPECT_TRUE(weft::parse_capability("fs:read:xdg-documents")->needs_approval());
  EXPECT_TRUE(weft::parse_capability("net:fetch:example.org")->needs_approval());
  EXPECT_TRUE(weft::parse_capability("sys:notifications")->needs_approval());
  EXPECT_TRUE(weft::parse_capability("hw:gpu:render")->is_hardware());
  EXPECT_TRUE(weft::parse_capability("fs:rw:xdg-documents")->is_filesystem());
}

}  // namespace
