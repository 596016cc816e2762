exports = function () { return new Promise(() => {}); };
