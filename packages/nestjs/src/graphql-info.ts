/** The GraphQL operation a resolver runs in, as `@Track()` callbacks see it. */
export interface GraphqlOperation {
  /** The operation's name (`query ProductPage { … }` → `'ProductPage'`); `undefined` when anonymous. */
  operationName: string | undefined;
  /** `'query'`, `'mutation'` or `'subscription'`. */
  operationType: string;
  /** The field being resolved (`product`, `addToCart`, or a field resolver's field). */
  fieldName: string;
  /** The type the field belongs to: `Query`, `Mutation`, or the parent object type. */
  parentType: string;
  /** The field's arguments, as the resolver receives them. */
  args: Record<string, unknown>;
}

/**
 * Reads the operation of a resolver call from its raw arguments `[root, args, context, info]`,
 * structurally, so `graphql` and `@nestjs/graphql` are never imported.
 */
export function graphqlOperation(resolverArgs: readonly unknown[]): GraphqlOperation | undefined {
  const info = resolverArgs[3] as ResolveInfoLike | undefined;
  if (typeof info !== 'object' || info === null || typeof info.fieldName !== 'string') {
    return undefined;
  }
  const args = resolverArgs[1];
  return {
    operationName: info.operation?.name?.value,
    operationType: info.operation?.operation ?? 'query',
    fieldName: info.fieldName,
    parentType: info.parentType?.name ?? '',
    args: typeof args === 'object' && args !== null ? (args as Record<string, unknown>) : {},
  };
}

/** The parts of graphql-js's `GraphQLResolveInfo` read here. */
interface ResolveInfoLike {
  fieldName?: unknown;
  parentType?: { name?: string };
  operation?: { operation?: string; name?: { value?: string } | null };
}
