// The clipboard between real clients (§2.3): only the keyboard-focused client may set the selection; a session client
// is offered it, and can read it, only while focused; data-control (wl-copy) still works for the user's own tools.

#include <unistd.h>

#include "session_fixture.hpp"
#include "test_data_device.hpp"

using namespace weft::test;

namespace {

constexpr uint64_t kSession = 7;
const std::string kAppId = "org.weft.demo.notes";

using Selection = SessionCompositorTest;

/// What `device`'s current offer holds, or a description of why there is none.
std::string offered_text(TestDataDevice& device) {
  if (!device.offer()) return "<no selection offered>";
  auto text = device.read(device.offer());
  return text ? *text : "<the read did not finish>";
}

}  // namespace

TEST_F(Selection, TheFocusedClientSetsTheSelectionAndTheNextFocusedClientReadsIt) {
  auto writer = connect();
  auto w = make_app(*writer, "writer", kRed);
  wait_drawn(*w);
  TestDataDevice writer_device(*writer);
  writer_device.set_selection("copied by the focused client");
  settle(*writer);

  auto reader = connect();
  TestDataDevice reader_device(*reader);
  auto r = make_app(*reader, "reader", kGreen);
  wait_drawn(*r);
  ASSERT_EQ(focused_title(), "reader");
  ASSERT_TRUE(wait_until([&] { return reader_device.offer() != nullptr; })) << "the focused client got no offer";
  EXPECT_EQ(offered_text(reader_device), "copied by the focused client");
}

TEST_F(Selection, AnUnfocusedSessionClientCannotSetTheSelection) {
  auto app = bind(kSession, kAppId);
  ASSERT_NE(app, nullptr) << harness->log();
  TestDataDevice app_device(*app);
  auto a = make_app(*app, "app", kRed);
  wait_drawn(*a);

  auto other = connect();
  TestDataDevice other_device(*other);
  auto o = make_app(*other, "other", kGreen);
  wait_drawn(*o);
  ASSERT_EQ(focused_title(), "other");
  settle(*app);
  ASSERT_NE(app->last_input_serial, 0u) << "the app never got a serial (keyboard leave carries one)";

  // A valid serial of its own (the keyboard leave), but the app is not focused.
  app_device.set_selection("planted by a background app");
  settle(*app);
  settle(*other);
  EXPECT_EQ(other_device.offer(), nullptr) << "the focused client was offered: " << offered_text(other_device);

  // The focused client still can.
  const int before = other_device.selection_events;
  other_device.set_selection("copied by the focused client");
  ASSERT_TRUE(wait_until([&] { return other_device.selection_events > before && other_device.offer() != nullptr; }));
  EXPECT_EQ(offered_text(other_device), "copied by the focused client");
}

TEST_F(Selection, AnUnfocusedOrdinaryClientCannotSetTheSelectionEither) {
  auto background = connect();
  TestDataDevice background_device(*background);
  auto b = make_app(*background, "background", kRed);
  wait_drawn(*b);
  auto front = connect();
  TestDataDevice front_device(*front);
  auto f = make_app(*front, "front", kGreen);
  wait_drawn(*f);
  ASSERT_EQ(focused_title(), "front");
  settle(*background);

  background_device.set_selection("planted from the background");
  settle(*background);
  settle(*front);
  EXPECT_EQ(front_device.offer(), nullptr) << "the focused client was offered: " << offered_text(front_device);
}

TEST_F(Selection, ASessionClientReadsTheSelectionOnlyWhileFocused) {
  auto writer = connect();
  TestDataDevice writer_device(*writer);
  auto w = make_app(*writer, "writer", kRed);
  wait_drawn(*w);
  writer_device.set_selection("a password copied elsewhere");
  settle(*writer);

  auto app = bind(kSession, kAppId);
  ASSERT_NE(app, nullptr) << harness->log();
  TestDataDevice app_device(*app);
  auto a = make_app(*app, "app", kBlue);
  wait_drawn(*a);
  ASSERT_EQ(focused_title(), "app");
  ASSERT_TRUE(wait_until([&] { return app_device.offer() != nullptr; })) << "the focused app got no offer";
  wl_data_offer* held = app_device.offer();
  EXPECT_EQ(app_device.read(held), "a password copied elsewhere") << "while focused the app may paste";

  // Focus moves away, to a client that never asks for the clipboard (a new toplevel of an ordinary client takes
  // focus on map); the app keeps its old offer object.
  auto plain = connect();
  auto p = make_app(*plain, "plain", kGreen);
  wait_drawn(*p);
  ASSERT_EQ(focused_title(), "plain");
  settle(*app);
  auto text = app_device.read(held);
  ASSERT_TRUE(text.has_value()) << "reading an old offer must end (the compositor closes the pipe), not hang";
  EXPECT_EQ(*text, "") << "a background session client read the selection through the offer it kept";
  EXPECT_EQ(app_device.offer(), nullptr) << "the app was told there is no selection when it lost focus";

  // Nor does a data device created in the background bring the selection along.
  TestDataDevice late_device(*app);
  settle(*app);
  EXPECT_EQ(late_device.offer(), nullptr) << "a background session client was offered: " << offered_text(late_device);
  EXPECT_EQ(app->error(), 0) << "an inert offer is not a protocol error";
}

TEST_F(Selection, ASessionClientWhoseWindowsAreGoneCannotReadTheSelection) {
  auto writer = connect();
  TestDataDevice writer_device(*writer);
  auto w = make_app(*writer, "writer", kRed);
  wait_drawn(*w);
  writer_device.set_selection("a password copied elsewhere");
  settle(*writer);
  w.reset();  // the writer keeps serving its selection without a window

  auto app = bind(kSession, kAppId);
  ASSERT_NE(app, nullptr) << harness->log();
  TestDataDevice app_device(*app);
  auto a = make_app(*app, "app", kBlue);
  wait_drawn(*a);
  ASSERT_TRUE(wait_until([&] { return app_device.offer() != nullptr; })) << "the focused app got no offer";
  wl_data_offer* held = app_device.offer();

  // Its only window goes: nothing is focused any more, and the app is still connected with its offer.
  a.reset();
  settle(*app);
  ASSERT_TRUE(wait_until([&] { return focused_title().empty(); })) << "still focused: " << focused_title();
  auto text = app_device.read(held);
  ASSERT_TRUE(text.has_value()) << "reading an old offer must end (the compositor closes the pipe), not hang";
  EXPECT_EQ(*text, "") << "a session client without focus read the selection through the offer it kept";
}

TEST_F(Selection, ASessionClientThatIsNotFocusedIsOfferedNothingWhenItCreatesItsDataDevice) {
  auto writer = connect();
  TestDataDevice writer_device(*writer);
  auto w = make_app(*writer, "writer", kRed);
  wait_drawn(*w);
  writer_device.set_selection("copied before the app started");
  settle(*writer);

  auto app = bind(kSession, kAppId);
  ASSERT_NE(app, nullptr) << harness->log();
  TestDataDevice app_device(*app);  // the app has no window, so it is not focused
  settle(*app);
  EXPECT_EQ(app_device.offer(), nullptr) << "an unfocused session client was offered: " << offered_text(app_device);
}

TEST_F(Selection, DataControlToolsStillSetTheSelectionForTheFocusedClient) {
  if (::access("/usr/bin/wl-copy", X_OK) != 0) GTEST_SKIP() << "wl-copy (wl-clipboard) is not installed";
  auto front = connect();
  TestDataDevice front_device(*front);
  auto f = make_app(*front, "front", kGreen);
  wait_drawn(*f);
  // In the foreground it stays our child, serving the text, and is terminated when `copy` goes.
  weft::SpawnOptions o;
  o.argv = {"/usr/bin/wl-copy", "--foreground", "--type", kTextMime, "copied by wl-copy"};
  o.env = harness->client_env();
  o.null_stdio = true;
  auto copy = weft::ChildProcess::spawn(o);
  ASSERT_TRUE(copy.ok()) << copy.error().message;
  ASSERT_TRUE(wait_until([&] { return front_device.offer() != nullptr; })) << "no offer after wl-copy";
  EXPECT_EQ(offered_text(front_device), "copied by wl-copy");
}
