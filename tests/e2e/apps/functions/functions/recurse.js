exports = function recurse(n) { return recurse(n + 1) + 1; };
