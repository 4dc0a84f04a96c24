export { StackError, UsageError, errorMessage, type StackErrorDetails } from './errors.ts';
export { parseCli, type CliOptions } from './parse-cli.ts';
export { runCli, whileSignalsAbort } from './run-cli.ts';
export { seconds } from './format.ts';
export { pathExists } from './fs.ts';
export {
  OwnedProcesses,
  probeSync,
  TOOLS,
  type Finished,
  type OwnedProcess,
  type StartOptions,
} from './owned-processes.ts';
export {
  cpuTimeMs,
  finishedChildrenCpuTimeMs,
  processStartTicks,
  processState,
  residentBytes,
} from './proc.ts';
export { tailFile } from './log-tail.ts';
export { waitFor, type WaitOptions, type WatchedProcess } from './wait-for.ts';
