// Authentication trigger function (triggers/recordLastLogin.json): runs after
// every login, asynchronously, as the system user. The change shows up in the
// user's custom data at the next access-token refresh.
exports = async function recordLastLogin(authEvent) {
  const users = context.services.get("mongodb-atlas").db("myapp").collection("users");
  await users.updateOne(
    { user_account_id: authEvent.user.id },
    { $set: { lastLogin: new Date() } }
  );
};
