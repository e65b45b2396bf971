#!/usr/bin/env node
// The least a Node CLI does to list a registry with each image's status: read it with the same
// YAML library as pmt (bundled into one CommonJS file with a code cache: the fastest way to load it on
// Node 20), ask the engine once for its images (bare node:http), print a line per plugin. No
// validation, no lookup, no options: the floor under `pmt -l` (`node bench/lib/min-list.mjs REGISTRY`).
import { readFileSync } from 'node:fs';
import { engine } from './engine-http.mjs';
import { yaml } from './yaml-island.mjs';

const plugins = yaml().parse(readFileSync(process.argv[2], 'utf8')).plugins;
const tags = new Set((await engine('GET', '/images/json')).body.flatMap((image) => image.RepoTags ?? []));
for (const p of plugins) process.stdout.write(`${p.name}\t${p.version}\t${p.docker_image}\t${tags.has(p.docker_image) ? 'present' : 'missing'}\n`);
