// Media in an app view (spec §6.1): <audio>, <video> and an AudioContext play through GStreamer (the plugins WPE needs
// are installed by scripts/setup) and never crash the WebProcess, even without a sound device.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "app_page.hpp"
#include "fixture_page.hpp"
#include "loopback_listeners.hpp"
#include "weft/test/temp_dir.hpp"

namespace weft::webview {
namespace {

namespace fs = std::filesystem;
const std::string kFixtures = WEFT_WEBVIEW_FIXTURES;
constexpr int kTimeoutMs = 30000;

// A mono 16-bit PCM WAV of a 440 Hz tone, written at test time so no binary fixture is committed.
void write_tone_wav(const fs::path& path, int sample_rate, int milliseconds) {
  const uint32_t samples = static_cast<uint32_t>(sample_rate) * static_cast<uint32_t>(milliseconds) / 1000;
  const uint32_t data_bytes = samples * 2;
  std::ofstream out(path, std::ios::binary);
  auto u32 = [&](uint32_t v) { for (int i = 0; i < 4; ++i) out.put(static_cast<char>((v >> (8 * i)) & 0xff)); };
  auto u16 = [&](uint16_t v) { out.put(static_cast<char>(v & 0xff)); out.put(static_cast<char>(v >> 8)); };
  out.write("RIFF", 4);
  u32(36 + data_bytes);
  out.write("WAVEfmt ", 8);
  u32(16);                                         // fmt chunk size, bytes
  u16(1);                                          // PCM
  u16(1);                                          // channels
  u32(static_cast<uint32_t>(sample_rate));         // Hz
  u32(static_cast<uint32_t>(sample_rate) * 2);     // bytes per second
  u16(2);                                          // block align, bytes
  u16(16);                                         // bits per sample
  out.write("data", 4);
  u32(data_bytes);
  for (uint32_t i = 0; i < samples; ++i)
    u16(static_cast<uint16_t>(static_cast<int16_t>(8000 * std::sin(2 * M_PI * 440 * i / sample_rate))));
}

class AppMedia : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy(kFixtures + "/app", dir_ / "pkg", fs::copy_options::recursive);
    fs::create_directories(dir_ / "cache");
    write_tone_wav(dir_ / "pkg" / "ui" / "tone.wav", 8000, 400);
    auto opened = test::open_fixture_page(dir_ / "pkg", dir_ / "cache", 3);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    page_ = std::move(opened->page);
    view_ = std::move(opened->view);
    terminated_ = glib::connect(view_->web_view(), "web-process-terminated",
                                G_CALLBACK(+[](WebKitWebView*, WebKitWebProcessTerminationReason, gpointer count) {
                                  ++*static_cast<int*>(count);
                                }),
                                &crashes_);
    auto loaded = view_->load_and_wait(page_->files().entry_uri().c_str(), kTimeoutMs);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  }
  std::string eval(const std::string& body) {
    auto r = view_->evaluate(body.c_str(), kTimeoutMs);
    return r.ok() ? *r : "error: " + r.error().message;
  }

  weft::test::TempDir temp_{"media"};
  fs::path dir_{temp_.path()};
  std::unique_ptr<AppPage> page_;
  std::unique_ptr<WebView> view_;
  int crashes_ = 0;
  glib::SignalConnection terminated_;
};

// Plays `tone.wav` in a new element of `tag` and answers how it ended: "ended" when it played to its end.
std::string play_element_script(const char* tag) {
  return std::string("const m = document.createElement('") + tag + R"JS(');
    document.body.appendChild(m);
    const outcome = new Promise(r => { m.onended = () => r('ended'); m.onerror = () => r('error ' + m.error.code);
                                       setTimeout(() => r('stuck at ' + m.currentTime), 10000); });
    m.src = URL.createObjectURL(await (await fetch('tone.wav')).blob());
    try { await m.play(); } catch (e) { return 'play refused: ' + e.name; }
    return await outcome;)JS";
}

TEST_F(AppMedia, AnAudioElementPlaysAGeneratedWavToItsEnd) {
  EXPECT_EQ(eval(play_element_script("audio")), "\"ended\"");
  EXPECT_EQ(crashes_, 0) << "the WebProcess crashed (scripts/setup installs the GStreamer plugins WPE needs)";
}

TEST_F(AppMedia, AVideoElementPlaysAnAudioOnlyFileToItsEnd) {
  EXPECT_EQ(eval(play_element_script("video")), "\"ended\"");
  EXPECT_EQ(crashes_, 0) << "the WebProcess crashed (scripts/setup installs the GStreamer plugins WPE needs)";
}

TEST_F(AppMedia, AnAudioContextDecodesTheWavAndItsClockRuns) {
  EXPECT_EQ(eval(R"JS(const ctx = new AudioContext();
    const bytes = await (await fetch('tone.wav')).arrayBuffer();
    const buffer = await ctx.decodeAudioData(bytes);
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(ctx.destination);
    const ended = new Promise(r => { source.onended = () => r('ended'); setTimeout(() => r('stuck'), 10000); });
    source.start();
    await ctx.resume();
    return [Math.round(buffer.duration * 10) / 10, await ended, ctx.currentTime > 0.3];)JS"),
            "[0.4,\"ended\",true]");
  EXPECT_EQ(crashes_, 0) << "the WebProcess crashed (scripts/setup installs the GStreamer plugins WPE needs)";
}

// GStreamer has its own sources for udp://, rtsp://, http:// and file:// that would bypass WebKit's loader (and with it
// the content filter): the CSP's media-src refuses them before a pipeline exists.
TEST_F(AppMedia, SourcesGStreamerWouldOpenItselfAreRefusedBeforeAnyConnection) {
  test::CountingListener tcp("127.0.0.1");
  ASSERT_NE(tcp.port(), 0);
  std::string outcome = eval("const a = '" + tcp.authority() + R"JS(';
    const out = [];
    for (const url of ['rtsp://' + a + '/s', 'http://' + a + '/s.wav', 'udp://' + a, 'file:///etc/hostname']) {
      const m = document.createElement('audio');
      document.body.appendChild(m);
      out.push(await new Promise(r => { m.onerror = () => r('error'); m.onplaying = () => r('playing');
                                        setTimeout(() => r('nothing'), 3000); m.src = url; m.play().catch(() => {}); }));
    }
    return out;)JS");
  EXPECT_EQ(outcome.find("playing"), std::string::npos) << outcome;
  run_until([] { return false; }, 500);
  EXPECT_EQ(tcp.connections(), 0) << "a media source reached a local server";
  EXPECT_EQ(crashes_, 0) << "the WebProcess crashed (scripts/setup installs the GStreamer plugins WPE needs)";
}

}  // namespace
}  // namespace weft::webview
