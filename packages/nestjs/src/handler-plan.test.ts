import 'reflect-metadata';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { HandlerPlans } from './handler-plan.js';
import { SkipTracking, Track } from './track.decorator.js';

function contextOf(target: object, handler: unknown): ExecutionContext {
  return { getClass: () => target, getHandler: () => handler } as unknown as ExecutionContext;
}

class Shared {
  @Track('First')
  @Track('Second')
  handle(): void {}
}

@SkipTracking()
class Skipped {}
class Tracked {}

describe('HandlerPlans', () => {
  it("reads a handler's @Track()s in source order and returns the same plan on later requests", () => {
    const plans = new HandlerPlans(new Reflector());
    const context = contextOf(Tracked, Shared.prototype.handle);
    const plan = plans.of(context);
    expect(plan.skip).toBe(false);
    expect(plan.tracks.map((track) => track.event)).toEqual(['First', 'Second']);
    expect(plans.of(context)).toBe(plan);
  });

  it('plans a method two controllers share per controller, so a class-level @SkipTracking() counts', () => {
    const plans = new HandlerPlans(new Reflector());
    expect(plans.of(contextOf(Skipped, Shared.prototype.handle)).skip).toBe(true);
    expect(plans.of(contextOf(Tracked, Shared.prototype.handle)).skip).toBe(false);
  });

  it('reads a context without a handler as a plan with no events instead of throwing', () => {
    const plans = new HandlerPlans(new Reflector());
    expect(plans.of(contextOf(Tracked, undefined))).toEqual({ skip: false, tracks: [] });
  });
});
