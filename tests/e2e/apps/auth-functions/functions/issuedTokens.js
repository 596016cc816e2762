// What the confirmation and reset functions recorded for `username` (the
// newest last), so the tests can complete a "pending" answer.
exports = async function (username, kind) {
  const tokens = context.services.get("mongodb-atlas").db("authfn").collection("tokens");
  const found = await tokens.find({ username, kind }, { _id: 0 }).toArray();
  return found;
};
