exports = function () { return context.functions.execute("secret"); };
