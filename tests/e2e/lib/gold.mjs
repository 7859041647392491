// Gold tasks from a client: the outputs' labels in the chain's output order (the commitment
// itself is `goldCommitment` of commitments.mjs).

/** The qualities of `task`'s outputs in the chain's output order, from a label per provider address. */
export async function labelsInOutputOrder(api, task, byProvider) {
  const order = (await api.query.tasks.committers(task)).map((a) => a.toString());
  return order.map((who) => byProvider.get(who));
}
