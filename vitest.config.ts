import { configDefaults, defineConfig } from 'vitest/config';

const timeouts = { testTimeout: 60_000, hookTimeout: 180_000 };

export default defineConfig({
  test: {
    // Containers and the engine are shared; two workers keep the 2-core machines busy without thrashing.
    maxWorkers: 2,
    reporters: process.env.CI ? ['verbose'] : ['default'],
    projects: [
      {
        test: {
          name: 'engine',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/e2e/swarm/**'],
          globalSetup: ['test/support/global-setup.ts'],
          ...timeouts,
        },
      },
      {
        // The two-node swarm lab (scripts/setup-swarm-lab.sh): its files run one at a time (they share
        // two small nodes and the leak checks look at whole nodes), alongside the engine project's.
        test: {
          name: 'swarm',
          include: ['test/e2e/swarm/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts', 'test/support/swarm-global-setup.ts'],
          fileParallelism: false,
          ...timeouts,
        },
      },
    ],
  },
});
