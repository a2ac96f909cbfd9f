/* ABI probe: calls every weft:app import through weft_app.h with known arguments and prints what comes back, one
 * line per call. abi_probe_host.mjs answers with known values and prints what it received, so a layout mistake in
 * the header (argument order, return-area offsets, option/result discriminants) shows up as a wrong line. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <weft_app.h>

#define S(lit) lit, sizeof(lit) - 1

static void print_unit_result(const char* what, weft_result_unit_string* r) {
  if (r->is_err) printf("%s err '%.*s'\n", what, (int)r->err.len, r->err.ptr);
  else printf("%s ok\n", what);
  weft_result_unit_string_free(r);
}

static void print_fetch(weft_result_fetch_response_string* r) {
  if (r->is_err) {
    printf("fetch err '%.*s'\n", (int)r->val.err.len, r->val.err.ptr);
  } else {
    const weft_fetch_response* resp = &r->val.ok;
    printf("fetch ok status=%u type='%.*s' body=", resp->status, (int)resp->content_type.len, resp->content_type.ptr);
    for (size_t i = 0; i < resp->body.len; ++i) printf("%s%u", i ? "," : "", resp->body.ptr[i]);
    printf("\n");
  }
  weft_result_fetch_response_string_free(r);
}

int main(void) {
  weft_notify_ready();

  weft_result_unit_string unit;
  weft_ipc_send(S("probe payload"), &unit);
  print_unit_result("send", &unit);

  /* The first message may still be on its way (recv never blocks): wait for it, then expect nothing more. */
  weft_option_string msg;
  for (weft_ipc_recv(&msg); !msg.is_some; weft_ipc_recv(&msg)) {
    struct timespec idle = {0, 1000 * 1000}; /* 1 ms */
    nanosleep(&idle, NULL);
  }
  printf("recv some '%.*s'\n", (int)msg.val.len, msg.val.ptr);
  weft_option_string_free(&msg);
  weft_ipc_recv(&msg);
  printf("recv %s\n", msg.is_some ? "some" : "none");
  weft_option_string_free(&msg);

  char k1[] = "accept", v1[] = "text/plain", k2[] = "x-empty", v2[] = "";
  weft_fetch_header headers[2] = {{{k1, strlen(k1)}, {v1, strlen(v1)}}, {{k2, strlen(k2)}, {v2, 0}}};
  static const uint8_t body[] = {1, 2, 255};
  weft_result_fetch_response_string fetched;
  weft_fetch_fetch(S("https://example.org/a"), S("POST"), headers, 2, 1, body, sizeof body, &fetched);
  print_fetch(&fetched);
  weft_fetch_fetch(S("https://example.org/b"), S("GET"), NULL, 0, 0, NULL, 0, &fetched);
  print_fetch(&fetched);

  weft_notifications_notify(S("Title"), S("Body text"), 1, S("dialog-information"), &unit);
  print_unit_result("notify", &unit);
  weft_notifications_notify(S("T2"), S(""), 0, NULL, 0, &unit);
  print_unit_result("notify", &unit);

  weft_result_string_string text;
  weft_clipboard_read(&text);
  printf("clipboard read %s '%.*s'\n", text.is_err ? "err" : "ok", (int)text.val.len, text.val.ptr);
  weft_result_string_string_free(&text);
  weft_clipboard_read(&text);
  printf("clipboard read %s '%.*s'\n", text.is_err ? "err" : "ok", (int)text.val.len, text.val.ptr);
  weft_result_string_string_free(&text);
  weft_clipboard_write(S("copied ✓"), &unit);
  print_unit_result("clipboard write", &unit);
  return 0;
}
