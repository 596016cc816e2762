// Writes the caller's custom user data document (as system: users cannot insert).
exports = async function (fields) {
  const users = context.services.get("mongodb-atlas").db("myapp").collection("users");
  await users.updateOne(
    { user_account_id: context.user.id },
    { $set: fields },
    { upsert: true }
  );
  return true;
};
