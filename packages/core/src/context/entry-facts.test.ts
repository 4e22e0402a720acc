import { describe, expect, it, vi } from 'vitest';
import { RequestAnalytics } from '../adapter/request-analytics.js';
import { createTestAnalytics } from '../testing/index.js';
import '../runtime/node.js';
import {
  currentEntryFacts,
  ENTRY_FACTS,
  enterScope,
  getCurrentScope,
  runWithScope,
  sameScope,
  type RequestScope,
} from './request-scope.js';

const entry = (peer: string): RequestScope => ({ [ENTRY_FACTS]: { peer } }) as RequestScope;

describe('entry facts', () => {
  it('stay current across awaits once entered, and a later entry replaces them', async () => {
    const seen = await new Promise<unknown[]>((resolve) => {
      setImmediate(() => {
        const out: unknown[] = [enterScope(entry('10.0.0.1'))];
        void (async () => {
          await Promise.resolve();
          out.push(currentEntryFacts());
          enterScope(entry('10.0.0.2'));
          await new Promise((r) => setTimeout(r, 1));
          out.push(currentEntryFacts());
          enterScope(undefined);
          out.push(currentEntryFacts());
          resolve(out);
        })();
      });
    });
    expect(seen).toEqual([true, { peer: '10.0.0.1' }, { peer: '10.0.0.2' }, undefined]);
  });

  it('are seen inside a request scope entered over them, and calls bound to that scope go straight to the client', async () => {
    await new Promise<void>((resolve) => {
      setImmediate(() => {
        enterScope(entry('10.0.0.3'));
        const client = createTestAnalytics();
        const withScope = vi.spyOn(client, 'withScope');
        const scope: RequestScope = { context: { ip: '10.0.0.3' }, anonymousId: 'anon-1' };
        const analytics = new RequestAnalytics(client, scope);
        runWithScope(scope, () => {
          expect(currentEntryFacts()).toEqual({ peer: '10.0.0.3' });
          expect(sameScope(getCurrentScope(), scope)).toBe(true);
          analytics.track({ event: 'Viewed' });
          expect(getCurrentScope()?.context).toEqual({ ip: '10.0.0.3' });
        });
        expect(withScope).not.toHaveBeenCalled();
        expect(client.messages.map((m) => [m.anonymousId, m.context.ip])).toEqual([
          ['anon-1', '10.0.0.3'],
        ]);
        enterScope(undefined);
        resolve();
      });
    });
  });

  it('do not make a scope that adds fields of its own the same as the one entered in it', () => {
    const outer: RequestScope = { context: { locale: 'fr' } };
    const inner: RequestScope = { anonymousId: 'anon-2' };
    runWithScope(outer, () =>
      runWithScope(inner, () => expect(sameScope(getCurrentScope(), inner)).toBe(false)),
    );
  });
});
