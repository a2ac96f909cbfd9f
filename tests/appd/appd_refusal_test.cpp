// weft-appd refusals and authentication (spec §3.2–§3.4): every launch refusal answers the exact code and message and
// leaves nothing behind (no socket, no directory, no child); WebSocket clients authenticate with HELLO or are closed.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "appd_harness.hpp"
#include "weft/core/ipc/errors.hpp"

namespace says = weft::ipc::error_message;  // spec error strings

namespace weft::appd::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> idle_listing() {
  return {"appd.sock", "appd.systoken", "appd.wsport", "compositor.display", "compositor.sock"};
}

class AppdRefusals : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = appd_.start_desktop(640, 480);
    ASSERT_TRUE(started.ok()) << started.error().message;
  }

  // A copy of the counter package with another id and capabilities, signed with the development key.
  std::string variant(const std::string& id, const std::string& capabilities, bool keep_module = true) {
    std::string dir = appd_.root() + "/variants/" + id;
    fs::create_directories(fs::path(dir).parent_path());
    fs::copy(AppdHarness::package_dir(kCounter), dir, fs::copy_options::recursive);
    fs::remove(dir + "/signature.sig");
    if (!keep_module) fs::remove(dir + "/app.wasm");
    std::ifstream in(dir + "/wapp.toml");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    text = std::regex_replace(text, std::regex("id = \"org.weft.demo.counter\""), "id = \"" + id + "\"");
    text = std::regex_replace(text, std::regex("capabilities = \\[\\]"), "capabilities = [" + capabilities + "]");
    fs::permissions(dir + "/wapp.toml", fs::perms::owner_read | fs::perms::owner_write);
    std::ofstream(dir + "/wapp.toml", std::ios::trunc) << text;
    auto sign = appd_.pack({"sign", dir, "--key", build_dir() + "/dev-keys/weft-sign.key"});
    EXPECT_TRUE(sign.ok()) << sign.error().message;
    return dir;
  }

  // LAUNCH_APP's reply must be exactly ERROR{code, message}, and the runtime directory and process tree unchanged.
  void expect_refusal(const std::string& app_id, uint32_t code, const std::string& message_pattern) {
    auto client = appd_.unix_client();
    ASSERT_TRUE(client.ok());
    auto reply = client->request(msg::LaunchApp{app_id, 0});
    ASSERT_TRUE(reply.ok()) << reply.error().message;
    auto* error = std::get_if<msg::ErrorReply>(&*reply);
    ASSERT_NE(error, nullptr) << "launch of " << app_id << " was not refused: " << msg::type_name(*reply);
    EXPECT_EQ(error->code, code) << error->message;
    EXPECT_TRUE(std::regex_search(error->message, std::regex(message_pattern)))
        << "'" << error->message << "' does not match '" << message_pattern << "'";
    EXPECT_EQ(appd_.weft_dir_listing(), idle_listing()) << "refusing " << app_id << " left something behind";
    EXPECT_TRUE(appd_.appd_descendants().empty()) << "refusing " << app_id << " started a child";
    auto running = client->request(msg::QueryRunning{});
    ASSERT_TRUE(running.ok());
    EXPECT_TRUE(std::get<msg::RunningApps>(*running).sessions.empty());
  }

  AppdHarness appd_;
};

TEST_F(AppdRefusals, EveryLaunchRefusalAnswersItsCodeAndMessageAndLeavesNothingBehind) {
  ASSERT_TRUE(appd_.install_demo(kCounter).ok());
  ASSERT_TRUE(appd_.install(variant("org.weft.test.notify", "\"sys:notifications\"")).ok());  // installed unapproved
  ASSERT_TRUE(appd_.install(variant("org.weft.test.gpu", "\"hw:gpu:compute\""), {"--approve"}).ok());
  ASSERT_TRUE(appd_.install(variant("org.weft.test.docs", "\"fs:read:xdg-documents\""), {"--approve"}).ok());
  // Legacy directory installs (plain directories in the store root) that fail validation.
  fs::copy(variant("org.weft.test.other", ""), appd_.store_root() + "/org.weft.test.mismatch", fs::copy_options::recursive);
  fs::copy(variant("org.weft.test.nomodule", "", /*keep_module=*/false), appd_.store_root() + "/org.weft.test.nomodule",
           fs::copy_options::recursive);
  ASSERT_TRUE(appd_.start_appd().ok());

  expect_refusal("Org.Weft.Bad", 400, "^" + std::string(says::kInvalidAppId) + "$");
  expect_refusal("org.weft", 400, "^" + std::string(says::kInvalidAppId) + "$");
  expect_refusal("org.weft.not.installed", 404,
                 "^" + says::package_not_installed("org.weft.not.installed") + "$");
  expect_refusal("org.weft.test.notify", 403,
                 "^sys:notifications needs approval; run weft-pack approve org.weft.test.notify$");
  expect_refusal("org.weft.test.gpu", 403, "^hw:gpu:compute is not supported by this host$");
  expect_refusal("org.weft.test.docs", 403, "documents directory");
  expect_refusal("org.weft.test.mismatch", 403, "does not match");
  expect_refusal("org.weft.test.nomodule", 403, "runtime.module 'app.wasm' not found");

  // Tampered content: one byte of the installed revision changes.
  auto revision = fs::read_symlink(appd_.store_root() + "/" + kCounter);
  std::string page = appd_.store_root() + "/" + revision.string() + "/ui/index.html";
  fs::permissions(page, fs::perms::owner_write, fs::perm_options::add);
  std::ofstream(page, std::ios::app) << "<!-- tampered -->";
  expect_refusal(kCounter, 403, "digest does not match|not signed");
}

TEST_F(AppdRefusals, AnUntrustedSigningKeyIsRefusedAtLaunch) {
  ASSERT_TRUE(appd_.install_demo(kCounter).ok());
  fs::remove(appd_.trusted_keys_dir() + "/weft-dev.pub");  // the user stops trusting the key after installing
  ASSERT_TRUE(appd_.start_appd().ok());
  expect_refusal(kCounter, 403, "no longer trusted");
}

// §5.9: when the store holds an image of an id, launch uses the image or fails closed; it never falls back to the
// directory install. The real dm-verity mount cannot run in this container (no device-mapper), so the mount helper's
// refusal stands for every mount failure here.
TEST_F(AppdRefusals, AVerityImageIsPreferredToTheDirectoryInstallAndItsLaunchFailsClosed) {
  auto pack = [&](std::vector<std::string> args) {
    auto packed = appd_.pack(std::move(args), appd_.store_root());
    ASSERT_TRUE(packed.ok()) << packed.error().message;
  };
  const std::string image = std::string(kCounter) + ".app.img";
  pack({"build-image", AppdHarness::package_dir(kCounter), "--out", image});
  pack({"build-verity", image, "--key", build_dir() + "/dev-keys/weft-sign.key"});
  ASSERT_TRUE(appd_.start_appd({"WEFT_MOUNT_HELPER=" + executable("weft-mount-helper")}).ok());

  auto client = appd_.unix_client();
  ASSERT_TRUE(client.ok());
  auto installed = client->request(msg::QueryInstalledApps{});
  ASSERT_TRUE(installed.ok());
  EXPECT_EQ(std::get<msg::InstalledApps>(*installed).apps,
            (std::vector<msg::AppInfo>{{kCounter, kCounter, ""}})) << "an unmounted image is listed by id, no version";
  ASSERT_TRUE(appd_.install_demo(kCounter).ok());  // a directory install of the same id does not replace the image

  expect_refusal(kCounter, 500, "^image of org.weft.demo.counter could not be mounted");
  // A signature that does not verify is refused before anything is mounted.
  std::string sig_file = appd_.store_root() + "/" + kCounter + ".app.roothash.sig";
  auto sig = read_file(sig_file);
  ASSERT_TRUE(sig.ok());
  std::string bad = *sig;
  bad[0] = bad[0] == '0' ? '1' : '0';
  ASSERT_TRUE(write_file_atomic(sig_file, bad, 0644).ok());
  expect_refusal(kCounter, 403, "^image of org.weft.demo.counter: ");
}

TEST_F(AppdRefusals, WebSocketClientsMustSayHelloWithTheRightTokenFirst) {
  ASSERT_TRUE(appd_.start_appd().ok());
  auto expect_401_and_close = [](WsClient& client) {
    auto reply = client.next(8000);
    ASSERT_TRUE(reply.has_value()) << "no reply";
    EXPECT_EQ(*reply, (nlohmann::json{{"type", "ERROR"}, {"code", 401}, {"message", std::string(says::kAuthenticationRequired)}}));
    EXPECT_TRUE(client.wait_closed(5000)) << "appd kept the unauthenticated connection";
  };
  {  // a request before HELLO
    auto client = WsClient::connect(appd_.ws_port());
    ASSERT_TRUE(client.ok());
    (*client)->send({{"type", "QUERY_RUNNING"}});
    expect_401_and_close(**client);
  }
  {  // a wrong system token
    auto client = WsClient::connect(appd_.ws_port());
    ASSERT_TRUE(client.ok());
    (*client)->send({{"type", "HELLO"}, {"role", "system"}, {"token", std::string(32, 'a')}});
    expect_401_and_close(**client);
  }
  {  // an app role for a session that does not exist
    auto client = WsClient::connect(appd_.ws_port());
    ASSERT_TRUE(client.ok());
    (*client)->send({{"type", "HELLO"}, {"role", "app"}, {"session_id", 1}, {"token", std::string(32, 'b')}});
    expect_401_and_close(**client);
  }
  {  // silence: no HELLO within 5 s
    auto client = WsClient::connect(appd_.ws_port());
    ASSERT_TRUE(client.ok());
    expect_401_and_close(**client);
  }
  {  // the system role may not forward application messages
    auto client = appd_.system_client();
    ASSERT_TRUE(client.ok());
    (*client)->send({{"type", "IPC_FORWARD"}, {"session_id", 1}, {"payload", "x"}});
    auto reply = (*client)->next_of("ERROR");
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ((*reply)["code"], 403);
    EXPECT_EQ((*reply)["message"], std::string(says::kAppMessagesNotForSystemRole));
    (*client)->send({{"type", "QUERY_APP_STATE"}, {"session_id", 99}});
    auto state = (*client)->next_of("APP_STATE");
    ASSERT_TRUE(state.has_value());
    EXPECT_EQ((*state)["state"], "not_found");
  }
}

}  // namespace
}  // namespace weft::appd::test
