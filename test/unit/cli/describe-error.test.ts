import { describe, expect, it } from 'vitest';
import { describeError } from '../../../src/cli/describe-error.js';
import { ConfigError, EngineUnreachableError, PmtError, UsageError } from '../../../src/errors.js';

describe('describeError', () => {
  it('prints one line per config problem with its position, then the hint', () => {
    const error = new ConfigError(
      [
        { file: 'plugins.yaml', line: 3, col: 5, message: 'unknown key "dockerimage" — did you mean "docker_image"?' },
        { file: 'core_engine_config.json', message: 'cannot read the config file: no such file' },
      ],
      'fix the registry',
    );
    expect(describeError(error, false)).toEqual([
      'pmt: config error: plugins.yaml:3:5: unknown key "dockerimage" — did you mean "docker_image"?',
      'pmt: config error: core_engine_config.json: cannot read the config file: no such file',
      'pmt: hint: fix the registry',
    ]);
  });

  it('names the origin and the next step in one line, without a stack', () => {
    const lines = describeError(new EngineUnreachableError('Docker engine unreachable at unix:///var/run/docker.sock (ENOENT)'), false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^pmt: Docker engine error: Docker engine unreachable at unix:\/\/\/var\/run\/docker.sock \(ENOENT\) — start a Docker engine/);
    expect(describeError(new UsageError('input x does not exist'), false)).toEqual(['pmt: usage error: input x does not exist']);
    expect(describeError(new PmtError('upload refused', { origin: 'server' }), false)).toEqual(['pmt: PMT server error: upload refused']);
  });

  it('adds the stack only with --debug, and calls unknown errors bugs', () => {
    const lines = describeError(new TypeError('x is undefined'), true);
    expect(lines[0]).toBe('pmt: internal error: x is undefined — this is a bug in pmt; please report it with the output of --debug');
    expect(lines[1]).toContain('TypeError: x is undefined');
    expect(describeError(new TypeError('x'), false)).toHaveLength(1);
  });
});
