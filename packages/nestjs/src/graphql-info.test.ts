import { describe, expect, it } from 'vitest';
import { graphqlOperation } from './graphql-info.js';

describe('graphqlOperation', () => {
  it("reads the operation's name and type, the field, its parent type and its arguments", () => {
    const info = {
      fieldName: 'addToCart',
      parentType: { name: 'Mutation' },
      operation: { operation: 'mutation', name: { kind: 'Name', value: 'AddToCart' } },
    };
    expect(graphqlOperation([undefined, { productId: 'p1' }, {}, info])).toEqual({
      operationName: 'AddToCart',
      operationType: 'mutation',
      fieldName: 'addToCart',
      parentType: 'Mutation',
      args: { productId: 'p1' },
    });
  });

  it('leaves the name undefined for an anonymous operation', () => {
    const info = {
      fieldName: 'product',
      parentType: { name: 'Query' },
      operation: { operation: 'query', name: null },
    };
    expect(graphqlOperation([undefined, {}, {}, info])?.operationName).toBeUndefined();
  });

  it('returns undefined when the arguments are not a resolver call', () => {
    expect(graphqlOperation([{ id: 1 }, {}])).toBeUndefined();
  });
});
