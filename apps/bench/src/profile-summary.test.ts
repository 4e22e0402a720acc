import { describe, expect, it } from 'vitest';
import { summarizeProfile, type CpuProfile } from './profile-summary.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
});

// root → middleware (express adapter) → track (core) → serialize (core); root → router; idle; gc
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 5, 6, 7] },
    {
      id: 2,
      callFrame: frame('middleware', 'file:///r/packages/express/dist/index.mjs', 9),
      children: [3],
    },
    { id: 3, callFrame: frame('track', 'file:///r/packages/core/dist/a.mjs', 19), children: [4] },
    { id: 4, callFrame: frame('serialize', 'file:///r/packages/core/dist/a.mjs', 29) },
    { id: 5, callFrame: frame('next', 'file:///r/node_modules/router/index.js', 188) },
    { id: 6, callFrame: frame('(idle)') },
    { id: 7, callFrame: frame('(garbage collector)') },
  ],
  samples: [2, 3, 4, 4, 5, 6, 6, 7],
  timeDeltas: [10, 10, 10, 10, 10, 500, 500, 20],
};

describe('summarizeProfile', () => {
  it('adds self time by package and by function, leaving idle time out', () => {
    const s = summarizeProfile(profile);
    expect(s.busyUs).toBe(70);
    expect(s.byGroup).toEqual([
      ['@tributary/core', 30],
      ['(garbage collector)', 20],
      ['@tributary/express', 10],
      ['router', 10],
    ]);
    expect(s.bySelf[0]).toEqual(['serialize packages/core/dist/a.mjs:30', 20]);
  });

  it('gives each Tributary function the time of everything it called', () => {
    expect(summarizeProfile(profile).tributaryInclusive).toEqual([
      ['middleware packages/express/dist/index.mjs:10', 40],
      ['track packages/core/dist/a.mjs:20', 30],
      ['serialize packages/core/dist/a.mjs:30', 20],
    ]);
  });
});
