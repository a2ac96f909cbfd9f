// install, uninstall, list, rollback, approve.

#include <iostream>
#include <memory>
#include <vector>

#include "cli/commands.hpp"
#include "weft/core/app_id.hpp"
#include "weft/store/approvals.hpp"
#include "weft/store/install.hpp"
#include "weft/store/revisions.hpp"

namespace weft::pack {
namespace {

using namespace weft::store;

std::function<void()> lock_notice(const std::string& what) {
  return [what] { std::cerr << "waiting for another weft-pack operation on " << what << "\n"; };
}

struct InstallArgs {
  std::string source;
  bool dev = false, approve = false, claim_data = false, no_precompile = false;
};

int run_install(const InstallArgs& args) {
  InstallOptions o;
  o.dev = args.dev;
  o.approve = args.approve;
  o.claim_data = args.claim_data;
  o.on_lock_wait = lock_notice(args.source);
  if (!args.no_precompile) o.precompile = precompile_installed;
  auto r = install_package(args.source, o);
  if (!r) return refuse(r.error().message);
  for (const auto& unknown : r->unknown_keys) std::cerr << "warning: wapp.toml: " << unknown << " (ignored)\n";
  std::cout << "installed " << r->app_id << " -> " << r->link << " (revision " << r->revision << ")\n";
  if (!r->approved.empty()) std::cout << "approved " << r->app_id << ": " << join_capabilities(r->approved) << "\n";
  if (!r->needs_approval.empty()) std::cout << "needs approval: " << join_capabilities(r->needs_approval) << "\n";
  return kExitOk;
}

int run_uninstall(const std::string& id, bool purge) {
  if (auto v = validate_app_id(id); !v) return refuse(v.error().message);
  auto r = uninstall_package(id, purge, lock_notice(id));
  if (!r) return refuse(r.error().message);
  if (!r->was_installed) return refuse("not installed");
  std::cout << "uninstalled " << id << "\n";
  return kExitOk;
}

int run_list() {
  auto apps = list_installed();
  if (apps.empty()) {
    std::cout << "no packages installed\n";
    return kExitOk;
  }
  for (const auto& a : apps) std::cout << a.app_id << "  " << a.name << "  " << a.version << "\n";
  return kExitOk;
}

int run_rollback(const std::string& id) {
  if (auto v = validate_app_id(id); !v) return refuse(v.error().message);
  auto r = rollback_package(id, lock_notice(id));
  if (!r) return refuse(r.error().message);
  std::cout << "rolled back " << id << " -> " << *r << "\n";
  return kExitOk;
}

int run_approve(const std::string& id, const std::vector<std::string>& caps) {
  if (auto v = validate_app_id(id); !v) return refuse(v.error().message);
  auto r = approve_package(id, caps);
  if (!r) return refuse(r.error().message);
  std::cout << "approved " << id << ": " << join_capabilities(*r) << "\n";
  return kExitOk;
}

}  // namespace

void add_store_commands(CLI::App& app, Dispatch& dispatch) {
  auto install = std::make_shared<InstallArgs>();
  auto* cmd = add_command(app, dispatch, "install", "Install a package directory or .app.tar.zst bundle",
                          [install] { return run_install(*install); });
  cmd->add_option("source", install->source, "package directory or bundle")->required();
  cmd->add_flag("--dev", install->dev, "unsigned development install (owner 'development')");
  cmd->add_flag("--approve", install->approve, "approve every declared capability that needs approval");
  cmd->add_flag("--claim-data", install->claim_data, "take over the id and its app data from another owner");
  cmd->add_flag("--no-precompile", install->no_precompile,
                "do not compile the component to native code now (it runs on the interpreter until its code is "
                "compiled)");

  auto id = std::make_shared<std::string>();
  auto purge = std::make_shared<bool>(false);
  auto* un = add_command(app, dispatch, "uninstall", "Remove an installed package (app data is kept)",
                         [id, purge] { return run_uninstall(*id, *purge); });
  un->add_option("id", *id, "app id")->required();
  un->add_flag("--purge-data", *purge, "also delete the app data and owner record");

  add_command(app, dispatch, "list", "List installed packages", [] { return run_list(); });

  add_command(app, dispatch, "rollback", "Make the previous revision active again", [id] { return run_rollback(*id); })
      ->add_option("id", *id, "app id")->required();

  auto caps = std::make_shared<std::vector<std::string>>();
  auto* ap = add_command(app, dispatch, "approve", "Approve capabilities of an installed package",
                         [id, caps] { return run_approve(*id, *caps); });
  ap->add_option("id", *id, "app id")->required();
  ap->add_option("caps", *caps, "capabilities (default: every declared one needing approval)");
}

}  // namespace weft::pack
