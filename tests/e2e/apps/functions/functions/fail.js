exports = function (message) { throw new Error(message); };
