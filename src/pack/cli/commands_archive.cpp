// bundle, unbundle.

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "weft/store/bundle.hpp"

namespace weft::pack {

void add_archive_commands(CLI::App& app, Dispatch& dispatch) {
  auto in = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>(".");
  auto* b = add_command(app, dispatch, "bundle", "Write <id>.app.tar.zst from a package directory (never overwrites)",
                        [in, out] {
                          auto r = store::write_bundle(*in, *out);
                          if (!r) return refuse(r.error().message);
                          std::cout << "bundled: " << *r << "\n";
                          return kExitOk;
                        });
  b->add_option("dir", *in, "package directory")->required();
  b->add_option("--out", *out, "output directory (default .)");

  auto* u = add_command(app, dispatch, "unbundle", "Extract a .app.tar.zst bundle into <out>/<id>", [in, out] {
    auto r = store::unbundle(*in, *out);
    if (!r) return refuse(r.error().message);
    std::cout << "unbundled: " << *in << " -> " << *r << "\n";
    return kExitOk;
  });
  u->add_option("archive", *in, "bundle file")->required();
  u->add_option("--out", *out, "output directory (default .)");
}

}  // namespace weft::pack
