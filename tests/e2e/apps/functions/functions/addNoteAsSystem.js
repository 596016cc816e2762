// Inserts a note owned by `owner` and returns the texts of every note the
// function can see.
exports = async function (owner, text) {
  const notes = context.services.get("mongodb-atlas").db("appdb").collection("notes");
  await notes.insertOne({ owner_id: owner, text });
  const all = await notes.find({}, { _id: 0, text: 1 }).sort({ text: 1 }).toArray();
  return all.map((d) => d.text);
};
