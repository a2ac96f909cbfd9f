// LeakSanitizer suppressions for sanitizer builds (no effect otherwise): libWPEWebKit keeps a few hundred bytes of
// process-lifetime allocations that it never frees at exit. Our own allocations are not suppressed.
extern "C" const char* __lsan_default_suppressions() {  // NOLINT(bugprone-reserved-identifier): LSan's hook
  return "leak:libWPEWebKit-1.1.so\n";
}
