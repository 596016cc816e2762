// Burns about `ms` of CPU, then answers `value`.
exports = function (value, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {}
  return value;
};
