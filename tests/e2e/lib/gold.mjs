// Gold tasks from a client: the labels' commitment as the calibration pallet computes it, and the
// commit and reveal calls.

export { goldCommitment } from './commitments.mjs';

/** The qualities of `task`'s outputs in the chain's output order, from a label per provider address. */
export async function labelsInOutputOrder(api, task, byProvider) {
  const order = (await api.query.tasks.committers(task)).map((a) => a.toString());
  return order.map((who) => byProvider.get(who));
}
