#pragma once
// weft_test_v1 (test-only, --test-control): screenshots and input injection for integration tests.

#include "wlr.hpp"

namespace weft::compositor {

class Server;

class TestControl {
 public:
  explicit TestControl(Server& server);
  TestControl(const TestControl&) = delete;
  TestControl& operator=(const TestControl&) = delete;
  ~TestControl();

  Server& server;

 private:
  wl_global* global_ = nullptr;
};

}  // namespace weft::compositor
