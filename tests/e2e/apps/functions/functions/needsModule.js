exports = function () { const lodash = require("lodash"); return lodash.VERSION; };
