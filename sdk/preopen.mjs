// Loaded with `node --import` before jco: preview2-shim 0.26.1 starts with no preopens, so every jco command that
// reads a path (embed --wit, componentize, wit, run) would fail with "failed to get path metadata … (os error 44)".
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem';

_setPreopens({ '/': '/' });
