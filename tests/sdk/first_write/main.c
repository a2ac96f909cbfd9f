/* The wasi-libc first-write pitfall (see weft_app.h): without the SDK's fix the first line never arrives. */
#include <stdio.h>

#include <weft_app.h>

int main(void) {
  printf("first line\n");
  fprintf(stderr, "to stderr\n");
  printf("second line\n");
  weft_notify_ready();
  return 0;
}
