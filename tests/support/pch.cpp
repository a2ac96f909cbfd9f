// Compiles the shared test precompiled header (tests/support/CMakeLists.txt); no code of its own.
