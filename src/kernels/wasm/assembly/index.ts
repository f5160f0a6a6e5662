// Entry of the WASM kernel module (AssemblyScript, compiled by scripts/build-wasm.mjs). Every
// thread (the caller and each worker, all on one shared memory) calls run(tid) for the job the
// host wrote into the control block; tasks are taken from an atomic counter, and each task's
// arithmetic is fixed, so results do not depend on how many threads take part.
import {
  CTL_JOB, CTL_NTASKS, CTL_COUNTER, CTL_PARAMS, CTL_SCRATCH, CTL_SCRATCH_BYTES, CTL_WORKER_TASKS,
  JOB_SEGGEMM, JOB_FILTERGRAD, JOB_PROBE, JOB_MAXPOOL, JOB_MAXPOOL_GRAD, JOB_AVGPOOL, JOB_AVGPOOL_GRAD,
  JOB_DEPTHWISE, JOB_DEPTHWISE_GRAD_INPUT, JOB_DEPTHWISE_GRAD_FILTER, JOB_COL2IM,
  JOB_BN_STATS, JOB_BN_APPLY, JOB_BN_GRAD_STATS, JOB_BN_GRAD_INPUT, JOB_OPTIM,
} from "../layout";
import { segGemmTask } from "./segconv";
import { filterGradTask } from "./filtergrad";
import { col2imTask } from "./col2im";
import { probe, PROBE_FLOPS_PER_ITER } from "./probe";
import { maxPoolTask, maxPoolGradTask, avgPoolTask, avgPoolGradTask } from "./pool";
import { bnStatsTask, bnApplyTask, bnGradStatsTask, bnGradInputTask } from "./batchnorm";
import { depthwiseTask, depthwiseGradInputTask, depthwiseGradFilterTask } from "./depthwise";
import { optimTask } from "./optim";

export { packB, transpose } from "./pack";
export { sumSlices } from "./filtergrad";
export { probe } from "./probe";
export { biasAct } from "./epilogue";
export { activate, activationGrad, leaky, addInto } from "./elementwise";

/** Flops of one probe() iteration. */
export function probeFlopsPerIter(): i32 {
  return PROBE_FLOPS_PER_ITER;
}

export function run(tid: i32): void {
  const job = load<i32>(CTL_JOB << 2);
  const n = load<i32>(CTL_NTASKS << 2);
  const params = <usize>load<i32>(CTL_PARAMS << 2);
  const tmp = <usize>load<i32>(CTL_SCRATCH << 2) + <usize>tid * <usize>load<i32>(CTL_SCRATCH_BYTES << 2);
  for (;;) {
    const t = atomic.add<i32>(CTL_COUNTER << 2, 1);
    if (t >= n) break;
    if (tid > 0) atomic.add<i32>(CTL_WORKER_TASKS << 2, 1);
    if (job == JOB_SEGGEMM) segGemmTask(params, t, tmp);
    else if (job == JOB_FILTERGRAD) filterGradTask(params, t, tmp, tid);
    else if (job == JOB_COL2IM) col2imTask(params, t, tmp, tid);
    else if (job == JOB_MAXPOOL) maxPoolTask(params, t);
    else if (job == JOB_MAXPOOL_GRAD) maxPoolGradTask(params, t);
    else if (job == JOB_AVGPOOL) avgPoolTask(params, t);
    else if (job == JOB_AVGPOOL_GRAD) avgPoolGradTask(params, t);
    else if (job == JOB_DEPTHWISE) depthwiseTask(params, t);
    else if (job == JOB_DEPTHWISE_GRAD_INPUT) depthwiseGradInputTask(params, t);
    else if (job == JOB_DEPTHWISE_GRAD_FILTER) depthwiseGradFilterTask(params, t);
    else if (job == JOB_BN_STATS) bnStatsTask(params, t);
    else if (job == JOB_BN_APPLY) bnApplyTask(params, t);
    else if (job == JOB_BN_GRAD_STATS) bnGradStatsTask(params, t);
    else if (job == JOB_BN_GRAD_INPUT) bnGradInputTask(params, t);
    else if (job == JOB_OPTIM) optimTask(params, t);
    else if (job == JOB_PROBE) store<f32>(tmp, probe(load<i32>(params)));
  }
}
