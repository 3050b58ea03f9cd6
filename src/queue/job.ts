import type { RunResult } from '../runner.js';
import type { RunStatus } from '../runlog/runlog.js';

/** What the service puts in each scheduled job: which integration to run, and what the run log needs if it never runs. */
export interface RunJobData {
  /** the mapping file's base name: how workers find the integration in their mappings folder */
  integration: string;
  /** the mapping file as the service shows it */
  mappingFile: string;
  title: string;
  connector: string;
  preference: string;
  /** sha256 of the service's mapping file: a worker whose copy differs says so in the run's warnings */
  mappingHash: string;
}

/** The worker that ran a job. */
export interface WorkerIdentity {
  name: string;
  host: string;
  pid: number;
}

/** What a worker sets as a job's progress when it starts the run: a worker that takes the job after a stall knows whose run died. */
export interface RunStart {
  worker: WorkerIdentity;
  started_at: string;
}

/**
 * A job's return value: how the run ended, on which worker, from when to when; the run's result
 * (scrubbed, without per-record values) when it ran, else the code, message and hint of why not.
 */
export interface QueueRunResult {
  status: RunStatus;
  integration: string;
  started_at: string;
  ended_at: string;
  worker: WorkerIdentity;
  run?: Omit<RunResult, 'records'>;
  code?: string;
  message?: string;
  hint?: string;
}
