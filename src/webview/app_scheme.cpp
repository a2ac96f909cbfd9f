#include "app_scheme.hpp"

#include <libsoup/soup.h>

#include "weft/core/glib.hpp"
#include "weft/core/log.hpp"

namespace weft::webview {

namespace {

void finish(WebKitURISchemeRequest* request, GBytes* body, const char* mime, int status, const char* reason,
            bool any_origin) {
  glib::Ptr<GInputStream> stream(g_memory_input_stream_new_from_bytes(body));
  glib::Ptr<WebKitURISchemeResponse> response(
      webkit_uri_scheme_response_new(stream.get(), static_cast<gint64>(g_bytes_get_size(body))));
  webkit_uri_scheme_response_set_status(response.get(), static_cast<guint>(status), reason);
  webkit_uri_scheme_response_set_content_type(response.get(), mime);
  SoupMessageHeaders* headers = soup_message_headers_new(SOUP_MESSAGE_HEADERS_RESPONSE);
  std::string csp(kAppContentSecurityPolicy);
  soup_message_headers_append(headers, "Content-Security-Policy", csp.c_str());
  // With explicit headers WebKit takes the type from them, not from set_content_type: repeat it here.
  soup_message_headers_append(headers, "Content-Type", mime);
  soup_message_headers_append(headers, "X-Content-Type-Options", "nosniff");
  // The system page is a file:// document: its reads of weft-system:// are cross-origin. Only the system page's own
  // context has this scheme, so any origin there is the system page.
  if (any_origin) soup_message_headers_append(headers, "Access-Control-Allow-Origin", "*");
  webkit_uri_scheme_response_set_http_headers(response.get(), headers);  // transfer full
  webkit_uri_scheme_request_finish_with_response(request, response.get());
}

template <class Resolver, bool kAnyOrigin>
void on_request(WebKitURISchemeRequest* request, gpointer data) {
  const auto* resolver = static_cast<const Resolver*>(data);
  auto served = resolver->resolve(webkit_uri_scheme_request_get_uri(request));
  if (!served.ok()) {
    log::info(webkit_uri_scheme_request_get_scheme(request), " request refused: ", served.error().message);
    glib::BytesPtr empty(g_bytes_new_static("", 0));
    finish(request, empty.get(), "text/plain", served.error().code == 403 ? 403 : 404,
           served.error().code == 403 ? "Forbidden" : "Not Found", kAnyOrigin);
    return;
  }
  std::string* bytes = new std::string(std::move(served->bytes));
  glib::BytesPtr body(g_bytes_new_with_free_func(bytes->data(), bytes->size(),
                                            [](gpointer p) { delete static_cast<std::string*>(p); }, bytes));
  finish(request, body.get(), served->mime_type.c_str(), 200, "OK", kAnyOrigin);
}

}  // namespace

Result<ServedFile> AppFilesSlot::resolve(std::string_view uri) const {
  if (!files_) return fail("no app is bound to this view yet", 404);
  return files_->resolve(uri);
}

void register_app_scheme(WebKitWebContext* context, const AppFilesSlot& slot) {
  std::string scheme(kAppScheme);
  webkit_web_context_register_uri_scheme(context, scheme.c_str(), &on_request<AppFilesSlot, false>,
                                         const_cast<AppFilesSlot*>(&slot), nullptr);
  WebKitSecurityManager* security = webkit_web_context_get_security_manager(context);
  webkit_security_manager_register_uri_scheme_as_secure(security, scheme.c_str());
  webkit_security_manager_register_uri_scheme_as_cors_enabled(security, scheme.c_str());
}

void register_system_scheme(WebKitWebContext* context, const SystemResources& resources) {
  std::string scheme(kSystemScheme);
  webkit_web_context_register_uri_scheme(context, scheme.c_str(), &on_request<SystemResources, true>,
                                         const_cast<SystemResources*>(&resources), nullptr);
  WebKitSecurityManager* security = webkit_web_context_get_security_manager(context);
  webkit_security_manager_register_uri_scheme_as_secure(security, scheme.c_str());
  webkit_security_manager_register_uri_scheme_as_cors_enabled(security, scheme.c_str());
}

}  // namespace weft::webview
