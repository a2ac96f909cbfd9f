// WASI 0.2 cli, io, clocks and random interfaces.

#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <thread>

#include "wasi_state.hpp"
#include "wasi_types.hpp"

namespace weft::runtime {
namespace {

using State = WasiHost::State;
using namespace wasi;  // NOLINT: WIT type spelling
constexpr const char* kVersion = "@0.2.12";
// Largest single read/write the host performs for a guest, bytes (also the check-write budget).
constexpr uint64_t kMaxTransfer = 1 << 20;
// `wasi:sockets/network.error-code.access-denied`.
constexpr uint32_t kSocketAccessDenied = 1;

std::string iface(const char* name) { return std::string(name) + kVersion; }

using Chunk = Res<Bytes, StreamError>;       // result<list<u8>, stream-error>
using Written = Res<None, StreamError>;      // result<_, stream-error>
using Count = Res<uint64_t, StreamError>;    // result<u64, stream-error>

/// `last-operation-failed(error)` for an errno.
StreamError failure(State& st, const std::string& what, int err) {
  return {st.new_error(what + ": " + std::strerror(err), err)};
}

Result<Written> write_stream(State& st, uint32_t rep, const std::string& bytes) {
  auto it = st.outputs.find(rep);
  if (it == st.outputs.end()) return fail("unknown output-stream");
  auto& s = it->second;
  if (s.sink) {
    s.sink->append(bytes);
    return Written::ok();
  }
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = s.positional && !s.append ? ::pwrite(s.fd, bytes.data() + done, bytes.size() - done, off_t(s.offset))
                                          : ::write(s.fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Written::err(failure(st, "write", errno));
    }
    done += size_t(n);
    s.offset += uint64_t(n);
  }
  return Written::ok();
}

Result<Chunk> read_stream(State& st, uint32_t rep, uint64_t len) {
  auto it = st.inputs.find(rep);
  if (it == st.inputs.end()) return fail("unknown input-stream");
  auto& s = it->second;
  const StreamError closed;
  if (s.source) {
    if (s.offset >= s.source->size() && len > 0) return Chunk::err(closed);
    size_t n = size_t(std::min<uint64_t>({len, kMaxTransfer, s.source->size() - s.offset}));
    Bytes chunk{s.source->substr(size_t(s.offset), n)};
    s.offset += n;
    return Chunk::ok(std::move(chunk));
  }
  if (s.fd < 0) return Chunk::err(closed);
  std::string buf(std::min(len, kMaxTransfer), '\0');
  ssize_t n;
  do n = ::pread(s.fd, buf.data(), buf.size(), off_t(s.offset));
  while (n < 0 && errno == EINTR);
  if (n < 0) return Chunk::err(failure(st, "read", errno));
  if (n == 0 && len > 0) return Chunk::err(closed);
  s.offset += uint64_t(n);
  buf.resize(size_t(n));
  return Chunk::ok({std::move(buf)});
}

uint64_t monotonic_ns() {
  return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count());
}

void block_until(const State::Pollable& p) {
  if (p.deadline) std::this_thread::sleep_until(*p.deadline);
}

bool is_ready(const State::Pollable& p) { return !p.deadline || std::chrono::steady_clock::now() >= *p.deadline; }

Bytes random_bytes(uint64_t len) {
  std::string buf(std::min(len, kMaxTransfer), '\0');
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::getrandom(buf.data() + done, buf.size() - done, 0);
    if (n > 0) done += size_t(n);
  }
  return {std::move(buf)};
}

uint64_t random_u64() {
  uint64_t v = 0;
  while (::getrandom(&v, sizeof v, 0) != sizeof v) {
  }
  return v;
}

}  // namespace

void install_wasi_cli_io(State& st, HostRegistry& registry) {
  State* s = &st;

  auto& env = registry.add(iface("wasi:cli/environment"));
  env.wrap("get-environment", [s]() { return s->config.environment; });
  env.wrap("get-arguments", [s]() { return s->config.arguments; });
  env.wrap("initial-cwd", []() -> std::optional<std::string> { return std::nullopt; });

  auto& exit = registry.add(iface("wasi:cli/exit"));
  // Exiting unwinds the guest as a trap; the runner then exits with exit_status.
  exit.wrap("exit", [s](Res<> status) -> Result<void> {
    s->exit_status = status.is_ok ? 0 : 1;
    return fail("exit");
  });
  exit.wrap("exit-with-code", [s](uint8_t status) -> Result<void> {
    s->exit_status = int(status);
    return fail("exit");
  });

  // wasi:io
  auto& error = registry.add(iface("wasi:io/error"));
  error.resource("error", [s](uint32_t rep) { s->errors.erase(rep); });
  error.wrap("[method]error.to-debug-string", [s](Borrow<IoError> self) {
    auto it = s->errors.find(self.rep);
    return it == s->errors.end() ? std::string("unknown error") : it->second.message;
  });

  auto& poll = registry.add(iface("wasi:io/poll"));
  poll.resource("pollable", [s](uint32_t rep) { s->pollables.erase(rep); });
  poll.wrap("[method]pollable.ready", [s](Borrow<Pollable> self) {
    auto it = s->pollables.find(self.rep);
    return it == s->pollables.end() || is_ready(it->second);
  });
  poll.wrap("[method]pollable.block", [s](Borrow<Pollable> self) {
    auto it = s->pollables.find(self.rep);
    if (it != s->pollables.end()) block_until(it->second);
  });
  poll.wrap("poll", [s](std::vector<Borrow<Pollable>> in) -> Result<std::vector<uint32_t>> {
    if (in.empty()) return fail("poll: the list of pollables is empty");
    std::optional<std::chrono::steady_clock::time_point> earliest;
    for (;;) {
      std::vector<uint32_t> ready;
      for (size_t i = 0; i < in.size(); ++i) {
        auto it = s->pollables.find(in[i].rep);
        if (it == s->pollables.end() || is_ready(it->second)) ready.push_back(uint32_t(i));
        else if (!earliest || *it->second.deadline < *earliest) earliest = it->second.deadline;
      }
      if (!ready.empty()) return ready;
      std::this_thread::sleep_until(*earliest);
    }
  });

  auto& streams = registry.add(iface("wasi:io/streams"));
  streams.resources["error"] = error.resources["error"];
  streams.resource("input-stream", [s](uint32_t rep) { s->inputs.erase(rep); });
  streams.resource("output-stream", [s](uint32_t rep) { s->outputs.erase(rep); });
  // Reads and writes never block for long (files and memory), so the blocking forms are the same functions.
  auto read = [s](Borrow<InputStream> self, uint64_t len) { return read_stream(*s, self.rep, len); };
  streams.wrap("[method]input-stream.read", read);
  streams.wrap("[method]input-stream.blocking-read", read);
  auto skip = [s](Borrow<InputStream> self, uint64_t len) -> Result<Count> {
    WEFT_TRY(Chunk r, read_stream(*s, self.rep, len));
    if (!r.is_ok) return Count::err(std::move(r.error));
    return Count::ok(r.value.data.size());
  };
  streams.wrap("[method]input-stream.skip", skip);
  streams.wrap("[method]input-stream.blocking-skip", skip);
  streams.wrap("[method]input-stream.subscribe",
               [s](Borrow<InputStream>) { return Own<Pollable>{s->ready_pollable()}; });
  streams.wrap("[method]output-stream.check-write", [s](Borrow<OutputStream> self) -> Result<Count> {
    if (!s->outputs.count(self.rep)) return fail("unknown output-stream");
    return Count::ok(kMaxTransfer);
  });
  auto write = [s](Borrow<OutputStream> self, Bytes contents) -> Result<Written> {
    if (contents.data.size() > kMaxTransfer) return fail("output-stream.write of more bytes than check-write allowed");
    return write_stream(*s, self.rep, contents.data);
  };
  streams.wrap("[method]output-stream.write", write);
  streams.wrap("[method]output-stream.blocking-write-and-flush", write);
  auto flushed = [s](Borrow<OutputStream> self) -> Result<Written> {
    if (!s->outputs.count(self.rep)) return fail("unknown output-stream");
    return Written::ok();
  };
  streams.wrap("[method]output-stream.flush", flushed);
  streams.wrap("[method]output-stream.blocking-flush", flushed);
  streams.wrap("[method]output-stream.subscribe",
               [s](Borrow<OutputStream>) { return Own<Pollable>{s->ready_pollable()}; });
  auto zeroes = [s](Borrow<OutputStream> self, uint64_t len) {
    return write_stream(*s, self.rep, std::string(std::min(len, kMaxTransfer), '\0'));
  };
  streams.wrap("[method]output-stream.write-zeroes", zeroes);
  streams.wrap("[method]output-stream.blocking-write-zeroes-and-flush", zeroes);
  auto splice = [s](Borrow<OutputStream> self, Borrow<InputStream> src, uint64_t len) -> Result<Count> {
    WEFT_TRY(Chunk r, read_stream(*s, src.rep, len));
    if (!r.is_ok) return Count::err(std::move(r.error));
    WEFT_TRY(Written w, write_stream(*s, self.rep, r.value.data));
    if (!w.is_ok) return Count::err(std::move(w.error));
    return Count::ok(r.value.data.size());
  };
  streams.wrap("[method]output-stream.splice", splice);
  streams.wrap("[method]output-stream.blocking-splice", splice);

  // Standard streams: stdin is empty, stdout/stderr are the runtime's.
  auto std_output = [s](int fd) {
    return [s, fd]() {
      uint32_t r = s->rep();
      s->outputs[r] = {fd, false, false, 0, nullptr, nullptr};
      return Own<OutputStream>{r};
    };
  };
  auto& in = registry.add(iface("wasi:cli/stdin"));
  in.resources["input-stream"] = streams.resources["input-stream"];
  in.wrap("get-stdin", [s]() {
    uint32_t r = s->rep();
    s->inputs[r] = {};
    return Own<InputStream>{r};
  });
  auto& out = registry.add(iface("wasi:cli/stdout"));
  out.resources["output-stream"] = streams.resources["output-stream"];
  out.wrap("get-stdout", std_output(st.config.stdout_fd));
  auto& err = registry.add(iface("wasi:cli/stderr"));
  err.resources["output-stream"] = streams.resources["output-stream"];
  err.wrap("get-stderr", std_output(st.config.stderr_fd));

  // No terminals (spec §4.3).
  auto& tin = registry.add(iface("wasi:cli/terminal-input"));
  tin.resource("terminal-input", [](uint32_t) {});
  auto& tout = registry.add(iface("wasi:cli/terminal-output"));
  tout.resource("terminal-output", [](uint32_t) {});
  auto& tstdin = registry.add(iface("wasi:cli/terminal-stdin"));
  tstdin.resources["terminal-input"] = tin.resources["terminal-input"];
  tstdin.wrap("get-terminal-stdin", []() -> std::optional<Own<TerminalInput>> { return std::nullopt; });
  for (const char* name : {"stdout", "stderr"}) {
    auto& t = registry.add(iface((std::string("wasi:cli/terminal-") + name).c_str()));
    t.resources["terminal-output"] = tout.resources["terminal-output"];
    t.wrap(std::string("get-terminal-") + name, []() -> std::optional<Own<TerminalOutput>> { return std::nullopt; });
  }

  // Clocks: instants and durations are u64 nanoseconds.
  auto& mono = registry.add(iface("wasi:clocks/monotonic-clock"));
  mono.resources["pollable"] = poll.resources["pollable"];
  mono.wrap("now", []() { return monotonic_ns(); });
  mono.wrap("resolution", []() { return uint64_t(1); });
  auto subscribe = [s](bool absolute) {
    return [s, absolute](uint64_t when) -> Own<Pollable> {
      uint64_t now = monotonic_ns();
      uint64_t wait = absolute ? (when > now ? when - now : 0) : when;
      uint32_t r = s->rep();
      const auto deadline = std::chrono::nanoseconds(std::min<uint64_t>(wait, uint64_t(1) << 62));
      s->pollables[r] = {std::chrono::steady_clock::now() + deadline};
      return {r};
    };
  };
  mono.wrap("subscribe-instant", subscribe(true));
  mono.wrap("subscribe-duration", subscribe(false));
  auto& wall = registry.add(iface("wasi:clocks/wall-clock"));
  wall.wrap("now", []() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return Datetime{uint64_t(ts.tv_sec), uint32_t(ts.tv_nsec)};
  });
  wall.wrap("resolution", []() { return Datetime{0, 1}; });

  // wasi:sockets is present but refuses everything (spec §4.3): every constructor and lookup answers
  // `error-code.access-denied`, so no socket resource ever exists. `instance-network` hands out a network handle,
  // which nothing accepts.
  for (const char* name : {"wasi:sockets/network", "wasi:sockets/instance-network", "wasi:sockets/ip-name-lookup",
                           "wasi:sockets/tcp", "wasi:sockets/tcp-create-socket", "wasi:sockets/udp",
                           "wasi:sockets/udp-create-socket"}) {
    auto& sockets = registry.add(iface(name));
    sockets.fallback = [](auto&) -> Result<Val> { return Val::err(Val::number(kSocketAccessDenied)); };
    sockets.resources["pollable"] = poll.resources["pollable"];
  }
  auto& network = *registry.find_mutable("wasi:sockets/network@0.2.0");
  auto network_type = network.resource("network", [](uint32_t) {});
  auto& instance_network = *registry.find_mutable("wasi:sockets/instance-network@0.2.0");
  instance_network.resources["network"] = network_type;
  instance_network.wrap("instance-network", [s]() { return Own<Network>{s->rep()}; });
  for (const char* name : {"wasi:sockets/ip-name-lookup", "wasi:sockets/tcp", "wasi:sockets/tcp-create-socket",
                           "wasi:sockets/udp", "wasi:sockets/udp-create-socket"})
    registry.find_mutable(std::string(name) + "@0.2.0")->resources["network"] = network_type;

  auto& random = registry.add(iface("wasi:random/random"));
  random.wrap("get-random-bytes", random_bytes);
  random.wrap("get-random-u64", random_u64);
  auto& insecure = registry.add(iface("wasi:random/insecure"));
  insecure.wrap("get-insecure-random-bytes", random_bytes);
  insecure.wrap("get-insecure-random-u64", random_u64);
  auto& seed = registry.add(iface("wasi:random/insecure-seed"));
  seed.wrap("insecure-seed", []() { return std::pair{random_u64(), random_u64()}; });
}

}  // namespace weft::runtime
