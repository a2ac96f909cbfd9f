#!/bin/sh
# STAND-IN for weft-runtime (tests only): starts and never reports readiness, so appd's 30 s readiness timeout ends it.
exec sleep 120
