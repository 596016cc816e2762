// The local-userpass confirmation function. It records what it was given
// (the tests read it back through issuedTokens) and answers by the
// username's prefix.
exports = async function ({ token, tokenId, username }) {
  const tokens = context.services.get("mongodb-atlas").db("authfn").collection("tokens");
  const earlier = (await tokens.find({ kind: "confirm", username }).toArray()).length;
  await tokens.insertOne({ kind: "confirm", token, tokenId, username });
  const prefix = username.split("-")[0];
  switch (prefix) {
    case "ok":
      return { status: "success" };
    case "async":
      return new Promise((resolve) => resolve({ status: "success" }));
    case "pending":
      return { status: "pending" };
    case "second": // pending at register, confirmed by the first confirm/call
      return { status: earlier === 0 ? "pending" : "success" };
    case "slow": { // busy for a second, then success
      const end = Date.now() + 1000;
      while (Date.now() < end) {}
      return { status: "success" };
    }
    case "fail":
      return { status: "fail" };
    case "throw":
      throw new Error("no confirmation for " + username);
    case "badstatus":
      return { status: "maybe" };
    default:
      return "success";
  }
};
