exports = function () { return "the secret"; };
