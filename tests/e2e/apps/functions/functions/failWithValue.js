exports = function () { throw { reason: "plain object" }; };
