/* org.weft.demo.counter — the component side of the counter demo (spec §8.1).
 * The count lives here, in memory; the page only shows what the replies say. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <weft_app.h>
#include <weft_json.h>

/* How long to sleep when no message is waiting: short enough that a click feels immediate. */
#define IDLE_POLL_NS (10 * 1000 * 1000)

/* The count at start. Tests build a variant one step inside each int32 limit to check saturation. */
#ifndef COUNTER_INITIAL_VALUE
#define COUNTER_INITIAL_VALUE 0
#endif

enum counter_op { OP_NONE, OP_GET, OP_INCREMENT, OP_DECREMENT, OP_RESET };

static enum counter_op op_from_word(const char* word, size_t len) {
  static const struct {
    const char* word;
    enum counter_op op;
  } ops[] = {{"get", OP_GET}, {"increment", OP_INCREMENT}, {"decrement", OP_DECREMENT}, {"reset", OP_RESET}};
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; ++i)
    if (strlen(ops[i].word) == len && memcmp(ops[i].word, word, len) == 0) return ops[i].op;
  return OP_NONE;
}

static int32_t apply(int32_t count, enum counter_op op) {
  switch (op) {
    case OP_INCREMENT: return count == INT32_MAX ? count : count + 1; /* saturating, never wraps */
    case OP_DECREMENT: return count == INT32_MIN ? count : count - 1;
    case OP_RESET: return 0;
    default: return count;
  }
}

static void send(const weft_buf* reply) {
  if (reply->failed) return;
  weft_string error;
  if (!weft_ipc_send_cstr(reply->ptr, &error)) {
    fprintf(stderr, "counter: sending a reply failed: %.*s\n", (int)error.len, error.ptr);
    weft_string_free(&error);
  }
}

/* Answers one request: JSON {"op": …} or, for compatibility, a bare word; anything else is ignored. */
static void handle(int32_t* count, const char* msg, size_t len) {
  const char* word = msg;
  size_t word_len = len;
  while (word_len > 0 && isspace((unsigned char)word[0])) ++word, --word_len;
  while (word_len > 0 && isspace((unsigned char)word[word_len - 1])) --word_len;

  enum counter_op op = op_from_word(word, word_len);
  char* json_op = NULL;
  size_t json_op_len = 0;
  if (op == OP_NONE) {
    json_op = weft_json_object_get_string(msg, len, "op", &json_op_len);
    if (json_op == NULL) return; /* not JSON, not an object, or no string "op" */
    op = op_from_word(json_op, json_op_len);
  }

  weft_buf reply = {0};
  if (op == OP_NONE) {
    weft_buf message = {0};
    weft_buf_puts(&message, "unknown op '");
    weft_buf_put(&message, json_op, json_op_len);
    weft_buf_puts(&message, "'");
    weft_buf_puts(&reply, "{\"op\":\"error\",\"message\":");
    weft_buf_put_json_string(&reply, message.ptr, message.len);
    weft_buf_puts(&reply, "}");
    weft_buf_free(&message);
  } else {
    *count = apply(*count, op);
    weft_buf_puts(&reply, "{\"op\":\"count\",\"count\":");
    weft_buf_put_i64(&reply, *count);
    weft_buf_puts(&reply, "}");
  }
  send(&reply);
  weft_buf_free(&reply);
  free(json_op);
}

int main(void) {
  int32_t count = COUNTER_INITIAL_VALUE;
  weft_notify_ready();
  for (;;) {
    size_t len = 0;
    char* msg = weft_ipc_recv_cstr(&len);
    if (msg == NULL) {
      struct timespec idle = {0, IDLE_POLL_NS};
      nanosleep(&idle, NULL);
      continue;
    }
    handle(&count, msg, len);
    free(msg);
  }
}
