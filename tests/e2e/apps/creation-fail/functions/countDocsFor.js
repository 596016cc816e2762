// How many custom data documents carry this email (as system: sees all).
exports = async function (email) {
  return context.services.get("mongodb-atlas").db("myapp").collection("users").count({ email });
};
