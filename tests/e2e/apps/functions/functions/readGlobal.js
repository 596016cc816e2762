exports = function () { return [typeof globalThis.leaked, typeof globalThis.leaked2]; };
