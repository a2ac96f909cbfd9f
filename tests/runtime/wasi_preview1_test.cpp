// wasi_snapshot_preview1's ABI translation: guest memory ranges and iovec arrays are checked before any byte moves,
// filesystem error codes become preview-1 errno values, and each function reaches the WASI 0.2 host underneath.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "weft/core/fd.hpp"
#include "weft/runtime/wasi_host.hpp"
#include "weft/runtime/wasi_preview1.hpp"

namespace weft::runtime {
namespace {

using preview1::Errno;
using preview1::GuestMemory;

TEST(GuestMemory, RefusesRangesThatEndPastTheMemoryOrWrapTheAddressSpace) {
  std::vector<uint8_t> bytes(100);
  GuestMemory m(bytes);
  EXPECT_TRUE(m.range(0, 100));
  EXPECT_TRUE(m.range(100, 0)) << "an empty range at the end is inside";
  EXPECT_FALSE(m.range(99, 2));
  EXPECT_FALSE(m.range(101, 0));
  EXPECT_FALSE(m.range(0xFFFFFFF0u, 0x20)) << "ptr + len wraps a u32";
  EXPECT_FALSE(m.range(4, UINT64_MAX)) << "ptr + len wraps a u64";
}

TEST(GuestMemory, StoresAndLoadsLittleEndianValuesOnlyInside) {
  std::vector<uint8_t> bytes(16);
  GuestMemory m(bytes);
  EXPECT_TRUE(m.store<uint32_t>(4, 0x11223344));
  EXPECT_EQ(bytes[4], 0x44);
  EXPECT_EQ(*m.load<uint32_t>(4), 0x11223344u);
  EXPECT_FALSE(m.store<uint64_t>(12, 1)) << "8 bytes at 12 end past 16";
  EXPECT_FALSE(m.load<uint16_t>(15));
}

/// An iovec array of `entries` {buf, len} at address `at` of `bytes`.
void put_iovecs_at(std::span<uint8_t> bytes, size_t at, const std::vector<std::pair<uint32_t, uint32_t>>& entries) {
  for (size_t i = 0; i < entries.size(); ++i) {
    std::memcpy(bytes.data() + at + i * 8, &entries[i].first, 4);
    std::memcpy(bytes.data() + at + i * 8 + 4, &entries[i].second, 4);
  }
}
void put_iovecs(std::vector<uint8_t>& bytes, const std::vector<std::pair<uint32_t, uint32_t>>& entries) {
  put_iovecs_at(bytes, 0, entries);
}

TEST(Preview1Iovecs, AreTheGuestBuffersWhenAllLieInsideTheMemory) {
  std::vector<uint8_t> bytes(64);
  put_iovecs(bytes, {{32, 4}, {40, 0}, {48, 16}});
  auto bufs = preview1::iovecs(GuestMemory(bytes), 0, 3);
  ASSERT_TRUE(std::holds_alternative<std::vector<std::span<uint8_t>>>(bufs));
  const auto& spans = std::get<0>(bufs);
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].data(), bytes.data() + 32);
  EXPECT_EQ(spans[2].size(), 16u);
}

TEST(Preview1Iovecs, AreEfaultWhenTheArrayOrAnyBufferLeavesTheMemory) {
  std::vector<uint8_t> bytes(64);
  put_iovecs(bytes, {{32, 4}, {60, 8}});
  GuestMemory m(bytes);
  EXPECT_EQ(std::get<Errno>(preview1::iovecs(m, 0, 2)), Errno::fault) << "the second buffer ends at 68";
  EXPECT_EQ(std::get<Errno>(preview1::iovecs(m, 60, 1)), Errno::fault) << "the array itself runs past the end";
  EXPECT_EQ(std::get<Errno>(preview1::iovecs(m, 0xFFFFFFF8u, 2)), Errno::fault);
}

TEST(Preview1Iovecs, AreEinvalPastIovMaxBeforeTheArrayIsRead) {
  std::vector<uint8_t> bytes(16);
  EXPECT_EQ(std::get<Errno>(preview1::iovecs(GuestMemory(bytes), 0, preview1::kMaxIovecs + 1)), Errno::inval);
  EXPECT_EQ(std::get<Errno>(preview1::iovecs(GuestMemory(bytes), 0, UINT32_MAX)), Errno::inval);
}

TEST(Preview1Iovecs, AreEoverflowWhenTheirLengthsAddPastWhatACallCanReport) {
  // 1024 iovecs naming the same 8 MiB: 8 GiB in all, more than the u32 count written/read can say.
  std::vector<uint8_t> bytes(size_t(8) << 20);
  put_iovecs(bytes, std::vector<std::pair<uint32_t, uint32_t>>(1024, {0, uint32_t(bytes.size())}));
  EXPECT_EQ(std::get<Errno>(preview1::iovecs(GuestMemory(bytes), 0, 1024)), Errno::overflow);
}

TEST(Preview1Errno, EachFilesystemErrorCodeBecomesItsPreview1Errno) {
  // wasi:filesystem/types.error-code case indices (WIT order) → witx errno values.
  EXPECT_EQ(preview1::errno_of_fs_error(0), Errno::access);
  EXPECT_EQ(preview1::errno_of_fs_error(3), Errno::badf);
  EXPECT_EQ(preview1::errno_of_fs_error(7), Errno::exist);
  EXPECT_EQ(preview1::errno_of_fs_error(14), Errno::isdir);
  EXPECT_EQ(preview1::errno_of_fs_error(20), Errno::noent);
  EXPECT_EQ(preview1::errno_of_fs_error(24), Errno::notdir);
  EXPECT_EQ(preview1::errno_of_fs_error(25), Errno::notempty);
  EXPECT_EQ(preview1::errno_of_fs_error(33), Errno::rofs);
  EXPECT_EQ(preview1::errno_of_fs_error(36), Errno::xdev);
  EXPECT_EQ(preview1::errno_of_fs_error(37), Errno::io) << "a case past the enum is an I/O error, not a crash";
}

/// A core module that only exports one page of memory: `(memory (export "memory") 1)`.
const std::vector<uint8_t> kMemoryModule = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // \0asm v1
                                            0x05, 0x03, 0x01, 0x00, 0x01,                    // memory: min 1
                                            0x07, 0x0a, 0x01, 0x06, 'm',  'e',  'm',  'o',  'r', 'y', 0x02, 0x00};

class Preview1HostCall : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::pipe(pipe_), 0);
    WasiConfig config;
    config.stdout_fd = pipe_[1];
    config.arguments = {"org.example.app", "one"};
    wasi_ = std::make_unique<WasiHost>(std::move(config));
    wasi_->install(registry_);
    host_ = std::make_unique<Preview1Host>(registry_);
  }
  void TearDown() override {
    ::close(pipe_[0]);
    ::close(pipe_[1]);
  }
  /// The host function for `name` with preview 1's type `type`.
  CoreExtern import(const std::string& name, CoreFuncType type) {
    auto externs = host_->link(*engine_, {CoreImport{"wasi_snapshot_preview1", name, CoreExternKind::func, type}});
    EXPECT_TRUE(externs) << externs.error().message;
    return externs->at(0);
  }
  /// Instantiates kMemoryModule and hands its memory to the host.
  std::span<uint8_t> give_memory() {
    auto module = engine_->load(kMemoryModule, "memory-only");
    EXPECT_TRUE(module) << module.error().message;
    auto instance = engine_->instantiate(*module, {});
    EXPECT_TRUE(instance) << instance.error().message;
    memory_ = *engine_->export_of(*instance, "memory");
    host_->set_memory(memory_);
    return engine_->memory(memory_);
  }
  uint32_t call(CoreExtern fn, std::vector<CoreValue> args) {
    std::vector<CoreValue> results;
    auto trap = engine_->call(fn, args, results);
    EXPECT_FALSE(trap) << trap->kind << ": " << trap->message;
    return results.at(0).as_i32();
  }

  int pipe_[2] = {-1, -1};
  std::unique_ptr<CoreEngine> engine_ = make_interpreter_engine();
  HostRegistry registry_;
  std::unique_ptr<WasiHost> wasi_;
  std::unique_ptr<Preview1Host> host_;
  CoreExtern memory_;
};

const CoreFuncType kFdWrite{{CoreType::i32, CoreType::i32, CoreType::i32, CoreType::i32}, {CoreType::i32}};

TEST_F(Preview1HostCall, FdWriteGathersTheIovecsOntoTheWasiStdoutStream) {
  auto fd_write = import("fd_write", kFdWrite);
  auto mem = give_memory();
  std::memcpy(mem.data() + 100, "hello, world\n", 13);
  put_iovecs_at(mem, 0, {{100, 7}, {107, 6}});
  EXPECT_EQ(call(fd_write, {CoreValue::i32(1), CoreValue::i32(0), CoreValue::i32(2), CoreValue::i32(64)}), 0u);
  uint32_t written = 0;
  std::memcpy(&written, engine_->memory(memory_).data() + 64, 4);
  EXPECT_EQ(written, 13u);
  char got[32] = {};
  EXPECT_EQ(::read(pipe_[0], got, sizeof got), 13);
  EXPECT_STREQ(got, "hello, world\n");
}

TEST_F(Preview1HostCall, EveryPointerIsEfaultUntilTheMemoryIsKnown) {
  auto fd_write = import("fd_write", kFdWrite);
  EXPECT_EQ(call(fd_write, {CoreValue::i32(1), CoreValue::i32(0), CoreValue::i32(1), CoreValue::i32(64)}),
            uint32_t(Errno::fault));
}

TEST_F(Preview1HostCall, ArgsReachTheGuestAsNulTerminatedStringsWithTheirPointers) {
  auto sizes = import("args_sizes_get", {{CoreType::i32, CoreType::i32}, {CoreType::i32}});
  auto get = import("args_get", {{CoreType::i32, CoreType::i32}, {CoreType::i32}});
  give_memory();
  EXPECT_EQ(call(sizes, {CoreValue::i32(0), CoreValue::i32(4)}), 0u);
  auto mem = engine_->memory(memory_);
  uint32_t argc = 0, bytes = 0;
  std::memcpy(&argc, mem.data(), 4);
  std::memcpy(&bytes, mem.data() + 4, 4);
  EXPECT_EQ(argc, 2u);
  EXPECT_EQ(bytes, std::string("org.example.app").size() + 1 + 4);
  EXPECT_EQ(call(get, {CoreValue::i32(16), CoreValue::i32(32)}), 0u);
  mem = engine_->memory(memory_);
  uint32_t second = 0;
  std::memcpy(&second, mem.data() + 20, 4);
  EXPECT_EQ(second, 32u + 16);
  EXPECT_STREQ(reinterpret_cast<const char*>(mem.data() + second), "one");
}

TEST_F(Preview1HostCall, LinkRefusesAnUnknownFunctionAndAWrongTypeNamingTheImport) {
  auto unknown = host_->link(*engine_, {CoreImport{"wasi_snapshot_preview1", "fd_teleport", CoreExternKind::func,
                                                   kFdWrite}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message,
            "import wasi_snapshot_preview1.fd_teleport: no such wasi_snapshot_preview1 function");
  auto wrong = host_->link(*engine_, {CoreImport{"wasi_snapshot_preview1", "fd_write", CoreExternKind::func,
                                                 {{CoreType::i64}, {CoreType::i32}}}});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message,
            "import wasi_snapshot_preview1.fd_write has type (i64) -> (i32), expected (i32 i32 i32 i32) -> (i32)");
  auto other = host_->link(*engine_, {CoreImport{"env", "abort", CoreExternKind::func, {}}});
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().message,
            "import env.abort: only wasi_snapshot_preview1 functions are provided to core modules");
}

}  // namespace
}  // namespace weft::runtime
