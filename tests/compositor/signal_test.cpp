#include "signal.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace weft::compositor {
namespace {

TEST(Signal, SlotsRunInConnectionOrderWithTheEmittedArguments) {
  Signal<int, const std::string&> changed;
  std::vector<std::string> heard;
  Connection first = changed.connect([&](int n, const std::string& s) { heard.push_back("a" + std::to_string(n) + s); });
  Connection second = changed.connect([&](int n, const std::string& s) { heard.push_back("b" + std::to_string(n) + s); });
  changed.emit(7, "x");
  EXPECT_EQ(heard, (std::vector<std::string>{"a7x", "b7x"}));
}

TEST(Signal, ADestroyedConnectionIsNotCalledAgain) {
  Signal<> changed;
  int calls = 0;
  {
    Connection connection = changed.connect([&] { ++calls; });
    changed.emit();
  }
  changed.emit();
  EXPECT_EQ(calls, 1);
}

TEST(Signal, AConnectionMayOutliveItsSignal) {
  int calls = 0;
  Connection connection;
  {
    Signal<> changed;
    connection = changed.connect([&] { ++calls; });
    changed.emit();
  }
  connection.disconnect();  // the signal is gone: nothing to do, nothing to crash on
  EXPECT_EQ(calls, 1);
}

TEST(Signal, MovingAConnectionKeepsTheSlotAndAssigningOverOneDisconnectsIt) {
  Signal<> changed;
  int first_calls = 0, second_calls = 0;
  Connection held = changed.connect([&] { ++first_calls; });
  Connection moved = std::move(held);
  changed.emit();
  moved = changed.connect([&] { ++second_calls; });  // drops the first slot
  changed.emit();
  EXPECT_EQ(first_calls, 1);
  EXPECT_EQ(second_calls, 1);
}

TEST(Signal, ASlotThatDisconnectsALaterOneDuringEmitStopsItFromRunning) {
  Signal<> changed;
  int later_calls = 0;
  std::optional<Connection> later;
  Connection first = changed.connect([&] { later.reset(); });
  later.emplace(changed.connect([&] { ++later_calls; }));
  changed.emit();
  EXPECT_EQ(later_calls, 0);
}

TEST(Signal, ASlotMayDestroyTheObjectThatOwnsItsOwnConnection) {
  struct Receiver {
    Connection connection;
    int* calls;
  };
  Signal<> changed;
  int calls = 0;
  auto receiver = std::make_unique<Receiver>();
  receiver->calls = &calls;
  receiver->connection = changed.connect([&] {
    ++*receiver->calls;
    receiver.reset();  // as a view's destroy handler removes the view
  });
  changed.emit();
  changed.emit();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(receiver, nullptr);
}

TEST(Signal, SlotsConnectedDuringEmitFirstRunOnTheNextEmit) {
  Signal<> changed;
  int late_calls = 0;
  std::vector<Connection> connections;
  connections.push_back(changed.connect([&] { connections.push_back(changed.connect([&] { ++late_calls; })); }));
  changed.emit();
  EXPECT_EQ(late_calls, 0);
  changed.emit();
  EXPECT_EQ(late_calls, 1);
}

}  // namespace
}  // namespace weft::compositor
