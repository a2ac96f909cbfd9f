// C++ through the toolchain file: libc++ without exceptions, weft_app.h found on the default include path.
#include <string>

#include <weft_app.h>

static_assert(__wasm32__, "the toolchain file must target wasm32");

int main() {
  std::string greeting = "ready";
  weft_notify_ready();
  return greeting.size() == 5 ? 0 : 1;
}
