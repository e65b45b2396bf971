/**
 * Bounds of the values a registry entry or the config sets for a container, checked by `pmt
 * validate` so that a typo fails there instead of minutes into a scan.
 */

/** Docker's smallest CPU share (NanoCpus 10^7). */
export const MIN_CPUS = 0.01;
/**
 * More than any scanner can use; the engine itself refuses more CPUs than its host has. A larger
 * number is a typo or Kubernetes millicores ("1000m" is 1 CPU).
 */
export const MAX_CPUS = 256;

/** Why `cpus` is not a CPU limit, or undefined when it is. `0` means "no limit" where `zeroMeansNone`. */
export function cpusProblem(cpus: number, zeroMeansNone: boolean): string | undefined {
  if (zeroMeansNone && cpus === 0) return undefined;
  const range = `${zeroMeansNone ? '0 (no limit) or ' : ''}from ${MIN_CPUS} to ${MAX_CPUS}`;
  if (!(cpus >= MIN_CPUS)) return `${cpus} CPUs is not a limit Docker can enforce: give ${range}`;
  if (cpus > MAX_CPUS) return `${cpus} CPUs is more than ${MAX_CPUS}: give ${range} (CPUs, not millicores: 0.5 is half a CPU)`;
  return undefined;
}

/**
 * Longest `cmd` (and `shell`), in UTF-8 bytes: each reaches the kernel as one argument of a
 * process, and Linux refuses a longer one (MAX_ARG_STRLEN, 128 KiB with its terminating NUL)
 * with "Argument list too long".
 */
export const MAX_ARGUMENT_BYTES = 128 * 1024 - 1;

/** Why `text` cannot be passed as one argument of a command, or undefined when it can. */
export function argumentProblem(text: string): string | undefined {
  const bytes = Buffer.byteLength(text);
  if (bytes <= MAX_ARGUMENT_BYTES) return undefined;
  return `is ${bytes} bytes; Linux passes at most ${MAX_ARGUMENT_BYTES} bytes as one argument — put a longer script into the image (or into the input) and run that`;
}
