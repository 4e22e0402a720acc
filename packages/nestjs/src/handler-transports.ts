import type { ModulesContainer } from '@nestjs/core';

// The metadata keys of `@nestjs/graphql`, `@nestjs/websockets` and `@nestjs/microservices`,
// read as strings so none of them is loaded.
const CLASS_KEYS = ['graphql:resolver_name', 'graphql:resolver_type', 'websockets:is_gateway'];
const METHOD_KEYS = ['graphql:resolver_type', 'graphql:resolver_name', 'microservices:pattern'];

/**
 * Whether the application has handlers that no HTTP request reaches through the platform: GraphQL
 * resolvers, WebSocket gateways, microservice message or event handlers. Those get their request
 * scope from the module's global interceptor; an HTTP-only app needs none.
 */
export function hasNonHttpHandlers(modules: ModulesContainer): boolean {
  for (const moduleRef of modules.values()) {
    for (const wrappers of [moduleRef.providers, moduleRef.controllers]) {
      for (const wrapper of wrappers.values()) {
        const type: unknown = wrapper.metatype;
        if (typeof type === 'function' && declaresNonHttp(type)) return true;
      }
    }
  }
  return false;
}

function declaresNonHttp(type: object): boolean {
  if (CLASS_KEYS.some((key) => Reflect.hasMetadata(key, type))) return true;
  // Handlers can be inherited from a base class.
  let proto = (type as { prototype?: unknown }).prototype;
  while (typeof proto === 'object' && proto !== null && proto !== Object.prototype) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor') continue;
      const method = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown;
      if (typeof method !== 'function') continue;
      if (METHOD_KEYS.some((key) => Reflect.hasMetadata(key, method))) return true;
    }
    proto = Object.getPrototypeOf(proto) as unknown;
  }
  return false;
}
