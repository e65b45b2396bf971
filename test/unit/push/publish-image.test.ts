import { describe, expect, it } from 'vitest';
import { publishImage } from '../../../src/push/publish-image.js';

/** An engine whose tag removal fails, and what happened to it. */
function engine(options: { before?: string; pushFails?: boolean }) {
  const calls: string[] = [];
  return {
    calls,
    findImage: async () => (options.before ? { id: options.before, labels: {}, user: '', repoDigests: [] } : undefined),
    tagImage: async (source: string, target: string) => {
      calls.push(`tag ${source} ${target}`);
      if (source === options.before) throw new Error('engine said no to the tag');
    },
    untagImage: async (target: string) => {
      calls.push(`untag ${target}`);
      throw new Error('engine said no to the untag');
    },
    pushImage: async (target: string) => {
      calls.push(`push ${target}`);
      if (options.pushFails) throw new Error('registry refused');
      return 'sha256:' + 'd'.repeat(64);
    },
  };
}

describe('publishImage when the extra tag cannot be undone', () => {
  it('keeps a successful push successful and says which tag was left', async () => {
    const problems: string[] = [];
    const fake = engine({});
    const digest = await publishImage(fake, { image: 'pmt/x:1', target: 'reg:5000/pmt/x:1', auth: undefined, onTagProblem: (p) => problems.push(p) });
    expect(digest).toBe('sha256:' + 'd'.repeat(64));
    expect(fake.calls).toEqual(['tag pmt/x:1 reg:5000/pmt/x:1', 'push reg:5000/pmt/x:1', 'untag reg:5000/pmt/x:1']);
    expect(problems).toEqual(['the extra tag reg:5000/pmt/x:1 is left on the engine (docker rmi reg:5000/pmt/x:1): engine said no to the untag']);
  });

  it('keeps the push\'s own error when the push fails, and says the tag was not given back', async () => {
    const problems: string[] = [];
    const fake = engine({ before: 'sha256:old', pushFails: true });
    await expect(publishImage(fake, { image: 'pmt/x:1', target: 'reg:5000/pmt/x:1', auth: undefined, onTagProblem: (p) => problems.push(p) })).rejects.toThrow('registry refused');
    expect(problems).toEqual(['reg:5000/pmt/x:1 still names pmt/x:1, not sha256:old as before: engine said no to the tag']);
  });
});
