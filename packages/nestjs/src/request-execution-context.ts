import type { ExecutionContext } from '@nestjs/common';

type HttpArgumentsHost = ReturnType<ExecutionContext['switchToHttp']>;
type RpcArgumentsHost = ReturnType<ExecutionContext['switchToRpc']>;
type WsArgumentsHost = ReturnType<ExecutionContext['switchToWs']>;

/**
 * The execution context of an HTTP request, what the platform hook hands `resolveUser` and
 * `resolveAnonymousId`: type `'http'`, the request and response through `switchToHttp()`, and the
 * handler and class once Nest chose them and told the module's guard (`null` before, as Nest's
 * own context without them). Built here rather than from Nest's internal `ExecutionContextHost`,
 * whose path is not public API.
 */
export class RequestExecutionContext implements ExecutionContext {
  readonly #request: unknown;
  readonly #response: unknown;
  readonly #next: unknown;
  /**
   * Nest's own context of the handler, once it chose one: set by the module's guard when
   * `resolveUser` declares its context parameter (see `HandlerContextGuard`).
   */
  handler: ExecutionContext | undefined;

  constructor(request: unknown, response: unknown, next: unknown) {
    this.#request = request;
    this.#response = response;
    this.#next = next;
  }

  // The arguments as an array only when asked for: most requests never are.
  get #args(): [unknown, unknown, unknown] {
    return [this.#request, this.#response, this.#next];
  }

  getType<TContext extends string = 'http'>(): TContext {
    return 'http' as TContext;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Nest's own signature.
  getClass<T = any>(): new (...args: unknown[]) => T {
    return (this.handler?.getClass<T>() ?? null) as never;
  }

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- Nest's own signature.
  getHandler(): Function {
    return (this.handler?.getHandler() ?? null) as never;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Nest's own signature.
  getArgs<T extends any[] = any[]>(): T {
    return this.#args as unknown as T;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Nest's own signature.
  getArgByIndex<T = any>(index: number): T {
    return this.#args[index] as T;
  }

  switchToHttp(): HttpArgumentsHost {
    const [request, response, next] = this.#args;
    return {
      getRequest: <T>() => request as T,
      getResponse: <T>() => response as T,
      getNext: <T>() => next as T,
    };
  }

  switchToRpc(): RpcArgumentsHost {
    const [data, context] = this.#args;
    return { getData: <T>() => data as T, getContext: <T>() => context as T };
  }

  switchToWs(): WsArgumentsHost {
    const [client, data] = this.#args;
    return {
      getClient: <T>() => client as T,
      getData: <T>() => data as T,
      getPattern: () => '',
    };
  }
}

/** Where the platform hook leaves a request's context for `HandlerContextGuard` to complete. */
export const REQUEST_CONTEXT = Symbol('tributary.requestExecutionContext');

/** A request the platform hook left its context on. */
export interface RequestWithContext {
  [REQUEST_CONTEXT]?: RequestExecutionContext;
}
