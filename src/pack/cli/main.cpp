// weft-pack: the WEFT package tool (spec §5.8).

#include <iostream>

#include "weft/core/version.hpp"
#include "cli/commands.hpp"
#include "weft/core/log.hpp"

namespace weft::pack {

CLI::App* add_command(CLI::App& app, Dispatch& dispatch, const std::string& name, const std::string& description,
                      Action action) {
  CLI::App* sub = app.add_subcommand(name, description);
  sub->callback([&dispatch, action = std::move(action)] { dispatch.run = action; });
  return sub;
}

int refuse(const std::string& message) {
  std::cerr << message;
  if (message.empty() || message.back() != '\n') std::cerr << '\n';
  return kExitRefused;
}

}  // namespace weft::pack

int main(int argc, char** argv) {
  using namespace weft::pack;
  weft::log::init("weft-pack");
  CLI::App app{"weft-pack: check, sign, verify, bundle and install WEFT app packages", "weft-pack"};
  app.require_subcommand(1, 1);
  app.set_version_flag("--version", weft::version_line("weft-pack"));
  Dispatch dispatch;
  add_package_commands(app, dispatch);
  add_store_commands(app, dispatch);
  add_archive_commands(app, dispatch);
  add_image_commands(app, dispatch);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    (void)app.exit(e);  // prints the problem and usage to stderr
    return kExitUsage;
  }
  if (!dispatch.run) return kExitUsage;
  try {
    return dispatch.run();
  } catch (const std::exception& e) {  // a library throwing (e.g. std::bad_alloc) must still end as a refusal
    return refuse(std::string("weft-pack: ") + e.what());
  }
}
