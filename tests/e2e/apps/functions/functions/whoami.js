exports = function () {
  return {
    id: context.user.id,
    type: context.user.type,
    custom_data: context.user.custom_data,
    system: context.runningAsSystem(),
    greeting: context.values.get("greeting"),
    action: context.request ? context.request.action : null,
  };
};
