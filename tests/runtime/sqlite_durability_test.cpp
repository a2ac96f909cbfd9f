// SQLite on an app's /data under weft-runtime (issue 19): the amalgamation built by the SDK (`LIBRARIES sqlite`) runs
// bench/sqlite_workload.c with PRAGMA synchronous=FULL. Its results must equal the same workload built natively, every
// transaction it reported committed must survive a SIGKILL of the runtime, and every commit must reach the host as
// fsync/fdatasync. Databases are checked with the host's SQLite (Debian libsqlite3), not the one under test.

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "weft/core/tool_run.hpp"
#include "weft/test/build_dir.hpp"
#include "weft/test/child_run.hpp"
#include "weft/test/line_reader.hpp"
#include "weft/test/temp_dir.hpp"

namespace weft::runtime {
namespace {

using weft::test::TempDir;

const std::string kToken = "0123456789abcdef0123456789abcdef";

std::string fixture(const std::string& name) { return std::string(WEFT_RT_FIXTURES) + "/" + name; }
std::string runtime_binary() { return weft::test::executable("weft-runtime"); }

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// A database opened with the host's SQLite; closed when it goes.
using HostDb = std::unique_ptr<sqlite3, decltype(&sqlite3_close)>;

HostDb open_host_db(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);  // read-write: a hot journal rolls back
  HostDb owner(db, &sqlite3_close);
  if (rc != SQLITE_OK) throw std::runtime_error(path + ": " + sqlite3_errstr(rc));
  return owner;
}

/// The rows of `sql`, each column as text ("NULL" for null); an error row "error: …" when it fails.
std::vector<std::vector<std::string>> query(sqlite3* db, const std::string& sql) {
  std::vector<std::vector<std::string>> rows;
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) return {{"error: " + std::string(sqlite3_errmsg(db))}};
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, &sqlite3_finalize);
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int c = 0; c < sqlite3_column_count(raw); ++c) {
      auto* text = sqlite3_column_text(raw, c);
      row.emplace_back(text ? reinterpret_cast<const char*>(text) : "NULL");
    }
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) rows.push_back({"error: " + std::string(sqlite3_errmsg(db))});
  return rows;
}

std::string query_one(sqlite3* db, const std::string& sql) {
  auto rows = query(db, sql);
  return rows.empty() || rows[0].empty() ? "(no row)" : rows[0][0];
}

/// One workload run: a data directory (/data) and a read-only one (/ro) holding the mode line.
struct WorkloadDirs {
  TempDir dir{"sqlite"};
  std::filesystem::path data = dir / "data", ro = dir / "ro";
  explicit WorkloadDirs(const std::string& mode) {
    std::filesystem::create_directories(data);
    std::filesystem::create_directories(ro);
    std::ofstream(ro / "sqlite.txt") << mode << "\n";
  }
  [[nodiscard]] std::vector<std::string> runtime_argv() const {
    return {runtime_binary(), "org.weft.test", "7", "--module", fixture("sqlite_workload.wasm"),
            "--preopen", data.string() + "::/data::rw", "--preopen", ro.string() + "::/ro::ro"};
  }
};

SpawnOptions spawn_options(std::vector<std::string> argv) {
  SpawnOptions o;
  o.argv = std::move(argv);
  // Without WEFT_READY_FD no readiness line is written anywhere the workload's output goes; the workload never
  // calls notify.ready anyway.
  o.env = {"WEFT_READY_TOKEN=" + kToken, "PATH=" + std::string(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin")};
  return o;
}

/// Skips the test when the component or the native build is missing (no guest SDK on this machine).
#define WEFT_REQUIRE_SQLITE_FIXTURES()                                                                          \
  do {                                                                                                          \
    if (!std::filesystem::exists(fixture("sqlite_workload.wasm")) ||                                            \
        !std::filesystem::exists(fixture("sqlite_workload_native")))                                            \
      GTEST_SKIP() << "the SQLite workload was not built: the guest SDK is unavailable here (run scripts/setup)"; \
  } while (0)

/// The workload's output without its `time …` lines (the only ones that differ between runs).
std::vector<std::string> results_of(const std::string& out) {
  std::vector<std::string> kept;
  for (auto& line : lines_of(out))
    if (!line.starts_with("time ")) kept.push_back(line);
  return kept;
}

TEST(SqliteOnData, AWorkloadUnderTheRuntimePrintsWhatTheSameWorkloadPrintsNatively) {
  WEFT_REQUIRE_SQLITE_FIXTURES();
  const std::string rows = "2000", txns = "60";
  WorkloadDirs wasm("workload " + rows + " " + txns);
  TempDir native_dir("sqlite-native");
  auto native = weft::test::run_child(
      spawn_options({fixture("sqlite_workload_native"), native_dir.path(), "workload", rows, txns}), {},
      std::chrono::seconds(120));
  ASSERT_TRUE(native.status.success()) << native.status.describe() << native.err << native.out;
  auto run = weft::test::run_child(spawn_options(wasm.runtime_argv()), {}, std::chrono::seconds(300));
  ASSERT_TRUE(run.status.success()) << run.status.describe() << "\nstderr:\n" << run.err << "\nstdout:\n" << run.out;

  auto expected = results_of(native.out), got = results_of(run.out);
  EXPECT_EQ(got, expected) << "component output:\n" << run.out << "\nnative output:\n" << native.out;
  // The file the component wrote is a sound database to the host's SQLite, holding what the native run stored.
  auto db = open_host_db((wasm.data / "app.db").string());
  auto native_db = open_host_db(native_dir / "app.db");
  EXPECT_EQ(query_one(db.get(), "PRAGMA integrity_check"), "ok");
  const std::string everything = "SELECT group_concat(id || ':' || customer || ':' || item || ':' || qty || ':' || "
                                 "printf('%.2f', price) || ':' || note, ',') FROM (SELECT * FROM orders ORDER BY id)";
  EXPECT_EQ(query_one(db.get(), everything), query_one(native_db.get(), everything));
  EXPECT_EQ(query_one(db.get(), "SELECT count(*) FROM sqlite_master WHERE type = 'index'"), "3");
}

TEST(SqliteOnData, EveryTransactionReportedCommittedSurvivesASigkillOfTheRuntime) {
  WEFT_REQUIRE_SQLITE_FIXTURES();
  WorkloadDirs dirs("commits 1000000");
  auto child = weft::test::CapturedChild::start(spawn_options(dirs.runtime_argv()));
  ASSERT_TRUE(child.ok()) << child.error().message;
  // Let it commit a while, then kill it mid-stream (between or inside transactions, wherever it is).
  constexpr int kBeforeKill = 40;
  weft::test::LineReader reader(child->out_fd());
  std::string seen;
  int last = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (last < kBeforeKill && std::chrono::steady_clock::now() < deadline) {
    auto line = reader.next(std::chrono::seconds(30));
    if (!line) break;
    seen += *line + "\n";
    if (line->starts_with("committed ")) last = std::stoi(line->substr(10));
  }
  ASSERT_GE(last, kBeforeKill) << "the component did not commit " << kBeforeKill << " transactions in time:\n" << seen;
  child->process().signal(SIGKILL);
  auto rest = child->finish(std::chrono::seconds(30));
  EXPECT_FALSE(rest.status.exited) << "expected death by SIGKILL, got " << rest.status.describe() << rest.err;
  // Lines still in the pipe count too: the component printed them after its COMMIT returned.
  for (const auto& line : lines_of(rest.out))
    if (line.starts_with("committed ")) last = std::stoi(line.substr(10));

  auto db = open_host_db((dirs.data / "app.db").string());
  EXPECT_EQ(query_one(db.get(), "PRAGMA integrity_check"), "ok");
  const std::string n = std::to_string(last);
  EXPECT_EQ(query_one(db.get(), "SELECT count(*) FROM log WHERE id <= " + n), n)
      << "transactions reported committed are missing";
  // At most the one in flight when the kill came may be there beyond those, and then completely.
  const int stored = std::stoi(query_one(db.get(), "SELECT max(id) FROM log"));
  EXPECT_TRUE(stored == last || stored == last + 1) << "reported " << last << ", stored " << stored;
  EXPECT_EQ(query_one(db.get(), "SELECT value FROM counter"), std::to_string(stored));
}

/// Runs `commits <n> <journal mode>` under strace and checks that between each `begin i` and `committed i` the
/// database and its journal were each synced on the host (fsync or fdatasync, answered 0).
void expect_every_commit_synced(const std::string& journal_mode) {
  constexpr int kCommits = 8;
  WorkloadDirs dirs("commits " + std::to_string(kCommits) + " " + journal_mode);
  const std::string trace = dirs.dir / "trace.txt";
  // -y names each descriptor's file, so a sync is attributed to app.db or its journal; the workload's stdout lines
  // (`begin i`, `committed i`) are traced too and bracket each transaction in the one ordered trace.
  std::vector<std::string> argv = {"strace", "-f", "-qq", "-y", "-s", "64", "-e", "trace=fsync,fdatasync,write,writev",
                                   "-o", trace};
  for (auto& arg : dirs.runtime_argv()) argv.push_back(arg);
  auto traced = run_tool({.argv = argv, .timeout = std::chrono::seconds(120), .env = spawn_options({}).env});
  ASSERT_TRUE(traced.ok()) << traced.error().message;
  if (!traced->status.success() && traced->err.find("ptrace") != std::string::npos)
    GTEST_SKIP() << "ptrace is not permitted here: " << traced->err;
  ASSERT_TRUE(traced->status.success()) << journal_mode << ": " << traced->status.describe() << traced->err << traced->out;
  EXPECT_NE(traced->out.find("committed " + std::to_string(kCommits) + "\n"), std::string::npos) << traced->out;

  const std::regex sync(R"((fsync|fdatasync)\(\d+<([^>]*)>\) += 0)");
  int in_txn = 0, db_syncs = 0, journal_syncs = 0, checked = 0;
  for (const auto& line : lines_of(read_text(trace))) {
    std::smatch m;
    if (std::regex_search(line, m, sync) && in_txn) {
      const std::string path = m[2];
      if (path.ends_with("/app.db")) ++db_syncs;
      if (path.ends_with("/app.db-journal")) ++journal_syncs;
    } else if (auto at = line.find("\"begin "); at != std::string::npos) {
      in_txn = std::stoi(line.substr(at + 7));
      db_syncs = journal_syncs = 0;
    } else if (auto at2 = line.find("\"committed "); at2 != std::string::npos && in_txn) {
      EXPECT_EQ(std::stoi(line.substr(at2 + 11)), in_txn);
      EXPECT_GE(db_syncs, 1) << journal_mode << ": commit " << in_txn << " never synced app.db on the host";
      EXPECT_GE(journal_syncs, 1) << journal_mode << ": commit " << in_txn << " never synced app.db-journal";
      ++checked;
      in_txn = 0;
    }
  }
  EXPECT_EQ(checked, kCommits) << journal_mode << ":\n" << read_text(trace);
}

TEST(SqliteOnData, EveryCommitReachesTheHostAsFsyncOrFdatasync) {
  WEFT_REQUIRE_SQLITE_FIXTURES();
  if (::system("strace -V >/dev/null 2>&1") != 0) GTEST_SKIP() << "strace is not installed (scripts/setup installs it)";
  // SQLite's default journal mode, and the one docs/writing-apps.md recommends (its commit point is a synced file).
  expect_every_commit_synced("delete");
  expect_every_commit_synced("truncate");
}

}  // namespace
}  // namespace weft::runtime
