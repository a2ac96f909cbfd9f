#pragma once
// The clipboard side of a TestClient: its wl_data_device, the selection offers it is sent, and copy sources that
// serve a fixed text. Used to check who may set and read the selection (§2.3).

#include <wayland-client.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "test_client.hpp"

namespace weft::test {

inline constexpr const char* kTextMime = "text/plain;charset=utf-8";

class TestDataDevice {
 public:
  explicit TestDataDevice(TestClient& client);
  ~TestDataDevice();
  TestDataDevice(const TestDataDevice&) = delete;
  TestDataDevice& operator=(const TestDataDevice&) = delete;

  /// Asks to make `text` the selection, with the client's latest input serial (a serial the compositor gave it).
  void set_selection(const std::string& text);
  /// The offer of the latest `selection` event; nullptr when it said there is none (or none came yet).
  [[nodiscard]] wl_data_offer* offer() const { return offer_; }
  /// Receives `offer` as text, dispatching every test client meanwhile (the source may be one of them). The text
  /// once the compositor or source closes the pipe; nullopt when that has not happened within `timeout`.
  [[nodiscard]] std::optional<std::string> read(wl_data_offer* offer,
                                                std::chrono::milliseconds timeout = std::chrono::seconds(5));

  int selection_events = 0;  // wl_data_device.selection events received

 private:
  struct Source {
    TestDataDevice* owner;
    wl_data_source* source;
    std::string text;
  };
  friend struct TestDataDeviceListeners;

  TestClient& client_;
  wl_data_device* device_ = nullptr;
  wl_data_offer* offer_ = nullptr;
  // Every offer ever introduced stays alive until the device goes: a test may hold an old one on purpose.
  std::vector<wl_data_offer*> offers_;
  std::vector<std::unique_ptr<Source>> sources_;
};

}  // namespace weft::test
