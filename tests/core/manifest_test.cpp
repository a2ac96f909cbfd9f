#include "weft/core/manifest.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace {

const char* kValid = R"(
[package]
id = "org.weft.demo.notes"
name = "Notes"
version = "0.1.0"
description = "Take notes"
author = "WEFT"
capabilities = ["fs:rw:app-data", "net:fetch:example.org"]
future_key = "ignored"

[runtime]
module = "app.wasm"

[ui]
entry = "ui/index.html"

[something_new]
x = 1
)";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

std::string error_of(const std::string& text) {
  auto r = weft::parse_manifest(text);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.error().message;
}

TEST(Manifest, ParsesEveryFieldAndIgnoresUnknownKeys) {
  auto m = weft::parse_manifest(kValid);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->id, "org.weft.demo.notes");
  EXPECT_EQ(m->name, "Notes");
  EXPECT_EQ(m->version, "0.1.0");
  EXPECT_EQ(m->description, "Take notes");
  EXPECT_EQ(m->author, "WEFT");
  EXPECT_EQ(m->capabilities, (std::vector<std::string>{"fs:rw:app-data", "net:fetch:example.org"}));
  EXPECT_EQ(m->module, "app.wasm");
  EXPECT_EQ(m->ui_entry, "ui/index.html");
  EXPECT_EQ(weft::manifest_capabilities(*m).size(), 2u);
}

TEST(Manifest, OptionalFieldsMayBeAbsent) {
  std::string text = R"([package]
id = "org.weft.demo.counter"
name = "Counter"
version = "1"
[runtime]
module = "app.wasm"
[ui]
entry = "ui/index.html"
)";
  auto m = weft::parse_manifest(text);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_FALSE(m->description.has_value());
  EXPECT_TRUE(m->capabilities.empty());
}

TEST(Manifest, RejectsAnInvalidIdNamingTheSegment) {
  EXPECT_EQ(error_of(replace(kValid, "org.weft.demo.notes", "Org.weft.demo")),
            "package.id 'Org.weft.demo' does not match required pattern (segment 1 \"Org\" must start with a lowercase "
            "letter a-z)");
}

TEST(Manifest, RejectsAnEmptyName) { EXPECT_EQ(error_of(replace(kValid, "\"Notes\"", "\"\"")), "package.name is empty"); }

TEST(Manifest, RejectsANameOver64Bytes) {
  EXPECT_EQ(error_of(replace(kValid, "\"Notes\"", "\"" + std::string(65, 'n') + "\"")),
            "package.name exceeds 64 characters (65)");
  EXPECT_TRUE(weft::parse_manifest(replace(kValid, "\"Notes\"", "\"" + std::string(64, 'n') + "\"")).ok());
}

TEST(Manifest, RejectsMissingRequiredFields) {
  EXPECT_EQ(error_of(replace(kValid, "version = \"0.1.0\"", "")), "package.version is missing");
  EXPECT_EQ(error_of(replace(kValid, "name = \"Notes\"", "")), "package.name is missing");
  EXPECT_EQ(error_of(replace(kValid, "id = \"org.weft.demo.notes\"", "")), "package.id is missing");
  EXPECT_EQ(error_of(replace(kValid, "module = \"app.wasm\"", "")), "runtime.module is missing");
  EXPECT_EQ(error_of(replace(kValid, "entry = \"ui/index.html\"", "")), "ui.entry is missing");
}

TEST(Manifest, RejectsMissingTables) {
  EXPECT_EQ(error_of(replace(kValid, "[ui]\nentry = \"ui/index.html\"", "")), "[ui] table is missing");
  EXPECT_EQ(error_of(replace(kValid, "[runtime]\nmodule = \"app.wasm\"", "")), "[runtime] table is missing");
}

TEST(Manifest, RejectsFieldsOfTheWrongType) {
  EXPECT_EQ(error_of(replace(kValid, "version = \"0.1.0\"", "version = 1")), "package.version must be a string");
  EXPECT_EQ(error_of(replace(kValid, "description = \"Take notes\"", "description = true")),
            "package.description must be a string");
  EXPECT_EQ(error_of(replace(kValid, "[\"fs:rw:app-data\", \"net:fetch:example.org\"]", "\"fs:rw:app-data\"")),
            "package.capabilities must be an array of strings");
  EXPECT_EQ(error_of(replace(kValid, "\"net:fetch:example.org\"", "3")), "package.capabilities must be an array of strings");
}

TEST(Manifest, RejectsUnknownCapabilities) {
  EXPECT_TRUE(error_of(replace(kValid, "net:fetch:example.org", "net:fetch")).starts_with("unknown capability 'net:fetch' ("));
}

TEST(Manifest, RejectsEntriesThatAreNotRelativePlainPaths) {
  for (const char* bad : {"/abs/app.wasm", "../app.wasm", "a/../app.wasm", "./app.wasm", "a//b.wasm", "", "dir/"}) {
    EXPECT_EQ(error_of(replace(kValid, "\"app.wasm\"", std::string("\"") + bad + "\"")),
              std::string("runtime.module '") + bad + "' is not a relative path of plain components");
  }
  EXPECT_EQ(error_of(replace(kValid, "\"ui/index.html\"", "\"ui/../../x.html\"")),
            "ui.entry 'ui/../../x.html' is not a relative path of plain components");
}

TEST(Manifest, ReportsEveryProblemOnItsOwnLine) {
  std::string text = replace(replace(kValid, "\"Notes\"", "\"\""), "net:fetch:example.org", "bogus");
  EXPECT_EQ(error_of(text), "package.name is empty\nunknown capability 'bogus'" + weft::unknown_capability_hint("bogus"));
}

TEST(Manifest, ReportsTomlSyntaxErrorsWithTheirPosition) {
  auto e = error_of("[package\nid = 1");
  EXPECT_EQ(e.rfind("wapp.toml is not valid TOML (line 1", 0), 0u) << e;
}

TEST(Manifest, LoadsFromAPackageDirectoryAndRefusesASymlinkedManifest) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("weft-manifest-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  { std::ofstream(dir / "real.toml") << kValid; }
  fs::create_symlink(dir / "real.toml", dir / "wapp.toml");
  auto via_link = weft::load_manifest(dir.string());
  EXPECT_FALSE(via_link.ok());
  fs::remove(dir / "wapp.toml");
  fs::rename(dir / "real.toml", dir / "wapp.toml");
  auto loaded = weft::load_manifest(dir.string());
  EXPECT_TRUE(loaded.ok()) << loaded.error().message;
  fs::remove(dir / "wapp.toml");
  fs::create_directory(dir / "wapp.toml");
  auto not_regular = weft::load_manifest(dir.string());
  ASSERT_FALSE(not_regular.ok());
  EXPECT_NE(not_regular.error().message.find("not a regular file"), std::string::npos);
  fs::remove_all(dir);
}

TEST(Manifest, RelativePlainPathRules) {
  EXPECT_TRUE(weft::is_relative_plain_path("app.wasm"));
  EXPECT_TRUE(weft::is_relative_plain_path("ui/index.html"));
  EXPECT_TRUE(weft::is_relative_plain_path("a/b/c..d"));
  EXPECT_FALSE(weft::is_relative_plain_path("a/./b"));
  EXPECT_FALSE(weft::is_relative_plain_path(".."));
}

}  // namespace

namespace {

const char* kMinimal = "[package]\nid = \"org.example.hello\"\nname = \"Hello\"\nversion = \"1\"\n"
                       "[runtime]\nmodule = \"app.wasm\"\n[ui]\nentry = \"ui/index.html\"\n";

std::vector<std::string> unknown_keys_of(const std::string& text) {
  auto m = weft::parse_manifest(text);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  return m.ok() ? m->unknown_keys : std::vector<std::string>{};
}

// Unknown keys stay ignored (§5.1: a package for a later WEFT must install), but each is named with what was meant.
TEST(Manifest, AMisspeltKeyIsReportedWithTheClosestValidOne) {
  std::string text = replace(kMinimal, "version = \"1\"\n",
                             "version = \"1\"\ndescripton = \"x\"\ncapabilites = [\"fs:rw:app-data\"]\n");
  EXPECT_EQ(unknown_keys_of(text),
            (std::vector<std::string>{"unknown key 'capabilites' in [package] (did you mean 'capabilities'?)",
                                      "unknown key 'descripton' in [package] (did you mean 'description'?)"}));
}

TEST(Manifest, AKeyInTheWrongTableOrAtTheTopLevelSaysWhereItBelongs) {
  EXPECT_EQ(unknown_keys_of(replace(kMinimal, "module = \"app.wasm\"\n", "module = \"app.wasm\"\nentry = \"x\"\n")),
            std::vector<std::string>{"unknown key 'entry' in [runtime] ('entry' belongs in [ui])"});
  EXPECT_EQ(unknown_keys_of(std::string("[capabilities]\nx = 1\n") + kMinimal),
            std::vector<std::string>{"unknown table [capabilities] ('capabilities' is a key of [package])"});
  EXPECT_EQ(unknown_keys_of(std::string("descripton = \"x\"\n") + kMinimal),
            std::vector<std::string>{"unknown top-level key 'descripton' (did you mean 'description' in [package]?)"});
}

TEST(Manifest, AnUnrelatedUnknownKeyListsTheValidOnes) {
  EXPECT_EQ(unknown_keys_of(replace(kMinimal, "version = \"1\"\n", "version = \"1\"\nicon = \"x.png\"\n")),
            std::vector<std::string>{"unknown key 'icon' in [package] (valid keys: id, name, version, description, "
                                     "author, capabilities)"});
  EXPECT_EQ(unknown_keys_of(std::string(kMinimal) + "[something_new]\nx = 1\n"),
            std::vector<std::string>{"unknown table [something_new] (valid tables: [package], [runtime], [ui])"});
}

TEST(Manifest, AMisspeltRequiredTableExplainsTheMissingOne) {
  EXPECT_EQ(error_of(replace(kMinimal, "[ui]", "[iu]")),
            "[ui] table is missing\nunknown table [iu] (did you mean [ui]?)");
  EXPECT_EQ(error_of(replace(kMinimal, "[package]", "[packge]")),
            "[package] table is missing\nunknown table [packge] (did you mean [package]?)");
}

TEST(Manifest, AnUnknownCapabilityListsTheValidOnesAndTheClosest) {
  std::string e = error_of(replace(kValid, "net:fetch:example.org", "fs:rw:appdata"));
  EXPECT_TRUE(e.starts_with("unknown capability 'fs:rw:appdata' (did you mean 'fs:rw:app-data'? valid: "
                            "fs:read:app-data, fs:rw:app-data, "))
      << e;
  EXPECT_NE(e.find("net:fetch:*, net:fetch:<host>, sys:notifications"), std::string::npos) << e;
}

}  // namespace
