/* weft_json.h — the small, strict JSON reader and writer WEFT apps need for their IPC payloads (RFC 8259).
 *
 * Reading: weft_json_object_get() finds a member of a top-level object and returns the raw text of its value after
 * checking that the WHOLE payload is well-formed JSON; weft_json_string_decode() turns a string value into UTF-8.
 * Writing: weft_buf collects output; weft_buf_put_json_string() escapes UTF-8 text so the result never contains a
 * raw line break (IPC payloads are one line each). Header-only, no allocation except in weft_buf and decode.
 * Plain C, usable from C++ and from native code (nothing here depends on wasm). */
#ifndef WEFT_JSON_H
#define WEFT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Nesting deeper than this is refused as malformed, which bounds the reader's recursion. */
#define WEFT_JSON_MAX_DEPTH 64

/** A slice of the input holding one JSON value's text, e.g. `"abc"`, `42`, `{"a":1}`. */
typedef struct weft_json_span {
  const char* ptr;
  size_t len;
} weft_json_span;

typedef struct weft_json_cursor_ {
  const char* p;
  const char* end;
} weft_json_cursor_;

static inline void weft_json_skip_ws_(weft_json_cursor_* c) {
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) ++c->p;
}

static inline int weft_json_hex_(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/* Length of the well-formed UTF-8 sequence at p (1–4), or 0 if it is not one (overlongs, surrogates, > U+10FFFF). */
static inline size_t weft_utf8_sequence_length(const unsigned char* p, const unsigned char* end) {
  unsigned char b = p[0];
  if (b < 0x80) return 1;
  size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0;
  if (n == 0 || b > 0xF4 || (size_t)(end - p) < n) return 0;
  for (size_t i = 1; i < n; ++i)
    if ((p[i] & 0xC0) != 0x80) return 0;
  if (n == 3 && ((b == 0xE0 && p[1] < 0xA0) || (b == 0xED && p[1] >= 0xA0))) return 0;
  if (n == 4 && ((b == 0xF0 && p[1] < 0x90) || (b == 0xF4 && p[1] >= 0x90))) return 0;
  return n;
}

/** True when [p, p+len) is entirely well-formed UTF-8. */
static inline bool weft_utf8_valid(const char* p, size_t len) {
  const unsigned char* u = (const unsigned char*)p;
  const unsigned char* end = u + len;
  while (u < end) {
    size_t n = weft_utf8_sequence_length(u, end);
    if (n == 0) return false;
    u += n;
  }
  return true;
}

/* Skips one string token (cursor on the opening quote). Raw bytes must be UTF-8 without control characters. */
static inline bool weft_json_skip_string_(weft_json_cursor_* c) {
  ++c->p;
  while (c->p < c->end) {
    unsigned char ch = (unsigned char)*c->p;
    if (ch == '"') {
      ++c->p;
      return true;
    }
    if (ch < 0x20) return false;
    if (ch == '\\') {
      if (c->end - c->p < 2) return false;
      char e = c->p[1];
      if (e == 'u') {
        if (c->end - c->p < 6) return false;
        for (int i = 2; i < 6; ++i)
          if (weft_json_hex_(c->p[i]) < 0) return false;
        c->p += 6;
      } else if (strchr("\"\\/bfnrt", e) != NULL && e != '\0') {
        c->p += 2;
      } else {
        return false;
      }
      continue;
    }
    size_t n = weft_utf8_sequence_length((const unsigned char*)c->p, (const unsigned char*)c->end);
    if (n == 0) return false;
    c->p += n;
  }
  return false;
}

static inline bool weft_json_skip_digits_(weft_json_cursor_* c) {
  const char* start = c->p;
  while (c->p < c->end && *c->p >= '0' && *c->p <= '9') ++c->p;
  return c->p > start;
}

static inline bool weft_json_skip_number_(weft_json_cursor_* c) {
  if (c->p < c->end && *c->p == '-') ++c->p;
  if (c->p < c->end && *c->p == '0') ++c->p;
  else if (!weft_json_skip_digits_(c)) return false;
  if (c->p < c->end && *c->p == '.') {
    ++c->p;
    if (!weft_json_skip_digits_(c)) return false;
  }
  if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
    ++c->p;
    if (c->p < c->end && (*c->p == '+' || *c->p == '-')) ++c->p;
    if (!weft_json_skip_digits_(c)) return false;
  }
  return true;
}

static inline bool weft_json_skip_literal_(weft_json_cursor_* c, const char* word) {
  size_t n = strlen(word);
  if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) return false;
  c->p += n;
  return true;
}

/* Skips one value (cursor on its first byte, whitespace already skipped). */
static inline bool weft_json_skip_value_(weft_json_cursor_* c, int depth) {
  if (c->p >= c->end || depth > WEFT_JSON_MAX_DEPTH) return false;
  char open = *c->p;
  if (open == '"') return weft_json_skip_string_(c);
  if (open == 't') return weft_json_skip_literal_(c, "true");
  if (open == 'f') return weft_json_skip_literal_(c, "false");
  if (open == 'n') return weft_json_skip_literal_(c, "null");
  if (open != '{' && open != '[') return weft_json_skip_number_(c);
  char close = open == '{' ? '}' : ']';
  ++c->p;
  weft_json_skip_ws_(c);
  if (c->p < c->end && *c->p == close) {
    ++c->p;
    return true;
  }
  for (;;) {
    if (open == '{') {
      if (c->p >= c->end || *c->p != '"' || !weft_json_skip_string_(c)) return false;
      weft_json_skip_ws_(c);
      if (c->p >= c->end || *c->p != ':') return false;
      ++c->p;
      weft_json_skip_ws_(c);
    }
    if (!weft_json_skip_value_(c, depth + 1)) return false;
    weft_json_skip_ws_(c);
    if (c->p >= c->end) return false;
    if (*c->p == close) {
      ++c->p;
      return true;
    }
    if (*c->p != ',') return false;
    ++c->p;
    weft_json_skip_ws_(c);
  }
}

/** True when text is exactly one well-formed JSON value, optionally surrounded by whitespace. */
static inline bool weft_json_valid(const char* text, size_t len) {
  weft_json_cursor_ c = {text, text + len};
  weft_json_skip_ws_(&c);
  if (!weft_json_skip_value_(&c, 0)) return false;
  weft_json_skip_ws_(&c);
  return c.p == c.end;
}

/** Decodes a string value's span into a NUL-terminated UTF-8 heap string (free with free()); *out_len gets its
 *  length in bytes. Escaped lone surrogates become U+FFFD. NULL if the span is not a well-formed string. */
static inline char* weft_json_string_decode(weft_json_span value, size_t* out_len) {
  weft_json_cursor_ c = {value.ptr, value.ptr + value.len};
  if (value.len < 2 || value.ptr[0] != '"' || !weft_json_skip_string_(&c) || c.p != c.end) return NULL;
  /* escapes never expand: \uXXXX (6 bytes) → at most 3 bytes, a surrogate pair (12) → 4 */
  char* out = (char*)malloc(value.len);
  if (out == NULL) return NULL;
  size_t n = 0;
  const char* p = value.ptr + 1;
  const char* end = value.ptr + value.len - 1;
  while (p < end) {
    if (*p != '\\') {
      out[n++] = *p++;
      continue;
    }
    char e = p[1];
    p += 2;
    if (e != 'u') {
      out[n++] = e == 'b' ? '\b' : e == 'f' ? '\f' : e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
      continue;
    }
    uint32_t cp = 0;
    for (int i = 0; i < 4; ++i) cp = cp * 16 + (uint32_t)weft_json_hex_(p[i]);
    p += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
      uint32_t lo = 0;
      for (int i = 2; i < 6; ++i) lo = lo * 16 + (uint32_t)weft_json_hex_(p[i]);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        p += 6;
      }
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
    if (cp < 0x80) {
      out[n++] = (char)cp;
    } else if (cp < 0x800) {
      out[n++] = (char)(0xC0 | (cp >> 6));
      out[n++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out[n++] = (char)(0xE0 | (cp >> 12));
      out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
      out[n++] = (char)(0x80 | (cp & 0x3F));
    } else {
      out[n++] = (char)(0xF0 | (cp >> 18));
      out[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
      out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
      out[n++] = (char)(0x80 | (cp & 0x3F));
    }
  }
  out[n] = '\0';
  if (out_len != NULL) *out_len = n;
  return out;
}

/** If text is a well-formed JSON object with a member named key, sets *value to that member's value text and returns
 *  true (a repeated key: the last one wins, as in JSON.parse). False for malformed text, non-objects, missing keys. */
static inline bool weft_json_object_get(const char* text, size_t len, const char* key, weft_json_span* value) {
  if (!weft_json_valid(text, len)) return false;
  weft_json_cursor_ c = {text, text + len};
  weft_json_skip_ws_(&c);
  if (*c.p != '{') return false;
  ++c.p;
  bool found = false;
  size_t key_len = strlen(key);
  for (;;) {
    weft_json_skip_ws_(&c);
    if (*c.p == '}') return found;
    weft_json_span name = {c.p, 0};
    weft_json_skip_string_(&c);
    name.len = (size_t)(c.p - name.ptr);
    weft_json_skip_ws_(&c);
    ++c.p; /* ':' */
    weft_json_skip_ws_(&c);
    weft_json_span v = {c.p, 0};
    weft_json_skip_value_(&c, 1);
    v.len = (size_t)(c.p - v.ptr);
    size_t decoded_len = 0;
    char* decoded = weft_json_string_decode(name, &decoded_len);
    if (decoded != NULL && decoded_len == key_len && memcmp(decoded, key, key_len) == 0) {
      *value = v;
      found = true;
    }
    free(decoded);
    weft_json_skip_ws_(&c);
    if (*c.p == ',') ++c.p;
  }
}

/** Convenience: the decoded string member `key` of an object payload (free with free()), or NULL. */
static inline char* weft_json_object_get_string(const char* text, size_t len, const char* key, size_t* out_len) {
  weft_json_span v;
  if (!weft_json_object_get(text, len, key, &v)) return NULL;
  return weft_json_string_decode(v, out_len);
}

/** Growable output buffer. A failed allocation sets `failed`; later appends do nothing, the content stays valid. */
typedef struct weft_buf {
  char* ptr;
  size_t len;
  size_t cap;
  bool failed;
} weft_buf;

static inline bool weft_buf_reserve(weft_buf* b, size_t extra) {
  if (b->failed) return false;
  if (b->len + extra + 1 <= b->cap) return true;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + extra + 1) cap *= 2;
  char* p = (char*)realloc(b->ptr, cap);
  if (p == NULL) {
    b->failed = true;
    return false;
  }
  b->ptr = p;
  b->cap = cap;
  return true;
}

static inline void weft_buf_put(weft_buf* b, const char* p, size_t n) {
  if (!weft_buf_reserve(b, n)) return;
  memcpy(b->ptr + b->len, p, n);
  b->len += n;
  b->ptr[b->len] = '\0';
}

static inline void weft_buf_puts(weft_buf* b, const char* s) { weft_buf_put(b, s, strlen(s)); }

static inline void weft_buf_put_i64(weft_buf* b, int64_t v) {
  char tmp[24];
  int n = snprintf(tmp, sizeof tmp, "%lld", (long long)v);
  weft_buf_put(b, tmp, (size_t)n);
}

/** Appends text (UTF-8) as a JSON string literal. Control characters are escaped, so the output has no raw line
 *  breaks; bytes that are not UTF-8 become U+FFFD, keeping the output valid JSON. */
static inline void weft_buf_put_json_string(weft_buf* b, const char* text, size_t len) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char* u = (const unsigned char*)text;
  const unsigned char* end = u + len;
  weft_buf_put(b, "\"", 1);
  while (u < end) {
    unsigned char ch = *u;
    if (ch == '"' || ch == '\\') {
      char esc[2] = {'\\', (char)ch};
      weft_buf_put(b, esc, 2);
      ++u;
    } else if (ch < 0x20) {
      char esc[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
      if (ch == '\n') weft_buf_put(b, "\\n", 2);
      else if (ch == '\r') weft_buf_put(b, "\\r", 2);
      else if (ch == '\t') weft_buf_put(b, "\\t", 2);
      else weft_buf_put(b, esc, 6);
      ++u;
    } else {
      size_t n = weft_utf8_sequence_length(u, end);
      if (n == 0) {
        weft_buf_put(b, "\xEF\xBF\xBD", 3);
        ++u;
      } else {
        weft_buf_put(b, (const char*)u, n);
        u += n;
      }
    }
  }
  weft_buf_put(b, "\"", 1);
}

static inline void weft_buf_free(weft_buf* b) {
  free(b->ptr);
  b->ptr = NULL;
  b->len = b->cap = 0;
  b->failed = false;
}

#ifdef __cplusplus
}
#endif

#endif /* WEFT_JSON_H */
