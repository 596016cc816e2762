exports = function () { globalThis.leaked = "from an earlier call"; leaked2 = 42; return true; };
