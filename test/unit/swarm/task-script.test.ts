import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { POST_RESULTS_SCRIPT } from '../../../src/transport/post-results-script.js';
import { newStepNonce, parseMarker, stepMarker } from '../../../src/swarm/step-marker.js';
import { swarmTaskCommand, TASK_SCRIPT } from '../../../src/swarm/task-script.js';

const options = { shell: '/bin/bash', cmd: `echo "$(id)"; rm -rf / # ' " \``, user: 'scanner:staff', results: ['a b.json', "it's.txt"], apiUrl: 'http://10.0.0.1:4242', nonce: newStepNonce() };

describe('swarmTaskCommand', () => {
  it('passes the plugin data as environment variables and arguments, never inside the script', () => {
    const task = swarmTaskCommand(options);
    expect(task.command).toEqual(['/bin/bash', '-c', TASK_SCRIPT, 'pmt-task', 'a b.json', "it's.txt"]);
    expect(task.env).toEqual({
      PMT_API_URL: 'http://10.0.0.1:4242',
      PMT_STEP_NONCE: options.nonce,
      PMT_TASK_SHELL: '/bin/bash',
      PMT_TASK_CMD: options.cmd,
      PMT_TASK_USER: 'scanner:staff',
    });
    expect(TASK_SCRIPT).not.toContain('rm -rf');
    expect(swarmTaskCommand({ ...options, user: undefined }).env.PMT_TASK_USER).toBe('');
  });

  it('is a POSIX script that embeds the one upload loop the local agent runs', () => {
    execFileSync('/bin/sh', ['-n', '-c', TASK_SCRIPT]);
    expect(TASK_SCRIPT).toContain(`'${POST_RESULTS_SCRIPT.replace(/'/g, `'\\''`)}'`);
    expect(TASK_SCRIPT.split('send() {').length).toBe(2);
  });
});

describe('step markers', () => {
  it('parse back only with their own nonce', () => {
    const line = stepMarker(options.nonce, { kind: 'end', step: 'cmd', exitCode: 137 });
    expect(parseMarker(line, options.nonce)).toEqual({ kind: 'end', step: 'cmd', exitCode: 137 });
    expect(parseMarker(line, newStepNonce())).toBeUndefined();
    expect(parseMarker(stepMarker(options.nonce, { kind: 'begin', step: 'upload' }), options.nonce)).toEqual({ kind: 'begin', step: 'upload' });
  });
});
