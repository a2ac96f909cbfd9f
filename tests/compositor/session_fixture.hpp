#pragma once
// gtest fixture for session-bound clients (§2.4): the compositor fixture plus a stand-in appd on the link, which
// binds sessions and hands the test the client end of each one.

#include <memory>
#include <string>

#include "compositor_fixture.hpp"
#include "standin_appd.hpp"
#include "weft/core/fd.hpp"

namespace weft::test {

class SessionCompositorTest : public CompositorTest {
 protected:
  void SetUp() override {
    CompositorTest::SetUp();
    if (HasFatalFailure()) return;
    auto appd = StandinAppd::connect(link_path());
    ASSERT_TRUE(appd.ok()) << appd.error().message;
    standin = std::make_unique<StandinAppd>(std::move(*appd));
  }
  void TearDown() override {
    standin.reset();
    CompositorTest::TearDown();
  }
  std::string link_path() const { return harness->runtime_dir() + "/weft/compositor.sock"; }

  /// Binds a session through the stand-in and connects a client on the other end of the socketpair.
  std::unique_ptr<TestClient> bind(uint64_t session_id, const std::string& app_id) {
    auto pair = weft::unix_socket_pair();
    if (!pair) return nullptr;
    auto sent = standin->send(ipc::compositor::BindSession{session_id, app_id}, pair->first.get());
    if (!sent) return nullptr;
    pair->first.reset();
    const std::string line =
        "client bound to session session_id=" + std::to_string(session_id) + " app_id=" + app_id;
    if (!harness->wait_for_log(line)) return nullptr;
    auto client = TestClient::connect_fd(pair->second.release());
    if (client) client->capture_dir = harness->runtime_dir();
    return client;
  }

  std::unique_ptr<StandinAppd> standin;
};

}  // namespace weft::test
