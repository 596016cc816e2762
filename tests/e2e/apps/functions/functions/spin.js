exports = function () { while (true) {} };
