// A Cloudflare Worker's types, as @cloudflare/workers-types declares them (not installed here).
import { Analytics } from '@tributary/core';
interface Env {
  SEGMENT_WRITE_KEY: string;
}
interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}
