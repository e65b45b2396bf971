#!/usr/bin/env node
// The least a Node client of the Docker engine does to run a registry's plugins: read the registry
// with the same YAML library as pmt (lib/yaml-island.mjs), then per plugin, `concurrency` at a time,
// straight through the engine's API (bare node:http, lib/engine-http.mjs) — create
// (the input bound read-only), start, wait, take /result (bound from --out, or one archive request
// with --archive), remove. No validation, no compatibility check, no logs, no cleanup guarantees:
// the least a Node program does for the result pmt gets, for the benches to measure beside
// pmt (`node bench/lib/min-client.mjs REGISTRY INPUT [--plugin NAME] [--concurrency N] [--out DIR | --archive]`).
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { engine } from './engine-http.mjs';
import { yaml } from './yaml-island.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { plugin: { type: 'string' }, concurrency: { type: 'string', default: '1' }, out: { type: 'string' }, archive: { type: 'boolean', default: false } },
});
const [registryFile, inputArg] = positionals;
const input = inputArg && resolve(inputArg);
if (!registryFile || !input || (!values.out && !values.archive)) throw new Error('usage: min-client.mjs REGISTRY INPUT [--plugin NAME] [--concurrency N] (--out DIR | --archive)');
const plugins = yaml().parse(readFileSync(registryFile, 'utf8')).plugins.filter((p) => !values.plugin || p.name === values.plugin);

async function run(plugin) {
  const binds = [`${input}:/input:ro`];
  if (values.out) {
    const out = join(values.out, plugin.name);
    mkdirSync(out, { recursive: true });
    binds.push(`${out}:/result`);
  }
  const { body } = await engine('POST', '/containers/create', {
    Image: plugin.docker_image,
    Cmd: [plugin.shell, '-c', plugin.cmd],
    Volumes: values.out ? {} : { '/result': {} },
    HostConfig: { NetworkMode: 'none', Binds: binds },
  });
  const id = body.Id;
  try {
    await engine('POST', `/containers/${id}/start`);
    const { StatusCode } = (await engine('POST', `/containers/${id}/wait`)).body;
    if (StatusCode !== 0) throw new Error(`${plugin.name} exited ${StatusCode}`);
    if (values.archive) await engine('GET', `/containers/${id}/archive?path=/result`);
  } finally {
    await engine('DELETE', `/containers/${id}?force=true&v=true`);
  }
}

let next = 0;
const worker = async () => {
  while (next < plugins.length) await run(plugins[next++]);
};
await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
