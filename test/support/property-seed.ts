/**
 * One fixed seed for every fast-check property, so that a run is reproducible and CI cannot flake
 * on a random input: import this module (for its effect) in each test file that uses fast-check.
 * fast-check prints the seed and the counterexample's path when a property fails; to explore new
 * inputs, run with NEWSGROUP_CLUSTER_FC_SEED=<integer> (and reuse a failing run's seed to replay it).
 */
import fc from "fast-check";

const fromEnv = process.env.NEWSGROUP_CLUSTER_FC_SEED;

/** The seed of this run's properties: NEWSGROUP_CLUSTER_FC_SEED, else a fixed one. */
export const FC_SEED =
  fromEnv !== undefined && /^-?\d+$/.test(fromEnv) ? Number(fromEnv) : 20261127;

fc.configureGlobal({ seed: FC_SEED });
