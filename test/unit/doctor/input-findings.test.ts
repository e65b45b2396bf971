import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/config/config-defaults.js';
import { invalidInputFindings, validInputFindings } from '../../../src/doctor/input-findings.js';
import { ConfigError } from '../../../src/errors.js';
import { Registry } from '../../../src/registry/registry.js';
import { testPlugin } from './plugin.js';

describe('input findings', () => {
  it('reports a loaded registry and config as ok, with the plugins and default', () => {
    const registry = new Registry('/r/plugins.yaml', [testPlugin('a'), testPlugin('b')], 'b');
    expect(validInputFindings(registry, DEFAULT_CONFIG)).toEqual([
      { check: 'registry', status: 'ok', message: '/r/plugins.yaml: 2 plugin(s) (a, b); default: b' },
      { check: 'config', status: 'ok', message: 'built-in defaults: valid' },
    ]);
  });

  it('turns every problem into a failed finding with file:line:col, sorted to registry or config by file', () => {
    const error = new ConfigError(
      [
        { file: '/r/plugins.yaml', line: 4, col: 3, message: 'missing key "cmd"' },
        { file: 'cfg.json', line: 2, col: 5, message: 'unknown key "Nope"' },
        { file: 'REMOTEREPO_USER', message: 'set without REMOTEREPO_PASS' },
      ],
      'see the README',
    );
    expect(invalidInputFindings(error, '/r/plugins.yaml')).toEqual([
      { check: 'registry', status: 'fail', message: '/r/plugins.yaml:4:3: missing key "cmd"', hint: 'see the README' },
      { check: 'config', status: 'fail', message: 'cfg.json:2:5: unknown key "Nope"', hint: 'see the README' },
      { check: 'config', status: 'fail', message: 'REMOTEREPO_USER: set without REMOTEREPO_PASS', hint: 'see the README' },
    ]);
  });
});
