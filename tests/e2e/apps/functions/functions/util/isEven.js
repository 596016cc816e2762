exports = function (n) { return typeof n === "number" && n % 2 === 0; };
