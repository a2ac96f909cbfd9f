#include "weft/core/glib.hpp"

#include <glib-unix.h>

#include <csignal>

#include "weft/core/log.hpp"

namespace weft::glib {

MainLoop::MainLoop() : loop_(g_main_loop_new(nullptr, FALSE)) {
  auto on_sigterm = [](gpointer self) -> gboolean {
    static_cast<MainLoop*>(self)->handle(SIGTERM);
    return G_SOURCE_CONTINUE;
  };
  auto on_sigint = [](gpointer self) -> gboolean {
    static_cast<MainLoop*>(self)->handle(SIGINT);
    return G_SOURCE_CONTINUE;
  };
  sigterm_.reset(g_unix_signal_add(SIGTERM, on_sigterm, this));
  sigint_.reset(g_unix_signal_add(SIGINT, on_sigint, this));
}

MainLoop::~MainLoop() = default;

int MainLoop::run() {
  g_main_loop_run(loop_.get());
  return status_;
}

void MainLoop::quit(int status) {
  status_ = status;
  g_main_loop_quit(loop_.get());
}

bool MainLoop::running() const { return g_main_loop_is_running(loop_.get()); }

void MainLoop::on_signal(void (*handler)(int, void*), void* data) {
  handler_ = handler;
  handler_data_ = data;
}

void MainLoop::handle(int signal) {
  if (handler_) return handler_(signal, handler_data_);
  log::info(signal == SIGTERM ? "SIGTERM" : "SIGINT", " received: exiting");
  quit(0);
}

void pump_pending(int max_iterations) {
  for (int i = 0; i < max_iterations && g_main_context_iteration(nullptr, FALSE); ++i) {
  }
}

}  // namespace weft::glib
