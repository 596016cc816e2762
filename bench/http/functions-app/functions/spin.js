// Keeps its JS thread busy for `ms` milliseconds of wall time, computing.
exports = (ms) => {
  const end = Date.now() + ms;
  let n = 0;
  while (Date.now() < end) {
    for (let i = 0; i < 1000; i++) n = (n * 31 + i) % 1000003;
  }
  return n;
};
