// The distinct texts of the notes the caller may read (distinct under rules).
exports = async function () {
  return context.services.get("mongodb-atlas").db("appdb").collection("notes").distinct("text", {});
};
