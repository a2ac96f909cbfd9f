/* weft_app.h — C bindings for the WEFT host interfaces, WIT package weft:app@0.1.0 (wit/weft-app.wit).
 *
 * Each `weft_<interface>_<function>` is the core-wasm import that wit-component lowers the WIT function to, with the
 * canonical ABI (component-model CanonicalABI.md, sync, UTF-8 strings) written out as C types:
 *   - string / list<T>          -> (pointer, length) pairs, lengths in elements (bytes for strings);
 *   - option<T> as a parameter  -> a flattened `is_some` i32 followed by T's flat values;
 *   - results with more than one flat value are written by the host into a caller-provided return area (`ret`), laid
 *     out as discriminant byte + payload at the payload's alignment (the static asserts below pin every layout).
 * Strings and lists the host returns live in guest memory allocated through cabi_realloc (defined here): release
 * them with the matching weft_*_free function. Arguments are only borrowed by the host for the duration of the call.
 *
 * Build with clang-19 --target=wasm32-wasip1 (C or C++; C++ with -fno-exceptions), then `jco embed` with a world that
 * imports the interfaces used and `jco new --wasi-command` (sdk/cmake/WeftApp.cmake does all of it). An interface is
 * imported by the component only if one of its functions is referenced, so including this header costs nothing. */
#ifndef WEFT_APP_H
#define WEFT_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(__wasm32__)
#error "weft_app.h is for guest code: compile with clang-19 --target=wasm32-wasip1"
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define WEFT_IMPORT(iface, name) __attribute__((import_module("weft:app/" iface "@0.1.0"), import_name(name)))

/* ---- canonical ABI types ------------------------------------------------------------------------------------- */

/** string: UTF-8 bytes, not NUL-terminated. */
typedef struct weft_string {
  char* ptr;
  size_t len;
} weft_string;

/** list<u8>. */
typedef struct weft_bytes {
  uint8_t* ptr;
  size_t len;
} weft_bytes;

/** option<string> (12 bytes, align 4): is_some byte, then the string at offset 4. */
typedef struct weft_option_string {
  uint8_t is_some;
  weft_string val;
} weft_option_string;

/** result<_, string>: is_err byte, then the error string at offset 4 when is_err. */
typedef struct weft_result_unit_string {
  uint8_t is_err;
  weft_string err;
} weft_result_unit_string;

/** result<string, string>: is_err byte, then the ok or err string at offset 4. */
typedef struct weft_result_string_string {
  uint8_t is_err;
  weft_string val;
} weft_result_string_string;

/** tuple<string, string>, one element of fetch's header list (16 bytes, align 4). */
typedef struct weft_fetch_header {
  weft_string name;
  weft_string value;
} weft_fetch_header;

/** record response { status: u16, content-type: string, body: list<u8> } (20 bytes, align 4). */
typedef struct weft_fetch_response {
  uint16_t status;
  weft_string content_type;
  weft_bytes body;
} weft_fetch_response;

/** result<response, string> (24 bytes, align 4): is_err byte, then the response or the error at offset 4. */
typedef struct weft_result_fetch_response_string {
  uint8_t is_err;
  union {
    weft_fetch_response ok;
    weft_string err;
  } val;
} weft_result_fetch_response_string;

/* The host writes these layouts byte for byte; a mismatch would corrupt memory silently. */
#ifdef __cplusplus
#define WEFT_STATIC_ASSERT static_assert
#else
#define WEFT_STATIC_ASSERT _Static_assert
#endif
WEFT_STATIC_ASSERT(sizeof(void*) == 4 && sizeof(size_t) == 4, "canonical ABI layouts assume wasm32");
WEFT_STATIC_ASSERT(sizeof(weft_string) == 8 && _Alignof(weft_string) == 4, "string is (ptr, len)");
WEFT_STATIC_ASSERT(sizeof(weft_option_string) == 12 && offsetof(weft_option_string, val) == 4, "option<string>");
WEFT_STATIC_ASSERT(sizeof(weft_result_unit_string) == 12 && offsetof(weft_result_unit_string, err) == 4,
                   "result<_, string>");
WEFT_STATIC_ASSERT(sizeof(weft_result_string_string) == 12 && offsetof(weft_result_string_string, val) == 4,
                   "result<string, string>");
WEFT_STATIC_ASSERT(sizeof(weft_fetch_header) == 16 && offsetof(weft_fetch_header, value) == 8,
                   "tuple<string, string>");
WEFT_STATIC_ASSERT(sizeof(weft_fetch_response) == 20 && offsetof(weft_fetch_response, content_type) == 4 &&
                       offsetof(weft_fetch_response, body) == 12,
                   "record response");
WEFT_STATIC_ASSERT(sizeof(weft_result_fetch_response_string) == 24 &&
                       offsetof(weft_result_fetch_response_string, val) == 4,
                   "result<response, string>");

/* ---- imports ------------------------------------------------------------------------------------------------- */

/** notify.ready: func() — the first call reports readiness to the supervisor; later calls do nothing. */
WEFT_IMPORT("notify", "ready") void weft_notify_ready(void);

/** ipc.send: func(payload: string) -> result<_, string>. Payload ≤ 65536 bytes without '\n' or '\r'. */
WEFT_IMPORT("ipc", "send") void weft_ipc_send(const char* payload, size_t payload_len, weft_result_unit_string* ret);

/** ipc.recv: func() -> option<string>. Never blocks; one complete message or none. */
WEFT_IMPORT("ipc", "recv") void weft_ipc_recv(weft_option_string* ret);

/** fetch.fetch: func(url, method, headers: list<tuple<string, string>>, body: option<list<u8>>)
 *  -> result<response, string>. Nine flat parameters (≤ 16, so passed flat) plus the return area. */
WEFT_IMPORT("fetch", "fetch")
void weft_fetch_fetch(const char* url, size_t url_len, const char* method, size_t method_len,
                      const weft_fetch_header* headers, size_t headers_len, uint32_t body_is_some,
                      const uint8_t* body, size_t body_len, weft_result_fetch_response_string* ret);

/** notifications.notify: func(title: string, body: string, icon: option<string>) -> result<_, string>. */
WEFT_IMPORT("notifications", "notify")
void weft_notifications_notify(const char* title, size_t title_len, const char* body, size_t body_len,
                               uint32_t icon_is_some, const char* icon, size_t icon_len,
                               weft_result_unit_string* ret);

/** clipboard.read: func() -> result<string, string>. */
WEFT_IMPORT("clipboard", "read") void weft_clipboard_read(weft_result_string_string* ret);

/** clipboard.write: func(text: string) -> result<_, string>. */
WEFT_IMPORT("clipboard", "write") void weft_clipboard_write(const char* text, size_t text_len,
                                                           weft_result_unit_string* ret);

/* ---- memory the host allocates ------------------------------------------------------------------------------- */

/** The allocator the host uses to return strings and lists into guest memory (canonical ABI `realloc`). Weak so
 *  that several translation units may include this header; an app may replace it with its own strong definition. */
__attribute__((weak, export_name("cabi_realloc"))) void* cabi_realloc(void* old_ptr, size_t old_size, size_t align,
                                                                      size_t new_size) {
  (void)old_size;
  if (new_size == 0) return (void*)align; /* a non-null, suitably aligned pointer that is never dereferenced */
  void* p = realloc(old_ptr, new_size); /* malloc aligns to 16 bytes, above every canonical ABI alignment */
  if (p == NULL) __builtin_trap();     /* the canonical ABI has no way to report failure here */
  return p;
}

/* wasi-libc pitfall: when the main module exports a malloc-backed cabi_realloc (above), the first printf to stdout
 * is lost. wasi-libc's stdout decides its buffering on the first write by asking whether fd 1 is a terminal
 * (fd_fdstat_get), and that call, made from inside the write while the preview1 adapter sets itself up through
 * cabi_realloc, loses the pending text; an earlier, unrelated WASI call (getenv) does not help. Choosing the buffering
 * up front skips the question: stdout is line-buffered (each line reaches the WEFT log as it is printed) and never
 * probes the terminal. stderr is unbuffered and unaffected. Checked by tests/sdk (FirstWrite). */
__attribute__((weak, constructor)) void weft_app_fix_stdout_buffering(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

static inline void weft_string_free(weft_string* s) {
  if (s->len != 0) free(s->ptr);
  s->ptr = NULL;
  s->len = 0;
}
static inline void weft_bytes_free(weft_bytes* b) {
  if (b->len != 0) free(b->ptr);
  b->ptr = NULL;
  b->len = 0;
}
static inline void weft_option_string_free(weft_option_string* o) {
  if (o->is_some) weft_string_free(&o->val);
  o->is_some = 0;
}
static inline void weft_result_unit_string_free(weft_result_unit_string* r) {
  if (r->is_err) weft_string_free(&r->err);
}
static inline void weft_result_string_string_free(weft_result_string_string* r) { weft_string_free(&r->val); }
static inline void weft_fetch_response_free(weft_fetch_response* r) {
  weft_string_free(&r->content_type);
  weft_bytes_free(&r->body);
}
static inline void weft_result_fetch_response_string_free(weft_result_fetch_response_string* r) {
  if (r->is_err) weft_string_free(&r->val.err);
  else weft_fetch_response_free(&r->val.ok);
}

/* ---- conveniences -------------------------------------------------------------------------------------------- */

/** Sends a NUL-terminated payload; returns true on success. On failure, if `error` is non-null, it receives the
 *  host's message (free with weft_string_free), else the message is freed. */
static inline bool weft_ipc_send_cstr(const char* payload, weft_string* error) {
  weft_result_unit_string r;
  weft_ipc_send(payload, strlen(payload), &r);
  if (!r.is_err) return true;
  if (error != NULL) *error = r.err;
  else weft_string_free(&r.err);
  return false;
}

/** Receives one message as a NUL-terminated heap string (free with free()), or NULL when none is waiting. */
static inline char* weft_ipc_recv_cstr(size_t* len) {
  weft_option_string o;
  weft_ipc_recv(&o);
  if (!o.is_some) return NULL;
  /* an empty string's pointer may not come from malloc (see cabi_realloc), so never hand it to realloc */
  char* s = (char*)(o.val.len != 0 ? realloc(o.val.ptr, o.val.len + 1) : malloc(1));
  if (s == NULL) __builtin_trap();
  s[o.val.len] = '\0';
  if (len != NULL) *len = o.val.len;
  return s;
}

#undef WEFT_IMPORT
#undef WEFT_STATIC_ASSERT

#ifdef __cplusplus
}
#endif

#endif /* WEFT_APP_H */
