// A SQLite workload of the kind an app keeps in its /data directory, built both natively and as a component from the
// same SQLite amalgamation (npm better-sqlite3's deps/sqlite3, pinned in package-lock.json). Used by the durability
// tests in tests/runtime (results compared line by line with the native build; commits traced and interrupted) and by
// bench/runtime_bench (time as a ratio to native).
//
// Modes (the words of /ro/sqlite.txt for the component, the arguments after <dir> natively):
//   workload <rows> <txns>  a fresh <dir>/app.db: two tables, three indexes, <rows> orders inserted in one
//                           transaction, then <txns> small transactions (update + insert + every 4th a delete), then
//                           queries; prints one line per result, then `time <phase> <ns>` lines (the only lines that
//                           differ between runs)
//   commits <n> [<journal mode>]  a fresh <dir>/app.db; commits one transaction after another, each inserting row i,
//                           and prints `begin i` before and `committed i` after each COMMIT returned
// Every mode runs with PRAGMA synchronous=FULL, in SQLite's default rollback journal mode (DELETE) unless named. Any SQLite error prints
// `error <what>: <message> (code <extended code>, errno <system errno>)` and exits 1.
//   native:    sqlite_workload_native <dir> <mode> <args…>
//   component: weft-runtime … --preopen <dir>::/data::rw --preopen <ro>::/ro::ro   with the mode in <ro>/sqlite.txt
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

static sqlite3* db;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void fail(const char* what) {
  printf("error %s: %s (code %d, errno %d)\n", what, sqlite3_errmsg(db), sqlite3_extended_errcode(db),
         sqlite3_system_errno(db));
  fflush(stdout);
  exit(1);
}

static void check(int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) fail(what);
}

static void exec(const char* sql) {
  char* message = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK) {
    printf("error exec '%s': %s (code %d, errno %d)\n", sql, message ? message : "?", sqlite3_extended_errcode(db),
           sqlite3_system_errno(db));
    fflush(stdout);
    exit(1);
  }
}

static sqlite3_stmt* prepare(const char* sql) {
  sqlite3_stmt* s = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) fail(sql);
  return s;
}

static void step_done(sqlite3_stmt* s, const char* what) {
  if (sqlite3_step(s) != SQLITE_DONE) fail(what);
  sqlite3_reset(s);
}

static void open_fresh(const char* dir, const char* journal_mode) {
  char path[4096];
  snprintf(path, sizeof path, "%s/app.db", dir);
  unlink(path);
  if (sqlite3_open(path, &db) != SQLITE_OK) fail("open app.db");
  exec("PRAGMA synchronous=FULL");
  if (journal_mode[0] != '\0') {
    char pragma[96];
    snprintf(pragma, sizeof pragma, "PRAGMA journal_mode=%s", journal_mode);
    exec(pragma);
  }
}

// Deterministic pseudo-random numbers (64-bit LCG), the same on every platform.
static uint64_t lcg = 0x2545F4914F6CDD1DULL;
static uint32_t next_random(void) {
  lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
  return (uint32_t)(lcg >> 33);
}

static void random_text(char* out, size_t min, size_t max) {
  size_t n = min + next_random() % (max - min + 1);
  for (size_t i = 0; i < n; ++i) out[i] = (char)('a' + next_random() % 26);
  out[n] = '\0';
}

static const char* const kCities[] = {"Aachen", "Bergen", "Cork", "Delft", "Espoo", "Faro", "Graz", "Hull"};
enum { kCustomers = 500, kItems = 40 };

static void insert_order(sqlite3_stmt* s, int64_t id) {
  char item[16], note[256];
  snprintf(item, sizeof item, "item-%u", next_random() % kItems);
  random_text(note, 10, 200);
  sqlite3_bind_int64(s, 1, id);
  sqlite3_bind_int(s, 2, (int)(1 + next_random() % kCustomers));
  sqlite3_bind_text(s, 3, item, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(s, 4, (int)(1 + next_random() % 20));
  sqlite3_bind_double(s, 5, (double)(next_random() % 100000) / 100.0);  // price in currency units, cent-exact
  sqlite3_bind_text(s, 6, note, -1, SQLITE_TRANSIENT);
  step_done(s, "insert order");
}

// FNV-1a over every column of every row of `sql`, formatted as the same text on every platform.
static uint64_t table_hash(const char* sql) {
  sqlite3_stmt* s = prepare(sql);
  uint64_t h = 1469598103934665603ULL;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    for (int c = 0; c < sqlite3_column_count(s); ++c) {
      char text[512];
      switch (sqlite3_column_type(s, c)) {
        case SQLITE_INTEGER: snprintf(text, sizeof text, "%lld|", (long long)sqlite3_column_int64(s, c)); break;
        case SQLITE_FLOAT: snprintf(text, sizeof text, "%.2f|", sqlite3_column_double(s, c)); break;
        case SQLITE_NULL: snprintf(text, sizeof text, "NULL|"); break;
        default: snprintf(text, sizeof text, "%s|", (const char*)sqlite3_column_text(s, c)); break;
      }
      for (const char* p = text; *p; ++p) h = (h ^ (uint8_t)*p) * 1099511628211ULL;
    }
  }
  check(rc, sql);
  sqlite3_finalize(s);
  return h;
}

// Prints each result row of `sql` as `<label> <col>|<col>…` (reals with two decimals).
static void print_rows(const char* label, const char* sql) {
  sqlite3_stmt* s = prepare(sql);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    printf("%s", label);
    for (int c = 0; c < sqlite3_column_count(s); ++c) {
      if (sqlite3_column_type(s, c) == SQLITE_FLOAT)
        printf("%s%.2f", c ? "|" : " ", sqlite3_column_double(s, c));
      else
        printf("%s%s", c ? "|" : " ", sqlite3_column_type(s, c) == SQLITE_NULL ? "NULL" : (const char*)sqlite3_column_text(s, c));
    }
    printf("\n");
  }
  check(rc, sql);
  sqlite3_finalize(s);
}

static int run_workload(const char* dir, int rows, int txns) {
  uint64_t t0 = now_ns();
  open_fresh(dir, "");
  exec("CREATE TABLE customer(id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL)");
  exec("CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER NOT NULL REFERENCES customer(id),"
       " item TEXT NOT NULL, qty INTEGER NOT NULL, price REAL NOT NULL, note TEXT)");
  exec("CREATE INDEX customer_city ON customer(city)");
  exec("CREATE INDEX orders_customer ON orders(customer)");
  exec("CREATE INDEX orders_item_qty ON orders(item, qty)");

  // Bulk load in one transaction.
  exec("BEGIN");
  sqlite3_stmt* ins_customer = prepare("INSERT INTO customer(id, name, city) VALUES(?, ?, ?)");
  for (int i = 1; i <= kCustomers; ++i) {
    char name[32];
    snprintf(name, sizeof name, "cust-%d", i);
    sqlite3_bind_int(ins_customer, 1, i);
    sqlite3_bind_text(ins_customer, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins_customer, 3, kCities[next_random() % 8], -1, SQLITE_STATIC);
    step_done(ins_customer, "insert customer");
  }
  sqlite3_finalize(ins_customer);
  sqlite3_stmt* ins_order = prepare("INSERT INTO orders(id, customer, item, qty, price, note) VALUES(?, ?, ?, ?, ?, ?)");
  for (int i = 1; i <= rows; ++i) insert_order(ins_order, i);
  exec("COMMIT");
  uint64_t t1 = now_ns();

  // Many small transactions, each durable on its own (synchronous=FULL).
  sqlite3_stmt* bump = prepare("UPDATE orders SET qty = qty + 1 WHERE id = ?");
  sqlite3_stmt* drop = prepare("DELETE FROM orders WHERE id = ?");
  for (int i = 0; i < txns; ++i) {
    exec("BEGIN");
    sqlite3_bind_int(bump, 1, (int)(1 + next_random() % (uint32_t)rows));
    step_done(bump, "update order");
    insert_order(ins_order, rows + 1 + i);
    if (i % 4 == 3) {
      sqlite3_bind_int(drop, 1, (int)(1 + next_random() % (uint32_t)rows));
      step_done(drop, "delete order");
    }
    exec("COMMIT");
  }
  sqlite3_finalize(bump);
  sqlite3_finalize(drop);
  sqlite3_finalize(ins_order);
  uint64_t t2 = now_ns();

  // Queries: aggregates, a join, index ranges, LIKE, a subquery, point lookups, and a hash over every row.
  print_rows("totals", "SELECT count(*), sum(qty), sum(price) FROM orders");
  print_rows("city", "SELECT c.city, count(*), sum(o.qty), sum(o.qty * o.price) FROM orders o"
                     " JOIN customer c ON c.id = o.customer GROUP BY c.city ORDER BY c.city");
  print_rows("top", "SELECT customer, sum(qty * price) AS spent FROM orders GROUP BY customer"
                    " ORDER BY spent DESC, customer LIMIT 5");
  print_rows("item-range", "SELECT count(*), min(id), max(id) FROM orders WHERE item = 'item-7' AND qty BETWEEN 3 AND 9");
  print_rows("like", "SELECT count(*) FROM customer WHERE name LIKE 'cust-1%'");
  print_rows("no-orders", "SELECT count(*) FROM customer WHERE id NOT IN (SELECT customer FROM orders)");
  print_rows("by-note", "SELECT id, length(note) FROM orders ORDER BY note, id LIMIT 3 OFFSET 100");
  print_rows("busiest-item", "SELECT item, count(*) AS n FROM orders GROUP BY item ORDER BY n DESC, item LIMIT 3");
  sqlite3_stmt* lookup = prepare("SELECT qty FROM orders WHERE id = ?");
  int64_t found = 0, qty_sum = 0;
  for (int i = 0; i < 2000; ++i) {
    sqlite3_bind_int(lookup, 1, (int)(1 + next_random() % (uint32_t)(rows + txns)));
    int rc = sqlite3_step(lookup);
    if (rc == SQLITE_ROW) {
      ++found;
      qty_sum += sqlite3_column_int64(lookup, 0);
    } else if (rc != SQLITE_DONE) {
      fail("point lookup");
    }
    sqlite3_reset(lookup);
  }
  sqlite3_finalize(lookup);
  printf("lookups %lld|%lld\n", (long long)found, (long long)qty_sum);
  printf("hash orders %016llx\n", (unsigned long long)table_hash("SELECT * FROM orders ORDER BY id"));
  printf("hash customer %016llx\n", (unsigned long long)table_hash("SELECT * FROM customer ORDER BY id"));
  print_rows("integrity", "PRAGMA integrity_check");
  uint64_t t3 = now_ns();

  // What was committed is what a fresh connection reads.
  if (sqlite3_close(db) != SQLITE_OK) fail("close");
  char path[4096];
  snprintf(path, sizeof path, "%s/app.db", dir);
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) fail("reopen app.db");
  print_rows("reopened", "SELECT count(*), sum(qty) FROM orders");
  sqlite3_close(db);
  uint64_t t4 = now_ns();

  printf("time bulk %llu\ntime txns %llu\ntime queries %llu\ntime total %llu\n", (unsigned long long)(t1 - t0),
         (unsigned long long)(t2 - t1), (unsigned long long)(t3 - t2), (unsigned long long)(t4 - t0));
  return 0;
}

static int run_commits(const char* dir, int n, const char* journal_mode) {
  open_fresh(dir, journal_mode);
  exec("CREATE TABLE log(id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
  exec("CREATE TABLE counter(one INTEGER PRIMARY KEY CHECK (one = 1), value INTEGER NOT NULL)");
  exec("INSERT INTO counter VALUES(1, 0)");
  sqlite3_stmt* ins = prepare("INSERT INTO log(id, payload) VALUES(?, ?)");
  sqlite3_stmt* bump = prepare("UPDATE counter SET value = ? WHERE one = 1");
  for (int i = 1; i <= n; ++i) {
    char payload[256];
    random_text(payload, 50, 200);
    printf("begin %d\n", i);
    fflush(stdout);
    exec("BEGIN");
    sqlite3_bind_int(ins, 1, i);
    sqlite3_bind_text(ins, 2, payload, -1, SQLITE_TRANSIENT);
    step_done(ins, "insert log");
    sqlite3_bind_int(bump, 1, i);
    step_done(bump, "update counter");
    exec("COMMIT");
    printf("committed %d\n", i);
    fflush(stdout);
  }
  sqlite3_finalize(ins);
  sqlite3_finalize(bump);
  if (sqlite3_close(db) != SQLITE_OK) fail("close");
  return 0;
}

int main(int argc, char** argv) {
  const char* dir = "/data";
  char words[3][64] = {"", "", ""};
  int count = 0;
  if (argc >= 2) {  // native: <dir> <mode> <args…>
    dir = argv[1];
    for (int i = 2; i < argc && count < 3; ++i) snprintf(words[count++], sizeof words[0], "%s", argv[i]);
  } else {  // component: the mode comes from /ro/sqlite.txt
    FILE* f = fopen("/ro/sqlite.txt", "r");
    if (!f) {
      printf("error: cannot open /ro/sqlite.txt\n");
      return 1;
    }
    while (count < 3 && fscanf(f, "%63s", words[count]) == 1) ++count;
    fclose(f);
  }
  if (count == 3 && strcmp(words[0], "workload") == 0) return run_workload(dir, atoi(words[1]), atoi(words[2]));
  if (count >= 2 && strcmp(words[0], "commits") == 0) return run_commits(dir, atoi(words[1]), words[2]);
  printf("error: usage: workload <rows> <txns> | commits <n> [<journal mode>]\n");
  return 2;
}
