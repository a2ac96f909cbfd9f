#!/bin/sh
# STAND-IN for weft-runtime (tests only): reports readiness with a token that is not the one appd gave it, as a
# compromised or confused runtime would, then waits to be stopped.
printf 'READY 00000000000000000000000000000000\n' >&3
exec sleep 60
