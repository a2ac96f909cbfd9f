// HTTPS transport for weft:app/fetch over GIO's TLS (glib-networking, system trust store).

#include "fetch_tls.hpp"

#include <fcntl.h>

#include "weft/core/app_errors.hpp"
#include "weft/core/glib.hpp"

namespace weft::runtime {
namespace {

std::string message_of(GError* e) { return e ? e->message : "unknown error"; }

}  // namespace

Result<std::string> tls_exchange(UniqueFd fd, const std::string& host, uint16_t port, const std::string& request,
                                 std::chrono::steady_clock::time_point deadline, size_t max_bytes) {
  // GIO does blocking I/O with a per-operation timeout; the caller's socket was non-blocking for the connect.
  ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
  GError* raw = nullptr;
  glib::Ptr<GSocket> socket(g_socket_new_from_fd(fd.get(), &raw));
  if (!socket) return fail("TLS connection to " + host + " failed: " + message_of(glib::ErrorPtr(raw).get()));
  (void)fd.release();  // the GSocket owns it now
  auto left = [&] {
    return std::chrono::duration_cast<std::chrono::seconds>(deadline - std::chrono::steady_clock::now()).count();
  };
  g_socket_set_timeout(socket.get(), guint(std::max<long long>(1, left())));
  glib::Ptr<GSocketConnection> plain(g_socket_connection_factory_create_connection(socket.get()));
  glib::Ptr<GSocketConnectable> identity(g_network_address_new(host.c_str(), port));
  glib::Ptr<GIOStream> tls(g_tls_client_connection_new(G_IO_STREAM(plain.get()), identity.get(), &raw));
  if (!tls) return fail("TLS is not available: " + message_of(glib::ErrorPtr(raw).get()));
  if (!g_tls_connection_handshake(G_TLS_CONNECTION(tls.get()), nullptr, &raw))
    return fail("TLS handshake with " + host + " failed: " + message_of(glib::ErrorPtr(raw).get()));
  GOutputStream* out = g_io_stream_get_output_stream(tls.get());
  if (!g_output_stream_write_all(out, request.data(), request.size(), nullptr, nullptr, &raw))
    return fail("sending the request to " + host + " failed: " + message_of(glib::ErrorPtr(raw).get()));
  GInputStream* in = g_io_stream_get_input_stream(tls.get());
  std::string response;
  char buf[65536];
  for (;;) {
    if (left() <= 0) return fail("the request did not finish within 30 s");
    gssize n = g_input_stream_read(in, buf, sizeof buf, nullptr, &raw);
    if (n < 0) {
      glib::ErrorPtr e(raw);
      // Servers often close without close_notify after a complete response; keep what arrived.
      if (g_error_matches(e.get(), G_TLS_ERROR, G_TLS_ERROR_EOF)) break;
      return fail("reading the response from " + host + " failed: " + message_of(e.get()));
    }
    if (n == 0) break;
    response.append(buf, size_t(n));
    if (response.size() > max_bytes) return fail(std::string(app_error::kResponseTooLarge));
  }
  g_io_stream_close(tls.get(), nullptr, nullptr);
  return response;
}

}  // namespace weft::runtime
