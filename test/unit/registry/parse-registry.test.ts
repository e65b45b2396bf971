import { describe, expect, it } from 'vitest';
import { PLUGIN_DEFAULTS } from '../../support/plugin-defaults.js';
import { ConfigError } from '../../../src/errors.js';
import { parseRegistry, REGISTRY_HINT } from '../../../src/registry/parse-registry.js';
import { problemsOf } from '../config/problems-of.js';

const options = { baseDir: '/srv/pmt' };

/** A valid registry; tests replace single lines of it. */
const VALID = `version: R1.0
default_plugin: licensee
plugins:
  - name: licensee
    version: 9.16.0
    docker_image: pmt/licensee:9.16.0
    shell: /bin/sh
    cmd: licensee detect /input --json > /result/result.json
    results: [result.json]
`;

const parse = (text: string, file = 'reg.yaml') => parseRegistry(text, file, options);
const problems = (text: string, file = 'reg.yaml') => problemsOf(() => parse(text, file));
const edit = (from: string, to: string): string => {
  expect(VALID).toContain(from);
  return VALID.replace(from, to);
};

describe('parseRegistry: valid files', () => {
  it('turns a canonical entry into a Plugin with defaults filled in', () => {
    const registry = parse(VALID);
    expect(registry.source).toBe('reg.yaml');
    expect(registry.available()).toEqual([
      {
        name: 'licensee',
        version: '9.16.0',
        image: 'pmt/licensee:9.16.0',
        shell: '/bin/sh',
        cmd: 'licensee detect /input --json > /result/result.json',
        results: ['result.json'],
        importer: 'licensee',
        ...PLUGIN_DEFAULTS,
      },
    ]);
    expect(registry.default()?.name).toBe('licensee');
    expect(Object.isFrozen(registry.available()[0])).toBe(true);
    expect(Object.isFrozen(registry.available()[0]?.results)).toBe(true);
  });

  it('reads core_version, importer and build (resolved against the registry directory)', () => {
    const text = `${VALID}    core_version: ">=1.0.0 <2"\n    importer: spdx\n    build: plugins/licensee\n`;
    expect(parse(text).available()[0]).toMatchObject({ coreVersion: '>=1.0.0 <2', importer: 'spdx', build: '/srv/pmt/plugins/licensee' });
    expect(parse(`${VALID}    build: /opt/licensee\n`).available()[0]?.build).toBe('/opt/licensee');
  });

  it('takes the default plugin by index or by name in any case, and allows none', () => {
    expect(parse(edit('default_plugin: licensee', 'default_plugin: 0')).default()?.name).toBe('licensee');
    expect(parse(edit('default_plugin: licensee', 'default_plugin: LICENSEE')).default()?.name).toBe('licensee');
    expect(parse(edit('default_plugin: licensee\n', '')).default()).toBeUndefined();
  });

  it('keeps a version YAML reads as a number as the text written', () => {
    expect(parse(edit('version: 9.16.0', 'version: 1.0')).available()[0]?.version).toBe('1.0');
    expect(parse(edit('version: 9.16.0', 'version: 2')).available()[0]?.version).toBe('2');
  });

  it('reads JSON by extension or by content', () => {
    const json = JSON.stringify({ version: 'R1.0', plugins: [{ name: 'a', version: '1', docker_image: 'a', shell: 'sh', cmd: 'x', results: ['r'] }] });
    expect(parse(json, 'reg.json').available()[0]?.name).toBe('a');
    expect(parse(json, 'registry').available()[0]?.name).toBe('a');
  });
});

describe('parseRegistry: problems', () => {
  it('reports a YAML syntax error with its position', () => {
    expect(problems(edit('    shell: /bin/sh', '    shell: "/bin/sh'))).toEqual([
      // The parser notices an unclosed quote only at the end of the text.
      'reg.yaml:10:1: invalid YAML: Missing closing "quote',
    ]);
    // Only the first: later errors are mostly consequences of it.
    expect(problems(edit('    shell: /bin/sh', '   shell: /bin/sh'))).toEqual(['reg.yaml:7:1: invalid YAML: Sequence item without - indicator']);
  });

  it('reports a JSON syntax error with its position, YAML-only syntax included', () => {
    expect(problems('{\n  "version": "R1.0",\n  plugins: []\n}', 'reg.json')).toEqual([
      'reg.json:3:3: invalid JSON: expected a double-quoted string, found "p"',
    ]);
    expect(problems('{"version": "R1.0", "plugins": [}', 'reg.json')).toEqual(['reg.json:1:33: invalid JSON: expected a JSON value, found "}"']);
  });

  it('reports an unknown registry version, naming the supported ones', () => {
    expect(problems(edit('version: R1.0', 'version: R2.0'))).toEqual(['reg.yaml:1:10: version: unsupported registry version "R2.0" (supported: R1.0)']);
    expect(problems(edit('version: R1.0', 'version: 1.0'))).toEqual(['reg.yaml:1:10: version: unsupported registry version "1.0" (supported: R1.0)']);
  });

  it('reports missing required keys, at the mapping that lacks them', () => {
    expect(problems(edit('version: R1.0\n', ''))).toEqual(['reg.yaml:1:1: missing required key "version"']);
    expect(problems('version: R1.0\n')).toEqual(['reg.yaml:1:1: missing required key "plugins"']);
    expect(problems(edit('    shell: /bin/sh\n    cmd: licensee detect /input --json > /result/result.json\n', ''))).toEqual([
      'reg.yaml:4:5: plugins[0]: missing required key "shell"',
      'reg.yaml:4:5: plugins[0]: missing required key "cmd"',
    ]);
  });

  it('reports a registry without plugins', () => {
    expect(problems('version: R1.0\nplugins: []\n')).toEqual(['reg.yaml:2:10: plugins: the registry has no plugins; add at least one']);
  });

  it('reports duplicate plugin names, compared case-insensitively', () => {
    const twice = `${VALID}${VALID.slice(VALID.indexOf('  - name')).replace('name: licensee', 'name: LICENSEE')}`;
    expect(problems(twice)).toEqual([
      'reg.yaml:10:11: plugins[1].name: duplicate plugin name "LICENSEE" (plugins[0] has it; names are compared case-insensitively)',
    ]);
  });

  it('reports bad plugin names, including the reserved "all"', () => {
    expect(problems(edit('name: licensee', 'name: all'))).toEqual([
      'reg.yaml:2:17: default_plugin: no plugin named "licensee" (available: all)',
      'reg.yaml:4:11: plugins[0].name: "all" is reserved (it selects every plugin)',
    ]);
    expect(problems(edit('name: licensee', 'name: "my plugin"'))).toEqual([
      'reg.yaml:2:17: default_plugin: no plugin named "licensee" (available: my plugin)',
      'reg.yaml:4:11: plugins[0].name: must start with a letter or digit and contain only letters, digits, ".", "_" and "-"',
    ]);
  });

  it('reports empty results and a single string instead of a list', () => {
    expect(problems(edit('results: [result.json]', 'results: []'))).toEqual(['reg.yaml:9:14: plugins[0].results: must list at least one result file']);
    expect(problems(edit('results: [result.json]', 'results: result.json'))).toEqual([
      'reg.yaml:9:14: plugins[0].results: expected a list, got a string ("result.json")',
    ]);
    expect(problems(edit('results: [result.json]', 'results: [1]'))).toEqual(['reg.yaml:9:15: plugins[0].results[0]: expected a string, got an integer (1)']);
  });

  it('reports result names that are not plain file names, and repeats', () => {
    expect(problems(edit('results: [result.json]', 'results: [ok.json, ../up.json, a/b, ".", "", ok.json]'))).toEqual([
      'reg.yaml:9:24: plugins[0].results[1]: "../up.json" must be a plain file name, not a path',
      'reg.yaml:9:36: plugins[0].results[2]: "a/b" must be a plain file name, not a path',
      'reg.yaml:9:41: plugins[0].results[3]: "." is not a file name',
      'reg.yaml:9:46: plugins[0].results[4]: a result file name must not be empty',
      'reg.yaml:9:50: plugins[0].results[5]: "ok.json" is listed twice',
    ]);
  });

  it('reports result names a transport cannot carry (curl -F syntax, invisible characters)', () => {
    expect(problems(edit('results: [result.json]', 'results: ["a,b.txt", "del\\x7f", "x\\u202Etxt.exe"]'))).toEqual([
      'reg.yaml:9:15: plugins[0].results[0]: "a,b.txt" must not contain "," (curl -F gives it a meaning)',
      'reg.yaml:9:26: plugins[0].results[1]: "del\\u007f" must not contain control or invisible formatting characters (found U+007F)',
      'reg.yaml:9:37: plugins[0].results[2]: "x\\u202etxt.exe" must not contain control or invisible formatting characters (found U+202E)',
    ]);
  });

  it('reports a <plugin>_<result> save name over 255 bytes', () => {
    const long = 'r'.repeat(246);
    expect(parse(edit('results: [result.json]', `results: [${long}]`)).available()).toHaveLength(1);
    expect(problems(edit('results: [result.json]', `results: [${long}x]`))).toEqual([
      `reg.yaml:9:15: plugins[0].results[0]: "${long}x" is saved as "licensee_…" (256 bytes), longer than the 255 bytes a file name may have; shorten the result or plugin name`,
    ]);
  });

  it('reports two results that would be saved as one file, across plugins and ignoring case', () => {
    const second = `  - name: licensee_result
    version: 1.0.0
    docker_image: pmt/x:1
    shell: /bin/sh
    cmd: "true"
    results: [JSON, Other.txt, other.TXT]
`;
    expect(problems(VALID.replace('results: [result.json]', 'results: [result.json, result_json]') + second)).toEqual([
      'reg.yaml:15:15: plugins[1].results[0]: "JSON" would be saved as "licensee_result_JSON", the same file as "result_json" of plugins[0] (licensee) (names are compared ignoring case); rename one of them',
      'reg.yaml:15:32: plugins[1].results[2]: "other.TXT" would be saved as "licensee_result_other.TXT", the same file as another result of this plugin (names are compared ignoring case); rename one of them',
    ]);
  });

  it('reports a NUL character in shell or cmd (they travel to the container\'s shell as quoted words)', () => {
    const broken = VALID.replace('shell: /bin/sh', 'shell: "/bin/sh\\0"').replace('cmd: licensee detect /input --json > /result/result.json', 'cmd: "licensee\\0 detect"');
    expect(problems(broken)).toEqual([
      'reg.yaml:7:12: plugins[0].shell: must not contain a NUL character',
      'reg.yaml:8:10: plugins[0].cmd: must not contain a NUL character',
    ]);
  });

  it('refuses a shell with arguments at its position, saying where the options go', () => {
    expect(problems(edit('shell: /bin/sh', 'shell: /bin/sh -e'))).toEqual([
      'reg.yaml:7:12: plugins[0].shell: "/bin/sh -e" has arguments, but `shell` is the path of the shell alone (pmt runs [shell, "-c", cmd]): use "/bin/sh" and put options into `cmd` (e.g. `set -e; …`)',
    ]);
  });

  it('points a reserved or invalid env name at that key, not at the first one', () => {
    const text = `${VALID}    env:\n      LANG: C.UTF-8\n      PMT_TOKEN: x\n      2BAD: y\n`;
    expect(problems(text)).toEqual([
      'reg.yaml:12:7: plugins[0].env.PMT_TOKEN: names starting with PMT_ are reserved for pmt (it sets PMT_INPUT_DIR, PMT_TOKEN, …)',
      'reg.yaml:13:7: plugins[0].env.2BAD: "2BAD" is not a shell variable name',
    ]);
  });

  it('reports an invalid Docker image reference', () => {
    expect(problems(edit('docker_image: pmt/licensee:9.16.0', 'docker_image: pmt/Licensee:9.16.0'))).toEqual([
      'reg.yaml:6:19: plugins[0].docker_image: invalid Docker image reference "pmt/Licensee:9.16.0": the repository name must be lowercase',
    ]);
  });

  it('reads the isolation and limit keys, with secure defaults when they are absent', () => {
    const text = `${VALID}    timeout: 10m\n    network: host\n    resources: { memory: 512MiB, cpus: 1.5, pids: 128 }\n    user: "1000:1000"\n    read_only_rootfs: true\n    env: { LANG: C.UTF-8 }\n`;
    expect(parse(text).available()[0]).toMatchObject({
      timeoutMs: 600_000,
      network: 'host',
      resources: { memoryBytes: 512 * 2 ** 20, cpus: 1.5, pids: 128 },
      user: '1000:1000',
      readOnlyRootfs: true,
      env: { LANG: 'C.UTF-8' },
    });
    expect(parse(VALID).available()[0]).toMatchObject({ timeoutMs: undefined, network: 'none', readOnlyRootfs: false, env: {} });
  });

  it('reports bad timeouts, limits, networks and env names', () => {
    const text = `${VALID}    timeout: soon\n    network: bridged\n    resources: { memory: 1MiB, pids: 2 }\n    env: { PMT_TOKEN: x }\n`;
    const found = problems(text);
    expect(found).toHaveLength(5);
    expect(found[0]).toMatch(/^reg\.yaml:10:14: plugins\[0\]\.timeout: "soon" is not a duration/);
    expect(found[1]).toMatch(/^reg\.yaml:11:14: plugins\[0\]\.network: /);
    expect(found[2]).toContain('plugins[0].resources.memory: Docker needs at least 6MiB');
    expect(found[3]).toContain('plugins[0].resources.pids');
    expect(found[4]).toBe('reg.yaml:13:12: plugins[0].env.PMT_TOKEN: names starting with PMT_ are reserved for pmt (it sets PMT_INPUT_DIR, PMT_TOKEN, …)');
  });

  it('reads swarm placement constraints and refuses blank ones or a single string', () => {
    const text = `${VALID}    constraints: ["node.labels.scanner==big", "node.role==worker"]\n`;
    expect(parse(text).available()[0]?.constraints).toEqual(['node.labels.scanner==big', 'node.role==worker']);
    expect(parse(VALID).available()[0]?.constraints).toBeUndefined();
    expect(problems(`${VALID}    constraints: ["node.role==worker", "  "]\n`)).toEqual(['reg.yaml:10:40: plugins[0].constraints[1]: must not be blank']);
    expect(problems(`${VALID}    constraints: node.role==worker\n`)[0]).toMatch(/^reg\.yaml:10:18: plugins\[0\]\.constraints: /);
  });

  it('reports an invalid core_version range', () => {
    expect(problems(`${VALID}    core_version: "version one"\n`)).toEqual([
      'reg.yaml:10:19: plugins[0].core_version: invalid semver range "version one" (e.g. ">=1.0.0 <2")',
    ]);
  });

  it('reports unknown keys, suggesting the closest known one', () => {
    expect(problems(edit('docker_image:', 'dockerimage:'))).toEqual(['reg.yaml:6:5: plugins[0]: unknown key "dockerimage" — did you mean "docker_image"?']);
    expect(problems(edit('default_plugin:', 'defaultPlugin:'))).toEqual(['reg.yaml:2:1: unknown key "defaultPlugin" — did you mean "default_plugin"?']);
    expect(problems(`${VALID}    timeuot: 30\n`)).toEqual(['reg.yaml:10:5: plugins[0]: unknown key "timeuot" — did you mean "timeout"?']);
    expect(problems(`${VALID}    colour: red\n`)).toEqual(['reg.yaml:10:5: plugins[0]: unknown key "colour"']);
  });

  it('reports a default plugin index out of range, or an unknown default name', () => {
    expect(problems(edit('default_plugin: licensee', 'default_plugin: 1'))).toEqual([
      'reg.yaml:2:17: default_plugin: index 1 is out of range (plugins has 1: 0–0)',
    ]);
    expect(problems(edit('default_plugin: licensee', 'default_plugin: -1'))).toEqual([
      'reg.yaml:2:17: default_plugin: index -1 is out of range (plugins has 1: 0–0)',
    ]);
    expect(problems(edit('default_plugin: licensee', 'default_plugin: scancode'))).toEqual([
      'reg.yaml:2:17: default_plugin: no plugin named "scancode" (available: licensee)',
    ]);
    expect(problems(edit('default_plugin: licensee', 'default_plugin: 0.5'))).toEqual([
      'reg.yaml:2:17: default_plugin: expected a string or an integer, got a number (0.5)',
    ]);
  });

  it('reports wrong types, empty values included', () => {
    expect(problems(edit('    shell: /bin/sh', '    shell:'))).toEqual(['reg.yaml:7:11: plugins[0].shell: expected a string, got an empty value']);
    expect(problems(edit('name: licensee', 'name: [licensee]'))).toEqual([
      'reg.yaml:2:17: default_plugin: no plugin named "licensee" (available: none)',
      'reg.yaml:4:11: plugins[0].name: expected a string, got a list',
    ]);
    expect(problems('- version: R1.0\n')).toEqual(['reg.yaml:1:1: expected a mapping, got a list']);
    expect(problems('version: R1.0\nplugins:\n  licensee: {}\n')).toEqual(['reg.yaml:3:3: plugins: expected a list, got a mapping']);
  });

  it('reports a legacy key given next to its canonical spelling', () => {
    expect(problems(edit('    docker_image: pmt/licensee:9.16.0\n', '    docker_image: pmt/licensee:9.16.0\n    dockerimg: pmt/other\n'))).toEqual([
      'reg.yaml:7:5: "dockerimg" and "docker_image" are the same setting; keep one',
    ]);
  });

  it('names paths as the user spelt them in legacy files', () => {
    const legacy = '{"Version": "R1.0", "Plugins": [{"Name": "a", "Version": "1", "DockerImg": "A", "Shell": "sh", "Cmd": "x", "Results": "r"}]}';
    expect(problems(legacy, 'old.json')).toEqual([
      'old.json:1:76: Plugins[0].DockerImg: invalid Docker image reference "A": the repository name must be lowercase',
      'old.json:1:119: Plugins[0].Results: expected a list, got a string ("r")',
    ]);
  });

  it('reports every problem at once, in file order, with a hint', () => {
    let error: unknown;
    try {
      parse(edit('version: R1.0', 'version: R9').replace('results: [result.json]', 'results: []').replace('docker_image:', 'image:'));
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).hint).toBe(REGISTRY_HINT);
    expect((error as ConfigError).message).toBe(
      [
        'reg.yaml:1:10: version: unsupported registry version "R9" (supported: R1.0)',
        'reg.yaml:4:5: plugins[0]: missing required key "docker_image"',
        'reg.yaml:6:5: plugins[0]: unknown key "image"',
        'reg.yaml:9:14: plugins[0].results: must list at least one result file',
      ].join('\n'),
    );
  });
});
