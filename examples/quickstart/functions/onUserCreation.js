// User creation function (auth/custom_user_data.json on_user_creation_function_name).
// Runs as the system user when a user record is created, before the first
// access token is issued, so the new document is already in that token's
// user_data. If it throws, the login that would have created the user fails.
exports = async function onUserCreation(user) {
  const customUserDataCollection = context.services
    .get("mongodb-atlas")
    .db("myapp")
    .collection("users");
  await customUserDataCollection.insertOne({
    user_account_id: user.id,
    favorite_color: "blue",
  });
};
