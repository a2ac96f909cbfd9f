#pragma once
// weft-pack subcommands (spec §5.8). Each `add_*` registers its subcommands on the CLI11 app and, when one is
// selected, stores its action in `run`. Actions return the process exit status: 0 success, 1 refusal, validation
// failure or invalid signature (2, usage errors, is produced by the parser).

#include <functional>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

namespace weft::pack {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;
inline constexpr int kExitUsage = 2;

using Action = std::function<int()>;
/// The selected subcommand's action; set by a subcommand callback during parsing.
struct Dispatch {
  Action run;
};

/// Registers a subcommand whose callback installs `action` as the one to run.
CLI::App* add_command(CLI::App& app, Dispatch& dispatch, const std::string& name, const std::string& description,
                      Action action);

/// Prints each line of a (possibly multi-line) message to stderr.
int refuse(const std::string& message);

/// Compiles the core modules of an installed revision's component into its store's AOT cache (weft-runtime
/// --aot-precompile), with progress on stdout. Never fails: a problem is one warning line on stderr.
void precompile_installed(const std::string& app_id, const std::string& revision_dir, const std::string& module);

void add_package_commands(CLI::App& app, Dispatch& dispatch);  // check, info, generate-key, sign, verify
void add_store_commands(CLI::App& app, Dispatch& dispatch);    // install, uninstall, list, rollback, approve
void add_archive_commands(CLI::App& app, Dispatch& dispatch);  // bundle, unbundle
void add_image_commands(CLI::App& app, Dispatch& dispatch);    // build-image, build-verity

}  // namespace weft::pack
