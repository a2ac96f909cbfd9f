// weft-runtime argument parsing. Hand-written rather than CLI11 because the spec fixes every usage message exactly.

#include "weft/runtime/cli_options.hpp"

#include <charconv>

#include "weft/core/app_id.hpp"

namespace weft::runtime {

Result<Preopen> parse_preopen(std::string_view spec) {
  constexpr std::string_view kSeparator = "::";
  size_t last = spec.rfind(kSeparator);
  if (last == std::string_view::npos || last == 0) return fail("--preopen expects HOST::GUEST::ro|rw");
  std::string_view tail = spec.substr(last + kSeparator.size());
  std::string_view host, guest, mode;
  size_t middle = spec.rfind(kSeparator, last - 1);
  if (tail.starts_with('/') || middle == std::string_view::npos) {
    // `HOST::GUEST` without a mode means rw: the reference implementation's appd writes that form.
    host = spec.substr(0, last);
    guest = tail;
    mode = "rw";
  } else {
    host = spec.substr(0, middle);
    guest = spec.substr(middle + kSeparator.size(), last - middle - kSeparator.size());
    mode = tail;
  }
  if (mode != "ro" && mode != "rw") return fail("--preopen mode must be ro or rw, not '" + std::string(mode) + "'");
  if (host.empty() || guest.empty() || guest.front() != '/')
    return fail("--preopen needs a host path and an absolute guest path");
  return Preopen{std::string(host), std::string(guest), mode == "ro"};
}

Result<std::pair<std::string, std::string>> parse_environment_variable(std::string_view assignment) {
  size_t equals = assignment.find('=');
  if (equals == std::string_view::npos || equals == 0)
    return fail("--env expects NAME=VALUE, not '" + std::string(assignment) + "'");
  return std::pair{std::string(assignment.substr(0, equals)), std::string(assignment.substr(equals + 1))};
}

Result<Capability> parse_grant(std::string_view text) {
  // Files are given as directories, not grants: the spec's message first, then where they go instead.
  constexpr std::string_view kPreopenAdvice =
      "; files are given with --preopen HOST::GUEST::ro|rw: fs:rw:app-data is --preopen <app data dir>::/data::rw, "
      "fs:read:xdg-documents is --preopen <documents dir>::/xdg/documents::ro";
  auto cap = parse_capability(text);
  if (!cap) {
    if (text.starts_with("fs:")) return fail(cap.error().message + std::string(kPreopenAdvice));
    return fail(cap.error().message + unknown_capability_hint(text));
  }
  if (cap->is_filesystem())
    return fail("'" + std::string(text) + "' is not granted through --grant" + std::string(kPreopenAdvice));
  if (cap->is_hardware())
    return fail("'" + std::string(text) + "' is not granted through --grant (the runtime offers no GPU access yet)");
  return cap;
}

std::string missing_preopen_note() {
  return "weft-runtime: note: no directory was preopened, so any file the component opened (such as /data/…) failed "
         "inside it with 'No such file or directory'; app data needs --preopen <app data dir>::/data::rw "
         "(capability fs:rw:app-data)\n";
}

Result<RuntimeOptions> parse_runtime_options(std::span<const std::string> args) {
  RuntimeOptions o;
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* flag) -> Result<std::string> {
      if (i + 1 >= args.size()) return fail(std::string(flag) + " needs a value");
      return args[++i];
    };
    if (a == "--version") {
      o.show_version = true;
    } else if (a == "--module") {
      WEFT_TRY(std::string v, value("--module"));
      o.module = v;
    } else if (a == "--ipc-socket") {
      WEFT_TRY(std::string v, value("--ipc-socket"));
      o.ipc_socket = v;
    } else if (a == "--preopen") {
      WEFT_TRY(std::string v, value("--preopen"));
      WEFT_TRY(Preopen p, parse_preopen(v));
      o.preopens.push_back(std::move(p));
    } else if (a == "--grant") {
      WEFT_TRY(std::string v, value("--grant"));
      WEFT_TRY(Capability c, parse_grant(v));
      o.grants.push_back(std::move(c));
    } else if (a == "--max-memory-mib") {
      WEFT_TRY(std::string v, value("--max-memory-mib"));
      uint64_t n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc{} || end != v.data() + v.size() || n < 1 || n > 4096) return fail("invalid --max-memory-mib");
      o.max_memory_mib = n;
    } else if (a == "--engine") {
      WEFT_TRY(std::string v, value("--engine"));
      if (v == "auto") o.engine = EngineChoice::auto_;
      else if (v == "aot") o.engine = EngineChoice::aot;
      else if (v == "interp") o.engine = EngineChoice::interp;
      else return fail("--engine must be auto, aot or interp, not '" + v + "'");
    } else if (a == "--aot-cache") {
      WEFT_TRY(std::string v, value("--aot-cache"));
      o.aot_cache = v;
    } else if (a == "--aot-compile-only") {
      o.aot_compile_only = true;
    } else if (a == "--aot-precompile") {
      o.aot_precompile = true;
    } else if (a == "--env") {
      WEFT_TRY(std::string v, value("--env"));
      WEFT_TRY(auto variable, parse_environment_variable(v));
      o.environment.push_back(std::move(variable));
    } else if (a == "--") {
      o.arguments.assign(args.begin() + std::ptrdiff_t(i) + 1, args.end());
      break;
    } else if (a.starts_with("-")) {
      return fail("unknown argument '" + a + "'");
    } else {
      positional.push_back(a);
    }
  }
  if (o.show_version) return o;
  if (positional.size() != 2) {
    if (positional.size() > 2) return fail("unknown argument '" + positional[2] + "'");
    return fail("expected <app_id> <session_id>");
  }
  o.app_id = positional[0];
  o.session_id = positional[1];
  WEFT_TRY_VOID(validate_app_id(o.app_id));
  if (o.session_id.empty()) return fail("empty session id");
  return o;
}

}  // namespace weft::runtime
