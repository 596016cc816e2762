exports = function () { return "pro feature"; };
