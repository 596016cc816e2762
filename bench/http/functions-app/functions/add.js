exports = (a, b) => a + b;
