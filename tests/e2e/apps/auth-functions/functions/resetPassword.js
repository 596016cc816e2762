// The local-userpass reset function: records its arguments and answers by
// the first extra argument the client passed.
exports = async function ({ token, tokenId, username, password }, mode, ...rest) {
  const tokens = context.services.get("mongodb-atlas").db("authfn").collection("tokens");
  await tokens.insertOne({ kind: "reset", token, tokenId, username, password, mode, rest });
  switch (mode) {
    case "approve":
      return { status: "success" };
    case "pending":
      return { status: "pending" };
    case "slow": { // busy for a second, then success
      const end = Date.now() + 1000;
      while (Date.now() < end) {}
      return { status: "success" };
    }
    case "deny":
      return { status: "fail" };
    case "throw":
      throw new Error("reset refused: " + rest[0]);
    default:
      return null;
  }
};
