// The runtime benchmark's workload, built both natively and as a component: SHA-256 over a buffer, recursive
// Fibonacci, n-body steps, a string-heavy JSON parse (a document as large as the SHA-256 buffer: objects of escaped
// strings and numbers, tokenised, unescaped and summed), and (component only) host-call round trips through
// weft:app/ipc.recv. Each prints
// `<name> <result> <ns>` measured with the monotonic clock inside the program: the fastest of <repeats> runs of the
// workload (default 1), so a burst of load on a shared machine during one run does not make the figure.
//   native:    runtime_compute_native <MiB> <fib n> <nbody steps> 0 [repeats]
//   component: the same four (or five) numbers in /ro/bench.txt
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// ---- SHA-256 (FIPS 180-4) ----
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};
#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const uint8_t* p) {
  uint32_t w[64];
  for (int i = 0; i < 16; ++i) w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; ++i) {
    uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int i = 0; i < 64; ++i) {
    uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
    uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static uint32_t sha256_first_word(const uint8_t* data, size_t len) {
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  size_t i = 0;
  for (; i + 64 <= len; i += 64) sha256_block(h, data + i);
  uint8_t tail[128] = {0};
  size_t rest = len - i;
  memcpy(tail, data + i, rest);
  tail[rest] = 0x80;
  size_t blocks = rest + 9 > 64 ? 2 : 1;
  uint64_t bits = (uint64_t)len * 8;
  for (int k = 0; k < 8; ++k) tail[blocks * 64 - 1 - k] = (uint8_t)(bits >> (8 * k));
  for (size_t b = 0; b < blocks; ++b) sha256_block(h, tail + 64 * b);
  return h[0];
}

static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

// ---- n-body (the Computer Language Benchmarks Game's five bodies) ----
typedef struct { double x, y, z, vx, vy, vz, m; } Body;
static double nbody(int steps) {
  const double pi = 3.141592653589793, days = 365.24, sm = 4 * pi * pi;
  Body b[5] = {{0, 0, 0, 0, 0, 0, sm},
               {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01, 1.66007664274403694e-03 * days,
                7.69901118419740425e-03 * days, -6.90460016972063023e-05 * days, 9.54791938424326609e-04 * sm},
               {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01, -2.76742510726862411e-03 * days,
                4.99852801234917238e-03 * days, 2.30417297573763929e-05 * days, 2.85885980666130812e-04 * sm},
               {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01, 2.96460137564761618e-03 * days,
                2.37847173959480950e-03 * days, -2.96589568540237556e-05 * days, 4.36624404335156298e-05 * sm},
               {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01, 2.68067772490389322e-03 * days,
                1.62824170038242295e-03 * days, -9.51592254519715870e-05 * days, 5.15138902046611451e-05 * sm}};
  for (int s = 0; s < steps; ++s) {
    for (int i = 0; i < 5; ++i)
      for (int j = i + 1; j < 5; ++j) {
        double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
        double d2 = dx * dx + dy * dy + dz * dz, mag = 0.01 / (d2 * sqrt(d2));
        b[i].vx -= dx * b[j].m * mag; b[i].vy -= dy * b[j].m * mag; b[i].vz -= dz * b[j].m * mag;
        b[j].vx += dx * b[i].m * mag; b[j].vy += dy * b[i].m * mag; b[j].vz += dz * b[i].m * mag;
      }
    for (int i = 0; i < 5; ++i) { b[i].x += 0.01 * b[i].vx; b[i].y += 0.01 * b[i].vy; b[i].z += 0.01 * b[i].vz; }
  }
  return b[0].x + b[1].y + b[4].z;
}

// ---- JSON: build a document of `len` bytes, then parse it (strings unescaped into a scratch buffer) ----
static size_t json_build(char* out, size_t len) {
  static const char* words[] = {"alpha", "b\\\"eta", "gamma\\n", "d\\u00e9lta", "epsilon", "zeta zeta", "eta", "th\\teta"};
  size_t n = 0;
  unsigned seed = 12345;
  n += (size_t)sprintf(out + n, "[");
  for (int i = 0; n + 256 < len; ++i) {
    seed = seed * 1103515245u + 12345u;
    n += (size_t)sprintf(out + n, "%s{\"id\":%d,\"name\":\"%s %s\",\"tags\":[\"%s\",\"%s\"],\"score\":%u.%02u,"
                         "\"ok\":%s,\"note\":null}", i ? "," : "", i, words[seed % 8], words[(seed >> 8) % 8],
                         words[(seed >> 12) % 8], words[(seed >> 16) % 8], seed % 1000, (seed >> 4) % 100,
                         (seed & 1) ? "true" : "false");
  }
  n += (size_t)sprintf(out + n, "]");
  return n;
}

typedef struct { const char* p; const char* end; char* scratch; uint64_t sum; } JsonParser;
static void json_ws(JsonParser* j) { while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == ',' || *j->p == ':')) ++j->p; }
static size_t json_string(JsonParser* j) {  // at the opening quote; returns the unescaped length
  size_t n = 0;
  for (++j->p; j->p < j->end && *j->p != '"'; ++j->p) {
    char c = *j->p;
    if (c == '\\') {
      c = *++j->p;
      if (c == 'n') c = '\n';
      else if (c == 't') c = '\t';
      else if (c == 'u') { unsigned v = 0; for (int k = 0; k < 4; ++k) { char h = *++j->p; v = v * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 32) - 'a' + 10); } c = (char)v; }
    }
    j->scratch[n++] = c;
  }
  ++j->p;
  for (size_t i = 0; i < n; ++i) j->sum = j->sum * 31 + (unsigned char)j->scratch[i];
  return n;
}
// A JSON number (sign, digits, optional fraction; the document has no exponents) scanned here rather than by the
// libc's strtod: the workload measures the engine on the same code natively and in wasm, and glibc's and wasi-libc's
// (musl's) strtod are different programs.
static double json_number(JsonParser* j) {
  int negative = j->p < j->end && *j->p == '-';
  if (negative) ++j->p;
  double value = 0;
  while (j->p < j->end && *j->p >= '0' && *j->p <= '9') value = value * 10 + (*j->p++ - '0');
  if (j->p < j->end && *j->p == '.') {
    double scale = 1;
    for (++j->p; j->p < j->end && *j->p >= '0' && *j->p <= '9'; ++j->p) {
      value = value * 10 + (*j->p - '0');
      scale *= 10;
    }
    value /= scale;
  }
  return negative ? -value : value;
}
static void json_value(JsonParser* j) {
  json_ws(j);
  char c = *j->p;
  if (c == '{' || c == '[') {
    char close = c == '{' ? '}' : ']';
    ++j->p;
    for (json_ws(j); *j->p != close; json_ws(j)) {
      if (c == '{') { json_string(j); json_ws(j); }
      json_value(j);
    }
    ++j->p;
  } else if (c == '"') {
    j->sum += json_string(j);
  } else if (c == 't' || c == 'f' || c == 'n') {
    j->sum += (uint64_t)c;
    while (j->p < j->end && *j->p >= 'a' && *j->p <= 'z') ++j->p;
  } else {
    j->sum += (uint64_t)(json_number(j) * 100);
  }
}
static uint64_t json_parse(const char* doc, size_t len, char* scratch) {
  JsonParser j = {doc, doc + len, scratch, 0};
  json_value(&j);
  return j.sum;
}

#ifdef __wasm__
typedef struct { uint8_t is_some; const char* ptr; size_t len; } option_string;
__attribute__((import_module("weft:app/ipc@0.1.0"), import_name("recv"))) void ipc_recv(option_string* ret);
__attribute__((export_name("cabi_realloc"))) void* cabi_realloc(void* old, size_t old_size, size_t align, size_t size) {
  (void)old_size; (void)align;
  return realloc(old, size);
}
#endif

/// The fastest of `repeats` timed runs of `STMT` (which assigns the workload's result), into `best_ns`. The workloads
/// are pure functions: their inputs are read through volatile copies and every result goes to a volatile sink, so the
/// compiler can neither hoist a run out of the loop nor drop the runs whose results are overwritten.
static volatile uint64_t g_sink;
#define TIME_BEST(best_ns, repeats, STMT)                     \
  do {                                                        \
    (best_ns) = UINT64_MAX;                                   \
    for (long r_ = 0; r_ < (repeats); ++r_) {                 \
      uint64_t start_ = now_ns();                             \
      STMT;                                                   \
      uint64_t took_ = now_ns() - start_;                     \
      if (took_ < (best_ns)) (best_ns) = took_;               \
    }                                                         \
  } while (0)

int main(int argc, char** argv) {
  long mib = 1, fib_n = 24, steps = 20000, calls = 0, repeats = 1;
#ifdef __wasm__
  (void)argc; (void)argv;
  FILE* f = fopen("/ro/bench.txt", "r");
  if (!f || fscanf(f, "%ld %ld %ld %ld", &mib, &fib_n, &steps, &calls) != 4) { printf("bad /ro/bench.txt\n"); return 1; }
  if (fscanf(f, "%ld", &repeats) != 1) repeats = 1;
  fclose(f);
#else
  if (argc == 5 || argc == 6) { mib = atol(argv[1]); fib_n = atol(argv[2]); steps = atol(argv[3]); calls = atol(argv[4]); }
  if (argc == 6) repeats = atol(argv[5]);
  (void)calls;  // host calls exist only in the component
#endif
  if (repeats < 1 || repeats > 1000) { printf("repeats must be 1..1000\n"); return 1; }
  size_t len = (size_t)mib << 20;
  uint8_t* buf = malloc(len);
  for (size_t i = 0; i < len; ++i) buf[i] = (uint8_t)(i * 31 + (i >> 8));
  uint64_t sha_ns, fib_ns, nbody_ns, json_ns;
  uint32_t digest, fv;
  double nb;
  uint64_t js;
  uint8_t* volatile sha_input = buf;
  volatile long fib_input = fib_n, nbody_input = steps;
  TIME_BEST(sha_ns, repeats, g_sink = digest = sha256_first_word(sha_input, len));
  TIME_BEST(fib_ns, repeats, g_sink = fv = fib((uint32_t)fib_input));
  TIME_BEST(nbody_ns, repeats, g_sink = (uint64_t)(nb = nbody((int)nbody_input)));
  char* doc = malloc(len + 1024);
  char* scratch = malloc(4096);
  size_t doc_len = json_build(doc, len);
  char* volatile json_input = doc;
  TIME_BEST(json_ns, repeats, g_sink = js = json_parse(json_input, doc_len, scratch));
  printf("sha256 %08x %llu\n", digest, (unsigned long long)sha_ns);
  printf("fib %u %llu\n", fv, (unsigned long long)fib_ns);
  printf("nbody %.9f %llu\n", nb, (unsigned long long)nbody_ns);
  printf("json %016llx %llu\n", (unsigned long long)js, (unsigned long long)json_ns);
  free(doc);
  free(scratch);
#ifdef __wasm__
  uint64_t call_ns;
  TIME_BEST(call_ns, repeats, for (long i = 0; i < calls; ++i) { option_string s; ipc_recv(&s); });
  printf("hostcall %ld %llu\n", calls, (unsigned long long)call_ns);
#endif
  free(buf);
  return 0;
}
