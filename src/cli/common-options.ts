import { Command, Option } from 'commander';

/** Options every command understands. */
export interface CommonOptions {
  registry: string;
  config?: string;
  debug: boolean;
  logLevel: string;
  logFormat?: 'text' | 'json';
  dockerHost?: string;
  engineLocal?: boolean;
}

export function withCommonOptions(command: Command): Command {
  return withEngineOptions(command)
    .option('-r, --registry <file>', 'plugin registry (YAML or JSON)', 'plugins.yaml')
    .option('-c, --config <file>', 'core engine config (default: ./core_engine_config.json if present, else built-in defaults)')
    .option('--debug', 'print stack traces and debug logs', false)
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'))
    .addOption(new Option('--log-format <format>', 'log format (default: text on a terminal, JSON lines otherwise)').choices(['text', 'json']));
}

/** Which Docker engine to talk to; also for commands that read no registry (`pmt version`). */
export function withEngineOptions(command: Command): Command {
  return command
    .option('--docker-host <url>', 'Docker engine: unix:///path, tcp://host:port or ssh://user@host (default: DOCKER_HOST, else the local socket)')
    .option('--engine-local', 'the engine shares this filesystem: bind-mount the input even over tcp:// or ssh:// (also PMT_ENGINE_LOCAL=1)');
}
