// The AOT cache's trust rules: what it refuses to load, and that it rebuilds rather than trusts a damaged entry.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "engines.hpp"
#include "weft/test/component_bytes.hpp"
#include "weft/test/temp_dir.hpp"
#include "weft/runtime/aot_cache.hpp"

namespace weft::runtime {
namespace {

/// A private cache in its own 0700 directory, and the probe module (tiny: it compiles in a fraction of a second).
struct PrivateCache {
  test::TempDir dir{"aot-cache"};
  std::vector<uint8_t> probe = test::read_file_bytes(WEFT_RT_FIXTURES "/engine_probe.wasm");
  AotCacheOptions options() const {
    auto o = engines::aot_test_cache_options();
    o.dir = dir / "cache";
    return o;
  }
  std::string so(const AotCache& cache) const { return cache.dir() + "/" + cache.key(probe) + ".so"; }
};

void overwrite_byte(const std::string& path, size_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(std::streamoff(offset));
  f.put('\x5a');
}

TEST(AotCache, TheDirectoryIsCreatedPrivateAndAnEntryIsReusedOnlyAfterItsDigestChecks) {
  PrivateCache c;
  auto cache = AotCache::open(c.options());
  ASSERT_TRUE(cache.ok()) << cache.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(cache->dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_FALSE(cache->open_cached(cache->key(c.probe))) << "an empty cache has the module";
  auto compiled = cache->compile(c.probe, "probe");
  ASSERT_TRUE(compiled.ok()) << compiled.error().message;
  ASSERT_EQ(::stat(c.so(*cache).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_TRUE(cache->open_cached(cache->key(c.probe)));
}

TEST(AotCache, ACorruptedObjectIsNotLoadedButRebuilt) {
  PrivateCache c;
  auto cache = AotCache::open(c.options());
  ASSERT_TRUE(cache.ok()) << cache.error().message;
  ASSERT_TRUE(cache->compile(c.probe, "probe").ok());
  overwrite_byte(c.so(*cache), 4096);
  EXPECT_FALSE(cache->open_cached(cache->key(c.probe))) << "a corrupted .so passed its digest check";
  // The engine rebuilds it and runs the module.
  auto engine = make_aot_engine(std::move(*cache));
  engine->set_memory_limit(4 * 65536);
  auto m = engine->load(c.probe, "probe");
  ASSERT_TRUE(m.ok()) << m.error().message;
  auto again = AotCache::open(c.options());
  EXPECT_TRUE(again->open_cached(again->key(c.probe))) << "the entry was not rebuilt";
}

TEST(AotCache, AWrongOrMissingDigestIsNotTrusted) {
  PrivateCache c;
  auto cache = AotCache::open(c.options());
  ASSERT_TRUE(cache.ok()) << cache.error().message;
  ASSERT_TRUE(cache->compile(c.probe, "probe").ok());
  std::string digest = cache->dir() + "/" + cache->key(c.probe) + ".sha256";
  std::ofstream(digest) << std::string(64, '0') << "\n";
  EXPECT_FALSE(cache->open_cached(cache->key(c.probe)));
  std::filesystem::remove(digest);
  EXPECT_FALSE(cache->open_cached(cache->key(c.probe)));
}

TEST(AotCache, ADirectoryOtherUsersCanWriteIsRefusedNamingTheReason) {
  PrivateCache c;
  std::filesystem::create_directories(c.dir / "cache");
  ::chmod((c.dir / "cache").c_str(), 0777);
  auto cache = AotCache::open(c.options());
  ASSERT_FALSE(cache.ok());
  EXPECT_NE(cache.error().message.find("is writable by other users"), std::string::npos) << cache.error().message;
}

TEST(AotCache, AnEntryWritableByOthersIsNotLoaded) {
  PrivateCache c;
  auto cache = AotCache::open(c.options());
  ASSERT_TRUE(cache.ok()) << cache.error().message;
  ASSERT_TRUE(cache->compile(c.probe, "probe").ok());
  ::chmod(c.so(*cache).c_str(), 0666);
  EXPECT_FALSE(cache->open_cached(cache->key(c.probe)));
}

TEST(AotCache, TwoConcurrentCompilesOfOneModuleLeaveAValidEntry) {
  PrivateCache c;
  auto cache = AotCache::open(c.options());
  ASSERT_TRUE(cache.ok()) << cache.error().message;
  Result<UniqueFd> first = fail("not run"), second = fail("not run");
  std::thread a([&] { first = cache->compile(c.probe, "probe"); });
  std::thread b([&] { second = cache->compile(c.probe, "probe"); });
  a.join();
  b.join();
  EXPECT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(cache->open_cached(cache->key(c.probe)));
  for (const auto& entry : std::filesystem::directory_iterator(cache->dir()))
    EXPECT_FALSE(entry.path().filename().string().starts_with(".build-")) << entry.path() << " was left behind";
}

TEST(AotCache, TheKeyChangesWithTheOptimisationLevel) {
  PrivateCache c;
  auto o1 = c.options(), o2 = c.options();
  o1.optimization = "-O1";
  o2.optimization = "-O2";
  auto a = AotCache::open(o1), b = AotCache::open(o2);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->key(c.probe), b->key(c.probe));
}

}  // namespace
}  // namespace weft::runtime
