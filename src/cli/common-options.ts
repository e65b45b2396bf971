import { Command, Option } from 'commander';

/** Options every command understands. */
export interface CommonOptions {
  /** `-r`; undefined: PMT_REGISTRY, ./plugins.yaml, the user config dir, the bundled registry. */
  registry?: string;
  config?: string;
  debug: boolean;
  logLevel: string;
  logFormat?: 'text' | 'json';
  dockerHost?: string;
  engineLocal?: boolean;
}

export function withCommonOptions(command: Command): Command {
  return withEngineOptions(command)
    .option('-r, --registry <file>', 'plugin registry, YAML or JSON (default: PMT_REGISTRY, else ./plugins.yaml, else plugins.yaml in $XDG_CONFIG_HOME/pmt or ~/.config/pmt, else the bundled one)')
    .option('-c, --config <file>', 'core engine config (default: PMT_CONFIG, else ./core_engine_config.json, else core_engine_config.json in $XDG_CONFIG_HOME/pmt or ~/.config/pmt, else built-in defaults)')
    .option('--debug', 'print stack traces and debug logs', false)
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'))
    .addOption(new Option('--log-format <format>', 'log format (default: text on a terminal, JSON lines otherwise)').choices(['text', 'json']));
}

/** Swarm mode: where plugins run and how their tasks reach pmt (scan, and commands that act like it). */
export interface SwarmOptions {
  swarm?: boolean;
  restAdvertiseAddr?: string;
}

export function withSwarmOptions(command: Command): Command {
  return command
    .option('--swarm', 'run each plugin as a job on the Docker Swarm that --docker-host / DOCKER_HOST manages (also "Engine": "swarm")')
    .option('--rest-advertise-addr <ip>', "swarm mode: this machine's IP address that swarm nodes reach pmt's REST endpoint at (default: RestAdvertiseAddr, else the address that reaches the manager)");
}

/** The config values the swarm flags set; an absent flag sets nothing. */
export function swarmOverrides(options: SwarmOptions): { engine?: 'swarm'; restAdvertiseAddr?: string } {
  return { ...(options.swarm ? { engine: 'swarm' as const } : {}), ...(options.restAdvertiseAddr === undefined ? {} : { restAdvertiseAddr: options.restAdvertiseAddr }) };
}

/** Which Docker engine to talk to; also for commands that read no registry (`pmt version`). */
export function withEngineOptions(command: Command): Command {
  return command
    .option('--docker-host <url>', 'Docker engine: unix:///path, tcp://host:port or ssh://[user@]host[:port] (through the system ssh) (default: DOCKER_HOST, else the local socket)')
    .option('--engine-local', 'the engine shares this filesystem: bind-mount the input even over tcp:// or ssh:// (also PMT_ENGINE_LOCAL=1)');
}
