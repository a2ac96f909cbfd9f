// Bundles (§5.7): reproducible writer, reader accepting ustar/pax/GNU, and every extraction refusal.

#include <archive.h>
#include <archive_entry.h>
#include <sys/sysmacros.h>

#include <random>

#include "weft/test/package_env.hpp"

namespace weft::test {
namespace {

const std::string kId = "org.weft.test.app";

struct Entry {
  std::string path;
  unsigned type = AE_IFREG;
  std::string data;
  std::string link;  // symlink target or hardlink source
};

enum class Format { ustar, pax, gnu };

void write_archive(const std::string& file, Format format, const std::vector<Entry>& entries, bool zstd = true) {
  archive* a = archive_write_new();
  if (zstd) archive_write_add_filter_zstd(a);
  if (format == Format::ustar) archive_write_set_format_ustar(a);
  if (format == Format::pax) archive_write_set_format_pax(a);
  if (format == Format::gnu) archive_write_set_format_gnutar(a);
  ASSERT_EQ(archive_write_open_filename(a, file.c_str()), ARCHIVE_OK) << archive_error_string(a);
  for (const auto& e : entries) {
    archive_entry* ae = archive_entry_new();
    archive_entry_set_pathname(ae, e.path.c_str());
    archive_entry_set_filetype(ae, e.type);
    archive_entry_set_perm(ae, e.type == AE_IFDIR ? 0755 : 0644);
    if (e.type == AE_IFLNK) archive_entry_set_symlink(ae, e.link.c_str());
    if (e.type == AE_IFREG && !e.link.empty()) archive_entry_set_hardlink(ae, e.link.c_str());
    if (e.type == AE_IFCHR) archive_entry_set_rdev(ae, makedev(1, 3));
    archive_entry_set_size(ae, e.type == AE_IFREG && e.link.empty() ? static_cast<la_int64_t>(e.data.size()) : 0);
    ASSERT_EQ(archive_write_header(a, ae), ARCHIVE_OK) << e.path << ": " << archive_error_string(a);
    if (!e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
}

// The package files of make_package as archive entries under `top/`.
std::vector<Entry> package_entries(const std::string& top, const std::string& manifest_id = kId) {
  PackageSpec spec;
  spec.id = manifest_id;
  Bytes wasm = minimal_component();
  return {{top + "/", AE_IFDIR, "", ""},
          {top + "/wapp.toml", AE_IFREG, manifest_text(spec), ""},
          {top + "/app.wasm", AE_IFREG, std::string(wasm.begin(), wasm.end()), ""},
          {top + "/ui/", AE_IFDIR, "", ""},
          {top + "/ui/index.html", AE_IFREG, "<p>bundled</p>", ""}};
}

struct BundleFixture : ::testing::Test {
  PackEnv env;
  std::string out = env.path("out");
  void SetUp() override { fs::create_directories(out); }
  void expect_refused(const std::string& archive, const std::string& fragment) {
    auto r = env.pack({"unbundle", archive, "--out", out});
    EXPECT_EQ(r.exit_code, 1) << archive;
    EXPECT_NE(r.err.find(fragment), std::string::npos) << "expected '" << fragment << "' in: " << r.err;
    EXPECT_TRUE(fs::is_empty(out)) << "a refused bundle left files behind";
  }
};

TEST_F(BundleFixture, BundleAndUnbundleRoundTripAndTheSignatureStillVerifies) {
  std::string key = env.make_key("k", true);
  std::string pkg = env.signed_package("p", {.extra_file_content = "more"}, key);
  auto b = env.pack({"bundle", pkg, "--out", env.work()});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  std::string bundle = env.work() + "/" + kId + ".app.tar.zst";
  EXPECT_EQ(b.out, "bundled: " + bundle + "\n");
  auto u = env.pack({"unbundle", bundle, "--out", out});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  EXPECT_EQ(u.out, "unbundled: " + bundle + " -> " + out + "/" + kId + "\n");
  for (const char* f : {"wapp.toml", "app.wasm", "ui/index.html", "ui/app.js", "notes/extra.txt", "signature.sig"})
    EXPECT_EQ(read_text(out + "/" + kId + "/" + f), read_text(pkg + "/" + f)) << f;
  EXPECT_EQ(fs::status(out + "/" + kId + "/ui/app.js").permissions(), fs::perms(0755));
  auto v = env.pack({"verify", out + "/" + kId, "--key", key + "/weft-sign.pub"});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  auto again = env.pack({"bundle", pkg, "--out", env.work()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("not overwriting"), std::string::npos) << again.err;
}

TEST_F(BundleFixture, TheWriterIsReproducibleSortedAndNormalised) {
  std::string pkg = make_package(env.path("src"), {.extra_file_content = "x"});
  fs::permissions(pkg + "/wapp.toml", fs::perms(0600));
  fs::create_directories(out + "/a");
  fs::create_directories(out + "/b");
  ASSERT_EQ(env.pack({"bundle", pkg, "--out", out + "/a"}).exit_code, 0);
  fs::last_write_time(pkg + "/ui/index.html", fs::file_time_type::clock::now() - std::chrono::hours(5));
  ASSERT_EQ(env.pack({"bundle", pkg, "--out", out + "/b"}).exit_code, 0);
  std::string a = read_text(out + "/a/" + kId + ".app.tar.zst"), b = read_text(out + "/b/" + kId + ".app.tar.zst");
  EXPECT_FALSE(a.empty());
  EXPECT_TRUE(a == b) << "bundles of the same content differ";

  archive* r = archive_read_new();
  archive_read_support_filter_zstd(r);
  archive_read_support_format_tar(r);
  ASSERT_EQ(archive_read_open_filename(r, (out + "/a/" + kId + ".app.tar.zst").c_str(), 65536), ARCHIVE_OK);
  std::vector<std::string> paths;
  archive_entry* e;
  while (archive_read_next_header(r, &e) == ARCHIVE_OK) {
    std::string p = archive_entry_pathname(e);
    paths.push_back(p);
    EXPECT_EQ(archive_entry_mtime(e), 0) << p;
    EXPECT_EQ(archive_entry_uid(e), 0) << p;
    EXPECT_EQ(archive_entry_gid(e), 0) << p;
    unsigned perm = archive_entry_perm(e);
    EXPECT_TRUE(perm == 0644 || perm == 0755) << p << " " << std::oct << perm;
    if (p == kId + "/wapp.toml") {
      EXPECT_EQ(perm, 0644u);
    }
  }
  EXPECT_EQ(archive_format(r) & ARCHIVE_FORMAT_BASE_MASK, ARCHIVE_FORMAT_TAR);
  archive_read_free(r);
  ASSERT_FALSE(paths.empty());
  EXPECT_EQ(paths.front(), kId + "/");
  EXPECT_TRUE(std::is_sorted(paths.begin(), paths.end())) << "entries are not sorted";
}

TEST_F(BundleFixture, ReadersAcceptUstarPaxAndGnuLongNames) {
  std::string long_dir = std::string(60, 'd') + "/" + std::string(60, 'e');
  for (auto [format, name] : {std::pair{Format::ustar, "ustar"}, std::pair{Format::pax, "pax"}, std::pair{Format::gnu, "gnu"}}) {
    SCOPED_TRACE(name);
    auto entries = package_entries(kId);
    entries.push_back({kId + "/" + long_dir + "/", AE_IFDIR, "", ""});
    entries.push_back({kId + "/" + long_dir + "/" + std::string(format == Format::ustar ? 40 : 120, 'f') + ".txt",
                       AE_IFREG, "long name", ""});
    std::string file = env.work() + "/" + name + ".tar.zst";
    write_archive(file, format, entries);
    std::string dest = out + "/" + name;
    fs::create_directories(dest);
    auto r = env.pack({"unbundle", file, "--out", dest});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_text(dest + "/" + kId + "/ui/index.html"), "<p>bundled</p>");
    auto install = env.pack({"install", file, "--dev"});
    EXPECT_EQ(install.exit_code, 0) << install.err;
  }
}

TEST_F(BundleFixture, FilesSpanningManyCopyChunksExtractByteForByte) {
  // The extractor copies through one 64 KiB buffer: sizes around and across its boundary, with content that differs
  // per offset so a reused or short chunk shows as a mismatch.
  std::mt19937 rng(17);
  std::vector<std::pair<std::string, std::string>> files;
  for (size_t size : {size_t(65535), size_t(65536), size_t(65537), size_t(3 * 65536 + 123), size_t(1) << 20}) {
    std::string data(size, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    files.emplace_back("big/" + std::to_string(size) + ".bin", std::move(data));
  }
  auto entries = package_entries(kId);
  entries.push_back({kId + "/big/", AE_IFDIR, "", ""});
  for (const auto& [name, data] : files) entries.push_back({kId + "/" + name, AE_IFREG, data, ""});
  for (bool zstd : {true, false}) {
    SCOPED_TRACE(zstd ? "zstd" : "plain tar");
    std::string file = env.work() + (zstd ? "/big.tar.zst" : "/big.tar");
    write_archive(file, Format::pax, entries, zstd);
    std::string dest = out + (zstd ? "/zstd" : "/plain");
    fs::create_directories(dest);
    auto r = env.pack({"unbundle", file, "--out", dest});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& [name, data] : files) EXPECT_TRUE(read_text(dest + "/" + kId + "/" + name) == data) << name;
  }
}

TEST_F(BundleFixture, AbsoluteDotDotOutsideAndTopDirectoryMismatchesAreRefused) {
  auto with = [&](Entry extra) {
    auto e = package_entries(kId);
    e.push_back(std::move(extra));
    return e;
  };
  write_archive(env.work() + "/abs.tar.zst", Format::pax, with({"/etc/evil", AE_IFREG, "x", ""}));
  expect_refused(env.work() + "/abs.tar.zst", "absolute path");
  write_archive(env.work() + "/dotdot.tar.zst", Format::pax, with({kId + "/../evil", AE_IFREG, "x", ""}));
  expect_refused(env.work() + "/dotdot.tar.zst", "'..' component");
  write_archive(env.work() + "/outside.tar.zst", Format::pax, with({"org.other.app/x", AE_IFREG, "x", ""}));
  expect_refused(env.work() + "/outside.tar.zst", "outside the top directory");
  write_archive(env.work() + "/mismatch.tar.zst", Format::pax, package_entries("org.other.app", kId));
  expect_refused(env.work() + "/mismatch.tar.zst", "differs from the manifest id");
  write_archive(env.work() + "/dup.tar.zst", Format::gnu, with({kId + "/app.wasm", AE_IFREG, "again", ""}));
  expect_refused(env.work() + "/dup.tar.zst", "appears twice");
}

TEST_F(BundleFixture, LinksDevicesAndFifosAreRefused) {
  auto with = [&](Entry extra) {
    auto e = package_entries(kId);
    e.push_back(std::move(extra));
    return e;
  };
  write_archive(env.work() + "/sym.tar.zst", Format::pax, with({kId + "/ui/passwd", AE_IFLNK, "", "/etc/passwd"}));
  expect_refused(env.work() + "/sym.tar.zst", "is a link");
  write_archive(env.work() + "/hard.tar.zst", Format::pax, with({kId + "/ui/hard", AE_IFREG, "", kId + "/wapp.toml"}));
  expect_refused(env.work() + "/hard.tar.zst", "is a link");
  write_archive(env.work() + "/dev.tar.zst", Format::pax, with({kId + "/null", AE_IFCHR, "", ""}));
  expect_refused(env.work() + "/dev.tar.zst", "device or special file");
  write_archive(env.work() + "/fifo.tar.zst", Format::pax, with({kId + "/fifo", AE_IFIFO, "", ""}));
  expect_refused(env.work() + "/fifo.tar.zst", "device or special file");
}

TEST_F(BundleFixture, MoreThanTenThousandEntriesAreRefused) {
  auto entries = package_entries(kId);
  for (int i = 0; i < 10000; ++i) entries.push_back({kId + "/many/" + std::to_string(i) + "/", AE_IFDIR, "", ""});
  write_archive(env.work() + "/many.tar.zst", Format::pax, entries);
  expect_refused(env.work() + "/many.tar.zst", "more than 10000 entries");
}

// A hand-made ustar header declaring a 2 GiB member: refused from the header, before any data is read.
TEST_F(BundleFixture, MembersDeclaringMoreThanOneGibibyteAreRefused) {
  std::string header(512, '\0');
  auto put = [&](size_t off, const std::string& s) { header.replace(off, s.size(), s); };
  put(0, kId + "/huge.bin");
  put(100, "0000644");
  put(108, "0000000");
  put(116, "0000000");
  put(124, "20000000000");  // octal 2^31 bytes
  put(136, "00000000000");
  put(156, "0");
  put(257, std::string("ustar\0", 6));
  put(263, "00");
  put(148, "        ");
  unsigned sum = 0;
  for (unsigned char c : header) sum += c;
  char chk[8];
  std::snprintf(chk, sizeof chk, "%06o", sum);
  put(148, std::string(chk, 6) + std::string("\0 ", 2));
  write_file(env.work() + "/huge.tar", header + std::string(1024, '\0'));
  expect_refused(env.work() + "/huge.tar", "exceeds 1073741824 bytes");
}

// Corrupted bundles (random bytes flipped in the zstd stream or the tar headers) end in a clean refusal or a
// successful extraction of whatever survived, never in a crash, and never write outside --out.
TEST_F(BundleFixture, CorruptedBundlesAreRefusedCleanly) {
  std::string pkg = make_package(env.path("src"), {.extra_file_content = std::string(3000, 'z')});
  ASSERT_EQ(env.pack({"bundle", pkg, "--out", env.work()}).exit_code, 0);
  std::string good = read_text(env.work() + "/" + kId + ".app.tar.zst");
  write_archive(env.work() + "/plain.tar", Format::pax, package_entries(kId), false);
  std::string plain = read_text(env.work() + "/plain.tar");
  std::mt19937 rng(1234);  // fixed seed: the same corruptions on every run
  for (int i = 0; i < 40; ++i) {
    std::string bytes = i % 2 ? good : plain;
    for (int k = 0; k < 1 + i % 4; ++k) bytes[rng() % bytes.size()] ^= static_cast<char>(1 + rng() % 255);
    std::string file = env.work() + "/corrupt-" + std::to_string(i) + ".tar.zst";
    write_file(file, bytes);
    std::string dest = out + "/" + std::to_string(i);
    fs::create_directories(dest);
    auto r = env.pack({"unbundle", file, "--out", dest});
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << "case " << i << " exit " << r.exit_code << ": " << r.err;
  }
  for (auto& e : fs::directory_iterator(env.path())) {
    std::string name = e.path().filename().string();
    EXPECT_TRUE(name == "home" || name == "data" || name == "config" || name == "store" || name == "trust" ||
                name == "work" || name == "out" || name == "src")
        << "unexpected " << e.path();
  }
}

TEST_F(BundleFixture, AMaliciousBundleLeavesTheStoreUntouched) {
  auto e = package_entries(kId);
  e.push_back({kId + "/ui/passwd", AE_IFLNK, "", "/etc/passwd"});
  write_archive(env.work() + "/bad.tar.zst", Format::pax, e);
  auto r = env.pack({"install", env.work() + "/bad.tar.zst", "--dev"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(fs::exists(fs::symlink_status(env.store() + "/" + kId)));
  std::error_code ec;
  EXPECT_TRUE(fs::is_empty(env.store() + "/.staging", ec));
}

}  // namespace
}  // namespace weft::test
