// The custom-function provider's authentication function: the payload's
// `mode` picks the answer.
exports = function (payload) {
  switch (payload.mode) {
    case "string":
      return payload.username;
    case "object":
      return { id: payload.username, name: payload.name };
    case "async":
      return Promise.resolve({ id: payload.username });
    case "types": // the payload arrives decoded from EJSON
      return `types-${typeof payload.pin}-${payload.pin}-${payload.username}`;
    case "slow": { // busy for a second: shows the login is off the I/O thread
      const end = Date.now() + 1000;
      while (Date.now() < end) {}
      return payload.username;
    }
    case "throw":
      throw new Error("unknown user " + payload.username);
    case "number":
      return 42;
    case "empty":
      return "";
    case "noid":
      return { name: "nobody" };
    case "badname":
      return { id: payload.username, name: 7 };
    default:
      return undefined;
  }
};
