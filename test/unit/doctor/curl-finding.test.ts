import { describe, expect, it } from 'vitest';
import { curlFinding, type CurlProbe } from '../../../src/doctor/curl-finding.js';
import { testPlugin } from './plugin.js';

const plugin = testPlugin('p');
const ran = (exitCode: number, stdout: string, stderr = ''): CurlProbe => ({ kind: 'ran', result: { exitCode, stdout, stderr } });

describe('curlFinding', () => {
  it('is ok when curl -V answers, naming the version', () => {
    const finding = curlFinding(plugin, ran(0, 'curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1\nRelease-Date: 2023-02-20\n'), false);
    expect(finding).toEqual({ check: 'curl', plugin: 'p', status: 'ok', message: 'curl 7.88.1 in pmt-test/p:1' });
  });

  it('warns without curl when RestFallback allows archive copy', () => {
    const finding = curlFinding(plugin, ran(127, '', 'sh: 1: curl: not found\n'), true);
    expect(finding.status).toBe('warn');
    expect(finding.message).toContain('exit code 127: sh: 1: curl: not found');
    expect(finding.message).toContain('falls back to archive copy');
  });

  it('fails without curl when RestFallback is false, like the scan would', () => {
    const finding = curlFinding(plugin, { kind: 'exec-failed', reason: 'OCI runtime exec failed: "curl": executable file not found' }, false);
    expect(finding.status).toBe('fail');
    expect(finding.message).toContain('executable file not found');
    expect(finding.message).toContain('RestFallback is false');
    expect(finding.hint).toContain('"RestFallback": true');
  });

  it('treats output that is not curl\'s as missing curl, as the REST transport does', () => {
    expect(curlFinding(plugin, ran(0, 'busybox wget'), true).status).toBe('warn');
  });

  it('fails whatever RestFallback says when no container of the image starts', () => {
    const finding = curlFinding(plugin, { kind: 'not-started', reason: 'exec: "/bin/sh": not found' }, true);
    expect(finding.status).toBe('fail');
    expect(finding.message).toBe('a container of pmt-test/p:1 could not run: exec: "/bin/sh": not found');
    expect(finding.hint).toContain('/bin/sh');
  });
});
