// Writes the user's document first, then refuses some accounts: the write
// must vanish with the refused account (DECISIONS 3).
exports = async function (user) {
  const users = context.services.get("mongodb-atlas").db("myapp").collection("users");
  const email = user.data.email || "";
  await users.insertOne({ user_account_id: user.id, email, plan: "free" });
  // The function sees its own staged write.
  const mine = await users.findOne({ user_account_id: user.id });
  if (!mine) throw new Error("staged write not visible to its own function");
  if (email.includes("blocked")) throw new Error(`accounts like ${email} are not allowed`);
  if (email.includes("slow")) { for (;;) {} }
};
