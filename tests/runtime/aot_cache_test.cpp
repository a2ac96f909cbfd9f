// The AOT cache's trust rules: what it refuses to load, and that it rebuilds rather than trusts a damaged entry.

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

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

TEST(AotCache, ASizeInTheEnvironmentThatIsNotAPositiveByteCountIsRefusedNamingTheVariableAndTheText) {
  PrivateCache c;
  for (const char* variable : {"WEFT_AOT_CACHE_MAX_BYTES", "WEFT_AOT_SPLIT_BYTES"}) {
    for (const char* text : {"12abc", "-5", "0", " 7", "99999999999999999999999"}) {
      ::setenv(variable, text, 1);
      auto options = c.options();
      options.max_entry_bytes = 0;
      options.split_module_bytes = 0;
      auto cache = AotCache::open(options);
      ASSERT_FALSE(cache.ok()) << variable << "=" << text << " was taken";
      EXPECT_EQ(cache.error().message,
                std::string(variable) + " must be a positive number of bytes, not '" + text + "'");
    }
    ::setenv(variable, "4096", 1);
    auto options = c.options();
    options.max_entry_bytes = 0;
    options.split_module_bytes = 0;
    EXPECT_TRUE(AotCache::open(options).ok()) << variable << "=4096 was refused";
    ::unsetenv(variable);
  }
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

TEST(AotCache, BytesKeyedBeforeKeepTheirKeyAndBytesDifferingInOneByteGetAnother) {
  // The process remembers the digests of modules it keyed; bytes that differ only where the remembered entry's
  // fingerprint does not look (byte 100 of 10 000) must still get their own key.
  PrivateCache c;
  auto cache = AotCache::open(c.options());
  ASSERT_TRUE(cache.ok()) << cache.error().message;
  std::vector<uint8_t> a(10000);
  for (size_t i = 0; i < a.size(); ++i) a[i] = uint8_t(i * 7 + (i >> 8));
  std::vector<uint8_t> b = a;
  b[100] ^= 0x01;
  std::string first = cache->key(a);
  EXPECT_EQ(cache->key(a), first) << "the remembered digest gave another key";
  EXPECT_EQ(cache->key(std::vector<uint8_t>(a)), first) << "equal bytes elsewhere in memory got another key";
  EXPECT_NE(cache->key(b), first) << "bytes differing in one byte got the key of the bytes keyed before";
  EXPECT_NE(cache->key(b), cache->key(a));
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

/// Runs aot_units.wasm on `engine`: its data segments, passive segment and element segments behave as wasm says.
void expect_data_and_elements_work(CoreEngine& engine) {
  auto units = test::read_file_bytes(WEFT_RT_FIXTURES "/aot_units.wasm");
  engines::InstantiatedModule m(engine, units, "aot_units", 4 * 65536);
  ASSERT_TRUE(m.instance);
  std::vector<CoreValue>& r = m.results;
  auto call = [&](std::string_view name, std::vector<CoreValue> args) { return m.call(name, std::move(args)); };
  auto byte_at = [&](uint32_t address) {
    EXPECT_FALSE(call("byte_at", {CoreValue::i32(address)}));
    return r.empty() ? 0u : r[0].as_i32();
  };
  EXPECT_EQ(byte_at(16), uint32_t('a')) << "the active segment is not in memory";
  EXPECT_EQ(byte_at(29), uint32_t('t'));
  EXPECT_EQ(byte_at(15), 0u);
  EXPECT_FALSE(call("copy_passive", {CoreValue::i32(200)}));
  EXPECT_EQ(byte_at(200), uint32_t('p')) << "memory.init did not copy the passive segment";
  EXPECT_EQ(byte_at(212), uint32_t('s'));
  EXPECT_FALSE(call("drop_passive", {}));
  auto dropped = call("copy_passive", {CoreValue::i32(300)});
  ASSERT_TRUE(dropped) << "memory.init of a dropped segment did not trap";
  EXPECT_EQ(dropped->kind, "memory-out-of-bounds");
  ASSERT_FALSE(call("sum_table", {}));
  EXPECT_EQ(r.at(0).as_i32(), 31u);
}

TEST(AotCache, DataAndElementSegmentsBehaveAsOnTheInterpreter) {
  expect_data_and_elements_work(*make_interpreter_engine());
  PrivateCache c;
  auto cache = AotCache::open(c.options());
  ASSERT_TRUE(cache.ok()) << cache.error().message;
  expect_data_and_elements_work(*make_aot_engine(std::move(*cache)));
}

TEST(AotCache, AModuleOverTheSplitThresholdIsCompiledAsSeveralTranslationUnitsThatRunAlike) {
  PrivateCache c;
  auto options = c.options();
  options.split_module_bytes = 1;  // everything is "large"
  options.unit_bytes = 1;          // one function per unit, up to the limit
  auto cache = AotCache::open(options);
  ASSERT_TRUE(cache.ok()) << cache.error().message;
  auto units = test::read_file_bytes(WEFT_RT_FIXTURES "/aot_units.wasm");
  EXPECT_TRUE(cache->splits(units));
  std::vector<std::pair<size_t, size_t>> reports;
  auto compiled =
      cache->compile(units, "aot_units", [&](size_t done, size_t total) { reports.push_back({done, total}); });
  ASSERT_TRUE(compiled.ok()) << compiled.error().message;
  ASSERT_GE(reports.size(), 2u);
  EXPECT_EQ(reports.front(), std::make_pair(size_t(0), size_t(0))) << "the translation was not reported";
  size_t total = reports.back().second;
  EXPECT_GE(total, 3u) << "main.c and at least two units of function bodies";
  EXPECT_EQ(reports.back().first, total) << "not every translation unit was reported";
  expect_data_and_elements_work(*make_aot_engine(std::move(*cache)));
}

/// The objects in the cache's unit store (one per distinct file of function bodies ever compiled).
size_t unit_objects(const AotCache& cache) {
  size_t count = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(cache.dir() + "/units", ec))
    if (entry.path().extension() == ".o") ++count;
  return count;
}

/// Loads one of the aot_world modules on `engine` with its host imports (bias 7, ping x+100, pong x+1000, absent
/// x+10000, clock 50) and checks what its exports answer: the engine's functions, the world's glue through the table,
/// and the stub's trap (or, in a world that imports `absent`, the host's answer).
void expect_world_answers(CoreEngine& engine, const std::string& world, uint32_t glue_slots,
                          bool imports_absent = false) {
  SCOPED_TRACE(world);
  engine.set_memory_limit(4 * 65536);
  auto bytes = test::read_file_bytes(WEFT_RT_FIXTURES "/aot_world_" + world + ".wasm");
  auto module = engine.load(bytes, "aot_world_" + world);
  ASSERT_TRUE(module.ok()) << module.error().message;
  std::vector<CoreExtern> imports;
  for (const auto& imp : engine.imports(*module)) {
    uint32_t add = imp.name == "bias"     ? 7
                   : imp.name == "ping"   ? 100
                   : imp.name == "pong"   ? 1000
                   : imp.name == "absent" ? 10000
                                          : 50;
    imports.push_back(engine.host_function(imp.func_type, [add](auto args, auto results) -> std::optional<Trap> {
      results[0] = CoreValue::i32((args.empty() ? 0 : args[0].as_i32()) + add);
      return std::nullopt;
    }));
  }
  auto instance = engine.instantiate(*module, imports);
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  std::vector<CoreValue> results;
  auto call = [&](std::string_view name, std::vector<CoreValue> args) {
    return engine.call(*engine.export_of(*instance, name), args, results);
  };
  ASSERT_FALSE(call("sum_squares", {CoreValue::i32(3)}));
  EXPECT_EQ(results.at(0).as_i32(), 14u + 7u);
  ASSERT_FALSE(call("through_table", {CoreValue::i32(0), CoreValue::i32(5)}));
  EXPECT_EQ(results.at(0).as_i32(), 25u);
  ASSERT_FALSE(call("through_table", {CoreValue::i32(1), CoreValue::i32(5)}));
  EXPECT_EQ(results.at(0).as_i32(), 10u);
  ASSERT_FALSE(call("through_table", {CoreValue::i32(2), CoreValue::i32(5)}));
  EXPECT_EQ(results.at(0).as_i32(), 105u);
  if (glue_slots > 1) {
    ASSERT_FALSE(call("through_table", {CoreValue::i32(3), CoreValue::i32(5)}));
    EXPECT_EQ(results.at(0).as_i32(), 1005u);
  }
  auto past = call("through_table", {CoreValue::i32(2 + glue_slots), CoreValue::i32(5)});
  EXPECT_TRUE(past) << "a call past the table's last slot returned";
  auto absent = call("absent", {CoreValue::i32(1)});
  if (imports_absent) {
    ASSERT_FALSE(absent) << absent->kind;
    EXPECT_EQ(results.at(0).as_i32(), 10001u);
    return;
  }
  ASSERT_TRUE(absent) << "the trap stub returned";
  EXPECT_EQ(absent->kind, "unreachable");
}

/// A cache that splits every module into one file per function, and checks every reused file against a full
/// translation (AotCacheOptions::verify_unit_keys).
AotCache split_cache(const PrivateCache& c) {
  auto options = c.options();
  options.split_module_bytes = 1;  // everything is "large"
  options.unit_bytes = 1;          // one function per unit, up to the limit
  options.verify_unit_keys = true;
  auto cache = AotCache::open(options);
  EXPECT_TRUE(cache.ok()) << cache.error().message;
  return std::move(*cache);
}

std::vector<uint8_t> world(const std::string& name) {
  return test::read_file_bytes(WEFT_RT_FIXTURES "/aot_world_" + name + ".wasm");
}

TEST(AotCache, AModuleOfAnotherWorldTranslatesAndCompilesOnlyTheFilesItLacksAndRunsAlike) {
  PrivateCache c;
  AotCache cache = split_cache(c);
  auto one = world("one"), two = world("two");
  EXPECT_NE(cache.key(one), cache.key(two));
  AotCompileReport first;
  auto compiled = cache.compile(one, "aot_world_one", {}, &first);
  ASSERT_TRUE(compiled.ok()) << compiled.error().message;
  EXPECT_EQ(first.units, 6u) << "five engine functions and the ping glue, one file each (the stub is no body)";
  EXPECT_EQ(first.units_reused, 0u);
  EXPECT_EQ(first.functions_written, 6u);
  EXPECT_EQ(unit_objects(cache), 6u);
  // `two` has one more import before the stub and one more glue function: every function index after the imports
  // moves, and yet only the pong glue's file is new — and it is the only body wasm2c writes.
  AotCompileReport second;
  compiled = cache.compile(two, "aot_world_two", {}, &second);
  ASSERT_TRUE(compiled.ok()) << compiled.error().message;
  EXPECT_EQ(second.units, 7u);
  EXPECT_EQ(second.units_reused, 6u) << "files the first world compiled were translated again";
  EXPECT_EQ(second.units_compiled, 1u);
  EXPECT_EQ(second.functions, 7u);
  EXPECT_EQ(second.functions_written, 1u) << "wasm2c wrote the bodies of files whose objects were at hand";
  EXPECT_EQ(second.functions_hidden, 6u) << "wasm2c visited functions whose objects were at hand";
  EXPECT_EQ(unit_objects(cache), 7u);
  auto engine = make_aot_engine(std::move(cache));
  expect_world_answers(*engine, "one", 1);
  expect_world_answers(*engine, "two", 2);
  auto interpreter = make_interpreter_engine();
  expect_world_answers(*interpreter, "one", 1);
  expect_world_answers(*interpreter, "two", 2);
}

TEST(AotCache, AWorldThatImportsWhatAnotherWorldStubsCompilesNoFileOfItsEngineAndRunsAlike) {
  PrivateCache c;
  AotCache cache = split_cache(c);
  ASSERT_TRUE(cache.compile(world("one"), "aot_world_one").ok());
  // `four` imports `absent`, which `one` stubs: `absent`'s caller calls the host there, a trap here, in the same C.
  AotCompileReport report;
  auto compiled = cache.compile(world("four"), "aot_world_four", {}, &report);
  ASSERT_TRUE(compiled.ok()) << compiled.error().message;
  EXPECT_EQ(report.units, 6u);
  EXPECT_EQ(report.units_reused, 6u) << "the caller of the import the other world stubs was compiled again";
  EXPECT_EQ(report.units_compiled, 0u);
  EXPECT_EQ(report.functions_written, 0u);
  EXPECT_EQ(report.functions_hidden, 6u) << "wasm2c visited functions whose objects were at hand";
  EXPECT_EQ(unit_objects(cache), 6u);
  auto engine = make_aot_engine(std::move(cache));
  expect_world_answers(*engine, "one", 1);
  expect_world_answers(*engine, "four", 1, /*imports_absent=*/true);
  auto interpreter = make_interpreter_engine();
  expect_world_answers(*interpreter, "one", 1);
  expect_world_answers(*interpreter, "four", 1, /*imports_absent=*/true);
}

TEST(AotCache, AWorldWhoseImportsSitAtOtherIndicesCompilesNoFileOfItsEngineAndRunsAlike) {
  PrivateCache c;
  AotCache cache = split_cache(c);
  ASSERT_TRUE(cache.compile(world("one"), "aot_world_one").ok());
  // `five` has one more engine import before `bias`: `bias`, `ping` and the stub's import all move by one.
  AotCompileReport report;
  auto compiled = cache.compile(world("five"), "aot_world_five", {}, &report);
  ASSERT_TRUE(compiled.ok()) << compiled.error().message;
  EXPECT_EQ(report.units, 6u);
  EXPECT_EQ(report.units_reused, 6u) << "callers of imports whose index moved were compiled again";
  EXPECT_EQ(report.units_compiled, 0u);
  EXPECT_EQ(report.functions_written, 0u);
  auto engine = make_aot_engine(std::move(cache));
  expect_world_answers(*engine, "five", 1);
  expect_world_answers(*engine, "one", 1);
  expect_world_answers(*make_interpreter_engine(), "five", 1);
}

TEST(AotCache, AnEngineWithRefFuncStillTakesItsStoredObjectsWithTheirBodiesWrittenAsTraps) {
  // `ref.func` in a body names a function otherwise than by a call, which the rewrite of functions declared to wasm2c
  // as imports does not cover: their bodies are written as `unreachable` instead, and main.c and the new file still
  // read exactly as a full translation's (verify_unit_keys).
  PrivateCache c;
  AotCache cache = split_cache(c);
  ASSERT_TRUE(cache.compile(world("six"), "aot_world_six").ok());
  AotCompileReport report;
  auto compiled = cache.compile(world("seven"), "aot_world_seven", {}, &report);
  ASSERT_TRUE(compiled.ok()) << compiled.error().message;
  EXPECT_EQ(report.units, 8u);
  EXPECT_EQ(report.units_reused, 7u);
  EXPECT_EQ(report.units_compiled, 1u) << "only the pong glue's file is new";
  EXPECT_EQ(report.functions_written, 1u);
  EXPECT_EQ(report.functions_hidden, 0u) << "functions were declared as imports in a module with ref.func";
  auto engine = make_aot_engine(std::move(cache));
  expect_world_answers(*engine, "six", 1);
  expect_world_answers(*engine, "seven", 2);
  expect_world_answers(*make_interpreter_engine(), "seven", 2);
}

/// `through_table(1, 5)`: the engine's `$twice` of 5 (10; 25 in world three, whose `$twice` multiplies).
uint32_t twice_of_five(CoreEngine& engine, const std::string& name) {
  engine.set_memory_limit(4 * 65536);
  auto bytes = world(name);
  auto module = engine.load(bytes, "aot_world_" + name);
  EXPECT_TRUE(module.ok()) << module.error().message;
  if (!module) return 0;
  std::vector<CoreExtern> imports;
  for (const auto& imp : engine.imports(*module))
    imports.push_back(engine.host_function(imp.func_type, [](auto, auto results) -> std::optional<Trap> {
      results[0] = CoreValue::i32(0);
      return std::nullopt;
    }));
  auto instance = engine.instantiate(*module, imports);
  EXPECT_TRUE(instance.ok()) << instance.error().message;
  if (!instance) return 0;
  std::vector<CoreValue> results;
  std::vector<CoreValue> args = {CoreValue::i32(1), CoreValue::i32(5)};
  EXPECT_FALSE(engine.call(*engine.export_of(*instance, "through_table"), args, results));
  return results.empty() ? 0 : results[0].as_i32();
}

TEST(AotCache, AFunctionWhoseBodyChangesByOneByteGetsANewKeyAndOnlyItsFileCompilesAgain) {
  PrivateCache c;
  AotCache cache = split_cache(c);
  ASSERT_TRUE(cache.compile(world("two"), "aot_world_two").ok());
  AotCompileReport changed;
  auto compiled = cache.compile(world("three"), "aot_world_three", {}, &changed);
  ASSERT_TRUE(compiled.ok()) << compiled.error().message;
  EXPECT_EQ(changed.units, 7u);
  EXPECT_EQ(changed.units_reused, 6u);
  EXPECT_EQ(changed.units_compiled, 1u) << "the file of the changed function was not compiled again";
  EXPECT_EQ(changed.functions_written, 1u);
  EXPECT_EQ(unit_objects(cache), 8u);
  auto engine = make_aot_engine(std::move(cache));
  EXPECT_EQ(twice_of_five(*engine, "two"), 10u);
  EXPECT_EQ(twice_of_five(*engine, "three"), 25u) << "world three ran the other world's $twice";
  EXPECT_EQ(twice_of_five(*make_interpreter_engine(), "three"), 25u);
}

TEST(AotCache, AUnitObjectThatFailsItsDigestIsCompiledAgainNotLinked) {
  PrivateCache c;
  AotCache cache = split_cache(c);
  ASSERT_TRUE(cache.compile(world("one"), "aot_world_one").ok());
  // Every unit object damaged: the next compile (the other world) must not link any of them.
  for (const auto& entry : std::filesystem::directory_iterator(cache.dir() + "/units"))
    if (entry.path().extension() == ".o") overwrite_byte(entry.path(), 64);
  AotCompileReport report;
  ASSERT_TRUE(cache.compile(world("two"), "aot_world_two", {}, &report).ok());
  EXPECT_EQ(report.units_reused, 0u) << "a damaged object was taken";
  EXPECT_EQ(report.units_compiled, 7u);
  auto engine = make_aot_engine(std::move(cache));
  expect_world_answers(*engine, "two", 2);
}

TEST(AotCache, PruningKeepsTheObjectsACachedModuleUsesAndRemovesTheOthers) {
  PrivateCache c;
  AotCache cache = split_cache(c);
  ASSERT_TRUE(cache.compile(world("one"), "aot_world_one").ok());
  ASSERT_TRUE(cache.compile(world("two"), "aot_world_two").ok());
  ASSERT_EQ(unit_objects(cache), 7u);
  std::string stray = cache.dir() + "/units/" + std::string(64, 'a') + ".o";
  std::ofstream(stray) << "no entry lists this object";
  // World two's entry goes: its pong glue's object is used by no cached module any more, world one's six are.
  std::filesystem::remove(cache.dir() + "/" + cache.key(world("two")) + ".so");
  {
    // A compile holding the store (picking objects, not yet listed by its entry) is never pruned under.
    std::string lock_path = cache.dir() + "/units.lock";
    UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    ASSERT_TRUE(lock);
    ASSERT_EQ(::flock(lock.get(), LOCK_SH), 0);
    auto busy = cache.prune_units();
    ASSERT_TRUE(busy.ok()) << busy.error().message;
    EXPECT_TRUE(busy->busy);
    EXPECT_EQ(unit_objects(cache), 8u) << "objects were removed while a compile held the store";
  }
  auto pruned = cache.prune_units();
  ASSERT_TRUE(pruned.ok()) << pruned.error().message;
  EXPECT_FALSE(pruned->busy);
  EXPECT_EQ(pruned->kept, 6u);
  EXPECT_EQ(pruned->removed, 2u) << "the pong glue's object and the stray one";
  EXPECT_EQ(unit_objects(cache), 6u);
  EXPECT_FALSE(std::filesystem::exists(stray));
  // World one still loads from its entry, and world two compiles only the file it lacks again.
  AotCompileReport again;
  ASSERT_TRUE(cache.compile(world("two"), "aot_world_two", {}, &again).ok());
  EXPECT_EQ(again.units_compiled, 1u);
  auto engine = make_aot_engine(std::move(cache));
  expect_world_answers(*engine, "one", 1);
  expect_world_answers(*engine, "two", 2);
}

TEST(AotCache, TheKeyChangesWhenAModuleIsSplit) {
  PrivateCache c;
  auto whole = c.options(), split = c.options();
  split.split_module_bytes = 1;
  auto a = AotCache::open(whole), b = AotCache::open(split);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a->splits(c.probe));
  EXPECT_NE(a->key(c.probe), b->key(c.probe));
}

TEST(AotCache, AModuleWithSimdInstructionsIsRefusedWithTheReasonInsteadOfCrashingWasm2c) {
  // wabt 1.0.32's WriteC aborts on any SIMD instruction; its reader accepts them. Whole or split (where the keys from
  // the wasm stop at the SIMD prefix and the module would have been keyed by its C), the compile fails and says why.
  auto simd = test::read_file_bytes(WEFT_RT_FIXTURES "/aot_simd.wasm");
  PrivateCache c;
  auto whole = AotCache::open(c.options());
  ASSERT_TRUE(whole.ok()) << whole.error().message;
  AotCache split = split_cache(c);
  for (const AotCache* cache : {static_cast<const AotCache*>(&*whole), static_cast<const AotCache*>(&split)}) {
    auto compiled = cache->compile(simd, "aot_simd");
    ASSERT_FALSE(compiled.ok()) << "a module with SIMD instructions was compiled";
    EXPECT_NE(compiled.error().message.find("uses SIMD instructions"), std::string::npos) << compiled.error().message;
    EXPECT_NE(compiled.error().message.find("aot_simd"), std::string::npos) << compiled.error().message;
  }
}

/// Sets the modification time of `path` (prune_entries' recency) to `seconds_ago` seconds before now.
void used_seconds_ago(const std::string& path, int seconds_ago) {
  struct timespec times[2];
  ::clock_gettime(CLOCK_REALTIME, &times[0]);
  times[0].tv_sec -= seconds_ago;
  times[1] = times[0];
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

TEST(AotCache, CompiledModulesStayWithinTheirBudgetTheLeastRecentlyUsedGoingFirst) {
  const std::vector<uint8_t> modules[3] = {test::read_file_bytes(WEFT_RT_FIXTURES "/engine_probe.wasm"),
                                           test::read_file_bytes(WEFT_RT_FIXTURES "/aot_values_first.wasm"),
                                           test::read_file_bytes(WEFT_RT_FIXTURES "/aot_units.wasm")};
  // Their sizes, from a cache without a budget (the compiler's output is the same in both).
  PrivateCache sizing;
  auto unbounded = AotCache::open(sizing.options());
  ASSERT_TRUE(unbounded.ok()) << unbounded.error().message;
  uint64_t all = 0;
  for (const auto& module : modules) {
    ASSERT_TRUE(unbounded->compile(module, "module").ok());
    all += std::filesystem::file_size(unbounded->dir() + "/" + unbounded->key(module) + ".so");
  }
  // Room for any two of the three, not for all of them.
  PrivateCache c;
  auto options = c.options();
  options.max_entry_bytes = all - 1;
  auto cache = AotCache::open(options);
  ASSERT_TRUE(cache.ok()) << cache.error().message;
  auto entry = [&](int i) { return cache->dir() + "/" + cache->key(modules[i]); };
  ASSERT_TRUE(cache->compile(modules[0], "probe").ok());
  ASSERT_TRUE(cache->compile(modules[1], "values").ok());
  EXPECT_TRUE(std::filesystem::exists(entry(0) + ".so") && std::filesystem::exists(entry(1) + ".so"));
  // The probe was compiled first, but loaded since: the values module is the least recently used.
  used_seconds_ago(entry(0) + ".so", 3 * 3600);
  used_seconds_ago(entry(1) + ".so", 2 * 3600);
  EXPECT_TRUE(cache->open_cached(cache->key(modules[0])));
  ASSERT_TRUE(cache->compile(modules[2], "units").ok());
  EXPECT_TRUE(cache->open_cached(cache->key(modules[0]))) << "the recently loaded entry was removed";
  EXPECT_TRUE(cache->open_cached(cache->key(modules[2]))) << "the entry just compiled was removed";
  EXPECT_FALSE(std::filesystem::exists(entry(1) + ".so")) << "the least recently used entry stayed over the budget";
  EXPECT_FALSE(std::filesystem::exists(entry(1) + ".sha256"));
  auto pruned = cache->prune_entries();
  ASSERT_TRUE(pruned.ok()) << pruned.error().message;
  EXPECT_EQ(pruned->kept, 2u);
  EXPECT_EQ(pruned->removed, 0u);
  EXPECT_LE(pruned->kept_bytes, options.max_entry_bytes);
}

}  // namespace
}  // namespace weft::runtime
